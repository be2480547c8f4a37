"""The task's inputs and a simulated group of HGF agents."""

from __future__ import annotations

import numpy as np
import xarray as xr
from pyhgf import load_data

from hgf_tutorial import _validation as check
from hgf_tutorial.perception import numpy_beliefs, response_probability


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
) -> xr.Dataset:
    """Simulate a group of two-level binary HGF agents answering the same task.

    Each participant gets ``omega_2 ~ Normal(*volatility)`` and
    ``log t ~ Normal(*log_temperature)``, updates its beliefs on ``inputs``, and
    answers 1 on each trial with probability ``m^t / (m^t + (1 - m)^t)``.

    Draws come from the legacy ``numpy.random.RandomState(seed)`` stream, in the
    order of pyhgf's multilevel tutorial (per participant: omega_2, log t, then all
    responses), so the defaults reproduce that tutorial's dataset exactly.

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

    Returns
    -------
    xarray.Dataset
        Dims ``participant`` and ``trial``; variables ``inputs`` (trial),
        ``responses`` (participant, trial; 0/1 ints), ``tonic_volatility`` and
        ``inverse_temperature`` (participant), ``expected_mean`` (participant,
        trial; the first-level belief before each trial).
    """
    n_participants = check.positive_int(n_participants, "n_participants")
    volatility = check.normal_spec(volatility, "volatility")
    log_temperature = check.normal_spec(log_temperature, "log_temperature")
    if inputs is None:
        inputs = load_inputs()
    inputs = check.as_binary_array(inputs, "inputs", ndim=(1,)).astype(int)

    rng = np.random.RandomState(seed)
    n_trials = inputs.shape[0]
    omegas = np.empty(n_participants)
    temperatures = np.empty(n_participants)
    beliefs = np.empty((n_participants, n_trials))
    responses = np.empty((n_participants, n_trials), dtype=int)
    for i in range(n_participants):
        omegas[i] = rng.normal(*volatility)
        beliefs[i] = numpy_beliefs(omegas[i], inputs)
        temperatures[i] = np.exp(rng.normal(*log_temperature))
        p = np.asarray(response_probability(beliefs[i], temperatures[i]))
        responses[i] = rng.binomial(p=p, n=1)

    return xr.Dataset(
        {
            "inputs": ("trial", inputs),
            "responses": (("participant", "trial"), responses),
            "tonic_volatility": ("participant", omegas),
            "inverse_temperature": ("participant", temperatures),
            "expected_mean": (("participant", "trial"), beliefs),
        },
        coords={"participant": np.arange(n_participants), "trial": np.arange(n_trials)},
        attrs={
            "seed": seed,
            "volatility_population": volatility,
            "log_temperature_population": log_temperature,
        },
    )
