"""The sampler settings: defaults, overrides, the seed and the measured fast settings."""

import inspect

import numpy as np
import pymc as pm
import pytest

import hgf_tutorial as ht
from hgf_tutorial.sampling import FAST_OVERRIDES, RANDOM_SEED, sampler_settings


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


def test_defaults_take_the_gradient_from_jax_and_a_caller_can_replace_it(monkeypatch):
    monkeypatch.delenv("HGF_TUTORIAL_QUICK", raising=False)
    settings = sampler_settings()
    assert (settings["tune"], settings["draws"], settings["chains"]) == (600, 1000, 4)
    assert settings["compile_kwargs"] == {"gradient_backend": "jax"}
    # pm.sample may write into the dict it is given: the module's default stays put
    settings["compile_kwargs"]["gradient_backend"] = "pytensor"
    assert sampler_settings()["compile_kwargs"] == {"gradient_backend": "jax"}
    # an override replaces the whole keyword, as for every other default
    mine = sampler_settings(compile_kwargs={"mode": "FAST_RUN"})
    assert mine["compile_kwargs"] == {"mode": "FAST_RUN"}


def test_seed_is_the_default_and_an_explicit_none_reaches_pm_sample(monkeypatch):
    monkeypatch.delenv("HGF_TUTORIAL_QUICK", raising=False)
    assert sampler_settings()["random_seed"] == RANDOM_SEED == 20261129
    assert sampler_settings(random_seed=None)["random_seed"] is None
    assert sampler_settings(random_seed=5)["random_seed"] == 5


TINY_RUN = {"draws": 20, "tune": 20, "chains": 1, "cores": 1}


@pytest.fixture(scope="module")
def tiny_model():
    return ht.build_group_model(ht.simulate_group(2))


def _draws(idata) -> np.ndarray:
    return idata["posterior"]["volatility"].values


def test_default_seed_repeats_the_draws_and_none_gives_fresh_ones(tiny_model):
    seeded = [_draws(ht.sample(tiny_model, **TINY_RUN)) for _ in range(2)]
    np.testing.assert_array_equal(seeded[0], seeded[1])
    fresh = [_draws(ht.sample(tiny_model, random_seed=None, **TINY_RUN)) for _ in range(2)]
    assert not np.array_equal(fresh[0], fresh[1])
    assert not np.array_equal(fresh[0], seeded[0])


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, True),  # a person at a terminal, in Jupyter or Colab
        ({"HGF_TUTORIAL_PROGRESS": "0"}, False),  # make book, make test
        ({"HGF_TUTORIAL_PROGRESS": "1", "CI": "true"}, True),  # asked for explicitly
        ({"CI": "true"}, False),  # GitHub Actions sets CI
        ({"CI": "false"}, True),
        ({"HGF_TUTORIAL_QUICK": "1"}, False),
    ],
)
def test_progress_bar_is_shown_where_a_person_is_watching(monkeypatch, env, expected):
    for name in ("HGF_TUTORIAL_PROGRESS", "CI", "HGF_TUTORIAL_QUICK"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = sampler_settings()
    assert settings["progressbar"] is expected
    # PyMC's `quiet=True` would override the progress bar
    assert settings["quiet"] is (not expected)


def test_progress_switch_rejects_other_values(monkeypatch):
    monkeypatch.setenv("HGF_TUTORIAL_PROGRESS", "sometimes")
    with pytest.raises(ValueError, match="HGF_TUTORIAL_PROGRESS"):
        sampler_settings()
