"""Self-checks for the exercises and the assignment.

Each ``check_*`` function compares a student's answer with what it should be and
either prints a line that starts with ``Check passed`` or raises
:class:`CheckFailed` (an :class:`AssertionError`) whose message names the most
likely mistake: a dropped or kept first trial, a sign, a sum instead of pointwise
values, a participant dimension of the wrong size, an interval that does not come
from the posterior, a comparison in the wrong order.

The checks never use the values a dataset was simulated with: everything is
compared with the reference functions of this package applied to the student's own
data and posterior, so a check can be run on any dataset, including the hidden one
of :func:`hgf_tutorial.assignment.assignment_data`.

Sampling checks are looser in quick mode (``HGF_TUTORIAL_QUICK=1``), where chains
are too short for the full-mode thresholds; the pass message says so.
"""

from __future__ import annotations

import math
import re
import textwrap
import warnings
from collections.abc import Mapping, Sequence

import numpy as np

from hgf_tutorial.fit import MAX_DIVERGENT_FRACTION, MAX_RHAT, MIN_ESS, diagnose
from hgf_tutorial.sampling import is_quick

#: Variables of the hierarchical model of the sampling chapter.
GROUP_VARIABLES = ("mu_volatility", "sigma_volatility", "mu_temperature", "sigma_temperature")
PARTICIPANT_VARIABLES = ("volatility", "inverse_temperature")
#: The group means a report gives, by default.
GROUP_MEANS = ("mu_volatility", "mu_temperature")

#: Convergence thresholds. Full mode: the project's one definition of a fit to
#: trust (:func:`hgf_tutorial.fit.diagnose`, what the pages assert), bulk and tail
#: ESS alike. Quick mode: looser, for 2 chains x 150 draws, bulk ESS only.
FULL_LIMITS = {
    "max_rhat": MAX_RHAT,
    "min_ess": MIN_ESS,
    "max_divergent_fraction": MAX_DIVERGENT_FRACTION,
}
QUICK_LIMITS = {"max_rhat": 1.1, "min_ess": 50, "max_divergent_fraction": 0.02}


class CheckFailed(AssertionError):
    """A self-check found a problem; the message says where to look."""


def _passed(message: str) -> None:
    # wrapped to fit a notebook's output area without a scroll bar
    print(textwrap.fill(f"Check passed: {message}", width=76, subsequent_indent="  "))


def _fail(message: str):
    raise CheckFailed(message)


def _require(answer, what: str) -> None:
    """Fail with a plain "not done yet" when a stub (``...``) or ``None`` is passed."""
    if answer is None or answer is Ellipsis:
        _fail(f"your answer is {answer!r}: {what} first.")


def _numbers(answer, hint: str) -> np.ndarray:
    """``answer`` as a float array, or a failure that names its type and ``hint``."""
    try:
        return np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        _fail(f"your answer is a {type(answer).__name__}, not an array of numbers: {hint}")


def _close(a, b, *, rtol=1e-6, atol=1e-6) -> bool:
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=rtol, atol=atol))


# --------------------------------------------------------------------------------------
# Log-probability of the responses
# --------------------------------------------------------------------------------------


def _reference_terms(tonic_volatility, inverse_temperature, responses, inputs):
    """Per-trial log P(response), log P(1), all trials kept: shape (..., n_trials)."""
    from hgf_tutorial.perception import belief_trajectory, log_response_probability

    responses = np.asarray(responses, dtype=float)
    inputs = np.asarray(inputs, dtype=float)
    omegas = np.atleast_1d(np.asarray(tonic_volatility, dtype=float))
    temperatures = np.atleast_1d(np.asarray(inverse_temperature, dtype=float))
    rows = np.atleast_2d(responses)
    inputs_rows = np.broadcast_to(inputs, rows.shape)
    full = np.empty(rows.shape)
    log_p1 = np.empty(rows.shape)
    for i in range(rows.shape[0]):
        belief = belief_trajectory(float(omegas[i]), inputs_rows[i])
        lp1, lp0 = log_response_probability(belief, float(temperatures[i]))
        lp1, lp0 = np.asarray(lp1), np.asarray(lp0)
        full[i] = np.where(rows[i] == 1, lp1, lp0)
        log_p1[i] = lp1
    if responses.ndim == 1:
        return full[0], log_p1[0]
    return full, log_p1


def _first_difference(values, reference) -> tuple[int, float]:
    """(trial number of the first mismatch, largest absolute difference).

    Trials are numbered as in the task (0 = first trial), so that with the first
    trial dropped the first pointwise value is trial 1.
    """
    diff = np.abs(values - reference)
    bad = ~np.isclose(values, reference, rtol=1e-6, atol=1e-6)
    columns = np.flatnonzero(bad.reshape(-1, bad.shape[-1]).any(axis=0))
    return int(columns[0]) + 1, float(diff.max())


def check_log_probability(values, tonic_volatility, inverse_temperature, responses, inputs) -> None:
    """Check pointwise log-probabilities of responses against the reference.

    The reference is :func:`hgf_tutorial.participant_logp` (or
    :func:`~hgf_tutorial.pointwise_logp` for several participants): one value per
    trial, the first trial dropped, so ``n_trials - 1`` values per participant.

    Parameters
    ----------
    values : array, shape (n_trials - 1,) or (n_participants, n_trials - 1)
        The student's log-probabilities.
    tonic_volatility, inverse_temperature : float or array (n_participants,)
        The parameter values they were computed at.
    responses : array, shape (n_trials,) or (n_participants, n_trials)
    inputs : array, shape (n_trials,)

    Raises
    ------
    CheckFailed
        With a hint: first trial kept or shifted, sign (surprise instead of
        log-probability), summed instead of pointwise, probabilities instead of
        log-probabilities, log P(1) on every trial, or the first trial that differs.
    """
    _require(values, "compute the log-probabilities and store them")
    values = _numbers(values, "return one log-probability per trial.")
    responses = np.asarray(responses)
    full, log_p1 = _reference_terms(tonic_volatility, inverse_temperature, responses, inputs)
    reference = full[..., 1:]
    n_trials = responses.shape[-1]
    expected = reference.shape

    if not np.all(np.isfinite(values)):
        _fail(
            "your log-probabilities contain NaN or infinite values: a log of 0 or of a "
            "negative number? Compute log P(1) and log P(0) from the belief and the "
            "inverse temperature, then pick one per trial."
        )
    if values.ndim == 0 or values.size == 1:
        value = float(values.reshape(-1)[0])
        if math.isclose(value, reference.sum(), rel_tol=1e-6, abs_tol=1e-6):
            _fail(
                "your answer is a single number, the sum over trials; the check wants "
                f"the pointwise values, one per trial, shape {expected}: drop the sum."
            )
        if math.isclose(value, -reference.sum(), rel_tol=1e-6, abs_tol=1e-6):
            _fail(
                "your answer is a single positive number, the summed surprise; the check "
                f"wants pointwise log-probabilities (negative), shape {expected}."
            )
        if math.isclose(value, full.sum(), rel_tol=1e-6, abs_tol=1e-6):
            _fail(
                "your answer is the sum over all trials, the first one included; the "
                f"check wants one value per trial with the first trial dropped, shape {expected}."
            )
        _fail(f"your answer is a single number; the check wants shape {expected}.")

    if values.ndim == 2 and reference.ndim == 2 and values.shape == expected[::-1]:
        _fail(
            f"your array has shape {values.shape}, the reference {expected} "
            "(participants, trials): transpose it."
        )
    if values.ndim != reference.ndim:
        _fail(
            f"your array has {values.ndim} dimension(s) (shape {values.shape}); the "
            f"reference has shape {expected}."
        )
    if reference.ndim == 2 and values.shape[0] != expected[0]:
        _fail(
            f"your array has {values.shape[0]} participants (rows), the data have "
            f"{expected[0]}: one row per participant."
        )
    if values.shape[-1] == n_trials:
        kept = values[..., 1:]
        if _close(kept, reference):
            _fail(
                f"you have {n_trials} values per participant, the reference has "
                f"{n_trials - 1}: drop the first trial (its belief is the prior whatever "
                "the parameters, so it only adds a constant)."
            )
        if _close(-kept, reference):
            _fail(
                f"you have {n_trials} values and they are positive: drop the first trial, "
                "and take the log-probability, the negative of the surprise."
            )
        _fail(
            f"you have {n_trials} values per participant, the reference has "
            f"{n_trials - 1} (the first trial dropped), and even without your first "
            "value they differ from the reference."
        )
    if values.shape != expected:
        _fail(f"your array has shape {values.shape}, the reference has shape {expected}.")

    if _close(values, reference):
        total = float(values.sum())
        _passed(f"{values.size} pointwise log-probabilities match the reference (sum {total:.2f}).")
        return
    if _close(-values, reference):
        _fail(
            "your values have the right size but the wrong sign: they are surprises "
            "(-log p). The log-probability is the negative of the surprise."
        )
    if _close(values, full[..., :-1]):
        _fail(
            "your log-probability differs from the reference from trial 1 on, and "
            "matches it shifted by one trial: did you drop the first trial? "
            "Keep trials 1 to the end (`[1:]`), not 0 to the second-last (`[:-1]`)."
        )
    if _close(values, np.exp(reference)):
        _fail(
            "your values lie between 0 and 1 and match the probabilities of the "
            "responses: take their log."
        )
    if _close(values, log_p1[..., 1:]):
        _fail(
            "your values are log P(response = 1) on every trial; on trials where the "
            "response was 0 the log-probability is log P(response = 0)."
        )
    if _close(values, reference / np.log(10)):
        _fail("your values are base-10 logarithms: use the natural log (np.log).")
    if np.any(values > 1e-12):
        _fail(
            "some of your values are positive, but the log of a probability is at "
            "most 0: check the sign and the formula of the response model."
        )
    trial, largest = _first_difference(values, reference)
    _fail(
        f"your log-probability differs from the reference from trial {trial} on "
        f"(largest difference {largest:.3g}): check the belief you feed the response "
        "model (the expected mean before the trial's input) and the inverse temperature."
    )


# --------------------------------------------------------------------------------------
# The PyMC model
# --------------------------------------------------------------------------------------


def _shifted_point(point: Mapping) -> dict:
    """A point away from the initial one, so that priors differ where they can."""
    shifted = {}
    for i, (name, value) in enumerate(sorted(point.items())):
        value = np.asarray(value, dtype=float)
        offsets = 0.05 * (i + 1) + 0.1 * np.arange(value.size).reshape(value.shape)
        shifted[name] = value + offsets
    return shifted


def _variable_dims(model, name) -> tuple:
    return tuple(model.named_vars_to_dims.get(name, ()) or ())


def check_model(
    model,
    data,
    *,
    reference: bool = True,
    group_variables: Sequence[str] = GROUP_VARIABLES,
    participant_variables: Sequence[str] = PARTICIPANT_VARIABLES,
) -> None:
    """Check a hierarchical PyMC model against the data and the reference model.

    Structure first: an observed variable ``responses`` holding the dataset's
    responses, a ``participant`` dimension of the right size, the group-level
    variables as random variables with priors, and the participant-level ones with
    one value per participant feeding the likelihood. With ``reference=True`` the
    model's log-density is then compared, variable by variable, with
    :func:`hgf_tutorial.build_group_model` at the same parameter values, so a
    different prior or likelihood is named.

    Parameters
    ----------
    model : pymc.Model
    data : xarray.Dataset
        ``responses`` (participant, trial) and ``inputs`` (trial).
    reference : bool
        Compare the log-density with the reference model (the centred model of the
        sampling chapter). Use ``False`` for a model that is different on purpose.
    group_variables, participant_variables : sequence of str
        Names the model must have (defaults: the reference model's).
    """
    _require(model, "build the model and store it")
    import pymc as pm
    from pytensor.graph.traversal import ancestors

    if not isinstance(model, pm.Model):
        _fail(f"expected a pymc.Model, got a {type(model).__name__}.")
    responses = np.asarray(data["responses"])
    n_participants = responses.shape[0]

    coords = model.coords.get("participant")
    if coords is None:
        _fail(
            "your model has no 'participant' dimension: create it with "
            "`pm.Model(coords={'participant': data['participant'].values})` and give "
            "the participant-level variables `dims='participant'`."
        )
    if len(coords) != n_participants:
        _fail(
            f"your model's participant dimension has {len(coords)} entries, the data "
            f"have {n_participants}."
        )

    observed = {rv.name: rv for rv in model.observed_RVs}
    if not observed:
        _fail(
            "your model has no observed variable: the responses' distribution needs "
            "`observed=data['responses']`, or it is a prior, not a likelihood."
        )
    if "responses" not in observed:
        _fail(
            f"your model's observed variable is called {sorted(observed)}; call it "
            "'responses', the name the checks and the log-likelihood group use."
        )
    rv = observed["responses"]
    values = np.asarray(model.rvs_to_values[rv].eval())
    from hgf_tutorial.model import observations

    layout = observations(data)
    scored = layout.responses[layout.index]
    if values.shape != scored.shape:
        if values.shape in (responses.shape, responses.shape[::-1]):
            _fail(
                f"your observed responses have shape {values.shape}, every trial of the "
                f"data {responses.shape} (participant, trial); the likelihood scores "
                f"{scored.size} of them (answered, first trials left out): observe "
                "them with ht.observe_responses."
            )
        _fail(
            f"your observed responses have shape {values.shape}; the data have "
            f"{scored.size} scored responses (participant, trial) {responses.shape}."
        )
    if not np.array_equal(values, scored):
        _fail(
            "your observed responses are not this dataset's responses: did you pass "
            "another dataset, or reorder the participants?"
        )

    names = set(model.named_vars)
    free = {v.name for v in model.free_RVs}
    for name in [*group_variables, *participant_variables]:
        if name not in names:
            have = ", ".join(sorted(free)) or "none"
            _fail(
                f"your model has no variable called '{name}' (its random variables: "
                f"{have}). Use the names of the exercise so that the checks can find them."
            )
    for name in group_variables:
        if name not in free:
            _fail(
                f"'{name}' is not a random variable of your model, so it has no prior "
                "and is not estimated: give it a distribution (e.g. pm.Normal)."
            )
    for name in participant_variables:
        if "participant" not in _variable_dims(model, name):
            _fail(f"'{name}' should have one value per participant: give it `dims='participant'`.")
        if model[name] not in set(ancestors([rv])):
            _fail(
                f"your responses do not depend on '{name}': pass it to the likelihood "
                "of the responses."
            )

    if reference:
        _compare_with_reference(model, data)
    extra = " and its log-density matches the reference model" if reference else ""
    _passed(
        f"observed responses {responses.shape}, {n_participants} participants, "
        f"{len(free)} random variables with priors{extra}."
    )


def _compare_with_reference(model, data) -> None:
    from hgf_tutorial.model import build_group_model

    reference = build_group_model(data)
    point = _shifted_point(reference.initial_point())
    mine = model.initial_point()
    missing = sorted(set(point) - set(mine))
    extra = sorted(set(mine) - set(point))
    if missing or extra:
        hint = ""
        for name in missing:
            base = name.split("_log__")[0]
            if name.endswith("_log__") and base in mine:
                hint = (
                    f" '{base}' has no positivity constraint: a standard deviation or a "
                    "temperature needs a positive distribution (HalfNormal, LogNormal)."
                )
        _fail(
            "your model's parameters are not the reference model's "
            f"(missing: {missing or 'none'}; extra: {extra or 'none'}).{hint} "
            "If your model is different on purpose, pass reference=False."
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = reference.point_logps(point, round_vals=8)
        got = model.point_logps(point, round_vals=8)
    for name, value in expected.items():
        if name not in got:
            continue
        if not math.isclose(got[name], value, rel_tol=1e-6, abs_tol=1e-4):
            if name == "responses":
                _fail(
                    "your likelihood of 'responses' differs from the reference at the "
                    "same parameter values: check what you pass to it (volatility, "
                    "inverse temperature, inputs) and in which order."
                )
            _fail(
                f"the prior of '{name}' gives a different log-density from the "
                "reference model at the same parameter values: compare its "
                "distribution and its parameters with the model of the sampling chapter."
            )


# --------------------------------------------------------------------------------------
# Convergence
# --------------------------------------------------------------------------------------


def check_convergence(idata, var_names: Sequence[str] | None = None) -> None:
    """Check divergences, r-hat and ESS of a fit.

    Full mode: the project's definition of a fit to trust,
    :func:`hgf_tutorial.diagnose` (what the pages assert): at most 0.1 % of the
    draws divergent (4 in 4000), r-hat <= 1.01, bulk and tail ESS >= 400.
    Quick mode (``HGF_TUTORIAL_QUICK=1``): at most 2 % divergent draws, r-hat
    <= 1.1, bulk ESS >= 50; short chains cannot do better, and their numbers
    are not for reporting.

    Parameters
    ----------
    idata : xarray.DataTree
        The output of :func:`hgf_tutorial.sample`.
    var_names : sequence of str, optional
        Variables whose r-hat and ESS count; default: every posterior variable.
    """
    _require(idata, "sample the model and store what ht.sample returns")
    quick = is_quick()
    limits = QUICK_LIMITS if quick else FULL_LIMITS
    if not hasattr(idata, "children") or "posterior" not in idata.children:
        _fail("this has no posterior group: pass what ht.sample returned.")
    posterior = idata["posterior"].to_dataset()
    if var_names is not None:
        missing = [name for name in var_names if name not in posterior]
        if missing:
            _fail(f"the posterior has no variable {missing}.")
    n_chains = posterior.sizes["chain"]
    n_draws = posterior.sizes["draw"]
    if n_chains < 2:
        _fail(
            "r-hat compares chains, and you have 1: sample at least 2 chains "
            "(ht.sample runs 4 in full mode)."
        )
    if "sample_stats" not in idata.children or "diverging" not in idata["sample_stats"]:
        _fail("this fit has no sample_stats/diverging: pass what ht.sample returned.")
    try:
        diagnosis = diagnose(idata, var_names)
    except ValueError as error:
        _fail(str(error))
    value, where = diagnosis["value"], diagnosis["variable"]
    divergent = int(value["divergences"])
    allowed = (
        limits["max_divergent_fraction"] * n_chains * n_draws
        if quick
        else diagnosis.loc["divergences", "limit"]
    )
    if divergent > allowed:
        _fail(
            f"{divergent} divergent transitions (at most {allowed:g} of your "
            f"{n_chains * n_draws} draws): the sampler could not follow the posterior "
            "everywhere, so its draws may be biased. Raise target_accept, or try the "
            "other parameterisation."
        )
    worst = float(value["r_hat"])
    if not worst <= limits["max_rhat"]:
        _fail(
            f"r-hat of '{where['r_hat']}' reaches {worst:.3f} > {limits['max_rhat']}: the "
            "chains disagree. Run longer chains (more tune and draws) before reading "
            "the posterior."
        )
    for method in ("bulk",) if quick else ("bulk", "tail"):
        low = float(value[f"ess_{method}"])
        if not low >= limits["min_ess"]:
            _fail(
                f"the {method} ESS of '{where[f'ess_{method}']}' is only {low:.0f} "
                f"(< {limits['min_ess']}): too few effective draws for stable "
                f"{'means' if method == 'bulk' else 'intervals'}; draw more."
            )
    tail = "" if quick else f", min tail ESS {float(value['ess_tail']):.0f}"
    mode = " (quick-mode thresholds: numbers not for reporting)" if quick else ""
    _passed(
        f"{n_chains} chains x {n_draws} draws, {divergent} divergences, max r-hat "
        f"{worst:.3f}, min bulk ESS {float(value['ess_bulk']):.0f}{tail}{mode}."
    )


# --------------------------------------------------------------------------------------
# Reported group means with intervals
# --------------------------------------------------------------------------------------

_CI_COLUMN = re.compile(r"^(?:eti|hdi)_?(\d+)%?_(lb|ub)$")


def _parse_report(report, names) -> tuple[dict, float | None]:
    """{name: (mean, lower, upper)} and the probability the column names state."""
    import pandas as pd

    prob = None
    rows = {}
    if isinstance(report, pd.DataFrame):
        columns = {str(c): c for c in report.columns}
        lower = upper = None
        for key, column in columns.items():
            match = _CI_COLUMN.match(key)
            if match:
                prob = int(match.group(1)) / 100
                if match.group(2) == "lb":
                    lower = column
                else:
                    upper = column
        lower = lower if lower is not None else columns.get("lower")
        upper = upper if upper is not None else columns.get("upper")
        if "mean" not in columns or lower is None or upper is None:
            _fail(
                "your table needs a 'mean' column and the interval's bounds "
                f"(e.g. az.summary's eti89_lb/eti89_ub); it has {list(columns)}."
            )
        for name in names:
            if name in report.index:
                row = report.loc[name]
                rows[name] = (float(row["mean"]), float(row[lower]), float(row[upper]))
        return rows, prob
    if isinstance(report, Mapping):
        for name in names:
            if name not in report:
                continue
            entry = report[name]
            if isinstance(entry, Mapping):
                try:
                    entry = (entry["mean"], entry["lower"], entry["upper"])
                except KeyError:
                    _fail(
                        f"the entry for '{name}' needs the keys 'mean', 'lower', 'upper'; "
                        f"it has {sorted(entry)}."
                    )
            try:
                mean, lower, upper = (float(x) for x in entry)
            except (TypeError, ValueError):
                _fail(f"the entry for '{name}' should be (mean, lower, upper), got {entry!r}.")
            rows[name] = (mean, lower, upper)
        return rows, prob
    _fail(
        "report the group means as az.summary's table or as a dict "
        "{name: (mean, lower, upper)}, not a " + type(report).__name__ + "."
    )


def check_group_means(
    report, idata, *, prob: float | None = None, names: Sequence[str] = GROUP_MEANS
) -> None:
    """Check reported posterior means and credible intervals of group parameters.

    The check compares the report with the posterior it claims to summarise, never
    with the values the data were simulated with: the mean must be the posterior
    mean (within Monte Carlo and rounding error), the interval must contain it, and
    the interval must hold about ``prob`` of the posterior draws (an interval of
    mean +- 1 sd, the range of the draws, or the prior's interval are named).

    Parameters
    ----------
    report : pandas.DataFrame or dict
        ``az.summary(idata, var_names=[...])`` or ``{name: (mean, lower, upper)}``.
    idata : xarray.DataTree
        The fit the report comes from.
    prob : float, optional
        Probability of the intervals; read from az.summary's column names
        (``eti89_lb`` -> 0.89) when not given, else ArviZ's default, 0.89.
    names : sequence of str
        The variables the report must cover.
    """
    _require(report, "summarise the posterior and store the report")
    _require(idata, "sample the model and store what ht.sample returns")
    rows, stated = _parse_report(report, names)
    prob = prob if prob is not None else (stated if stated is not None else 0.89)
    posterior = idata["posterior"]
    for name in names:
        if name not in rows:
            _fail(f"your report has no entry for '{name}'.")
        if name not in posterior:
            _fail(f"the posterior you passed has no '{name}': is it the right fit?")
    means = {
        name: float(posterior[name].mean())
        for name in posterior.data_vars
        if posterior[name].ndim == 2  # scalar variables: (chain, draw)
    }
    for name in names:
        mean, lower, upper = rows[name]
        draws = np.asarray(posterior[name]).reshape(-1)
        sd = float(draws.std())
        if lower > upper:
            _fail(f"the interval of '{name}' has its lower bound above the upper: swapped?")
        tolerance = 0.15 * sd  # az.summary rounds the mean to its Monte Carlo error
        if abs(mean - means[name]) > tolerance:
            for other, value in means.items():
                if other != name and abs(mean - value) <= tolerance:
                    _fail(
                        f"the mean you give for '{name}' is the posterior mean of "
                        f"'{other}': rows mixed up?"
                    )
            if name == "mu_temperature" and abs(mean - float(np.exp(draws).mean())) < tolerance:
                _fail(
                    "your mean of 'mu_temperature' is on the inverse-temperature scale; "
                    "mu_temperature is the group mean of log(inverse temperature): "
                    "report it as it is in the posterior."
                )
            if "prior" in idata.children and name in idata["prior"]:
                prior_draws = idata["prior"][name]
                prior_mean = float(prior_draws.mean())
                if abs(mean - prior_mean) <= max(tolerance, 0.05 * float(prior_draws.std())):
                    _fail(
                        f"your mean of '{name}' is the prior mean: summarise the "
                        "posterior group, not the prior."
                    )
            _fail(
                f"your mean of '{name}' is not the mean of the posterior you passed: "
                "did you take it from another fit, one chain, or a rounded copy?"
            )
        if not lower <= mean <= upper:
            _fail(f"the interval you give for '{name}' does not contain its own mean.")
        inside = float(np.mean((draws >= lower) & (draws <= upper)))
        if abs(inside - prob) <= 0.05:
            continue
        if "prior" in idata.children and name in idata["prior"]:
            prior = np.asarray(idata["prior"][name]).reshape(-1)
            q = np.quantile(prior, [(1 - prob) / 2, (1 + prob) / 2])
            if upper - lower >= 0.8 * (q[1] - q[0]):
                _fail(
                    f"your interval for '{name}' is about as wide as the prior's: "
                    "summarise the posterior group, not the prior."
                )
        if inside > 0.995 and math.isclose(upper, draws.max(), rel_tol=0.02, abs_tol=0.05):
            _fail(
                f"your interval for '{name}' holds every posterior draw: the range "
                f"(min, max) is not a {prob:.0%} credible interval."
            )
        if 0.6 <= inside <= 0.76:
            _fail(
                f"your interval for '{name}' holds {inside:.0%} of the posterior draws, "
                f"like mean +- 1 sd; a {prob:.0%} interval should hold about {prob:.0%}."
            )
        _fail(
            f"your interval for '{name}' holds {inside:.0%} of the posterior draws; a "
            f"{prob:.0%} interval should hold about {prob:.0%}."
        )
    listed = ", ".join(names)
    _passed(f"the means and {prob:.0%} intervals of {listed} summarise your posterior.")


# --------------------------------------------------------------------------------------
# Model comparison
# --------------------------------------------------------------------------------------


def _loo_quietly(idata):
    import arviz as az

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return az.loo(idata)


def check_comparison(
    comparison,
    models: Mapping | None = None,
    *,
    preferred: str | None = None,
    distinguishable: bool | None = None,
) -> None:
    """Check an ``az.compare`` table and, optionally, what you conclude from it.

    Parameters
    ----------
    comparison : pandas.DataFrame
        What ``az.compare`` returned, with at least two models.
    models : dict of {name: xarray.DataTree}, optional
        The fits you compared: each must have a pointwise ``log_likelihood`` group
        on the same observations; the table's order is checked against their ELPDs.
    preferred : str, optional
        The model you conclude predicts best.
    distinguishable : bool, optional
        Whether you conclude the best model is clearly better than the second:
        its ELPD difference is more than about two standard errors (``dse``).
    """
    _require(comparison, "compare the models with az.compare and store the table")
    import pandas as pd

    if not isinstance(comparison, pd.DataFrame):
        _fail(f"expected the DataFrame that az.compare returns, got a {type(comparison).__name__}.")
    for column in ("rank", "elpd", "elpd_diff", "dse"):
        if column not in comparison.columns:
            _fail(
                f"your table has no '{column}' column: pass az.compare's output "
                "unchanged (it is ordered and ranked for you)."
            )
    if len(comparison) < 2:
        _fail("your comparison has only one model: compare at least two.")
    elpd = comparison["elpd"].to_numpy(dtype=float)
    if np.any(elpd > 0):
        _fail(
            "some ELPDs are positive: the table is on the deviance scale, or the "
            "log-likelihood has the wrong sign (log-probabilities are negative)."
        )
    if not np.all(np.diff(elpd) <= 1e-9) or list(comparison["rank"]) != list(
        range(len(comparison))
    ):
        _fail(
            "your table is not ordered from the highest ELPD (best, rank 0) down: "
            "az.compare orders it; do not re-sort it."
        )
    if models is not None:
        names = [str(n) for n in comparison.index]
        if sorted(names) != sorted(str(n) for n in models):
            _fail(
                f"your table compares {sorted(names)} but you passed the fits "
                f"{sorted(str(n) for n in models)}."
            )
        loos = {}
        for name, idata in models.items():
            if "log_likelihood" not in idata.children:
                _fail(
                    f"the fit '{name}' has no log_likelihood group: add it with "
                    "ht.add_log_likelihood(idata, data) before comparing."
                )
            loos[str(name)] = _loo_quietly(idata)
        sizes = {name: loo.n_data_points for name, loo in loos.items()}
        if len(set(sizes.values())) > 1:
            _fail(
                f"the models are scored on different numbers of observations {sizes}: "
                "all must give one log-probability per scored response (answered, first "
                "trial dropped), as ht.add_log_likelihood and pm.compute_log_likelihood "
                "do for the models of ht.build_group_model; a log-likelihood summed by "
                "participant, or one that keeps the first trials, is scored on others."
            )
        best = max(loos, key=lambda n: loos[n].elpd)
        if names[0] != best:
            _fail(
                f"your table puts '{names[0]}' first, but '{best}' has the higher "
                "ELPD: is the table from these fits?"
            )
    top, second = comparison.index[0], comparison.index[1]
    diff = abs(float(comparison["elpd_diff"].iloc[1]))
    dse = float(comparison["dse"].iloc[1])
    if preferred is not None and str(preferred) != str(top):
        _fail(
            f"you prefer '{preferred}', but the model with the highest ELPD is another "
            "one: read the table's first row."
        )
    if distinguishable is not None and dse > 0:
        ratio = diff / dse
        if distinguishable and ratio < 2:
            _fail(
                "you call the difference clear, but it is less than two standard errors "
                "of the difference (dse): the data do not separate these models well."
            )
        if not distinguishable and ratio > 4:
            _fail(
                "you call the models indistinguishable, but the ELPD difference is "
                "several times its standard error (dse): it is a clear difference."
            )
    conclusion = (
        f", and your conclusion agrees with it ({top} over {second})"
        if (preferred is not None or distinguishable is not None)
        else ""
    )
    _passed(f"{len(comparison)} models ordered by ELPD{conclusion}.")


# --------------------------------------------------------------------------------------
# Response switches
# --------------------------------------------------------------------------------------


def check_switches(switches, responses) -> None:
    """Check per-participant counts of response switches.

    A switch is a trial whose response differs from the previous trial's, so a
    participant with ``n_trials`` responses can switch at most ``n_trials - 1``
    times. The reference is computed from the student's own ``responses``.

    Parameters
    ----------
    switches : array, shape (n_participants,)
        The student's counts, one per participant (a NumPy array, list or
        xarray.DataArray).
    responses : array, shape (n_participants, n_trials)
        The 0/1 responses they were counted from.

    Raises
    ------
    CheckFailed
        With a hint: counted along the wrong axis (one value per trial), counted
        the 1 responses or the repeats instead of the changes, gave shares instead
        of counts, or counts that differ for some participants.
    """
    _require(switches, "compute the switch counts and store them")
    values = _numbers(switches, "give one switch count per participant.")
    rows = np.atleast_2d(np.asarray(responses, dtype=float))
    n_participants, n_trials = rows.shape
    changes = np.diff(rows, axis=1) != 0
    reference = changes.sum(axis=1).astype(float)
    if values.ndim == 0:
        if math.isclose(float(values), reference.sum()):
            _fail(
                "your answer is a single number, the switches of all participants "
                f"together; the check wants one count per participant, shape ({n_participants},)."
            )
        _fail(f"your answer is a single number; the check wants shape ({n_participants},).")
    values = values.reshape(-1) if values.ndim == 2 and 1 in values.shape else values
    if values.ndim != 1:
        _fail(
            f"your answer has shape {values.shape}: sum the changes over trials, "
            f"one count per participant, shape ({n_participants},)."
        )
    if values.size in (n_trials - 1, n_trials) and values.size != n_participants:
        _fail(
            f"you have {values.size} values, one per trial: count along the trial axis "
            f"(axis=1, or 'trial'), which gives one count per participant ({n_participants})."
        )
    if values.size != n_participants:
        _fail(
            f"you have {values.size} counts, the data have {n_participants} participants: "
            "one count per participant."
        )
    if _close(values, reference, atol=1e-9):
        _passed(
            f"{n_participants} switch counts match the responses (from {int(reference.min())} "
            f"to {int(reference.max())} of {n_trials - 1} possible)."
        )
        return
    if _close(values, reference / (n_trials - 1)) or _close(values, reference / n_trials):
        _fail(
            "your values are shares between 0 and 1, switch rates: the check wants counts, "
            "the number of trials whose response differs from the one before."
        )
    if _close(values, rows.sum(axis=1)):
        _fail(
            "your counts are the numbers of 1 responses: a switch is a change, a response "
            "that differs from the previous trial's (np.diff)."
        )
    if _close(values, (n_trials - 1) - reference):
        _fail(
            "your counts are the repeats, trials with the same response as the one "
            "before: count the trials where it differs."
        )
    wrong = np.flatnonzero(~np.isclose(values, reference))
    _fail(
        f"your counts differ from the responses' for {wrong.size} of {n_participants} "
        f"participants (first: participant {int(wrong[0])}, you have {values[wrong[0]]:g}): "
        "count, per participant, the trials whose response differs from the previous one."
    )


# --------------------------------------------------------------------------------------
# Memory of the pointwise log-likelihood
# --------------------------------------------------------------------------------------

#: What the memory table of the scaling page calls a MB: 2**20 bytes.
MEGABYTE = 2**20


def _loglik_bytes(n_participants: int, chains: int, draws: int, n_trials: int) -> int:
    """Bytes of the array :func:`hgf_tutorial.add_log_likelihood` returns.

    float64, shape (chains, draws, participants, n_trials - 1): the first trial
    is not part of the likelihood.
    """
    return np.dtype(float).itemsize * chains * draws * n_participants * (n_trials - 1)


def check_loglik_memory(
    estimate_mb, *, n_participants: int, chains: int, draws: int, n_trials: int = 320
) -> None:
    """Check an estimate of the memory the pointwise log-likelihood takes.

    The reference is the size of what :func:`hgf_tutorial.add_log_likelihood`
    returns for a posterior of ``chains`` x ``draws`` and a study of
    ``n_participants`` with ``n_trials`` each: one float64 (8 bytes) per draw,
    participant and trial, the first trial dropped. MB are 2**20 bytes, as in the
    scaling page's table. It checks the result array only, not the working memory
    that computing it needs on top.

    Parameters
    ----------
    estimate_mb : float
        The student's estimate in MB (2**20 bytes).
    n_participants, chains, draws, n_trials : int
        The study size; ``draws`` per chain.

    Raises
    ------
    CheckFailed
        With a hint: the first trial kept, MB of 10**6 bytes, bytes or GB instead of
        MB, 4 bytes (float32) per value, values counted instead of bytes, the chains
        left out, or how far off the estimate is.
    """
    _require(estimate_mb, "compute the estimate and store it")
    try:
        value = float(np.asarray(estimate_mb, dtype=float))
    except (TypeError, ValueError):
        _fail(
            f"your answer is a {type(estimate_mb).__name__}, not a single number: give "
            "the estimate in MB as one number."
        )
    if not math.isfinite(value) or value <= 0:
        _fail(f"your estimate is {value}: a size in MB is a positive number.")
    reference_bytes = _loglik_bytes(n_participants, chains, draws, n_trials)
    reference = reference_bytes / MEGABYTE

    def near(candidate_mb: float) -> bool:
        return math.isclose(value, candidate_mb, rel_tol=1e-3)

    if near(reference):
        _passed(
            f"{value:.1f} MB for {chains} chains x {draws} draws, {n_participants} "
            f"participants and {n_trials} trials."
        )
        return
    per_value = reference_bytes / (chains * draws * n_participants * (n_trials - 1))
    with_first = reference * n_trials / (n_trials - 1)
    hints = [
        (
            with_first,
            f"you counted {n_trials} trials per participant; the log-likelihood has "
            f"{n_trials - 1}: the first trial is not part of it.",
        ),
        (
            reference_bytes / 1e6,
            "you divided by 10**6; the scaling page's table counts a MB as 2**20 "
            "bytes (1,048,576): divide the bytes by 2**20 to compare with it.",
        ),
        (
            reference_bytes,
            "this looks like bytes: divide by 2**20 for MB.",
        ),
        (
            reference / 1024,
            "this looks like GB (2**30 bytes): the check wants MB (2**20 bytes).",
        ),
        (
            reference / 2,
            "you counted 4 bytes per value, a float32; the log-likelihood is float64, "
            f"{per_value:.0f} bytes per value.",
        ),
        (
            reference / per_value,
            f"you counted values, not bytes: each value is a float64 of {per_value:.0f} bytes.",
        ),
    ]
    if chains > 1:
        hints.append(
            (
                reference / chains,
                "this is the size for one chain: every chain keeps its own draws.",
            )
        )
    for candidate, hint in hints:
        if near(candidate):
            _fail(hint)
    direction = "large" if value > reference else "small"
    factor = max(value, reference) / min(value, reference)
    _fail(
        f"your estimate is {factor:.3g} times too {direction}: count one value per "
        "chain, draw, participant and likelihood trial, and the bytes of each."
    )


# --------------------------------------------------------------------------------------
# Coverage of credible intervals in a recovery study
# --------------------------------------------------------------------------------------

#: The interval probability of the recovery page's table, named if reported instead.
_PAGE_INTERVAL_PROB = 0.9
#: Names :func:`check_coverage` accepts for each parameter.
_COVERAGE_PARAMETERS = {
    "volatility": "volatility",
    "tonic_volatility": "volatility",
    "inverse_temperature": "inverse_temperature",
    "log_inverse_temperature": "inverse_temperature",
}


def check_coverage(coverage, idata, data, *, prob: float, parameter: str = "volatility") -> None:
    """Check the coverage of equal-tailed credible intervals in a recovery study.

    The reference is :func:`hgf_tutorial.recovery.recovery_table` applied to the
    same fit and data with the same ``prob``: the fraction of participants whose
    central ``prob`` interval (quantiles ``(1 - prob) / 2`` and ``(1 + prob) / 2``
    of their posterior draws) holds their true value. Coverage does not depend on
    the scale (an interval of ``t`` holds the truth exactly when the interval of
    ``log t`` does), so ``"log_inverse_temperature"`` means the same as
    ``"inverse_temperature"``. It does not check highest-density intervals.

    Parameters
    ----------
    coverage : float
        The student's fraction of intervals that hold the truth, in [0, 1].
    idata : xarray.DataTree
        The fit; its posterior has ``volatility`` and ``inverse_temperature``.
    data : xarray.Dataset
        The simulated data with the true ``tonic_volatility`` and
        ``inverse_temperature``.
    prob : float
        The probability the student's intervals were meant to have.
    parameter : str
        ``"volatility"`` or ``"inverse_temperature"``.
    """
    from hgf_tutorial.recovery import recovery_table

    _require(coverage, "compute the coverage and store it")
    if parameter not in _COVERAGE_PARAMETERS:
        _fail(f"parameter should be one of {sorted(_COVERAGE_PARAMETERS)}, got {parameter!r}.")
    if not 0.0 < prob < 1.0:
        _fail(f"prob is the interval's probability, between 0 and 1 (e.g. 0.5), got {prob}.")
    try:
        value = float(np.asarray(coverage, dtype=float).reshape(-1)[0])
        if np.asarray(coverage).size != 1:
            raise ValueError
    except (TypeError, ValueError):
        _fail(
            f"your answer is a {type(coverage).__name__} of several values: the coverage "
            "is one number, the fraction of participants whose interval holds the truth."
        )
    name = _COVERAGE_PARAMETERS[parameter]
    table = recovery_table(idata, data, prob=prob)
    rows = table[table["parameter"] == name]
    n = len(rows)
    reference = float(rows["covered"].mean())
    hit = int(rows["covered"].sum())

    def near(candidate: float) -> bool:
        return math.isclose(value, candidate, abs_tol=0.5 / n)

    if near(reference):
        _passed(
            f"{hit} of {n} {prob:.0%} intervals of {name} hold the truth: coverage {reference:.2f}."
        )
        return
    other_name = next(p for p in set(_COVERAGE_PARAMETERS.values()) if p != name)
    other = table[table["parameter"] == other_name]
    other_prob = _PAGE_INTERVAL_PROB
    hints = [
        (hit, f"this is a count ({hit} of {n}): divide by the number of participants."),
        (100 * reference, "this is a percentage: give the fraction, between 0 and 1."),
        (1 - reference, "this is the fraction of intervals that MISS the truth."),
        (
            float(other["covered"].mean()),
            f"this is the coverage of '{other_name}', not of '{name}'.",
        ),
        (
            float(table["covered"].mean()),
            "this is the coverage of both parameters together: give one parameter's.",
        ),
    ]
    if not math.isclose(other_prob, prob):
        wider = recovery_table(idata, data, prob=other_prob)
        hints.append(
            (
                float(wider[wider["parameter"] == name]["covered"].mean()),
                f"this is the coverage of {other_prob:.0%} intervals (the page's table): "
                f"recompute the intervals with prob={prob}.",
            )
        )
    if not math.isclose(1 - prob, prob):
        flipped = recovery_table(idata, data, prob=1 - prob)
        hints.append(
            (
                float(flipped[flipped["parameter"] == name]["covered"].mean()),
                f"this is the coverage of {1 - prob:.0%} intervals: the quantiles of a "
                f"central {prob:.0%} interval are {(1 - prob) / 2:g} and {(1 + prob) / 2:g}.",
            )
        )
    for candidate, hint in hints:
        if near(candidate):
            _fail(hint)
    _fail(
        f"your coverage {value:.3f} is not the fraction of {n} participants whose "
        f"central {prob:.0%} interval of '{name}' holds the true value; take the "
        "quantiles over chains and draws of each participant's posterior."
    )
