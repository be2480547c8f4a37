"""Model families: three learners that answer through the same response model.

A *family* is a perceptual model (how a participant's belief that ``u = 1``
changes from trial to trial) together with its free parameters and their
group-level priors. Every family shares the rest of the pipeline: the
unit-square sigmoid response model with an inverse temperature, the
temperature's hyperpriors, the first trial dropped from the likelihood, the
simulation, the PyMC model and the pointwise log-likelihood. So
``simulate_group``, ``build_group_model``, ``add_log_likelihood`` and
``family_logp`` take ``family=`` and need no other change.

========  ========================================  ==========================
family    perceptual model                          participant parameters
========  ========================================  ==========================
hgf2      two-level binary HGF (the tutorial's)     ``volatility`` (omega_2)
hgf3      three-level binary HGF                    ``volatility`` (omega_2),
                                                    ``volatility_3`` (omega_3)
rw        Rescorla-Wagner delta rule                ``learning_rate`` (alpha)
========  ========================================  ==========================

Each parameter has a hierarchical prior ``mu_<name> ~ Normal``,
``sigma_<name> ~ HalfNormal`` and, per participant, ``<name> ~
Normal(mu, sigma)`` (``link="identity"``) or ``logit(<name>) ~ Normal(mu,
sigma)`` (``link="logit"``, a ``LogitNormal``): see :data:`FAMILIES` for the
numbers.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import jax
import jax.numpy as jnp
import numpy as np
from jax.lax import scan
from pyhgf.model import Network
from scipy.special import expit

from hgf_tutorial.perception import belief_trajectory, finalise, scan_inputs, two_level_nodes

#: Prior mean and precision of the third level (pyhgf's defaults). With mean 0
#: the volatility of level 2 starts at about exp(omega_2 + 1/2), close to the
#: two-level model's exp(omega_2); the level-3 mean then learns from the data.
LEVEL3_MEAN = 0.0
LEVEL3_PRECISION = 1.0

#: Rescorla-Wagner's belief before the first trial.
RW_INITIAL_VALUE = 0.5

#: Beliefs are clipped to [BELIEF_CLIP, 1 - BELIEF_CLIP] before the response
#: model, as pyhgf clips the binary HGF's first level, so that every family gives
#: finite log-probabilities and gradients.
BELIEF_CLIP = 1e-6


@dataclass(frozen=True)
class Parameter:
    """One perceptual parameter of a family, with its group-level prior.

    Attributes
    ----------
    name : str
        Name of the participant-level variable in the PyMC model and the key in
        ``params`` dicts (``mu_<name>`` and ``sigma_<name>`` are its group mean
        and standard deviation).
    data_name : str
        Name of the true values in :func:`~hgf_tutorial.simulate_group`'s dataset.
    label : str
        Math label for figures and tables.
    link : {"identity", "logit"}
        The group-level normal distribution is on ``link(value)``.
    group_mean : (mean, sd)
        ``mu_<name> ~ Normal(mean, sd)``, on the link scale.
    group_sd : float
        ``sigma_<name> ~ HalfNormal(group_sd)``, on the link scale.
    population : (mean, sd)
        Default population of simulated participants, on the link scale.
    """

    name: str
    data_name: str
    label: str
    link: str
    group_mean: tuple[float, float]
    group_sd: float
    population: tuple[float, float]

    def from_link(self, x):
        """Map a value on the link scale to the parameter's own scale."""
        return expit(x) if self.link == "logit" else x


@dataclass(frozen=True)
class Family:
    """A perceptual model that plugs into the shared response model.

    Attributes
    ----------
    name : str
        Short key (``"hgf2"``, ``"hgf3"``, ``"rw"``).
    label : str
        Human-readable name, for tables and figures.
    parameters : tuple of Parameter
        The perceptual parameters, in the order the model creates them.
    beliefs : callable
        ``beliefs(params, inputs, observed=None) -> m``: ``params`` maps each
        parameter name to a scalar, ``inputs`` has shape (n_trials,), ``observed``
        (n_trials,) is 1 where the input was shown and 0 where not (no update on
        that trial), ``m`` (n_trials,) is the belief that ``u = 1`` before each
        trial (``m[0]`` is the prior). Written in JAX, so it works under ``jit``,
        ``vmap`` and ``grad``.
    """

    name: str
    label: str
    parameters: tuple[Parameter, ...]
    beliefs: Callable

    @property
    def parameter_names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters)

    def draw_parameters(self, rng: np.random.RandomState, population: dict) -> dict:
        """One participant's parameters, drawn in order from ``population``.

        ``population`` maps each parameter name to ``(mean, sd)`` on the link
        scale; each parameter takes one ``rng.normal`` draw.
        """
        return {
            p.name: float(p.from_link(rng.normal(*population[p.name]))) for p in self.parameters
        }


# --- the three-level binary HGF ---------------------------------------------------


@functools.cache
def three_level_binary_hgf() -> Network:
    """The three-level binary HGF, with its belief-propagation function built.

    Returns
    -------
    Network
        Node 0 is the ``binary-state`` input node, node 1 its value parent (tonic
        volatility omega_2), node 2 the volatility parent of node 1 (tonic
        volatility omega_3; coupling strength 1).
    """
    # Built eagerly even when the first call happens inside a jit/vmap trace (as
    # :func:`hgf_tutorial.perception.binary_hgf`): a cached network holding that
    # trace's tracers would break every later call.
    with jax.ensure_compile_time_eval():
        return _build_three_level_binary_hgf()


def _build_three_level_binary_hgf() -> Network:
    # placeholder volatilities: every call sets both
    network = two_level_nodes().add_nodes(
        kind="continuous-state",
        volatility_children=1,
        node_parameters={
            "mean": LEVEL3_MEAN,
            "precision": LEVEL3_PRECISION,
            "tonic_volatility": -8.0,
        },
    )
    return finalise(network)


def three_level_trajectories(tonic_volatility, tonic_volatility_3, inputs, observed=None) -> dict:
    """Every node's states on every trial of the three-level binary HGF.

    Parameters
    ----------
    tonic_volatility, tonic_volatility_3 : float or scalar array
        omega_2 and omega_3.
    inputs : array, shape (n_trials,)
        Binary stimulus-outcome sequence.
    observed : array, shape (n_trials,), optional
        1 where the outcome was shown, 0 where not. On such a trial pyhgf keeps
        the level-2 mean (so the next first-level belief is the prediction), but,
        unlike the two-level network, not every prediction: level 2's precision
        follows pyhgf's rule for a missing value, ``1 / (1/pi2 + exp(omega_2 +
        mu3))``, and level 3 updates as usual on the volatility prediction error
        this leaves (pyhgf 0.3.2). Trials after the last answer change nothing
        that is scored.

    Returns
    -------
    dict
        pyhgf's trajectories: node index (0, 1, 2) to a dict of arrays of shape
        (n_trials,), e.g. ``[2]["mean"]``, the level-3 mean after each trial.
    """
    network = three_level_binary_hgf()
    attributes = {key: dict(value) for key, value in network.attributes.items()}
    attributes[1]["tonic_volatility"] = jnp.asarray(tonic_volatility, dtype=float)
    attributes[2]["tonic_volatility"] = jnp.asarray(tonic_volatility_3, dtype=float)
    _, trajectories = scan(network.scan_fn, attributes, scan_inputs(inputs, observed))
    return trajectories


def three_level_belief_trajectory(tonic_volatility, tonic_volatility_3, inputs, observed=None):
    """First-level belief before each trial of the three-level binary HGF.

    Parameters
    ----------
    tonic_volatility : float or scalar array
        omega_2, the tonic volatility of the second level.
    tonic_volatility_3 : float or scalar array
        omega_3, the tonic volatility of the third level.
    inputs : array, shape (n_trials,)
        Binary stimulus-outcome sequence.
    observed : array, shape (n_trials,), optional
        1 where the outcome was shown, 0 where not: the level-2 mean is kept,
        level 3 still updates (see :func:`three_level_trajectories`).

    Returns
    -------
    jax.Array, shape (n_trials,)
        The first level's expected mean before each trial (``m[0] = 0.5``).
    """
    trajectories = three_level_trajectories(tonic_volatility, tonic_volatility_3, inputs, observed)
    return trajectories[0]["expected_mean"]


# --- Rescorla-Wagner ----------------------------------------------------------------


def rescorla_wagner_beliefs(learning_rate, inputs, observed=None):
    """Rescorla-Wagner belief before each trial: ``v <- v + alpha (u - v)``.

    Parameters
    ----------
    learning_rate : float or scalar array
        alpha in (0, 1).
    inputs : array, shape (n_trials,)
        Binary stimulus-outcome sequence.
    observed : array, shape (n_trials,), optional
        1 where the outcome was shown, 0 where not: there ``v`` stays as it was.

    Returns
    -------
    jax.Array, shape (n_trials,)
        ``v[t]`` clipped to ``[1e-6, 1 - 1e-6]``, with ``v[0] = 0.5``.
    """
    alpha = jnp.asarray(learning_rate, dtype=float)
    inputs = jnp.asarray(inputs, dtype=float)
    shown = jnp.ones_like(inputs) if observed is None else jnp.asarray(observed, dtype=float)

    def step(value, trial):
        u, seen = trial
        return value + seen * alpha * (u - value), value

    initial = jnp.asarray(RW_INITIAL_VALUE, dtype=float)
    _, values = scan(step, initial, (inputs, shown))
    return jnp.clip(values, BELIEF_CLIP, 1.0 - BELIEF_CLIP)


# --- the registry -------------------------------------------------------------------


def _hgf2_beliefs(params, inputs, observed=None):
    return belief_trajectory(params["volatility"], inputs, observed)


def _hgf3_beliefs(params, inputs, observed=None):
    return three_level_belief_trajectory(
        params["volatility"], params["volatility_3"], inputs, observed
    )


def _rw_beliefs(params, inputs, observed=None):
    return rescorla_wagner_beliefs(params["learning_rate"], inputs, observed)


#: omega_2 as in the tutorial's model: mu ~ Normal(-5, 5), sigma ~ HalfNormal(10).
VOLATILITY = Parameter(
    name="volatility",
    data_name="tonic_volatility",
    label=r"$\omega_2$",
    link="identity",
    group_mean=(-5.0, 5.0),
    group_sd=10.0,
    population=(-4.0, 1.0),
)

#: omega_3: the data say little about it (hBayesDM's recovery r is about 0) and,
#: on this task, above a threshold between about -5 (omega_2 = -0.5) and -3
#: (omega_2 <= -3) the third level runs away: its mean jumps to about 30 within
#: the 320 trials and the belief sticks at the clip. Those are not plausible
#: learners, and the cliff they put in the likelihood makes NUTS diverge. So the
#: group prior keeps omega_3 a few units below the threshold: mu ~ Normal(-8, 1)
#: and sigma ~ HalfNormal(0.5); simulated participants default to
#: omega_3 ~ Normal(-8, 0.5). (With mu ~ Normal(-7, 1) a full fit of the default
#: dataset still had 15 divergences, all on trajectories heading for the cliff.)
VOLATILITY_3 = Parameter(
    name="volatility_3",
    data_name="tonic_volatility_3",
    label=r"$\omega_3$",
    link="identity",
    group_mean=(-8.0, 1.0),
    group_sd=0.5,
    population=(-8.0, 0.5),
)

#: alpha on the logit scale: mu ~ Normal(0, 1.5) puts the group's median rate
#: anywhere in about (0.05, 0.95); sigma ~ HalfNormal(1.5). Simulated
#: participants default to logit(alpha) ~ Normal(-1, 0.5), alpha about 0.27.
LEARNING_RATE = Parameter(
    name="learning_rate",
    data_name="learning_rate",
    label=r"$\alpha$",
    link="logit",
    group_mean=(0.0, 1.5),
    group_sd=1.5,
    population=(-1.0, 0.5),
)

HGF2 = Family("hgf2", "two-level HGF", (VOLATILITY,), _hgf2_beliefs)
HGF3 = Family("hgf3", "three-level HGF", (VOLATILITY, VOLATILITY_3), _hgf3_beliefs)
RW = Family("rw", "Rescorla-Wagner", (LEARNING_RATE,), _rw_beliefs)

#: Every family, by name.
FAMILIES: dict[str, Family] = {family.name: family for family in (HGF2, HGF3, RW)}


def get_family(family: str | Family) -> Family:
    """The :class:`Family` called ``family`` (a Family is returned as it is)."""
    if isinstance(family, Family):
        return family
    try:
        return FAMILIES[family]
    except (KeyError, TypeError):
        raise ValueError(f"`family` must be one of {tuple(FAMILIES)}, got {family!r}.") from None
