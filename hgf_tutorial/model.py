"""The hierarchical PyMC model around the vmapped HGF likelihood."""

from __future__ import annotations

import functools
import warnings

import jax
import jax.numpy as jnp
import numpy as np
import pymc as pm
import pytensor.tensor as pt
from pytensor import wrap_jax

from hgf_tutorial import _validation as check
from hgf_tutorial import likelihood
from hgf_tutorial.families import HGF2, Family, Parameter, get_family
from hgf_tutorial.likelihood import family_logp, participant_logp
from hgf_tutorial.perception import belief_trajectory, response_probability

PARAMETERIZATIONS = ("centered", "noncentered")

# PyMC compiles helper functions (prior predictive, point log-densities) with the
# numba backend, which runs the JAX op in object mode and says so every time. The
# result is correct, only slower than a JAX-compiled graph; the sampler itself
# compiles to JAX. Keep the message off the pages.
warnings.filterwarnings("ignore", message="Numba will use object mode to run", category=UserWarning)


def _summed_per_participant(tonic_volatility, inverse_temperature, responses, inputs):
    pointwise = jax.vmap(participant_logp)(tonic_volatility, inverse_temperature, responses, inputs)
    return pointwise.sum(axis=-1)


_summed_by_group_size = likelihood.by_group_size(_summed_per_participant)


@wrap_jax
def _logp_per_participant(tonic_volatility, inverse_temperature, responses, inputs):
    """Summed log-probability of each participant's responses, shape (n_participants,).

    For large groups the gradient is computed a chunk of participants at a time
    (same values, flat cost per participant; see the "Scaling up" page).
    """
    return _summed_by_group_size(tonic_volatility, inverse_temperature, responses, inputs)


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


@functools.cache
def _family_logp_op(family: Family):
    """``wrap_jax`` op: (params dict, t, responses, inputs) -> summed logp per participant."""

    def summed(params, inverse_temperature, responses, inputs):
        def one(params, t, y, u):
            return family_logp(family, params, t, y, u).sum()

        return jax.vmap(one)(params, inverse_temperature, responses, inputs)

    return wrap_jax(likelihood.by_group_size(summed))


def _make_family_logp(family: Family, n_participants: int, n_trials: int):
    """:func:`_make_logp` for any family: ``CustomDist`` log-probability for fixed shapes."""
    op = _family_logp_op(family)

    def family_logp_fn(value, *dist_params):
        *perceptual, inverse_temperature, inputs = dist_params
        batch = (n_participants,)
        params = {
            parameter.name: pt.specify_shape(pt.broadcast_to(x, batch), batch)
            for parameter, x in zip(family.parameters, perceptual, strict=True)
        }
        temperature = pt.specify_shape(pt.broadcast_to(inverse_temperature, batch), batch)
        shape = (n_participants, n_trials)
        responses = pt.specify_shape(pt.cast(value, "float64"), shape)
        inputs = pt.specify_shape(pt.broadcast_to(pt.cast(inputs, "float64"), shape), shape)
        return op(params, temperature, responses, inputs)

    return family_logp_fn


@functools.cache
def _family_response_probabilities(family: Family):
    """Jitted ``(params dict of (n,), t (n,), inputs (n, n_trials)) -> P(response = 1)``."""

    def probabilities(params, inverse_temperature, inputs):
        beliefs = jax.vmap(family.beliefs)(params, inputs)
        return response_probability(beliefs, inverse_temperature[:, None])

    return jax.jit(probabilities)


def simulate_family_responses(family, params, inverse_temperature, inputs, rng=None, size=None):
    """Draw 0/1 responses from any family's agent model.

    Parameters
    ----------
    family : {"hgf2", "hgf3", "rw"} or Family
    params : dict
        Arrays by parameter name (see :func:`~hgf_tutorial.family_logp`), each of
        the batch shape.
    inverse_temperature : array, batch shape
    inputs : array, shape (..., n_trials)
    rng : numpy.random.Generator, optional
    size : tuple, optional
        Batch shape of the draw; defaults to the broadcast shape of the arguments.

    Returns
    -------
    numpy.ndarray of int, shape batch + (n_trials,)
    """
    family = get_family(family)
    rng = np.random.default_rng(rng)
    values = {name: np.asarray(params[name], dtype=float) for name in family.parameter_names}
    temperature = np.asarray(inverse_temperature, dtype=float)
    inputs = np.asarray(inputs, dtype=float)
    n_trials = inputs.shape[-1]
    shapes = [v.shape for v in values.values()] + [temperature.shape, inputs.shape[:-1]]
    batch = tuple(size) if size is not None else np.broadcast_shapes(*shapes)
    flat = {name: jnp.asarray(np.broadcast_to(v, batch).reshape(-1)) for name, v in values.items()}
    temperature = jnp.asarray(np.broadcast_to(temperature, batch).reshape(-1))
    inputs = jnp.asarray(np.broadcast_to(inputs, batch + (n_trials,)).reshape(-1, n_trials))
    p = np.asarray(_family_response_probabilities(family)(flat, temperature, inputs))
    return rng.binomial(1, p).reshape(batch + (n_trials,))


def _family_random(family: Family):
    """The ``CustomDist`` random function: positional parameters, then t and inputs."""

    def random(*dist_params, rng=None, size=None):
        *perceptual, inverse_temperature, inputs = dist_params
        params = dict(zip(family.parameter_names, perceptual, strict=True))
        return simulate_family_responses(
            family, params, inverse_temperature, inputs, rng=rng, size=size
        )

    return random


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


def build_group_model(
    data, *, parameterization: str | dict = "centered", family: str | Family = "hgf2"
) -> pm.Model:
    """The hierarchical model of the tutorial, for any model family.

    ``mu_volatility ~ Normal(-5, 5)``, ``sigma_volatility ~ HalfNormal(10)``,
    ``volatility[i] ~ Normal(mu_volatility, sigma_volatility)``;
    ``mu_temperature ~ Normal(0, 2)``, ``sigma_temperature ~ HalfNormal(2)``,
    ``inverse_temperature[i] ~ LogNormal(mu_temperature, sigma_temperature)``;
    the responses follow the two-level binary HGF with the unit-square sigmoid.

    Other families swap the perceptual model and its parameters (each with a
    ``mu_<name>``, ``sigma_<name>`` group prior, see
    :mod:`hgf_tutorial.families`) and keep the temperature and response model.

    Parameters
    ----------
    data : xarray.Dataset or mapping
        ``responses`` (participant, trial) of 0/1 and ``inputs`` (trial) or
        (participant, trial), as from :func:`~hgf_tutorial.simulate_group`.
    parameterization : {"centered", "noncentered"} or dict
        ``"noncentered"`` samples standard-normal offsets ``z`` and builds the
        participant parameters from them as deterministics. A dict chooses per
        parameter, e.g. ``{"volatility_3": "noncentered"}``; parameters it does
        not name (``inverse_temperature`` included) are centred.
    family : {"hgf2", "hgf3", "rw"} or Family
        The perceptual model: two-level HGF (default), three-level HGF, or
        Rescorla-Wagner.

    Returns
    -------
    pymc.Model
        With coords ``participant`` and ``trial``; the observed variable is
        ``responses``.
    """
    family = get_family(family)
    layout = _layout(parameterization, family)
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

        # group level: mu_<name> and sigma_<name> for each perceptual parameter
        group = {p.name: _group_prior(p) for p in family.parameters}
        mu_temperature = pm.Normal("mu_temperature", mu=0.0, sigma=2.0)
        sigma_temperature = pm.HalfNormal("sigma_temperature", sigma=2.0)

        perceptual = [
            _participant_prior(p, *group[p.name])
            if layout[p.name] == "centered"
            else _participant_noncentered(p, *group[p.name])
            for p in family.parameters
        ]
        if layout["inverse_temperature"] == "centered":
            inverse_temperature = pm.LogNormal(
                "inverse_temperature",
                mu=mu_temperature,
                sigma=sigma_temperature,
                dims="participant",
            )
        else:
            z_temperature = pm.Normal("z_temperature", 0.0, 1.0, dims="participant")
            inverse_temperature = pm.Deterministic(
                "inverse_temperature",
                pt.exp(mu_temperature + sigma_temperature * z_temperature),
                dims="participant",
            )

        logp, random = _likelihood_functions(family, n_participants, n_trials)
        pm.CustomDist(
            "responses",
            *perceptual,
            inverse_temperature,
            inputs_data,
            logp=logp,
            random=random,
            signature=_signature(family),
            dtype="int64",
            observed=responses,
            dims=("participant", "trial"),
        )
    return model


def _layout(parameterization, family: Family) -> dict[str, str]:
    """``"centered"`` or ``"noncentered"`` for each participant-level parameter."""
    names = (*family.parameter_names, "inverse_temperature")
    if isinstance(parameterization, str):
        if parameterization not in PARAMETERIZATIONS:
            raise ValueError(
                f"`parameterization` must be one of {PARAMETERIZATIONS} or a dict, "
                f"got {parameterization!r}."
            )
        return dict.fromkeys(names, parameterization)
    if not isinstance(parameterization, dict):
        raise ValueError(
            f"`parameterization` must be a string or a dict, got {parameterization!r}."
        )
    layout = dict.fromkeys(names, "centered")
    for name, value in parameterization.items():
        if name not in layout:
            raise ValueError(
                f"`parameterization` names {name!r}, which is not a parameter of family "
                f"{family.name!r}; they are {list(names)}."
            )
        if value not in PARAMETERIZATIONS:
            raise ValueError(
                f"`parameterization[{name!r}]` must be one of {PARAMETERIZATIONS}, got {value!r}."
            )
        layout[name] = value
    return layout


def _group_prior(parameter: Parameter):
    """``mu_<name> ~ Normal(*group_mean)`` and ``sigma_<name> ~ HalfNormal(group_sd)``."""
    mean, sd = parameter.group_mean
    mu = pm.Normal(f"mu_{parameter.name}", mu=mean, sigma=sd)
    sigma = pm.HalfNormal(f"sigma_{parameter.name}", sigma=parameter.group_sd)
    return mu, sigma


def _participant_prior(parameter: Parameter, mu, sigma):
    """One value per participant: Normal on the identity link, LogitNormal on the logit."""
    if parameter.link == "logit":
        # PyMC's LogitNormal has no default transform: without the log-odds one
        # NUTS would step outside (0, 1), and nutpie's jittered starts fail.
        return pm.LogitNormal(
            parameter.name,
            mu=mu,
            sigma=sigma,
            dims="participant",
            default_transform=pm.distributions.transforms.logodds,
        )
    return pm.Normal(parameter.name, mu=mu, sigma=sigma, dims="participant")


def _participant_noncentered(parameter: Parameter, mu, sigma):
    """Standard-normal offsets ``z_<name>`` and the deterministic ``<name>`` built from them."""
    z = pm.Normal(f"z_{parameter.name}", 0.0, 1.0, dims="participant")
    value = mu + sigma * z
    if parameter.link == "logit":
        value = pm.math.invlogit(value)
    return pm.Deterministic(parameter.name, value, dims="participant")


def _likelihood_functions(family: Family, n_participants: int, n_trials: int):
    """The ``CustomDist`` logp and random functions of ``family``.

    The two-level HGF keeps the functions written out for it above
    (:func:`_make_logp`, :func:`simulate_responses`); the other families use the
    same construction with the family's belief function.
    """
    if family == HGF2:
        return _make_logp(n_participants, n_trials), simulate_responses
    return _make_family_logp(family, n_participants, n_trials), _family_random(family)


def _signature(family: Family) -> str:
    """``CustomDist`` signature: a scalar per parameter and for t, the inputs, -> responses."""
    scalars = ",".join(["()"] * (len(family.parameters) + 1))
    return f"{scalars},(t)->(t)"
