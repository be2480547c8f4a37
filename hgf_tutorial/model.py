"""The hierarchical PyMC model around the vmapped HGF likelihood."""

from __future__ import annotations

import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pymc as pm
import pytensor.tensor as pt
from pytensor import wrap_jax

from hgf_tutorial import _validation as check
from hgf_tutorial.likelihood import participant_logp
from hgf_tutorial.perception import belief_trajectory, response_probability

PARAMETERIZATIONS = ("centered", "noncentered")

# PyMC compiles helper functions (prior predictive, point log-densities) with the
# numba backend, which runs the JAX op in object mode and says so every time. The
# result is correct, only slower than a JAX-compiled graph; the sampler itself
# compiles to JAX. Keep the message off the pages.
warnings.filterwarnings("ignore", message="Numba will use object mode to run", category=UserWarning)


@wrap_jax
def _logp_per_participant(tonic_volatility, inverse_temperature, responses, inputs):
    """Summed log-probability of each participant's responses, shape (n_participants,)."""
    pointwise = jax.vmap(participant_logp)(tonic_volatility, inverse_temperature, responses, inputs)
    return pointwise.sum(axis=-1)


def _make_logp(n_participants: int, n_trials: int):
    """``CustomDist`` log-probability (one value per participant) for fixed shapes.

    ``wrap_jax`` needs static shapes to trace the JAX function, hence the
    ``specify_shape`` calls and the closure over the data's dimensions.
    """

    def hgf_logp(value, tonic_volatility, inverse_temperature, inputs):
        batch = (n_participants,)
        volatility = pt.specify_shape(pt.broadcast_to(tonic_volatility, batch), batch)
        temperature = pt.specify_shape(pt.broadcast_to(inverse_temperature, batch), batch)
        shape = (n_participants, n_trials)
        responses = pt.specify_shape(pt.cast(value, "float64"), shape)
        inputs = pt.specify_shape(pt.broadcast_to(pt.cast(inputs, "float64"), shape), shape)
        return _logp_per_participant(volatility, temperature, responses, inputs)

    return hgf_logp


@jax.jit
def _response_probabilities(tonic_volatility, inverse_temperature, inputs):
    beliefs = jax.vmap(belief_trajectory)(tonic_volatility, inputs)
    return response_probability(beliefs, inverse_temperature[:, None])


def simulate_responses(tonic_volatility, inverse_temperature, inputs, rng=None, size=None):
    """Draw 0/1 responses from the HGF agent model (the ``CustomDist`` random function).

    Parameters
    ----------
    tonic_volatility, inverse_temperature : array, batch shape
    inputs : array, shape (..., n_trials)
    rng : numpy.random.Generator
    size : tuple, optional
        Batch shape of the draw (PyMC passes it); defaults to the broadcast shape
        of the parameters.

    Returns
    -------
    numpy.ndarray of int, shape batch + (n_trials,)
    """
    rng = np.random.default_rng(rng)
    volatility = np.asarray(tonic_volatility, dtype=float)
    temperature = np.asarray(inverse_temperature, dtype=float)
    inputs = np.asarray(inputs, dtype=float)
    n_trials = inputs.shape[-1]
    batch = np.broadcast_shapes(volatility.shape, temperature.shape, inputs.shape[:-1])
    if size is not None:
        batch = tuple(size)
    volatility = np.broadcast_to(volatility, batch).reshape(-1)
    temperature = np.broadcast_to(temperature, batch).reshape(-1)
    inputs = np.broadcast_to(inputs, batch + (n_trials,)).reshape(-1, n_trials)
    p = np.asarray(
        _response_probabilities(
            jnp.asarray(volatility), jnp.asarray(temperature), jnp.asarray(inputs)
        )
    )
    return rng.binomial(1, p).reshape(batch + (n_trials,))


def _check_data(data):
    try:
        responses = data["responses"]
        inputs = data["inputs"]
    except (KeyError, TypeError):
        raise ValueError(
            "`data` must be a dataset with `responses` (participant, trial) and "
            "`inputs` (trial) variables, as returned by `simulate_group`."
        ) from None
    responses_np = check.as_binary_array(responses, "data['responses']", ndim=(2,))
    inputs_np = check.as_binary_array(inputs, "data['inputs']", ndim=(1, 2))
    check.check_shapes_match(responses_np, inputs_np)
    if responses_np.shape[0] < 1:
        raise ValueError("`data['responses']` must have at least 1 participant.")
    return responses_np.astype(int), inputs_np


def build_group_model(data, *, parameterization: str = "centered") -> pm.Model:
    """The hierarchical model of the tutorial.

    ``mu_volatility ~ Normal(-5, 5)``, ``sigma_volatility ~ HalfNormal(10)``,
    ``volatility[i] ~ Normal(mu_volatility, sigma_volatility)``;
    ``mu_temperature ~ Normal(0, 2)``, ``sigma_temperature ~ HalfNormal(2)``,
    ``inverse_temperature[i] ~ LogNormal(mu_temperature, sigma_temperature)``;
    the responses follow the two-level binary HGF with the unit-square sigmoid.

    Parameters
    ----------
    data : xarray.Dataset or mapping
        ``responses`` (participant, trial) of 0/1 and ``inputs`` (trial) or
        (participant, trial), as from :func:`~hgf_tutorial.simulate_group`.
    parameterization : {"centered", "noncentered"}
        ``"noncentered"`` samples standard-normal offsets ``z`` and builds the
        participant parameters from them as deterministics.

    Returns
    -------
    pymc.Model
        With coords ``participant`` and ``trial``; the observed variable is
        ``responses``.
    """
    if parameterization not in PARAMETERIZATIONS:
        raise ValueError(
            f"`parameterization` must be one of {PARAMETERIZATIONS}, got {parameterization!r}."
        )
    responses, inputs = _check_data(data)
    n_participants, n_trials = responses.shape
    participants = (
        np.asarray(data["participant"]) if "participant" in data else np.arange(n_participants)
    )
    coords = {"participant": participants, "trial": np.arange(n_trials)}

    with pm.Model(coords=coords) as model:
        inputs_data = pm.Data(
            "inputs", inputs, dims=("trial",) if inputs.ndim == 1 else ("participant", "trial")
        )

        mu_volatility = pm.Normal("mu_volatility", mu=-5.0, sigma=5.0)
        sigma_volatility = pm.HalfNormal("sigma_volatility", sigma=10.0)
        mu_temperature = pm.Normal("mu_temperature", mu=0.0, sigma=2.0)
        sigma_temperature = pm.HalfNormal("sigma_temperature", sigma=2.0)

        if parameterization == "centered":
            volatility = pm.Normal(
                "volatility", mu=mu_volatility, sigma=sigma_volatility, dims="participant"
            )
            inverse_temperature = pm.LogNormal(
                "inverse_temperature",
                mu=mu_temperature,
                sigma=sigma_temperature,
                dims="participant",
            )
        else:
            z_volatility = pm.Normal("z_volatility", 0.0, 1.0, dims="participant")
            z_temperature = pm.Normal("z_temperature", 0.0, 1.0, dims="participant")
            volatility = pm.Deterministic(
                "volatility", mu_volatility + sigma_volatility * z_volatility, dims="participant"
            )
            inverse_temperature = pm.Deterministic(
                "inverse_temperature",
                pt.exp(mu_temperature + sigma_temperature * z_temperature),
                dims="participant",
            )

        pm.CustomDist(
            "responses",
            volatility,
            inverse_temperature,
            inputs_data,
            logp=_make_logp(n_participants, n_trials),
            random=simulate_responses,
            signature="(),(),(t)->(t)",
            dtype="int64",
            observed=responses,
            dims=("participant", "trial"),
        )
    return model
