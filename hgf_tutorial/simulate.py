"""The task's inputs and a simulated group of HGF agents."""

from __future__ import annotations

import numpy as np
import xarray as xr
from pyhgf import load_data

from hgf_tutorial import _validation as check
from hgf_tutorial.families import Family, get_family
from hgf_tutorial.perception import response_probability


def load_inputs() -> np.ndarray:
    """The binary input sequence shipped with pyhgf (Iglesias et al. 2013).

    Returns
    -------
    numpy.ndarray, shape (320,), dtype int
        0/1 stimulus-outcome associations.
    """
    u, _ = load_data("binary")
    return np.asarray(u, dtype=int)


def load_participant() -> np.ndarray:
    """The one real participant's 320 responses to :func:`load_inputs`, as 0/1 ints."""
    _, y = load_data("binary")
    return np.asarray(y, dtype=int)


def simulate_group(
    n_participants: int = 10,
    *,
    seed: int = 123,
    inputs=None,
    volatility: tuple[float, float] = (-4.0, 1.0),
    log_temperature: tuple[float, float] = (0.5, 0.5),
    family: str | Family = "hgf2",
    population: dict | None = None,
) -> xr.Dataset:
    """Simulate a group of two-level binary HGF agents answering the same task.

    Each participant gets ``omega_2 ~ Normal(*volatility)`` and
    ``log t ~ Normal(*log_temperature)``, updates its beliefs on ``inputs``, and
    answers 1 on each trial with probability ``m^t / (m^t + (1 - m)^t)``.

    Draws come from the legacy ``numpy.random.RandomState(seed)`` stream, in the
    order of pyhgf's multilevel tutorial (per participant: omega_2, log t, then all
    responses), so the defaults reproduce that tutorial's dataset exactly.

    Other families (``family="hgf3"`` or ``"rw"``) draw their own perceptual
    parameters instead of omega_2 alone, in the order of
    :attr:`Family.parameters <hgf_tutorial.families.Family>`, then log t and the
    responses, from the same stream.

    Parameters
    ----------
    n_participants : int
        Number of agents (at least 1).
    seed : int
        Seed of the random stream.
    inputs : array, shape (n_trials,), optional
        0/1 inputs; defaults to :func:`load_inputs` (320 trials).
    volatility, log_temperature : (mean, sd)
        Population distributions of omega_2 and of log(inverse temperature).
    family : {"hgf2", "hgf3", "rw"} or Family
        The agents' perceptual model (see :mod:`hgf_tutorial.families`).
    population : dict, optional
        ``(mean, sd)`` of the normal population of each perceptual parameter,
        by parameter name, on its link scale (``logit(learning_rate)`` for
        ``"rw"``); missing entries take the family's defaults, and
        ``population["volatility"]`` takes precedence over ``volatility``.

    Returns
    -------
    xarray.Dataset
        Dims ``participant`` and ``trial``; variables ``inputs`` (trial),
        ``responses`` (participant, trial; 0/1 ints), ``tonic_volatility`` and
        ``inverse_temperature`` (participant), ``expected_mean`` (participant,
        trial; the first-level belief before each trial). Other families store
        their own parameters instead of ``tonic_volatility``
        (``tonic_volatility_3``, ``learning_rate``).
    """
    family = get_family(family)
    n_participants = check.positive_int(n_participants, "n_participants")
    volatility = check.normal_spec(volatility, "volatility")
    log_temperature = check.normal_spec(log_temperature, "log_temperature")
    population = _population(family, volatility, population)
    if inputs is None:
        inputs = load_inputs()
    inputs = check.as_binary_array(inputs, "inputs", ndim=(1,)).astype(int)

    rng = np.random.RandomState(seed)
    n_trials = inputs.shape[0]
    parameters = {p.name: np.empty(n_participants) for p in family.parameters}
    temperatures = np.empty(n_participants)
    beliefs = np.empty((n_participants, n_trials))
    responses = np.empty((n_participants, n_trials), dtype=int)
    for i in range(n_participants):
        # the perceptual parameters (omega_2 for the two-level HGF), then the beliefs
        params = family.draw_parameters(rng, population)
        for name, value in params.items():
            parameters[name][i] = value
        beliefs[i] = np.asarray(family.beliefs(params, inputs))
        temperatures[i] = np.exp(rng.normal(*log_temperature))
        p = np.asarray(response_probability(beliefs[i], temperatures[i]))
        responses[i] = rng.binomial(p=p, n=1)

    return xr.Dataset(
        {
            "inputs": ("trial", inputs),
            "responses": (("participant", "trial"), responses),
            **{p.data_name: ("participant", parameters[p.name]) for p in family.parameters},
            "inverse_temperature": ("participant", temperatures),
            "expected_mean": (("participant", "trial"), beliefs),
        },
        coords={"participant": np.arange(n_participants), "trial": np.arange(n_trials)},
        attrs={
            "seed": seed,
            "family": family.name,
            **{f"{name}_population": spec for name, spec in population.items()},
            "log_temperature_population": log_temperature,
        },
    )


def _population(family: Family, volatility, population) -> dict:
    """``(mean, sd)`` per perceptual parameter: family defaults, ``volatility``, ``population``."""
    specs = {p.name: p.population for p in family.parameters}
    if "volatility" in specs:
        specs["volatility"] = volatility
    for name, spec in (population or {}).items():
        if name not in specs:
            raise ValueError(
                f"`population` has {name!r}, which is not a parameter of family "
                f"{family.name!r}; its parameters are {list(specs)}."
            )
        specs[name] = check.normal_spec(spec, f"population[{name!r}]")
    return specs
