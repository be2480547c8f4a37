"""Log-probability of the responses: one participant, then many with ``jax.vmap``."""

from __future__ import annotations

import jax
import jax.numpy as jnp

from hgf_tutorial import _validation as check
from hgf_tutorial.perception import belief_trajectory, log_response_probability


def _check_participant_args(tonic_volatility, inverse_temperature, responses, inputs):
    if check.is_traced(tonic_volatility, inverse_temperature, responses, inputs):
        return
    check.finite_array(tonic_volatility, "tonic_volatility")
    check.positive_array(inverse_temperature, "inverse_temperature")
    responses = check.as_binary_array(responses, "responses", ndim=(1, 2))
    inputs = check.as_binary_array(inputs, "inputs", ndim=(1, 2))
    check.check_shapes_match(responses, inputs)


def participant_logp(tonic_volatility, inverse_temperature, responses, inputs):
    """Pointwise log p(responses | omega_2, t) for one participant.

    Parameters
    ----------
    tonic_volatility : float
        omega_2 of the two-level binary HGF.
    inverse_temperature : float
        ``t > 0`` of the unit-square sigmoid response model.
    responses : array, shape (n_trials,)
        The participant's 0/1 responses.
    inputs : array, shape (n_trials,)
        The 0/1 inputs the participant saw.

    Returns
    -------
    jax.Array, shape (n_trials - 1,)
        One log-probability per trial, the first trial dropped: its belief is the
        prior (0.5) whatever the parameters, so it only adds a constant, and a
        term that no parameter explains distorts leave-one-out estimates.
    """
    _check_participant_args(tonic_volatility, inverse_temperature, responses, inputs)
    belief = belief_trajectory(tonic_volatility, inputs)
    log_p1, log_p0 = log_response_probability(belief, inverse_temperature)
    responses = jnp.asarray(responses, dtype=float)
    logp = jnp.where(responses == 1.0, log_p1, log_p0)
    return logp[1:]


def pointwise_logp(tonic_volatility, inverse_temperature, responses, inputs):
    """:func:`participant_logp` mapped over participants with ``jax.vmap``.

    Parameters
    ----------
    tonic_volatility, inverse_temperature : array, shape (n_participants,)
    responses : array, shape (n_participants, n_trials)
    inputs : array, shape (n_trials,) or (n_participants, n_trials)
        One sequence shared by everybody, or one per participant.

    Returns
    -------
    jax.Array, shape (n_participants, n_trials - 1)
    """
    if not check.is_traced(tonic_volatility, inverse_temperature, responses, inputs):
        volatility = check.finite_array(tonic_volatility, "tonic_volatility")
        temperature = check.positive_array(inverse_temperature, "inverse_temperature")
        responses_np = check.as_binary_array(responses, "responses", ndim=(2,))
        inputs_np = check.as_binary_array(inputs, "inputs", ndim=(1, 2))
        check.check_shapes_match(responses_np, inputs_np)
        n = responses_np.shape[0]
        for name, values in (
            ("tonic_volatility", volatility),
            ("inverse_temperature", temperature),
        ):
            if values.shape != (n,):
                raise ValueError(
                    f"`{name}` must have one value per participant, shape ({n},), "
                    f"got {values.shape}."
                )
    inputs = jnp.asarray(inputs, dtype=float)
    inputs_axis = 0 if inputs.ndim == 2 else None
    return _vmapped(inputs_axis)(
        jnp.asarray(tonic_volatility, dtype=float),
        jnp.asarray(inverse_temperature, dtype=float),
        jnp.asarray(responses, dtype=float),
        inputs,
    )


def _vmapped(inputs_axis):
    return jax.vmap(participant_logp, in_axes=(0, 0, 0, inputs_axis))


def group_logp(tonic_volatility, inverse_temperature, responses, inputs):
    """Summed log-probability of every participant's responses (a scalar).

    Same arguments as :func:`pointwise_logp`; this is the quantity the sampler
    needs, and it is differentiable with :func:`jax.grad`.
    """
    return pointwise_logp(tonic_volatility, inverse_temperature, responses, inputs).sum()
