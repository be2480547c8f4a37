"""Parameter recovery: simulate agents with known parameters, fit, compare.

A recovery study asks whether the fitting procedure gives back the parameters
that generated the data. These helpers spread known parameters over a range,
simulate agents with exactly those parameters, tabulate the posterior against the
truth (means, intervals, coverage, correlation), and summarise how efficiently
the sampler got there (divergences, effective sample size per second).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import xarray as xr

from hgf_tutorial import _validation as check
from hgf_tutorial.fit import diagnose, matched_data, whole_draws
from hgf_tutorial.model import simulate_responses
from hgf_tutorial.perception import numpy_beliefs
from hgf_tutorial.sampling import RANDOM_SEED
from hgf_tutorial.simulate import load_inputs

#: Participant-level parameters compared with the truth: (posterior name, data name).
PARAMETERS = {
    "volatility": "tonic_volatility",
    "inverse_temperature": "inverse_temperature",
}

#: The parameters shared by both parameterisations of the group model.
GROUP_PARAMETERS = ["mu_volatility", "sigma_volatility", "mu_temperature", "sigma_temperature"]


def spread_parameters(
    n_participants: int = 30,
    *,
    volatility_range: tuple[float, float] = (-6.0, -2.0),
    log_temperature_range: tuple[float, float] = (-0.5, 1.5),
    seed: int = RANDOM_SEED,
) -> tuple[np.ndarray, np.ndarray]:
    """Parameters drawn uniformly over ranges, independently of each other.

    Parameters
    ----------
    n_participants : int
    volatility_range : (low, high)
        Range of omega_2.
    log_temperature_range : (low, high)
        Range of the natural log of the inverse temperature.
    seed : int
        Seed of :func:`numpy.random.default_rng`.

    Returns
    -------
    tonic_volatility, inverse_temperature : numpy.ndarray, shape (n_participants,)
    """
    n_participants = check.positive_int(n_participants, "n_participants")
    bounds = {}
    for name, value in (
        ("volatility_range", volatility_range),
        ("log_temperature_range", log_temperature_range),
    ):
        low, high = (float(v) for v in check.finite_array(value, name).reshape(-1))
        if not low < high:
            raise ValueError(f"`{name}` must be (low, high) with low < high, got {value!r}.")
        bounds[name] = (low, high)
    rng = np.random.default_rng(seed)
    volatility = rng.uniform(*bounds["volatility_range"], size=n_participants)
    temperature = np.exp(rng.uniform(*bounds["log_temperature_range"], size=n_participants))
    return volatility, temperature


def simulate_responses_for(
    tonic_volatility, inverse_temperature, *, inputs=None, seed: int = RANDOM_SEED
) -> xr.Dataset:
    """Simulate HGF agents with the given parameters (one agent per value).

    The responses are drawn by :func:`~hgf_tutorial.model.simulate_responses`, the
    model's own random function, from ``numpy.random.default_rng(seed)``.

    Parameters
    ----------
    tonic_volatility, inverse_temperature : array, shape (n_participants,)
        omega_2 and the inverse temperature (> 0) of each agent.
    inputs : array, shape (n_trials,) or (n_participants, n_trials), optional
        One sequence for everybody or one per participant; defaults to
        :func:`~hgf_tutorial.load_inputs`.
    seed : int

    Returns
    -------
    xarray.Dataset
        The layout of :func:`~hgf_tutorial.simulate_group`: ``inputs``,
        ``responses``, ``tonic_volatility``, ``inverse_temperature``,
        ``expected_mean``.
    """
    volatility = check.finite_array(tonic_volatility, "tonic_volatility")
    temperature = check.positive_array(inverse_temperature, "inverse_temperature")
    if volatility.ndim != 1 or volatility.shape != temperature.shape or volatility.size < 1:
        raise ValueError(
            "`tonic_volatility` and `inverse_temperature` must be 1-D arrays of the same "
            f"length (one value per participant), got shapes {volatility.shape} and "
            f"{temperature.shape}."
        )
    if inputs is None:
        inputs = load_inputs()
    inputs = check.as_binary_array(inputs, "inputs", ndim=(1, 2)).astype(int)
    if inputs.ndim == 2 and inputs.shape[0] != volatility.size:
        raise ValueError(
            f"`inputs` has {inputs.shape[0]} rows but there are {volatility.size} "
            "participants: give one sequence for everybody or one per participant."
        )
    responses = simulate_responses(
        "hgf2", {"volatility": volatility}, temperature, inputs, rng=np.random.default_rng(seed)
    ).astype(int)
    rows = np.broadcast_to(inputs, responses.shape)
    beliefs = np.stack([numpy_beliefs(v, u) for v, u in zip(volatility, rows, strict=True)])
    n_participants, n_trials = responses.shape
    return xr.Dataset(
        {
            "inputs": ("trial", inputs) if inputs.ndim == 1 else (("participant", "trial"), inputs),
            "responses": (("participant", "trial"), responses),
            "tonic_volatility": ("participant", volatility),
            "inverse_temperature": ("participant", temperature),
            "expected_mean": (("participant", "trial"), beliefs),
        },
        coords={"participant": np.arange(n_participants), "trial": np.arange(n_trials)},
        attrs={"seed": seed},
    )


def recovery_table(idata, data, *, prob: float = 0.9) -> pd.DataFrame:
    """The posterior of each participant's parameters next to the true values.

    Parameters
    ----------
    idata : xarray.DataTree
        A fit of :func:`~hgf_tutorial.build_group_model` to ``data``.
    data : xarray.Dataset
        Simulated data with the true ``tonic_volatility`` and
        ``inverse_temperature``, the data of the fit (matched by participant
        label and checked, :func:`hgf_tutorial.fit.matched_data`).
    prob : float
        Mass of the equal-tailed credible interval.

    Returns
    -------
    pandas.DataFrame
        One row per (parameter, participant): ``parameter`` (``"volatility"`` or
        ``"inverse_temperature"``), ``participant``, ``true``, ``mean`` (posterior
        mean), ``lower``, ``upper`` (interval bounds) and ``covered`` (the truth
        inside the interval).
    """
    if not 0.0 < prob < 1.0:
        raise ValueError(f"`prob` must be in (0, 1), got {prob}.")
    posterior = whole_draws(idata, list(PARAMETERS))
    data = matched_data(idata, data)
    rows = []
    for name, truth_name in PARAMETERS.items():
        draws = posterior[name]
        if truth_name not in data:
            raise ValueError(f"`data` has no true `{truth_name}`: is it a simulated study?")
        truth = np.asarray(data[truth_name])
        mean = draws.mean(("chain", "draw")).values
        q = draws.quantile([(1 - prob) / 2, (1 + prob) / 2], dim=("chain", "draw")).values
        for i in range(truth.size):
            rows.append(
                {
                    "parameter": name,
                    "participant": draws["participant"].values[i].item(),
                    "true": float(truth[i]),
                    "mean": float(mean[i]),
                    "lower": float(q[0, i]),
                    "upper": float(q[1, i]),
                }
            )
    table = pd.DataFrame(rows)
    table["covered"] = (table["lower"] <= table["true"]) & (table["true"] <= table["upper"])
    return table


def recovery_metrics(table: pd.DataFrame) -> pd.DataFrame:
    """Pearson correlation between truth and posterior mean, and interval coverage.

    The inverse temperature is compared on the log scale (``log t`` is the scale
    of its prior and of :func:`spread_parameters`), which the row name says.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``"volatility"`` and ``"log_inverse_temperature"``, with columns
        ``r`` (Pearson correlation), ``coverage`` (fraction of intervals holding
        the truth) and ``n`` (participants).
    """
    out = {}
    for name in PARAMETERS:
        rows = table[table["parameter"] == name]
        true, mean = rows["true"].to_numpy(), rows["mean"].to_numpy()
        label = name
        if name == "inverse_temperature":
            true, mean, label = np.log(true), np.log(mean), "log_inverse_temperature"
        out[label] = {
            "r": float(np.corrcoef(true, mean)[0, 1]),
            "coverage": float(rows["covered"].mean()),
            "n": len(rows),
        }
    return pd.DataFrame(out).T.astype({"r": float, "coverage": float, "n": int})


def sampler_efficiency(idata, var_names=None) -> dict:
    """Divergences, convergence and effective sample size per second of one fit.

    The numbers are :func:`hgf_tutorial.fit.diagnose`'s over ``var_names``.

    Parameters
    ----------
    idata : xarray.DataTree
        Output of :func:`~hgf_tutorial.sample` (nutpie stores the wall time,
        tuning included, as the posterior's ``sampling_time`` attribute).
    var_names : list of str, optional
        Variables to summarise; defaults to the group parameters plus
        ``volatility`` and ``inverse_temperature``, which both parameterisations
        have (as free or deterministic variables), so their numbers compare.

    Returns
    -------
    dict
        ``divergences`` (int), ``max_rhat``, ``min_ess_bulk``, ``min_ess_tail``,
        ``seconds``, ``ess_bulk_per_second`` (``min_ess_bulk / seconds``) and
        ``mean_steps`` (leapfrog steps, i.e. gradient evaluations, per draw; NaN
        when the sampler did not record ``n_steps``).
    """
    if var_names is None:
        var_names = GROUP_PARAMETERS + list(PARAMETERS)
    posterior = idata["posterior"]
    seconds = posterior.attrs.get("sampling_time")
    if seconds is None:
        raise ValueError("`idata` has no `sampling_time`: sample it with hgf_tutorial.sample.")
    value = diagnose(idata, var_names)["value"]
    min_bulk = float(value["ess_bulk"])
    stats = idata["sample_stats"]
    mean_steps = float(stats["n_steps"].mean()) if "n_steps" in stats else float("nan")
    return {
        "divergences": int(value["divergences"]),
        "max_rhat": float(value["r_hat"]),
        "min_ess_bulk": min_bulk,
        "min_ess_tail": float(value["ess_tail"]),
        "seconds": float(seconds),
        "ess_bulk_per_second": min_bulk / float(seconds),
        "mean_steps": mean_steps,
    }
