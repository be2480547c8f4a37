"""The pointwise log-likelihood group that ArviZ's LOO needs."""

from __future__ import annotations

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import xarray as xr

from hgf_tutorial.families import Family, get_family
from hgf_tutorial.fit import matched_data, parameter_draws
from hgf_tutorial.likelihood import group_beliefs
from hgf_tutorial.model import observations

#: Default bound on the JAX working set of one chunk (the output of one chunk).
DEFAULT_CHUNK_BYTES = 64 * 2**20


@functools.cache
def _draws_logp(family: Family):
    """Jitted (params (draws, participants), t, data) -> (draws, scored responses).

    The model's likelihood (:func:`~hgf_tutorial.model.observe_responses`) for many
    posterior draws at once: the same beliefs, the same Bernoulli with log-odds
    ``t * logit(belief)``, mapped over draws with ``jax.vmap``.
    """

    def one_draw(params, temperature, inputs, observed_input, responses, participant, trial):
        belief = group_beliefs(family, params, inputs, observed_input)[participant, trial]
        log_odds = temperature[participant] * (jnp.log(belief) - jnp.log1p(-belief))
        return jnp.where(
            responses == 1, jax.nn.log_sigmoid(log_odds), jax.nn.log_sigmoid(-log_odds)
        )

    return jax.jit(jax.vmap(one_draw, in_axes=(0, 0, None, None, None, None, None)))


def chunk_size(n_scored: int, max_bytes: int) -> int:
    """How many posterior draws fit in one chunk of at most ``max_bytes`` of output."""
    per_draw = n_scored * 8
    return max(1, max_bytes // per_draw)


def add_log_likelihood(
    idata,
    data,
    *,
    max_chunk_bytes: int = DEFAULT_CHUNK_BYTES,
    family: str | Family = "hgf2",
    extend_inferencedata: bool = True,
    dtype: str = "float64",
):
    """Add the pointwise ``log_likelihood`` group computed from the posterior draws.

    Parameters
    ----------
    idata : xarray.DataTree
        Output of :func:`~hgf_tutorial.sample`, with ``volatility`` and
        ``inverse_temperature`` (chain, draw, participant) in its posterior (or
        the parameters of ``family``); a parameter held fixed is read from its
        ``constant_data`` (:func:`~hgf_tutorial.fit.parameter_draws`).
    data : xarray.Dataset
        The data the model was fitted to (``responses``, ``inputs``), its
        participants in any order: they are matched to the fit's by label, and
        the dataset's scored responses must be the fit's observed data
        (:func:`hgf_tutorial.fit.matched_data`).
    max_chunk_bytes : int
        Draws are evaluated in chunks whose output is at most this many bytes,
        so JAX's working memory stays bounded whatever the posterior size.
    family : {"hgf2", "hgf3", "rw"} or Family
        The model family that was fitted (see :mod:`hgf_tutorial.families`).
    extend_inferencedata : bool
        As in PyMC (``pm.compute_log_likelihood``): ``True`` adds the group to
        ``idata`` in place and returns ``idata``; ``False`` leaves ``idata`` as
        it is and returns a new tree holding only the ``log_likelihood`` group.
    dtype : {"float64", "float32"}
        How the values are stored. ``"float32"`` halves the group's memory (it
        is chains x draws x scored responses x 4 bytes); the values are computed
        in float64 and rounded once, which moves ``az.loo``'s estimate by far
        less than its standard error (the "Scaling up" page measures it). For a
        cohort too large even then, thin the draws first:
        ``add_log_likelihood(idata.isel(draw=slice(None, None, 4)), data)``.

    Returns
    -------
    xarray.DataTree
        ``idata`` with a ``log_likelihood`` group holding ``responses`` with dims
        ``(chain, draw, observation)``: one value per scored response (answered,
        not a participant's first trial), the same points as the model's observed
        data, with each point's ``participant`` and ``trial`` as coordinates
        along ``observation`` (or a new tree with that group alone, see
        ``extend_inferencedata``). The values are
        those of PyMC's ``pm.compute_log_likelihood`` for the model, computed
        for many draws at once and in bounded memory.
    """
    family = get_family(family)
    if dtype not in ("float64", "float32"):
        raise ValueError(f"`dtype` must be 'float64' or 'float32', got {dtype!r}.")
    # a fixed parameter (build_group_model(..., fixed=...)) comes from constant_data
    draws = parameter_draws(idata, family)
    observed = observations(matched_data(idata, data))
    temperature = draws["inverse_temperature"]
    n_chains, n_draws, n_participants = temperature.shape
    if max_chunk_bytes <= 0:
        raise ValueError(f"`max_chunk_bytes` must be positive, got {max_chunk_bytes}.")
    participant, trial = observed.index
    n_scored = participant.size

    flat = {name: np.asarray(value).reshape(-1, n_participants) for name, value in draws.items()}
    flat_temperature = flat.pop("inverse_temperature")
    n_samples = flat_temperature.shape[0]
    # equal chunks (the last one padded by fewer than n_chunks draws): one compilation
    n_chunks = math.ceil(n_samples / chunk_size(n_scored, max_chunk_bytes))
    step = math.ceil(n_samples / n_chunks)
    draws_logp = _draws_logp(family)
    scored_responses = observed.responses[participant, trial]
    out = np.empty((n_samples, n_scored), dtype=dtype)
    for start in range(0, n_samples, step):
        stop = min(start + step, n_samples)
        rows = np.minimum(np.arange(start, start + step), n_samples - 1)
        params = {name: value[rows] for name, value in flat.items()}
        block = draws_logp(
            params,
            flat_temperature[rows],
            observed.inputs,
            observed.observed_input,
            scored_responses,
            participant,
            trial,
        )
        out[start:stop] = np.asarray(block)[: stop - start]

    log_likelihood = xr.Dataset(
        {
            "responses": (
                ("chain", "draw", "observation"),
                out.reshape(n_chains, n_draws, n_scored),
            )
        },
        coords={
            "chain": temperature["chain"].values,
            "draw": temperature["draw"].values,
            "observation": np.arange(n_scored),
            "participant": ("observation", observed.participants[participant]),
            "trial": ("observation", trial),
        },
        attrs={"n_chunks": n_chunks, "draws_per_chunk": step},
    )
    if not extend_inferencedata:
        return xr.DataTree.from_dict({"log_likelihood": log_likelihood})
    idata["log_likelihood"] = log_likelihood
    return idata


def select_participants(idata, participants):
    """The fit restricted to some participants, in every group.

    Groups with a ``participant`` dimension keep those participants; groups with
    an ``observation`` dimension (observed data, log-likelihood, replications)
    keep the observations whose ``participant`` coordinate is one of them. Useful
    to score a fit on a subset of the participants (``az.loo``, ``az.compare``).

    Parameters
    ----------
    idata : xarray.DataTree
    participants : sequence
        Participant labels, as in the fit's ``participant`` coordinate.

    Returns
    -------
    xarray.DataTree
        A new tree; ``idata`` is not modified.
    """
    labels = np.atleast_1d(np.asarray(participants))
    groups = {}
    for name, node in idata.children.items():
        dataset = node.to_dataset()
        if "participant" in dataset.dims:
            missing = np.setdiff1d(labels, dataset["participant"].values)
            if missing.size:
                raise ValueError(
                    f"`participants` has labels the fit's {name!r} group lacks: {missing.tolist()}."
                )
            dataset = dataset.sel(participant=labels)
        elif "observation" in dataset.dims and "participant" in dataset.coords:
            keep = np.isin(dataset["participant"].values, labels)
            dataset = dataset.isel(observation=keep)
        groups[name] = dataset
    return xr.DataTree.from_dict(groups)
