"""Saving a study and a fit to netCDF and reading them back changes nothing.

A lab saves its fit to come back to it, or to share it. The reloaded fit must be
the one that was saved (every group, coordinate and attribute, the predictors'
terms), and must drive the later steps exactly as the original does.
"""

import arviz as az
import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
import xarray as xr

import hgf_tutorial as ht
from hgf_tutorial import data as htdata

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(scope="module")
def study():
    simulated = htdata.simulate_study(
        6, seed=4, inputs=ht.load_inputs()[:60], p_stop_early=0.5, min_trials=30
    )
    frame = htdata.to_dataframe(simulated)
    frame["site"] = pd.Categorical(
        np.where(frame["age"] > 40, "Leipzig", "Zurich"), categories=["Zurich", "Leipzig"]
    )
    return htdata.from_dataframe(frame, covariates=["group", "age", "site"])


@pytest.fixture(scope="module")
def fit(study):
    model = ht.build_group_model(study, predictors={"volatility": "1 + group + age"})
    idata = ht.sample(model, draws=60, tune=60, chains=2)
    return ht.add_log_likelihood(idata, study)


def test_a_study_round_trips(study, tmp_path):
    path = tmp_path / "study.nc"
    study.to_netcdf(path)
    back = xr.load_dataset(path)
    xr.testing.assert_identical(back, study)
    assert list(back.attrs["covariates"]) == ["group", "age", "site"]
    assert list(back["site"].attrs["categories"]) == ["Zurich", "Leipzig"]
    pdt.assert_frame_equal(htdata.to_dataframe(back), htdata.to_dataframe(study))


def test_a_study_without_covariates_round_trips(study, tmp_path):
    bare = htdata.from_dataframe(htdata.to_dataframe(study))
    bare.to_netcdf(tmp_path / "bare.nc")
    back = xr.load_dataset(tmp_path / "bare.nc")
    xr.testing.assert_identical(back, bare)
    pdt.assert_frame_equal(htdata.to_dataframe(back), htdata.to_dataframe(bare))


def test_a_fit_round_trips_and_drives_the_later_steps(fit, study, tmp_path):
    path = tmp_path / "fit.nc"
    fit.to_netcdf(path)
    back = xr.open_datatree(path).load()
    assert set(back.children) == set(fit.children)
    assert {"posterior", "sample_stats", "observed_data", "log_likelihood"} <= set(back.children)
    for name in fit.children:
        xr.testing.assert_identical(back[name].to_dataset(), fit[name].to_dataset())
    terms = back["posterior"]["volatility_term"].values.tolist()
    assert terms == ["Intercept", "group[T.patient]", "age"]
    # the observed data keep each point's participant and trial
    observed = back["observed_data"]["responses"]
    assert {"participant", "trial"} <= set(observed.coords)

    # the later steps give the same results on the reloaded fit
    assert az.loo(back).elpd == az.loo(fit).elpd
    pdt.assert_frame_equal(
        htdata.participant_estimates(back, study), htdata.participant_estimates(fit, study)
    )
    again = ht.add_log_likelihood(back, study, extend_inferencedata=False)
    np.testing.assert_array_equal(  # the same program on the same draws
        again["log_likelihood"]["responses"].values, fit["log_likelihood"]["responses"].values
    )
