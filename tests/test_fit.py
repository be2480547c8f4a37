"""A fit meets its data by participant label, and only its own data; draws must be whole;
its diagnosis follows the project's one definition of a fit to trust.

The fits matched with data are the model's own prior draws
(``pm.sample_prior_predictive``, which also stores the observed data PyMC saw), used
as posterior draws: real draws of a real model, no sampler needed. Expected values
come from the NumPy loops of ``tests/reference.py``. The fits diagnosed are built by
hand with known problems (a stuck chain, divergences where a group SD is small), and
compared with ArviZ's r-hat and ESS and NumPy's medians computed here; one short
real fit checks that ``ht.sample`` stores its diagnosis and that it is saved.
"""

import warnings

import arviz as az
import numpy as np
import pymc as pm
import pytest
import xarray as xr

import hgf_tutorial as ht
from hgf_tutorial import data as htdata
from hgf_tutorial import fit as fit_module
from hgf_tutorial import recovery
from hgf_tutorial.fit import matched_data, whole_draws
from hgf_tutorial.model import label_observations, observations
from tests import reference

pytestmark = pytest.mark.filterwarnings("ignore:Numba will use object mode:UserWarning")


@pytest.fixture(scope="module")
def study():
    return htdata.simulate_study(
        4, seed=11, inputs=ht.load_inputs()[:60], p_stop_early=0.5, min_trials=40
    )


@pytest.fixture(scope="module")
def fit(study):
    """Prior draws of the study's model, stored as a posterior, with the observed data."""
    model = ht.build_group_model(study)
    with model:
        prior = pm.sample_prior_predictive(draws=40, random_seed=3)
    label_observations(prior, model)
    posterior = prior["prior"].to_dataset()
    assert posterior.sizes["chain"] == 1 and posterior.sizes["draw"] == 40
    return xr.DataTree.from_dict(
        {"posterior": posterior, "observed_data": prior["observed_data"].to_dataset()}
    )


def reread_shuffled(study, seed=0):
    """The study written out and read back with its rows in another order."""
    frame = htdata.to_dataframe(study)
    shuffled = frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    return htdata.from_dataframe(shuffled, covariates=list(htdata.STUDY_COVARIATES))


def numpy_sums(idata, study, chain=0, draw=0):
    """Each participant's summed log-likelihood at one draw, by label, from NumPy loops."""
    post = idata["posterior"]
    sums = {}
    for label in study["participant"].values:
        omega = float(post["volatility"].sel(participant=label)[chain, draw])
        t = float(post["inverse_temperature"].sel(participant=label)[chain, draw])
        row = study.sel(participant=label)
        shown = row["observed_input"].values
        answered = row["observed_response"].values
        m = reference.binary_hgf_beliefs(omega, row["inputs"].values, observed=shown)
        p = reference.unit_square_sigmoid(m, t)
        logp = np.where(row["responses"].values == 1, np.log(p), np.log1p(-p))
        scored = reference.scored(answered, shown)
        sums[label] = float(logp[scored].sum())
    return sums


def test_reread_in_another_order_scores_each_participant_on_its_own_data(fit, study):
    shuffled = reread_shuffled(study)
    order = list(shuffled["participant"].values)
    assert order != list(study["participant"].values)  # the reading order differs
    ll = ht.add_log_likelihood(fit.copy(), shuffled)["log_likelihood"]["responses"]
    sums = ll.isel(chain=0, draw=0).groupby("participant").sum()
    want = numpy_sums(fit, study)
    got = {label: float(sums.sel(participant=label)) for label in want}
    # NumPy loops against XLA: equal to rounding over ~60 terms
    np.testing.assert_allclose(list(got.values()), list(want.values()), rtol=1e-10)
    # and the points are the fit's, in the fit's order
    observed = fit["observed_data"]["responses"]
    np.testing.assert_array_equal(ll["participant"].values, observed["participant"].values)
    np.testing.assert_array_equal(ll["trial"].values, observed["trial"].values)


def test_replications_and_tables_follow_labels_not_positions(fit, study):
    shuffled = reread_shuffled(study, seed=1)
    same = ht.replicate_sequences(fit, study, random_seed=5)
    again = ht.replicate_sequences(fit, shuffled, random_seed=5)
    assert list(again["participant"].values) == list(study["participant"].values)
    np.testing.assert_array_equal(again.values, same.values)  # the same program and stream

    table = htdata.participant_estimates(fit, shuffled)
    assert list(table["participant"]) == list(shuffled["participant"].values)
    means = fit["posterior"]["volatility"].mean(("chain", "draw"))
    for label, value in zip(table["participant"], table["volatility_mean"], strict=True):
        assert value == pytest.approx(float(means.sel(participant=label)), rel=1e-12)

    truth = study[["tonic_volatility", "inverse_temperature"]].isel(participant=[3, 1, 0, 2])
    rows = recovery.recovery_table(fit, truth).set_index(["parameter", "participant"])
    for label in study["participant"].values:
        want = float(study["tonic_volatility"].sel(participant=label))
        assert rows.loc[("volatility", label), "true"] == want


def test_data_that_are_not_the_fit_s_are_refused(fit, study):
    relabelled = study.assign_coords(participant=["a", "sub-02", "sub-03", "sub-04"])
    with pytest.raises(ValueError, match=r"only in `data`: \['a'\], only in the fit: \['sub-01'\]"):
        ht.add_log_likelihood(fit.copy(), relabelled)
    with pytest.raises(ValueError, match=r"3 in `data`, 4 in the fit"):
        ht.replicate_sequences(fit, study.isel(participant=[0, 1, 2]))

    # one more gap than the fit saw: an answered trial becomes a time-out
    participant, trial = np.nonzero(observations(study).scored)
    i, k = int(participant[5]), int(trial[5])
    gap = study.copy(deep=True)
    gap["observed_response"][i, k] = False
    label = study["participant"].values[i]
    message = rf"scored only in `data`: \[\], only in the fit: \[\('{label}', {k}\)\]"
    with pytest.raises(ValueError, match=message):
        ht.add_log_likelihood(fit.copy(), gap)
    with pytest.raises(ValueError, match="only in the fit"):
        htdata.participant_estimates(fit, gap)

    # the same points, one answer changed
    flipped = study.copy(deep=True)
    new = 1 - int(study["responses"][i, k])
    flipped["responses"][i, k] = new
    with pytest.raises(
        ValueError, match=rf"the first: participant '{label}' trial {k} is {new} in"
    ):
        ht.add_log_likelihood(fit.copy(), flipped)


def test_matched_data_returns_the_data_when_they_are_in_order(fit, study):
    assert matched_data(fit, study) is study
    # a fit without observed data (built by hand) is matched by label only
    bare = xr.DataTree.from_dict({"posterior": fit["posterior"].to_dataset()})
    assert matched_data(bare, study) is study


def test_whole_draws_refuses_an_empty_or_padded_posterior(fit):
    posterior = fit["posterior"].to_dataset()
    empty = xr.DataTree.from_dict({"posterior": posterior.isel(draw=slice(0, 0))})
    with pytest.raises(ValueError, match="has no draws"):
        whole_draws(empty)
    padded = posterior.copy(deep=True)
    padded["volatility"][0, 25:] = np.nan
    with pytest.raises(
        ValueError, match=r"NaN or infinite values in `volatility` \(chain 0 from draw 25\)"
    ):
        whole_draws(xr.DataTree.from_dict({"posterior": padded}))
    assert set(whole_draws(fit, ["volatility"]).data_vars) == {"volatility"}


def test_every_consumer_refuses_nan_draws(fit, study):
    padded = fit.copy()
    posterior = fit["posterior"].to_dataset().copy(deep=True)
    posterior["inverse_temperature"][0, 30:] = np.nan
    padded["posterior"] = posterior
    for call in (
        lambda: ht.add_log_likelihood(padded, study),
        lambda: ht.replicate_sequences(padded, study),
        lambda: htdata.participant_estimates(padded, study),
        lambda: recovery.recovery_table(padded, study),
    ):
        with pytest.raises(ValueError, match="`inverse_temperature` \\(chain 0 from draw 30\\)"):
            call()


# --- diagnose: fits with known problems, built by hand ---------------------------------

LABELS = [f"sub-{i:02d}" for i in range(1, 6)]


def hand_fit(rng, *, chains=4, draws=1000, diverging=None, stuck=None, offsets=False):
    """A fit of independent draws (every check passes), with the problems asked for.

    ``stuck``: (label, shift) moves one chain of one participant's ``volatility``
    by ``shift`` (a chain stuck elsewhere). ``diverging``: a function of the
    posterior giving the (chain, draw) mask of divergent draws.
    """
    shape = (chains, draws)
    coords = {"chain": np.arange(chains), "draw": np.arange(draws), "participant": LABELS}
    volatility = rng.normal(-3.0, 0.5, (*shape, len(LABELS)))
    if stuck is not None:
        label, shift = stuck
        volatility[1, :, LABELS.index(label)] += shift
    posterior = xr.Dataset(
        {
            "mu_volatility": (("chain", "draw"), rng.normal(-3.0, 0.3, shape)),
            "sigma_volatility": (("chain", "draw"), np.exp(rng.normal(-0.5, 0.3, shape))),
            "mu_temperature": (("chain", "draw"), rng.normal(0.8, 0.1, shape)),
            "sigma_temperature": (("chain", "draw"), np.exp(rng.normal(-1.5, 0.6, shape))),
            "volatility": (("chain", "draw", "participant"), volatility),
        },
        coords=coords,
    )
    if offsets:
        posterior["z_temperature"] = (
            ("chain", "draw", "participant"),
            rng.normal(size=(*shape, len(LABELS))),
        )
    mask = np.zeros(shape, dtype=bool) if diverging is None else diverging(posterior)
    stats = xr.Dataset(
        {"diverging": (("chain", "draw"), mask)},
        coords={"chain": coords["chain"], "draw": coords["draw"]},
    )
    return xr.DataTree.from_dict({"posterior": posterior, "sample_stats": stats})


def first_divergent(n):
    """The first ``n`` draws of the first chain marked divergent, whatever they are."""

    def mark(posterior):
        mask = np.zeros((posterior.sizes["chain"], posterior.sizes["draw"]), dtype=bool)
        mask.flat[:n] = True
        return mask

    return mark


def below_quantile(name, q):
    """Divergent where ``name`` is below its ``q`` quantile: a funnel's signature."""

    def mark(posterior):
        values = posterior[name].values
        return values < np.quantile(values, q)

    return mark


def test_a_clean_fit_passes_every_check(rng):
    idata = hand_fit(rng)
    diagnosis = ht.diagnose(idata)
    assert list(diagnosis.index) == ["divergences", "r_hat", "ess_bulk", "ess_tail"]
    assert diagnosis["passed"].all() and ht.converged(idata)
    # the numbers are ArviZ's, over every posterior variable
    posterior = idata["posterior"].to_dataset()
    rhat = az.rhat(posterior)
    want = max(float(rhat[name].max()) for name in rhat.data_vars)
    assert diagnosis.loc["r_hat", "value"] == pytest.approx(want, rel=1e-12)
    for method in ("bulk", "tail"):
        ess = az.ess(posterior, method=method)
        want = min(float(ess[name].min()) for name in ess.data_vars)
        assert diagnosis.loc[f"ess_{method}", "value"] == pytest.approx(want, rel=1e-12)
    # 4 scalars and 5 participants' volatility
    assert diagnosis.loc["r_hat", "detail"] == "largest of 9 values"
    assert diagnosis.loc["divergences", "value"] == 0
    assert diagnosis.loc["divergences", "limit"] == 4  # 0.1 % of 4 x 1000
    assert diagnosis.attrs["chains"] == 4 and diagnosis.attrs["draws"] == 1000
    assert diagnosis.attrs["divergent_draws"] == []
    text = fit_module.report(diagnosis)
    assert text.startswith("4 chains x 1000 draws: 0 divergent transitions")
    assert "Every check passes" in text


def test_a_stuck_chain_fails_r_hat_and_names_where(rng):
    idata = hand_fit(rng, stuck=("sub-03", 3.0))
    diagnosis = ht.diagnose(idata)
    rhat = az.rhat(idata["posterior"].to_dataset())
    want = float(rhat["volatility"].sel(participant="sub-03"))
    assert want > 1.5  # one chain of four 6 SDs away
    assert diagnosis.loc["r_hat", "value"] == pytest.approx(want, rel=1e-12)
    assert diagnosis.loc["r_hat", "variable"] == "volatility[sub-03]"
    assert not diagnosis.loc["r_hat", "passed"] and not ht.converged(idata)
    assert bool(diagnosis.loc["divergences", "passed"])
    text = fit_module.report(diagnosis)
    assert "largest r-hat" in text and "at volatility[sub-03]" in text
    assert "Not converged (r_hat" in text and "tune and draw longer" in text
    # left out with var_names, the rest passes
    assert ht.converged(idata, var_names=["mu_volatility", "sigma_temperature"])


def test_divergences_in_a_funnel_point_to_the_group_sd_and_non_centring(rng):
    idata = hand_fit(rng, diverging=below_quantile("sigma_temperature", 0.01))
    diagnosis = ht.diagnose(idata)
    assert diagnosis.loc["divergences", "value"] == 40  # 1 % of 4000
    assert not diagnosis.loc["divergences", "passed"]
    assert diagnosis.loc[["r_hat", "ess_bulk", "ess_tail"], "passed"].all()

    sigma = idata["posterior"]["sigma_temperature"].values
    mask = idata["sample_stats"]["diverging"].values
    median = float(np.median(sigma[mask]))
    spot = diagnosis.attrs["divergent_draws"][0]  # the most off-centre first
    assert spot["variable"] == "sigma_temperature" and spot["n_divergent"] == 40
    assert spot["median_divergent"] == pytest.approx(median, rel=1e-12)
    assert spot["median_overall"] == pytest.approx(float(np.median(sigma)), rel=1e-12)
    # 20 of the 4000 draws lie at or below the median of the 40 smallest
    assert spot["percentile"] == pytest.approx(100 * 20 / 4000, rel=1e-12)
    assert {s["variable"] for s in diagnosis.attrs["divergent_draws"]} == {
        "sigma_temperature",
        "sigma_volatility",
    }

    text = fit_module.report(diagnosis)
    assert "The divergent draws sit at the low end of sigma_temperature" in text
    assert f"median {median:.3g} vs" in text
    assert "parameterization={'inverse_temperature': 'noncentered'}" in text

    # the same in a fit whose temperature is non-centred already: raise target_accept
    offsets = hand_fit(rng, diverging=below_quantile("sigma_temperature", 0.01), offsets=True)
    text = fit_module.report(ht.diagnose(offsets))
    assert "low end of sigma_temperature" in text
    assert "non-centred already" in text and "target_accept" in text


def test_divergences_spread_over_the_draws_call_for_target_accept(rng):
    idata = hand_fit(rng, diverging=lambda p: rng.random((4, 1000)) < 0.01)
    text = fit_module.report(ht.diagnose(idata))
    assert "near the middle of every group SD" in text
    assert "raise target_accept" in text and "noncentered" not in text


def test_the_divergence_limit_is_four_in_four_thousand(rng):
    four = ht.diagnose(hand_fit(rng, diverging=first_divergent(4)))
    five = ht.diagnose(hand_fit(rng, diverging=first_divergent(5)))
    assert four.loc["divergences", "value"] == 4 and four.loc["divergences", "passed"]
    assert five.loc["divergences", "value"] == 5 and not five.loc["divergences", "passed"]
    assert four.loc["divergences", "detail"].startswith("4 of 4000 draws (0.10 %)")
    assert "too few to say where" in fit_module.report(four)
    # in fewer than 1000 draws none is allowed: quick mode's 2 x 150 included
    short = ht.diagnose(hand_fit(rng, chains=2, draws=150, diverging=first_divergent(1)))
    assert short.loc["divergences", "limit"] == 0 and not short.loc["divergences", "passed"]


def test_one_chain_has_no_r_hat_and_the_report_says_why(rng):
    idata = hand_fit(rng, chains=1, draws=1000)
    diagnosis = ht.diagnose(idata)
    assert not diagnosis.loc["r_hat", "passed"]
    assert diagnosis.loc["r_hat", "detail"] == "r-hat compares chains: it needs 2 or more"
    text = fit_module.report(diagnosis)
    assert "no r-hat (it compares chains, and there is 1: sample 2 or more)" in text
    assert "nan" not in text


def test_diagnose_refuses_what_it_cannot_diagnose(rng):
    idata = hand_fit(rng)
    with pytest.raises(ValueError, match=r"`var_names` names \['beta'\]"):
        ht.diagnose(idata, var_names=["beta"])
    with pytest.raises(ValueError, match="`var_names` must be a list"):
        ht.diagnose(idata, var_names="volatility")
    bare = xr.DataTree.from_dict({"posterior": idata["posterior"].to_dataset()})
    with pytest.raises(ValueError, match=r"`idata` has no sample_stats\['diverging'\]"):
        ht.diagnose(bare)
    padded = idata["posterior"].to_dataset().copy(deep=True)
    padded["mu_volatility"][1, 500:] = np.nan
    with pytest.raises(ValueError, match="chain 1 from draw 500"):
        ht.diagnose(
            xr.DataTree.from_dict(
                {"posterior": padded, "sample_stats": idata["sample_stats"].to_dataset()}
            )
        )
    with pytest.raises(ValueError, match="`diagnosis` must be the table"):
        fit_module.report(idata)


# --- ht.sample stores its diagnosis ----------------------------------------------------


@pytest.fixture(scope="module")
def sampled():
    """A short real fit in full mode (it cannot converge), and the warnings it gave."""
    study = htdata.simulate_study(6, seed=8, inputs=ht.load_inputs()[:60], min_trials=30)
    model = ht.build_group_model(study)
    with pytest.MonkeyPatch.context() as patch, warnings.catch_warnings(record=True) as caught:
        patch.setenv("HGF_TUTORIAL_QUICK", "0")
        warnings.simplefilter("always")
        idata = ht.sample(model, draws=60, tune=60, chains=2)
    return idata, [w for w in caught if issubclass(w.category, UserWarning)]


def test_sample_stores_the_diagnosis_and_warns_in_full_mode(sampled, tmp_path):
    idata, caught = sampled
    stats = idata["sample_stats"]
    diagnosis = ht.diagnose(idata)
    assert stats.attrs["diagnosis"] == fit_module.report(diagnosis)
    assert stats.attrs["converged"] == int(ht.converged(idata)) == 0  # 2 x 60 draws
    # ESS cannot reach 400 in 120 draws
    assert diagnosis.loc["ess_bulk", "value"] < 400 and not diagnosis.loc["ess_bulk", "passed"]
    assert stats.attrs["diagnosis"].startswith("2 chains x 60 draws: ")
    assert [str(w.message) for w in caught if "has not converged" in str(w.message)] == [
        f"The fit has not converged. {stats.attrs['diagnosis']}"
    ]

    idata.to_netcdf(tmp_path / "fit.nc")
    back = xr.open_datatree(tmp_path / "fit.nc").load()
    xr.testing.assert_identical(back["sample_stats"].to_dataset(), stats.to_dataset())
    assert back["sample_stats"].attrs["diagnosis"] == stats.attrs["diagnosis"]
    assert back["sample_stats"].attrs["converged"] == 0


def test_quick_mode_stores_the_diagnosis_without_a_warning(sampled, monkeypatch):
    monkeypatch.setenv("HGF_TUTORIAL_QUICK", "1")
    idata = sampled[0].copy()
    del idata["sample_stats"].attrs["diagnosis"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ht.sampling.store_diagnosis(idata)
    text = idata["sample_stats"].attrs["diagnosis"]
    assert text == fit_module.report(ht.diagnose(idata))
    assert text.endswith("(Quick mode: chains this short are not expected to meet these limits.)")
