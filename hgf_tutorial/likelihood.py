"""Log-probability of the responses: one participant, then many with ``jax.vmap``."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from hgf_tutorial import _validation as check
from hgf_tutorial.families import HGF2, get_family
from hgf_tutorial.perception import log_response_probability


def _check_participant_args(tonic_volatility, inverse_temperature, responses, inputs, masks):
    if check.is_traced(tonic_volatility, inverse_temperature, responses, inputs, *masks.values()):
        return
    check.finite_array(tonic_volatility, "tonic_volatility")
    check.positive_array(inverse_temperature, "inverse_temperature")
    responses = check.as_binary_array(responses, "responses", ndim=(1, 2))
    inputs = check.as_binary_array(inputs, "inputs", ndim=(1, 2))
    check.check_shapes_match(responses, inputs)
    _check_masks(masks, responses.shape)


def _check_masks(masks: dict, shape) -> None:
    for name, mask in masks.items():
        if mask is None:
            continue
        values = check.as_binary_array(mask, name, ndim=(len(shape),))
        if values.shape != tuple(shape):
            raise ValueError(
                f"`{name}` must have the shape of `responses`, {tuple(shape)}, got {values.shape}."
            )


def participant_logp(
    tonic_volatility,
    inverse_temperature,
    responses,
    inputs,
    *,
    observed_response=None,
    observed_input=None,
):
    """Pointwise log p(responses | omega_2, t) for one participant.

    The two-level HGF's case of :func:`family_logp`, with omega_2 as a number.

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
    observed_response, observed_input : array, shape (n_trials,), optional
        1 where the participant answered / saw the outcome, 0 where not (see
        :func:`family_logp`); by default everything was observed.

    Returns
    -------
    jax.Array, shape (n_trials - 1,)
        One log-probability per trial, the first trial dropped: its belief is the
        prior (0.5) whatever the parameters, so it only adds a constant, and a
        term that no parameter explains distorts leave-one-out estimates.
        Unanswered trials contribute 0.

    Notes
    -----
    ``tonic_volatility`` is the model's ``volatility``; the table "Names used in
    the code" on the likelihood page maps every name to the others.
    """
    masks = {"observed_response": observed_response, "observed_input": observed_input}
    _check_participant_args(tonic_volatility, inverse_temperature, responses, inputs, masks)
    return _scored_trials(
        HGF2, {"volatility": tonic_volatility}, inverse_temperature, responses, inputs, **masks
    )


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


def family_logp(
    family,
    params,
    inverse_temperature,
    responses,
    inputs,
    *,
    observed_response=None,
    observed_input=None,
):
    """Pointwise log p(responses | parameters) for one participant, any model family.

    The belief before each trial comes from the family's perceptual model, the
    response from the unit-square sigmoid with inverse temperature ``t``. Gaps
    follow the conventions of real data: on a trial whose outcome was not shown
    (``observed_input`` 0) the belief is not updated; a trial without an answer
    (``observed_response`` 0) adds nothing, while the beliefs still learn from its
    input.

    Parameters
    ----------
    family : {"hgf2", "hgf3", "rw"} or Family
        See :mod:`hgf_tutorial.families`.
    params : dict
        One scalar per perceptual parameter of the family, by name:
        ``{"volatility": omega_2}`` (hgf2), ``{"volatility": omega_2,
        "volatility_3": omega_3}`` (hgf3), ``{"learning_rate": alpha}`` (rw).
    inverse_temperature : float
        ``t > 0`` of the unit-square sigmoid response model.
    responses, inputs : array, shape (n_trials,)
        The participant's 0/1 responses and the 0/1 inputs they saw (any number,
        0 by convention, where the matching mask is 0).
    observed_response, observed_input : array, shape (n_trials,), optional
        1 where the participant answered / saw the outcome, 0 where not; by
        default everything was observed.

    Returns
    -------
    jax.Array, shape (n_trials - 1,)
        One log-probability per trial, the first trial dropped; 0 on the trials
        without an answer, and on answers given before any outcome was shown
        (:func:`scored_responses`).

    Notes
    -----
    The keys of ``params`` are the model's variable names (``volatility`` is
    omega_2, called ``tonic_volatility`` in the simulated data and in
    :func:`participant_logp`); the table "Names used in the code" on the
    likelihood page (``book/likelihood.md``) maps every symbol, model variable,
    data variable and argument to each other.
    """
    family = get_family(family)
    masks = {"observed_response": observed_response, "observed_input": observed_input}
    _check_family_args(family, params, inverse_temperature, responses, inputs, masks)
    return _scored_trials(family, params, inverse_temperature, responses, inputs, **masks)


def scored_responses(observed_response, observed_input):
    """Which responses the likelihood scores: answered, after an outcome was shown.

    Before a participant has seen any outcome, every family holds its prior
    belief (0.5) whatever its parameters, so a response then has probability
    one half under every parameter value: it tells the posterior nothing, adds
    a constant, and breaks leave-one-out (a term equal in every draw). That is
    why a participant's first trial is never scored; by the same rule a response
    on a later trial is not scored either while every outcome before it was
    aborted (not shown). The one rule for the likelihood, the model's observed
    data, the pointwise log-likelihood and :func:`hgf_tutorial.data.from_dataframe`'s
    check.

    Parameters
    ----------
    observed_response, observed_input : array, shape (..., n_trials)
        1 (or True) where the participant answered / saw the outcome. NumPy or
        JAX arrays; the result is of the same kind.

    Returns
    -------
    array of bool, shape (..., n_trials)
        True where the response is scored: answered, and some outcome was shown
        on an earlier trial (so never on the first trial).
    """
    xp = (
        jnp
        if isinstance(observed_response, jax.Array) or isinstance(observed_input, jax.Array)
        else np
    )
    shown = xp.asarray(observed_input, dtype=bool)
    shown_before = xp.cumsum(shown, axis=-1) - shown > 0
    return xp.asarray(observed_response, dtype=bool) & shown_before


def _scored_trials(
    family, params, inverse_temperature, responses, inputs, observed_response, observed_input
):
    """The body of :func:`family_logp`: belief, response model, answer, masks, first trial.

    Unscored responses (:func:`scored_responses`) contribute 0; the first trial,
    never scored, is dropped.
    """
    belief = family.beliefs(params, inputs, observed_input)
    log_p1, log_p0 = log_response_probability(belief, inverse_temperature)
    responses = jnp.asarray(responses, dtype=float)
    logp = jnp.where(responses == 1.0, log_p1, log_p0)
    if observed_response is not None or observed_input is not None:
        ones = jnp.ones(jnp.shape(responses), dtype=bool)
        scored = scored_responses(
            ones if observed_response is None else jnp.asarray(observed_response),
            ones if observed_input is None else jnp.asarray(observed_input),
        )
        logp = jnp.where(scored, logp, 0.0)
    return logp[1:]


def _check_family_args(family, params, inverse_temperature, responses, inputs, masks):
    if not isinstance(params, dict) or set(params) != set(family.parameter_names):
        got = sorted(params) if isinstance(params, dict) else type(params).__name__
        raise ValueError(
            f"`params` must be a dict with the keys {list(family.parameter_names)} "
            f"for family {family.name!r}, got {got}."
        )
    if check.is_traced(*params.values(), inverse_temperature, responses, inputs, *masks.values()):
        return
    for parameter in family.parameters:
        value = check.finite_array(params[parameter.name], parameter.name)
        if parameter.link == "logit" and np.any((value <= 0) | (value >= 1)):
            raise ValueError(f"`{parameter.name}` must lie in (0, 1), got {value!r}.")
    check.positive_array(inverse_temperature, "inverse_temperature")
    responses = check.as_binary_array(responses, "responses", ndim=(1,))
    inputs = check.as_binary_array(inputs, "inputs", ndim=(1,))
    check.check_shapes_match(responses, inputs)
    _check_masks(masks, responses.shape)


def group_beliefs(family, params, inputs, observed_input):
    """Every participant's belief before every trial: ``family.beliefs`` under ``jax.vmap``.

    Parameters
    ----------
    family : Family
    params : dict
        Arrays of shape (n_participants,) by parameter name.
    inputs, observed_input : array, shape (n_participants, n_trials)
        The inputs each participant saw (0 where not shown) and 1/0 whether shown.

    Returns
    -------
    jax.Array, shape (n_participants, n_trials)
    """
    return jax.vmap(family.beliefs)(params, inputs, observed_input)


def forward_derivatives(per_participant):
    """``per_participant`` differentiated in forward mode, one tangent per parameter kind.

    Row ``i`` of the output depends only on participant ``i``'s parameters, so
    the Jacobian with respect to each kind of parameter (omega_2, omega_3, alpha)
    is zero except between a participant's own row and own parameter. One
    forward pass that carries a tangent of ones for one kind gives, for every
    participant and trial at once, the derivative of the output with respect to
    that participant's parameter: two or three passes (one per kind, vectorised
    with ``jax.vmap``) give every derivative, and nothing is stored for a
    backward pass through the scan over trials. A :func:`jax.custom_vjp` then
    answers reverse-mode requests (PyTensor's gradient, ``jax.grad`` of the
    compiled model) by multiplying the cotangent with these derivatives and
    summing over trials.

    Parameters
    ----------
    per_participant : callable
        ``(params, *data) -> (n_participants, ...)`` where ``params`` is an array
        ``(n_participants,)`` or a dict of them; the data are not differentiated.

    Returns
    -------
    callable
        Same signature and values, differentiable with respect to ``params``.
    """

    def with_derivatives(params, data):
        leaves, tree = jax.tree.flatten(params)

        def along(kind):
            tangents = [
                jnp.where(kind == k, 1.0, 0.0) * jnp.ones_like(x) for k, x in enumerate(leaves)
            ]
            return jax.jvp(
                lambda *xs: per_participant(jax.tree.unflatten(tree, xs), *data), leaves, tangents
            )

        values, derivatives = jax.vmap(along)(jnp.arange(len(leaves)))
        # derivatives[k]: d output / d (participant's parameter of kind k), same shape as output
        return values[0], jax.tree.unflatten(tree, list(derivatives))

    @jax.custom_vjp
    def differentiable(params, *data):
        return per_participant(params, *data)

    def forward(params, *data):
        values, derivatives = with_derivatives(params, data)
        return values, (derivatives, [jnp.zeros_like(x) for x in data])

    def backward(residuals, cotangent):
        derivatives, zeros = residuals
        trailing = tuple(range(1, cotangent.ndim))
        grads = jax.tree.map(lambda d: (cotangent * d).sum(axis=trailing), derivatives)
        return (grads, *zeros)

    differentiable.defvjp(forward, backward)
    return differentiable
