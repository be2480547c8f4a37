"""One real fit in quick mode: sample, pointwise log-likelihood, LOO."""

import arviz as az
import numpy as np
import pytest

import hgf_tutorial as ht
from hgf_tutorial.sampling import QUICK_SETTINGS, sampler_settings


def test_quick_settings_are_used(monkeypatch):
    monkeypatch.setenv("HGF_TUTORIAL_QUICK", "1")
    assert ht.is_quick()
    settings = sampler_settings(chains=3)
    assert settings["draws"] == QUICK_SETTINGS["draws"]
    assert settings["chains"] == 3
    assert settings["nuts_sampler"] == "nutpie"
    monkeypatch.setenv("HGF_TUTORIAL_QUICK", "0")
    assert not ht.is_quick()
    assert sampler_settings()["draws"] == 1000


def test_quick_fit_end_to_end(monkeypatch, group):
    monkeypatch.setenv("HGF_TUTORIAL_QUICK", "1")
    idata = ht.sample(ht.build_group_model(group))
    posterior = idata["posterior"]
    n_chains, n_draws = QUICK_SETTINGS["chains"], QUICK_SETTINGS["draws"]
    assert posterior["volatility"].shape == (n_chains, n_draws, 10)
    # even a short run must move the group mean towards the simulation value (-4)
    assert abs(float(posterior["mu_volatility"].mean()) - (-4.0)) < 1.5
    ht.add_log_likelihood(idata, group)
    loo = az.loo(idata)
    assert loo.n_data_points == 3190
    # the original tutorial reports elpd_loo -1677.26 (SE 25.65) on this dataset
    assert loo.elpd == pytest.approx(-1677.3, abs=10)
    assert np.isfinite(loo.p)
