"""The sampler settings: defaults, overrides and the measured fast settings."""

import inspect

import pymc as pm

from hgf_tutorial.sampling import FAST_OVERRIDES, sampler_settings


def test_overrides_are_copied_so_pm_sample_cannot_change_them(monkeypatch):
    monkeypatch.delenv("HGF_TUTORIAL_QUICK", raising=False)
    settings = sampler_settings(**FAST_OVERRIDES)
    assert settings["nuts"] == FAST_OVERRIDES["nuts"]
    assert settings["nuts"] is not FAST_OVERRIDES["nuts"]
    # pm.sample writes target_accept into the `nuts` dict it is given
    settings["nuts"]["target_accept"] = 0.8
    assert "target_accept" not in FAST_OVERRIDES["nuts"]


def test_fast_overrides_are_pm_sample_keywords(monkeypatch):
    monkeypatch.delenv("HGF_TUTORIAL_QUICK", raising=False)
    # target_accept and nuts reach pm.sample through **kwargs (it reads both)
    accepted = set(inspect.signature(pm.sample).parameters) | {"target_accept", "nuts"}
    assert set(FAST_OVERRIDES) <= accepted
    settings = sampler_settings(**FAST_OVERRIDES)
    assert (settings["tune"], settings["draws"], settings["chains"]) == (300, 1000, 4)
    assert settings["target_accept"] == 0.8
    assert settings["compile_kwargs"] == {"gradient_backend": "jax"}
