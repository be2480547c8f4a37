"""Posterior predictive checks: replicated responses, test statistics, p-values.

A posterior predictive check simulates new responses from the fitted model (one
replicated data set per posterior draw) and asks whether a chosen summary of the
observed responses looks like the same summary of the replications. The functions
here draw the replications quietly, compute two summaries (choice rates over trials
and per-participant statistics), and turn them into intervals, coverages and
posterior predictive p-values. :func:`simulate_sticky_group` makes data that the
HGF model cannot fully describe, to show what a failing check looks like.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pymc as pm
import xarray as xr

from hgf_tutorial import _validation as check
from hgf_tutorial.families import Family, get_family
from hgf_tutorial.fit import SAMPLE_DIMS, matched_data, parameter_draws, whole_draws
from hgf_tutorial.perception import response_probability
from hgf_tutorial.sampling import RANDOM_SEED
from hgf_tutorial.simulate import simulate_group


def posterior_predictive(
    model: pm.Model, idata, *, random_seed: int = RANDOM_SEED, extend_inferencedata: bool = True
):
    """Replicate the observed responses once per posterior draw, without log lines.

    Wraps :func:`pymc.sample_posterior_predictive` with no progress bar and
    PyMC's "Sampling: [...]" message silenced. The replications are of the
    scored responses, the points of the observed data; to replicate every trial
    of every participant (whole sequences, for figures and statistics over
    consecutive trials) use :func:`replicate_sequences`.

    Parameters
    ----------
    model : pymc.Model
        The model that produced ``idata`` (from :func:`~hgf_tutorial.build_group_model`).
    idata : xarray.DataTree
        Output of :func:`~hgf_tutorial.sample`.
    random_seed : int
        Seed of the replications.
    extend_inferencedata : bool
        As in PyMC: ``True`` adds the group to ``idata`` in place and returns
        ``idata``; ``False`` leaves ``idata`` as it is and returns a new tree
        holding only the ``posterior_predictive`` group.

    Returns
    -------
    xarray.DataTree
        With a ``posterior_predictive`` group holding ``responses`` (chain, draw,
        observation) of 0/1, labelled like the observed data.
    """
    from hgf_tutorial.model import label_observations

    whole_draws(idata)
    logger = logging.getLogger("pymc")
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        with model, warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*[Nn]umba.*")
            replicated = pm.sample_posterior_predictive(
                idata, random_seed=random_seed, progressbar=False
            )
    finally:
        logger.setLevel(level)
    out = idata if extend_inferencedata else xr.DataTree()
    out["posterior_predictive"] = replicated["posterior_predictive"]
    label_observations(out, model)
    return out


def replicate_sequences(
    idata,
    data,
    *,
    family: str | Family = "hgf2",
    group: str = "posterior",
    random_seed: int = RANDOM_SEED,
) -> xr.DataArray:
    """Replicate every trial of every participant once per posterior (or prior) draw.

    Each draw's agents see the inputs the participants saw (with the same
    aborted trials) and answer on every trial, first trials and unanswered ones
    included, from the model's own response probabilities
    (:func:`~hgf_tutorial.model.simulate_responses`). Statistics over consecutive
    trials (switches, choice rates across the group) need these whole sequences;
    :func:`posterior_predictive` replicates the scored responses only.

    Parameters
    ----------
    idata : xarray.DataTree
        A fit of :func:`~hgf_tutorial.build_group_model` to ``data``; a parameter
        held fixed (``fixed=``) is read from its ``constant_data``
        (:func:`~hgf_tutorial.fit.parameter_draws`).
    data : xarray.Dataset
        The data the model was fitted to, its participants in any order (they
        are matched to the fit's by label and checked against its observed
        data, :func:`hgf_tutorial.fit.matched_data`); the result follows the
        fit's order.
    family : {"hgf2", "hgf3", "rw"} or Family
        The family that was fitted.
    group : {"posterior", "prior"}
        Whose draws: the posterior's, or the prior's from
        ``pm.sample_prior_predictive`` (a prior predictive check of whole
        sequences).
    random_seed : int

    Returns
    -------
    xarray.DataArray
        ``responses`` (chain, draw, participant, trial) of 0/1 ints.
    """
    from hgf_tutorial.model import observations, simulate_responses

    family = get_family(family)
    if group not in ("posterior", "prior") or group not in idata.children:
        raise ValueError(
            f"`group` must name the fit's 'posterior' or 'prior' group, got {group!r}; "
            f"the fit has {sorted(idata.children)}."
        )
    # a fixed parameter (build_group_model(..., fixed=...)) comes from constant_data
    draws = parameter_draws(idata, family, group=group)
    observed = observations(matched_data(idata, data, group=group))
    temperature = draws.pop("inverse_temperature")
    n_chains, n_draws, n_participants = temperature.shape
    n_trials = observed.shape[1]
    repeat = n_chains * n_draws
    replicated = simulate_responses(
        family,
        {n: np.asarray(v).reshape(-1) for n, v in draws.items()},
        np.asarray(temperature).reshape(-1),
        np.tile(observed.inputs, (repeat, 1)),
        observed_input=np.tile(observed.observed_input, (repeat, 1)),
        rng=random_seed,
    )
    return xr.DataArray(
        replicated.reshape(n_chains, n_draws, n_participants, n_trials),
        dims=("chain", "draw", "participant", "trial"),
        coords={
            "chain": temperature["chain"].values,
            "draw": temperature["draw"].values,
            "participant": observed.participants,
            "trial": np.arange(n_trials),
        },
        name="responses",
    )


def simulate_sticky_group(
    n_participants: int = 10,
    *,
    stickiness: float = 0.5,
    seed: int = 123,
    inputs=None,
    volatility: tuple[float, float] = (-4.0, 1.0),
    log_temperature: tuple[float, float] = (0.5, 0.5),
) -> xr.Dataset:
    """HGF agents with a habit: on each trial they repeat their last response at random.

    The agents are those of :func:`~hgf_tutorial.simulate_group` with the same
    arguments (same omega_2, inverse temperature and beliefs). Their responses are
    redrawn: the first trial as usual, then on each trial the agent repeats its
    previous response with probability ``stickiness`` and otherwise answers like
    the HGF agent, 1 with probability ``m^t / (m^t + (1 - m)^t)``. Perseveration of
    this kind is common in real choice data and is not part of the HGF model.

    Parameters
    ----------
    n_participants : int
        Number of agents.
    stickiness : float
        Probability in [0, 1] of repeating the previous response; 0 gives HGF
        agents (with responses drawn from another stream than ``simulate_group``).
    seed : int
        Seed of both the parameters (as in ``simulate_group``) and the responses.
    inputs, volatility, log_temperature
        As in :func:`~hgf_tutorial.simulate_group`.

    Returns
    -------
    xarray.Dataset
        The layout of :func:`~hgf_tutorial.simulate_group`, with new ``responses``
        and the attribute ``stickiness``.
    """
    stickiness = float(check.finite_array(stickiness, "stickiness"))
    if not 0.0 <= stickiness <= 1.0:
        raise ValueError(f"`stickiness` must be a probability in [0, 1], got {stickiness}.")
    data = simulate_group(
        n_participants,
        seed=seed,
        inputs=inputs,
        volatility=volatility,
        log_temperature=log_temperature,
    )
    p = np.asarray(
        response_probability(
            data["expected_mean"].values, data["inverse_temperature"].values[:, None]
        )
    )
    rng = np.random.default_rng(seed)
    n, n_trials = p.shape
    responses = np.empty((n, n_trials), dtype=int)
    responses[:, 0] = rng.random(n) < p[:, 0]
    for trial in range(1, n_trials):
        fresh = rng.random(n) < p[:, trial]
        repeat = rng.random(n) < stickiness
        responses[:, trial] = np.where(repeat, responses[:, trial - 1], fresh)
    data["responses"] = (("participant", "trial"), responses)
    data.attrs["stickiness"] = stickiness
    return data


def switch_rate(responses) -> xr.DataArray:
    """Fraction of trials on which the response differs from the previous one.

    Parameters
    ----------
    responses : xarray.DataArray, dims (..., trial)
        0/1 responses, e.g. the observed ``(participant, trial)`` or the replicated
        ``(chain, draw, participant, trial)``.

    Returns
    -------
    xarray.DataArray, dims (...)
        One rate per participant (and draw), between 0 and 1, over the
        ``n_trials - 1`` consecutive pairs.
    """
    responses = _as_dataarray(responses)
    values = responses.transpose(..., "trial").values
    switches = (np.diff(values, axis=-1) != 0).mean(axis=-1)
    dims = [d for d in responses.transpose(..., "trial").dims if d != "trial"]
    coords = {d: responses[d] for d in dims if d in responses.coords}
    return xr.DataArray(switches, dims=dims, coords=coords, name="switch_rate")


def choice_proportion(responses) -> xr.DataArray:
    """Fraction of "1" responses per participant (and draw): the mean over trials."""
    return _as_dataarray(responses).mean("trial").rename("choice_proportion")


def group_choice_rate(responses, window: int = 1) -> xr.DataArray:
    """Proportion of "1" responses across participants on each trial, smoothed.

    Parameters
    ----------
    responses : xarray.DataArray, dims (..., participant, trial)
    window : int
        Width of a centred moving average over trials; 1 means no smoothing.

    Returns
    -------
    xarray.DataArray, dims (..., trial)
        With ``window > 1``, only the ``n_trials - window + 1`` trials whose window
        is full, each labelled by the trial at its centre.
    """
    window = check.positive_int(window, "window")
    responses = _as_dataarray(responses)
    if window > responses.sizes["trial"]:
        raise ValueError(
            f"`window` ({window}) is longer than the data ({responses.sizes['trial']} trials)."
        )
    rate = responses.mean("participant")
    if window > 1:
        half = window // 2
        n_full = rate.sizes["trial"] - window + 1
        rate = rate.rolling(trial=window, center=True).mean().isel(trial=slice(half, half + n_full))
    return rate.rename("choice_rate")


def predictive_interval(replicated, prob: float = 0.9) -> xr.Dataset:
    """Equal-tailed interval and median of a statistic over the posterior draws.

    Parameters
    ----------
    replicated : xarray.DataArray, dims (chain, draw, ...)
        A statistic of the replicated data, one value per draw.
    prob : float
        Probability mass inside the interval, in (0, 1).

    Returns
    -------
    xarray.Dataset
        ``lower``, ``median`` and ``upper``, with the remaining dims.
    """
    prob = _check_prob(prob)
    tails = [(1 - prob) / 2, 0.5, (1 + prob) / 2]
    q = replicated.quantile(tails, dim=SAMPLE_DIMS)
    return xr.Dataset(
        {
            "lower": q.isel(quantile=0, drop=True),
            "median": q.isel(quantile=1, drop=True),
            "upper": q.isel(quantile=2, drop=True),
        }
    )


def coverage(observed, interval: xr.Dataset) -> float:
    """Fraction of the observed values inside ``[lower, upper]``, NaNs ignored."""
    observed = _as_dataarray(observed)
    valid = observed.notnull() & interval["lower"].notnull() & interval["upper"].notnull()
    inside = (observed >= interval["lower"]) & (observed <= interval["upper"])
    n = int(valid.sum())
    if n == 0:
        raise ValueError("No finite values to compare: is the window wider than the data?")
    return float((inside & valid).sum()) / n


def ppc_pvalue(observed, replicated) -> xr.DataArray:
    """Posterior predictive p-value: how often the replications reach the observed value.

    ``P(T_rep > T_obs) + 0.5 P(T_rep = T_obs)`` over the posterior draws (a
    mid-p-value: the statistics here take few distinct values, and counting ties
    as half keeps a well-fitting model centred on 0.5). Values near 0 mean the
    observed statistic is larger than almost every replication; near 1, smaller.

    Parameters
    ----------
    observed : xarray.DataArray, dims (...)
        The statistic of the observed data.
    replicated : xarray.DataArray, dims (chain, draw, ...)
        The same statistic of each replicated data set.

    Returns
    -------
    xarray.DataArray, dims (...)
    """
    observed = _as_dataarray(observed)
    above = (replicated > observed).mean(SAMPLE_DIMS)
    ties = (replicated == observed).mean(SAMPLE_DIMS)
    return (above + 0.5 * ties).rename("ppc_pvalue")


def _as_dataarray(value) -> xr.DataArray:
    if isinstance(value, xr.DataArray):
        return value
    raise ValueError(
        f"Expected an xarray.DataArray with named dims (e.g. data['responses']), "
        f"got {type(value).__name__}."
    )


def _check_prob(prob: float) -> float:
    prob = float(check.finite_array(prob, "prob"))
    if not 0.0 < prob < 1.0:
        raise ValueError(f"`prob` must be in (0, 1), got {prob}.")
    return prob
