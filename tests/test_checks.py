"""The self-checks: the right answer passes, each typical wrong answer fails with its hint."""

import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
import pytensor.tensor as pt
import pytest
import xarray as xr

import hgf_tutorial as ht
from hgf_tutorial import assignment, checks
from hgf_tutorial.checks import CheckFailed

OMEGA, TEMPERATURE = -3.5, 2.0


def _printed(capsys) -> str:
    """What a check printed, its line wrapping undone."""
    return " ".join(capsys.readouterr().out.split())


def test_check_failed_is_an_assertion_error():
    assert issubclass(CheckFailed, AssertionError)


# -- log-probability ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def small_group():
    return ht.simulate_group(3, seed=7)


@pytest.fixture(scope="module")
def one(small_group):
    """Participant 0's responses and inputs, their reference logp and all-trial terms."""
    y = small_group["responses"].values[0]
    u = small_group["inputs"].values
    reference = np.asarray(ht.participant_logp(OMEGA, TEMPERATURE, y, u))
    belief = ht.belief_trajectory(OMEGA, u)
    p1 = np.asarray(ht.response_probability(belief, TEMPERATURE))
    full = np.where(y == 1, np.log(p1), np.log1p(-p1))
    return y, u, reference, full, p1


def _check_logp(values, one):
    y, u, *_ = one
    checks.check_log_probability(values, OMEGA, TEMPERATURE, y, u)


def test_logp_reference_passes(one, capsys):
    _check_logp(one[2], one)
    assert _printed(capsys).startswith("Check passed: 319 pointwise")


def test_logp_by_hand_passes(one, capsys):
    _check_logp(one[3][1:], one)
    assert "Check passed" in _printed(capsys)


def test_logp_group_passes(small_group, capsys):
    omegas, temperatures = np.array([-4.0, -3.0, -2.5]), np.array([1.0, 2.0, 3.0])
    values = ht.pointwise_logp(
        omegas, temperatures, small_group["responses"], small_group["inputs"]
    )
    checks.check_log_probability(
        values, omegas, temperatures, small_group["responses"], small_group["inputs"]
    )
    assert "Check passed: 957 pointwise" in _printed(capsys)
    with pytest.raises(CheckFailed, match=r"shape \(319, 3\).*transpose it"):
        checks.check_log_probability(
            np.asarray(values).T,
            omegas,
            temperatures,
            small_group["responses"],
            small_group["inputs"],
        )
    with pytest.raises(CheckFailed, match="2 participants \\(rows\\), the data have 3"):
        checks.check_log_probability(
            np.asarray(values)[:2],
            omegas,
            temperatures,
            small_group["responses"],
            small_group["inputs"],
        )


@pytest.mark.parametrize(
    ("wrong", "message"),
    [
        (lambda r, f, p: f, "320 values per participant, the reference has 319: drop the first"),
        (lambda r, f, p: -f, "320 values and they are positive"),
        (lambda r, f, p: f[:-1], "differs from the reference from trial 1 on.*drop the first"),
        (lambda r, f, p: -r, "wrong sign: they are surprises"),
        (lambda r, f, p: r.sum(), "single number, the sum over trials"),
        (lambda r, f, p: -r.sum(), "summed surprise"),
        (lambda r, f, p: f.sum(), "sum over all trials, the first one included"),
        (lambda r, f, p: np.exp(r), "probabilities of the\\s+responses: take their log"),
        (lambda r, f, p: np.log(p)[1:], "log P\\(response = 1\\) on every trial"),
        (lambda r, f, p: r / np.log(10), "base-10"),
        (lambda r, f, p: r[:-1], "shape \\(318,\\), the reference has shape \\(319,\\)"),
        (lambda r, f, p: np.where(np.arange(319) >= 49, r - 0.01, r), "from trial 50 on"),
        (lambda r, f, p: np.full(319, np.nan), "NaN or infinite"),
        (lambda r, f, p: ..., "compute the log-probabilities"),
        (lambda r, f, p: "logp", "not an array of numbers"),
    ],
)
def test_logp_wrong_answers_name_the_mistake(one, wrong, message):
    _, _, reference, full, p1 = one
    with pytest.raises(CheckFailed, match=message):
        _check_logp(wrong(reference, full, p1), one)


def test_logp_other_temperature_is_found(one):
    y, u, *_ = one
    other = np.asarray(ht.participant_logp(OMEGA, 1.0, y, u))
    with pytest.raises(CheckFailed, match="from trial 1 on.*inverse temperature"):
        _check_logp(other, one)


# -- the PyMC model ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def data():
    """Three participants, 60 trials: small enough to compile quickly."""
    return ht.simulate_group(3, seed=3, inputs=ht.load_inputs()[:60])


def student_model(
    data,
    *,
    sigma_volatility=10.0,
    coords_data=None,
    shared_volatility=False,
    fixed_mu=False,
    observed_name="responses",
    swap=False,
    with_sigma_temperature=True,
    observe_data=None,
):
    coords_data = data if coords_data is None else coords_data
    with pm.Model(coords={"participant": coords_data["participant"].values}) as model:
        if fixed_mu:
            mu_volatility = pm.Deterministic("mu_volatility", pt.constant(-4.0))
        else:
            mu_volatility = pm.Normal("mu_volatility", -5.0, 5.0)
        sigma_v = pm.HalfNormal("sigma_volatility", sigma_volatility)
        mu_temperature = pm.Normal("mu_temperature", 0.0, 2.0)
        sigma_t = pm.HalfNormal("sigma_temperature", 2.0) if with_sigma_temperature else 1.0
        if shared_volatility:
            volatility = pm.Normal("volatility", mu_volatility, sigma_v)
        else:
            volatility = pm.Normal("volatility", mu_volatility, sigma_v, dims="participant")
        temperature = pm.LogNormal(
            "inverse_temperature", mu_temperature, sigma_t, dims="participant"
        )
        if shared_volatility:
            volatility = volatility * pt.ones(len(coords_data["participant"]))
        arguments = (temperature, volatility) if swap else (volatility, temperature)
        assignment.observe_responses(
            *arguments, coords_data if observe_data is None else observe_data, name=observed_name
        )
    return model


def test_model_reference_and_student_model_pass(data, capsys):
    checks.check_model(ht.build_group_model(data), data)
    checks.check_model(student_model(data), data)
    out = _printed(capsys)
    assert out.count("Check passed") == 2
    assert "matches the reference model" in out


def test_model_participant_dimension_too_small(data):
    fewer = data.isel(participant=slice(0, 2))
    with pytest.raises(CheckFailed, match="participant dimension has 2 entries, the data have 3"):
        checks.check_model(student_model(fewer), data)


def test_model_without_observed_variable(data):
    with pm.Model(coords={"participant": data["participant"].values}) as model:
        pm.Normal("volatility", -4, 1, dims="participant")
    with pytest.raises(CheckFailed, match="no observed variable"):
        checks.check_model(model, data)


def test_model_without_participant_dimension(data):
    with pm.Model() as model:
        pm.Bernoulli("responses", p=0.5, observed=data["responses"].values)
    with pytest.raises(CheckFailed, match="no 'participant' dimension"):
        checks.check_model(model, data)


def test_model_observed_variable_with_another_name(data):
    with pytest.raises(CheckFailed, match="call it 'responses'"):
        checks.check_model(student_model(data, observed_name="y"), data)


def test_model_fitted_to_other_responses(data):
    other = data.copy()
    other["responses"] = 1 - data["responses"]
    with pytest.raises(CheckFailed, match="not this dataset's responses"):
        checks.check_model(student_model(data, observe_data=other), data)


def test_model_missing_variable(data):
    with pytest.raises(CheckFailed, match="no variable called 'sigma_temperature'"):
        checks.check_model(student_model(data, with_sigma_temperature=False), data)


def test_model_group_mean_without_prior(data):
    with pytest.raises(CheckFailed, match="'mu_volatility' is not a random variable"):
        checks.check_model(student_model(data, fixed_mu=True), data)


def test_model_parameter_not_per_participant(data):
    with pytest.raises(CheckFailed, match="'volatility' should have one value per participant"):
        checks.check_model(student_model(data, shared_volatility=True), data)


def test_model_other_prior_is_named(data):
    with pytest.raises(CheckFailed, match="the prior of 'sigma_volatility'"):
        checks.check_model(student_model(data, sigma_volatility=5.0), data)
    # on purpose: structure only
    checks.check_model(student_model(data, sigma_volatility=5.0), data, reference=False)


def test_model_likelihood_arguments_swapped(data):
    with pytest.raises(CheckFailed, match="likelihood of 'responses' differs"):
        checks.check_model(student_model(data, swap=True), data)


def test_model_not_a_model(data):
    with pytest.raises(CheckFailed, match="expected a pymc.Model"):
        checks.check_model({"model": 1}, data)


# -- synthetic posteriors ---------------------------------------------------------------


def fake_fit(rng, *, chains=4, draws=1000, shift=0.0, walk=False, divergent=0, prior=True):
    """A DataTree shaped like ht.sample's output, with known posterior draws."""
    shape = (chains, draws)
    coords = {"chain": np.arange(chains), "draw": np.arange(draws)}
    mu_v = rng.normal(-3.2, 0.3, shape)
    mu_t = rng.normal(0.8, 0.13, shape)
    if walk:
        mu_v = -3.2 + 0.01 * np.cumsum(rng.normal(size=shape), axis=1)
    mu_v[0] += shift
    posterior = xr.Dataset(
        {"mu_volatility": (("chain", "draw"), mu_v), "mu_temperature": (("chain", "draw"), mu_t)},
        coords=coords,
    )
    diverging = np.zeros(shape, dtype=bool)
    diverging.flat[:divergent] = True
    groups = {
        "posterior": posterior,
        "sample_stats": xr.Dataset({"diverging": (("chain", "draw"), diverging)}, coords=coords),
    }
    if prior:
        groups["prior"] = xr.Dataset(
            {
                "mu_volatility": (("chain", "draw"), rng.normal(-5, 5, (1, 2000))),
                "mu_temperature": (("chain", "draw"), rng.normal(0, 2, (1, 2000))),
            },
            coords={"chain": [0], "draw": np.arange(2000)},
        )
    return xr.DataTree.from_dict(groups)


@pytest.fixture
def full_mode(monkeypatch):
    monkeypatch.setenv("HGF_TUTORIAL_QUICK", "0")


@pytest.fixture
def quick_mode(monkeypatch):
    monkeypatch.setenv("HGF_TUTORIAL_QUICK", "1")


def test_convergence_good_fit_passes(rng, full_mode, capsys):
    fit = fake_fit(rng)
    checks.check_convergence(fit)
    printed = _printed(capsys)
    assert "Check passed: 4 chains x 1000 draws, 0 divergences" in printed
    # the numbers printed are ArviZ's, bulk and tail ESS alike
    tail = az.ess(fit["posterior"].to_dataset(), method="tail")
    low = min(float(tail[name].min()) for name in tail.data_vars)
    assert f"min tail ESS {low:.0f}." in printed


def test_convergence_chains_that_disagree(rng, full_mode):
    with pytest.raises(CheckFailed, match="r-hat of 'mu_volatility' reaches .*chains disagree"):
        checks.check_convergence(fake_fit(rng, shift=1.0))


def test_convergence_divergences(rng, full_mode, capsys):
    # full mode is the pages' definition (ht.diagnose): at most 4 in 4000 draws
    with pytest.raises(CheckFailed, match=r"5 divergent transitions \(at most 4 of your 4000"):
        checks.check_convergence(fake_fit(rng, divergent=5))
    checks.check_convergence(fake_fit(rng, divergent=4))
    assert "Check passed: 4 chains x 1000 draws, 4 divergences" in _printed(capsys)
    assert checks.FULL_LIMITS == {
        "max_rhat": 1.01,
        "min_ess": 400,
        "max_divergent_fraction": 0.001,
    }


def test_convergence_one_chain(rng, full_mode):
    with pytest.raises(CheckFailed, match="you have 1"):
        checks.check_convergence(fake_fit(rng, chains=1))


def test_convergence_too_few_effective_draws(rng, full_mode):
    with pytest.raises(CheckFailed, match="(bulk ESS of 'mu_volatility' is only|r-hat)"):
        checks.check_convergence(fake_fit(rng, walk=True))


def test_convergence_quick_mode_is_looser(rng, quick_mode, capsys):
    fit = fake_fit(rng, chains=2, draws=150, divergent=2)
    checks.check_convergence(fit)
    assert "quick-mode thresholds" in _printed(capsys)


def test_convergence_needs_a_fit():
    with pytest.raises(CheckFailed, match="no posterior group"):
        checks.check_convergence({"x": 1})


# -- reported group means ----------------------------------------------------------------


@pytest.fixture
def fit(rng):
    return fake_fit(rng)


def _summary(fit):
    import arviz as az

    return az.summary(fit, var_names=list(checks.GROUP_MEANS), kind="stats")


def _draws(fit, name):
    return np.asarray(fit["posterior"][name]).reshape(-1)


def _report(fit, interval):
    return {name: interval(_draws(fit, name)) for name in checks.GROUP_MEANS}


def test_group_means_summary_and_dict_pass(fit, capsys):
    checks.check_group_means(_summary(fit), fit)
    checks.check_group_means(
        _report(fit, lambda d: (d.mean(), *np.quantile(d, [0.055, 0.945]))), fit
    )
    checks.check_group_means(
        _report(fit, lambda d: (d.mean(), *np.quantile(d, [0.025, 0.975]))), fit, prob=0.95
    )
    assert _printed(capsys).count("Check passed") == 3


def test_group_means_summary_with_94_percent_hdi_passes(fit, capsys):
    import arviz as az

    summary = az.summary(fit, var_names=["mu_volatility"], ci_prob=0.94, ci_kind="hdi")
    checks.check_group_means(summary, fit, names=["mu_volatility"])
    assert "94% intervals" in _printed(capsys)


@pytest.mark.parametrize(
    ("interval", "message"),
    [
        (lambda d: (d.mean(), d.mean() - d.std(), d.mean() + d.std()), "like mean \\+- 1 sd"),
        (lambda d: (d.mean(), d.min(), d.max()), "holds every posterior draw"),
        (lambda d: (d.mean(), d.mean() - 9, d.mean() + 9), "as wide as the prior"),
        (lambda d: (d.mean(), *np.quantile(d, [0.4, 0.6])), "holds 20% of the posterior"),
        (lambda d: (d.mean(), *np.quantile(d, [0.945, 0.055])), "swapped"),
        (lambda d: (d.mean(), *np.quantile(d, [0.6, 0.99])), "own mean"),
    ],
)
def test_group_means_wrong_intervals(fit, interval, message):
    with pytest.raises(CheckFailed, match=message):
        checks.check_group_means(_report(fit, interval), fit)


def test_group_means_wrong_means(fit, rng):
    good = _report(fit, lambda d: (d.mean(), *np.quantile(d, [0.055, 0.945])))
    swapped = {"mu_volatility": good["mu_temperature"], "mu_temperature": good["mu_volatility"]}
    with pytest.raises(CheckFailed, match="posterior mean of\\s+'mu_temperature': rows mixed"):
        checks.check_group_means(swapped, fit)
    scale = dict(good, mu_temperature=(np.exp(_draws(fit, "mu_temperature")).mean(), 1.0, 4.0))
    with pytest.raises(CheckFailed, match="inverse-temperature scale"):
        checks.check_group_means(scale, fit)
    prior = dict(good, mu_volatility=(-5.0, -13.0, 3.0))
    with pytest.raises(CheckFailed, match="is the prior mean"):
        checks.check_group_means(prior, fit)
    other_fit = dict(good, mu_volatility=(-2.0, -2.5, -1.5))
    with pytest.raises(CheckFailed, match="not the mean of the posterior you passed"):
        checks.check_group_means(other_fit, fit)
    with pytest.raises(CheckFailed, match="no entry for 'mu_temperature'"):
        checks.check_group_means({"mu_volatility": good["mu_volatility"]}, fit)
    with pytest.raises(CheckFailed, match="needs a 'mean' column"):
        checks.check_group_means(pd.DataFrame({"x": [1.0]}), fit)
    with pytest.raises(CheckFailed, match="as az.summary's table or as a dict"):
        checks.check_group_means([1, 2, 3], fit)


# -- model comparison -------------------------------------------------------------------


def scored_fit(rng, level, *, n_participants=4, n_trials=50, draws=200):
    """A fit with a pointwise log_likelihood group around ``level`` per observation."""
    shape = (2, draws, n_participants, n_trials)
    coords = {
        "chain": [0, 1],
        "draw": np.arange(draws),
        "participant": np.arange(n_participants),
        "trial": np.arange(1, n_trials + 1),
    }
    base = level + 0.2 * rng.normal(size=(1, 1, n_participants, n_trials))
    loglik = np.minimum(base + 0.02 * rng.normal(size=shape), -1e-3)
    dims = ("chain", "draw", "participant", "trial")
    return xr.DataTree.from_dict(
        {
            "posterior": xr.Dataset(
                {"mu_volatility": (("chain", "draw"), rng.normal(size=(2, draws)))},
                coords={"chain": [0, 1], "draw": np.arange(draws)},
            ),
            "log_likelihood": xr.Dataset({"responses": (dims, loglik)}, coords=coords),
        }
    )


@pytest.fixture
def fits(rng):
    return {"good": scored_fit(rng, -0.5), "worse": scored_fit(rng, -0.6)}


def _compare(fits):
    import warnings

    import arviz as az

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return az.compare(fits)


def test_comparison_passes(fits, capsys):
    table = _compare(fits)
    checks.check_comparison(table, fits)
    checks.check_comparison(table, preferred="good", distinguishable=True)
    out = _printed(capsys)
    assert out.count("Check passed") == 2
    assert "your conclusion agrees" in out


def test_comparison_wrong_tables(fits, rng):
    table = _compare(fits)
    with pytest.raises(CheckFailed, match="only one model"):
        checks.check_comparison(table.iloc[:1])
    with pytest.raises(CheckFailed, match="not ordered from the highest ELPD"):
        checks.check_comparison(table.sort_values("elpd"))
    deviance = table.assign(elpd=-2 * table["elpd"])
    with pytest.raises(CheckFailed, match="deviance scale"):
        checks.check_comparison(deviance)
    with pytest.raises(CheckFailed, match="no 'dse' column"):
        checks.check_comparison(table.drop(columns="dse"))
    with pytest.raises(CheckFailed, match="DataFrame that az.compare returns"):
        checks.check_comparison(table.to_dict())
    renamed = table.rename(index={"good": "A", "worse": "B"})
    with pytest.raises(CheckFailed, match="compares \\['A', 'B'\\]"):
        checks.check_comparison(renamed, fits)
    swapped = table.rename(index={"good": "worse", "worse": "good"})
    with pytest.raises(CheckFailed, match="puts 'worse' first, but 'good' has the higher"):
        checks.check_comparison(swapped, fits)


def test_comparison_fits_scored_differently(fits, rng):
    table = _compare(fits)
    no_loglik = dict(fits, worse=xr.DataTree.from_dict({"posterior": fits["worse"]["posterior"]}))
    with pytest.raises(CheckFailed, match="no log_likelihood group"):
        checks.check_comparison(table, no_loglik)
    per_participant = dict(fits, worse=scored_fit(rng, -0.6, n_trials=1))
    with pytest.raises(CheckFailed, match="different numbers of observations"):
        checks.check_comparison(table, per_participant)


def test_comparison_wrong_conclusions(fits, rng):
    table = _compare(fits)
    with pytest.raises(CheckFailed, match="you prefer 'worse'"):
        checks.check_comparison(table, preferred="worse")
    with pytest.raises(CheckFailed, match="call the models indistinguishable"):
        checks.check_comparison(table, distinguishable=False)
    close = _compare({"a": scored_fit(rng, -0.5), "b": scored_fit(rng, -0.5005)})
    ratio = abs(close["elpd_diff"].iloc[1]) / close["dse"].iloc[1]
    assert ratio < 2
    with pytest.raises(CheckFailed, match="you call the difference clear"):
        checks.check_comparison(close, distinguishable=True)


# -- response switches -------------------------------------------------------------------


def test_switches_reference_passes(small_group, capsys):
    responses = small_group["responses"]
    switches = (responses.diff("trial") != 0).sum("trial")
    checks.check_switches(switches, responses)
    checks.check_switches(list(switches.values), responses.values)
    assert _printed(capsys).startswith("Check passed: 3 switch counts match")


@pytest.mark.parametrize(
    "wrong, message",
    [
        (lambda y: ..., "compute the switch counts"),
        (lambda y: (np.diff(y, axis=1) != 0).sum(), "all participants together"),
        (lambda y: (np.diff(y, axis=0) != 0).sum(0), "one per trial"),
        (lambda y: (np.diff(y, axis=1) != 0).mean(1), "switch rates"),
        (lambda y: y.sum(1), "numbers of 1 responses"),
        (lambda y: (np.diff(y, axis=1) == 0).sum(1), "repeats"),
        (lambda y: (np.diff(y, axis=1) != 0).sum(1)[:2], "3 participants"),
        (lambda y: (np.diff(y, axis=1) != 0).sum(1) + np.array([0, 1, 0]), "participant 1"),
        (lambda y: "many", "not an array of numbers"),
    ],
)
def test_switches_wrong_answers_name_the_mistake(small_group, wrong, message):
    responses = small_group["responses"].values
    with pytest.raises(CheckFailed, match=message):
        checks.check_switches(wrong(responses), responses)


# -- memory of the pointwise log-likelihood ----------------------------------------------

STUDY = {"n_participants": 60, "chains": 4, "draws": 2000, "n_trials": 320}
STUDY_BYTES = 8 * 4 * 2000 * 60 * 319


def test_loglik_memory_reference_is_what_add_log_likelihood_returns(small_group):
    rng = np.random.default_rng(0)
    shape = (2, 5, small_group.sizes["participant"])
    posterior = xr.Dataset(
        {
            "volatility": (("chain", "draw", "participant"), rng.normal(-4, 0.5, shape)),
            "inverse_temperature": (("chain", "draw", "participant"), rng.uniform(1, 3, shape)),
        }
    )
    idata = ht.add_log_likelihood(xr.DataTree.from_dict({"posterior": posterior}), small_group)
    size = {"n_participants": 3, "chains": 2, "draws": 5, "n_trials": small_group.sizes["trial"]}
    nbytes = idata["log_likelihood"]["responses"].nbytes
    assert checks._loglik_bytes(**size) == nbytes
    checks.check_loglik_memory(nbytes / 2**20, **size)


def test_loglik_memory_passes(capsys):
    checks.check_loglik_memory(STUDY_BYTES / 2**20, **STUDY)
    assert _printed(capsys).startswith("Check passed: 1168.2 MB for 4 chains x 2000 draws")
    checks.check_loglik_memory(round(STUDY_BYTES / 2**20), **STUDY)  # rounded to 1 MB
    checks.check_loglik_memory(np.float32(STUDY_BYTES / 2**20), **STUDY)


@pytest.mark.parametrize(
    ("estimate", "message"),
    [
        (..., "compute the estimate and store it first"),
        (None, "compute the estimate and store it first"),
        ("a lot", "not a single number"),
        ([1.0, 2.0], "not a single number"),
        (-5.0, "a positive number"),
        (8 * 4 * 2000 * 60 * 320 / 2**20, "the first trial is not part of it"),
        (STUDY_BYTES / 1e6, "you divided by 10\\*\\*6"),
        (STUDY_BYTES, "this looks like bytes"),
        (STUDY_BYTES / 2**30, "this looks like GB"),
        (STUDY_BYTES / 2 / 2**20, "4 bytes per value, a float32"),
        (STUDY_BYTES / 8 / 2**20, "you counted values, not bytes"),
        (STUDY_BYTES / 4 / 2**20, "the size for one chain"),
        (3 * STUDY_BYTES / 2**20, "3 times too large"),
        (STUDY_BYTES / 10 / 2**20, "10 times too small"),
    ],
)
def test_loglik_memory_wrong_answers_fail(estimate, message):
    with pytest.raises(CheckFailed, match=message):
        checks.check_loglik_memory(estimate, **STUDY)


# -- coverage of credible intervals (recovery) -------------------------------------------


@pytest.fixture(scope="module")
def recovery_fit():
    """A fake fit of 20 participants whose posteriors sit around known truths."""
    rng = np.random.default_rng(3)
    n, shape = 20, (4, 500)
    true_v = rng.uniform(-6, -2, n)
    true_t = np.exp(rng.uniform(-0.5, 1.5, n))
    centre_v = true_v + rng.normal(0, 0.4, n)
    centre_t = np.log(true_t) + rng.normal(0, 0.3, n)
    coords = {"chain": np.arange(4), "draw": np.arange(500), "participant": np.arange(n)}
    dims = ("chain", "draw", "participant")
    posterior = xr.Dataset(
        {
            "volatility": (dims, centre_v + rng.normal(0, 0.4, (*shape, n))),
            "inverse_temperature": (dims, np.exp(centre_t + rng.normal(0, 0.3, (*shape, n)))),
        },
        coords=coords,
    )
    data = xr.Dataset(
        {
            "tonic_volatility": ("participant", true_v),
            "inverse_temperature": ("participant", true_t),
        },
        coords={"participant": np.arange(n)},
    )
    return xr.DataTree.from_dict({"posterior": posterior}), data


def _coverage(fit, data, prob, parameter="volatility"):
    from hgf_tutorial.recovery import recovery_table

    table = recovery_table(fit, data, prob=prob)
    return float(table[table["parameter"] == parameter]["covered"].mean())


def test_coverage_reference_passes(recovery_fit, capsys):
    fit, data = recovery_fit
    draws = fit["posterior"]["volatility"].stack(sample=("chain", "draw"))
    low, high = draws.quantile([0.25, 0.75], dim="sample")
    by_hand = float(((low <= data["tonic_volatility"]) & (data["tonic_volatility"] <= high)).mean())
    checks.check_coverage(by_hand, fit, data, prob=0.5)
    assert _printed(capsys).startswith("Check passed: ")
    log_t = _coverage(fit, data, 0.5, "inverse_temperature")
    checks.check_coverage(log_t, fit, data, prob=0.5, parameter="log_inverse_temperature")
    assert "intervals of inverse_temperature hold the truth" in _printed(capsys)


def test_coverage_wrong_answers_name_the_mistake(recovery_fit):
    fit, data = recovery_fit
    right = _coverage(fit, data, 0.5)
    n = data.sizes["participant"]
    other = _coverage(fit, data, 0.5, "inverse_temperature")
    wrong = {
        ...: "compute the coverage and store it first",
        None: "compute the coverage and store it first",
        round(right * n): "this is a count",
        100 * right: "a percentage",
        1 - right: "MISS the truth",
        _coverage(fit, data, 0.9): "coverage of 90% intervals",
    }
    if abs(other - right) > 0.5 / n:
        wrong[other] = "coverage of 'inverse_temperature', not of 'volatility'"
    for answer, message in wrong.items():
        with pytest.raises(CheckFailed, match=message):
            checks.check_coverage(answer, fit, data, prob=0.5)
    with pytest.raises(CheckFailed, match="one number"):
        checks.check_coverage([right, right], fit, data, prob=0.5)
    with pytest.raises(CheckFailed, match="coverage of 40% intervals.*are 0.2 and 0.8"):
        checks.check_coverage(_coverage(fit, data, 0.4), fit, data, prob=0.6)
    with pytest.raises(CheckFailed, match="parameter should be one of"):
        checks.check_coverage(right, fit, data, prob=0.5, parameter="omega")


@pytest.mark.parametrize("stub", [Ellipsis, None])
@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda stub: checks.check_model(stub, {}), "build the model"),
        (lambda stub: checks.check_convergence(stub), "sample the model"),
        (lambda stub: checks.check_group_means(stub, None), "summarise the posterior"),
        (lambda stub: checks.check_comparison(stub), "compare the models"),
    ],
)
def test_untouched_stub_says_what_to_do_first(call, message, stub):
    with pytest.raises(CheckFailed, match=rf"your answer is {stub!r}: {message}.* first\."):
        call(stub)
