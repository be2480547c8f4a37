"""The course assignment's dataset, and the one building block students need.

:func:`assignment_data` gives a group of simulated participants whose seed and
parameters do not appear on the assignment page, so students estimate them instead
of reading them off. The seed is derived from a fixed key (and an optional
``variant``, e.g. a student's id, so that each student can get their own dataset)
through a hash: deterministic, so an instructor reproduces any student's data, but
not secret: this is a course tool, and :func:`instructor_data` returns the same
dataset with the parameters it was simulated with.
"""

from __future__ import annotations

import hashlib

import xarray as xr

from hgf_tutorial.simulate import simulate_group

#: Participants in the assignment's group.
N_PARTICIPANTS = 12

#: What the seed is derived from; change it to give a new cohort new data.
KEY = "hgf-tutorial/assignment/2026"

#: Variables that would give the answer away: dropped from the students' dataset.
HIDDEN = ("tonic_volatility", "inverse_temperature", "expected_mean")

# The population the participants are drawn from (not shown on the page).
_POPULATION = {"volatility": (-3.5, 0.8), "log_temperature": (0.9, 0.5)}


def _seed(variant: str | None) -> int:
    text = KEY if variant is None else f"{KEY}/{variant}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")


def instructor_data(variant: str | None = None) -> xr.Dataset:
    """The assignment's dataset with what it was simulated from (for grading).

    Parameters
    ----------
    variant : str, optional
        The same value given to :func:`assignment_data`.

    Returns
    -------
    xarray.Dataset
        As :func:`hgf_tutorial.simulate_group`: ``inputs``, ``responses``,
        ``tonic_volatility``, ``inverse_temperature``, ``expected_mean``; the
        population parameters are in ``attrs``.
    """
    if variant is not None and not isinstance(variant, str):
        raise ValueError(f"`variant` must be a string or None, got {variant!r}.")
    return simulate_group(N_PARTICIPANTS, seed=_seed(variant), **_POPULATION)


def assignment_data(variant: str | None = None) -> xr.Dataset:
    """The assignment's group dataset: inputs and responses only.

    Parameters
    ----------
    variant : str, optional
        Any string (a student's id, a cohort's name) gives a different dataset from
        the same population; ``None`` gives the one the assignment page uses.

    Returns
    -------
    xarray.Dataset
        Dims ``participant`` (12) and ``trial`` (320); variables ``inputs`` (trial)
        and ``responses`` (participant, trial). No seed and no true parameters.
    """
    full = instructor_data(variant)
    data = full.drop_vars(list(HIDDEN))
    data.attrs = {"source": "hgf_tutorial.assignment.assignment_data", "variant": variant or ""}
    return data


def observe_responses(volatility, inverse_temperature, data, *, name: str = "responses"):
    """Add the two-level HGF likelihood of the observed responses to the model being built.

    The course's short name for :func:`hgf_tutorial.model.observe_responses` with
    the two-level HGF: call it inside ``with pm.Model(...)`` to put any prior
    structure in front of the likelihood of :func:`hgf_tutorial.build_group_model`.

    Parameters
    ----------
    volatility : tensor, shape (n_participants,)
        Each participant's omega_2.
    inverse_temperature : tensor, shape (n_participants,) or scalar
        Each participant's inverse temperature, or one shared by everybody.
    data : xarray.Dataset
        ``responses`` (participant, trial) and ``inputs`` (trial) or (participant,
        trial), with masks where some trials have gaps.
    name : str
        Name of the observed variable.

    Returns
    -------
    TensorVariable
        The observed variable, one entry per scored response (see
        :func:`hgf_tutorial.model.observe_responses`).
    """
    from hgf_tutorial.model import observe_responses as observe

    return observe(data, {"volatility": volatility}, inverse_temperature, name=name)
