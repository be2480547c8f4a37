"""The perceptual model (a two-level binary HGF in pyhgf) and the response model.

The network is a pyhgf :class:`~pyhgf.model.Network` with a ``binary-state`` node
(index 0) and one continuous value parent (index 1) whose tonic volatility is
omega_2. It is built once; the functions below only swap omega_2 into a copy of
its attributes and run pyhgf's own belief-propagation step over the trials with
:func:`jax.lax.scan`, so they work under ``jit``, ``vmap`` and ``grad``.
"""

from __future__ import annotations

import functools

import jax
import jax.numpy as jnp
import numpy as np
from jax.lax import scan
from pyhgf.model import Network

#: Prior mean and precision of the second level (``book/conventions.md``: both start at 0 and 1).
LEVEL2_MEAN = 0.0
LEVEL2_PRECISION = 1.0


@functools.cache
def binary_hgf() -> Network:
    """The two-level binary HGF, with its belief-propagation function built.

    Returns
    -------
    Network
        Node 0 is the ``binary-state`` input node, node 1 its value parent.
    """
    # Built eagerly even when the first call happens inside a jit/vmap trace (the
    # model's random function is jitted): otherwise the cached network would hold
    # that trace's tracers and every later call would fail with a leaked tracer.
    with jax.ensure_compile_time_eval():
        return _build_binary_hgf()


def two_level_nodes() -> Network:
    """The binary input node and its value parent (omega_2 is a placeholder).

    Shared by the two-level network here and the three-level one in
    :mod:`hgf_tutorial.families`, which adds a volatility parent on top.
    """
    return (
        Network()
        .add_nodes(kind="binary-state")
        .add_nodes(
            kind="continuous-state",
            value_children=0,
            node_parameters={
                "mean": LEVEL2_MEAN,
                "precision": LEVEL2_PRECISION,
                "tonic_volatility": -4.0,
            },
        )
    )


def finalise(network: Network) -> Network:
    """Fill in the input-node defaults and build the belief-propagation function."""
    network.input_idxs  # noqa: B018  (touching it fills in the input-node defaults)
    return network.create_belief_propagation_fn()


def _build_binary_hgf() -> Network:
    return finalise(two_level_nodes())


def belief_trajectory(tonic_volatility, inputs, observed=None):
    """Expected probability of ``u = 1`` before each trial (first-level belief).

    Parameters
    ----------
    tonic_volatility : float or scalar array
        omega_2, the tonic volatility of the second level.
    inputs : array, shape (n_trials,)
        Binary stimulus-outcome sequence.
    observed : array, shape (n_trials,), optional
        1 where the participant saw the outcome, 0 where it was not shown (an
        aborted trial, or padding after the last trial): there the belief is not
        updated, the posterior is the prediction (the precision still decays by
        the volatility). Defaults to every input observed. The input on an
        unobserved trial must still be a number (store 0): pyhgf carries a NaN
        into every later belief.

    Returns
    -------
    jax.Array, shape (n_trials,)
        ``m1[t]``: the first level's expected mean before seeing ``inputs[t]``
        (so ``m1[0]`` is the prior, 0.5).
    """
    network = binary_hgf()
    attributes = {key: dict(value) for key, value in network.attributes.items()}
    attributes[1]["tonic_volatility"] = jnp.asarray(tonic_volatility, dtype=float)
    _, trajectories = scan(network.scan_fn, attributes, scan_inputs(inputs, observed))
    return trajectories[0]["expected_mean"]


def scan_inputs(inputs, observed=None):
    """What pyhgf's ``scan_fn`` takes for each trial: value, observed mask, time step, key.

    Shared by every pyhgf network here (the two- and three-level binary HGF).
    """
    inputs = jnp.asarray(inputs, dtype=float)
    n_trials = inputs.shape[0]
    if observed is None:
        mask = jnp.ones(n_trials, dtype=int)
    else:
        mask = jnp.asarray(observed).astype(int)
    return ((inputs[:, None],), (mask,), jnp.ones(n_trials), None)


def log_response_probability(belief, inverse_temperature):
    """log P(response = 1) and log P(response = 0) under the unit-square sigmoid.

    ``P(1) = m^t / (m^t + (1 - m)^t)``, computed in log space so that extreme
    beliefs or temperatures give finite values instead of ``0 / 0``.

    Returns
    -------
    tuple of jax.Array
        ``(log P(1), log P(0))``, each with the broadcast shape of the inputs.
    """
    t = jnp.asarray(inverse_temperature, dtype=float)
    log_m = t * jnp.log(belief)
    log_not_m = t * jnp.log1p(-belief)
    norm = jnp.logaddexp(log_m, log_not_m)
    return log_m - norm, log_not_m - norm


def response_probability(belief, inverse_temperature):
    """P(response = 1) = m^t / (m^t + (1 - m)^t) (unit-square sigmoid).

    Parameters
    ----------
    belief : array
        First-level expected mean(s) ``m`` in (0, 1).
    inverse_temperature : float or array
        ``t > 0``; 1 reproduces the belief, large values make choices deterministic.
    """
    log_p1, _ = log_response_probability(belief, inverse_temperature)
    return jnp.exp(log_p1)


def numpy_beliefs(tonic_volatility, inputs) -> np.ndarray:
    """:func:`belief_trajectory` as a NumPy array (for simulation and plots)."""
    return np.asarray(belief_trajectory(float(tonic_volatility), np.asarray(inputs)))
