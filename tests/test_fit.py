"""A fit meets its data by participant label, and only its own data; draws must be whole.

The fits here are the model's own prior draws (``pm.sample_prior_predictive``, which
also stores the observed data PyMC saw), used as posterior draws: real draws of a
real model, no sampler needed. Expected values come from the NumPy loops of
``tests/reference.py``.
"""

import numpy as np
import pymc as pm
import pytest
import xarray as xr

import hgf_tutorial as ht
from hgf_tutorial import data as htdata
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
