"""``pm.sample`` with the project's defaults, and the quick mode used by CI."""

from __future__ import annotations

import copy
import os
import warnings

import pymc as pm

#: Environment variable that switches every page and test to quick mode.
QUICK_ENV = "HGF_TUTORIAL_QUICK"

#: The seed every page uses, so that a rerun gives the same numbers.
RANDOM_SEED = 20261129

#: NUTS step-size target. At PyMC's 0.8 the default dataset gave 1 divergence in
#: one of two seeds; at 0.9 none in either, for about 25% more time.
TARGET_ACCEPT = 0.9

FULL_SETTINGS = {"draws": 1000, "tune": 1000, "chains": 4}
QUICK_SETTINGS = {"draws": 150, "tune": 150, "chains": 2}

#: Faster settings measured in ``benchmarks/samplers.py`` (see the "Scaling up"
#: page): JAX differentiates the whole log-density in one function instead of
#: PyTensor calling the likelihood twice (value, then its vector-Jacobian
#: product), nutpie's low-rank mass matrix follows the correlations between group
#: and participant parameters, so 300 tuning steps suffice, and PyMC's default
#: step-size target. ``ht.sample(model, **FAST_OVERRIDES)``. Not the default:
#: the pages were checked with the defaults above.
FAST_OVERRIDES = {
    "tune": 300,
    "target_accept": 0.8,
    "compile_kwargs": {"gradient_backend": "jax"},
    "nuts": {"adaptation": "low_rank"},
}


def is_quick() -> bool:
    """Whether ``HGF_TUTORIAL_QUICK`` asks for quick mode (set and not 0/false)."""
    return os.environ.get(QUICK_ENV, "").strip().lower() not in ("", "0", "false", "no")


def sampler_settings(**overrides) -> dict:
    """The keyword arguments :func:`sample` passes to :func:`pymc.sample`."""
    settings = dict(QUICK_SETTINGS if is_quick() else FULL_SETTINGS)
    settings.update(
        cores=min(settings["chains"], os.cpu_count() or 1),
        nuts_sampler="nutpie",
        backend="jax",
        target_accept=TARGET_ACCEPT,
        random_seed=RANDOM_SEED,
        quiet=True,
    )
    # a deep copy: pm.sample writes into nested dicts it is given (``nuts``)
    settings.update(copy.deepcopy(overrides))
    return settings


def sample(model: pm.Model, **overrides):
    """Sample ``model`` with NUTS (nutpie, JAX backend) and the project's defaults.

    Full mode: 4 chains x (1000 tune + 1000 draws), chains run in parallel over
    the cores, ``target_accept=0.9``, no progress bar or log lines. Quick mode
    (``HGF_TUTORIAL_QUICK=1``): 2 chains x (150 + 150),
    the same sampler, fewer draws; for CI only, its numbers are not for reading.

    Parameters
    ----------
    model : pymc.Model
    **overrides
        Any :func:`pymc.sample` keyword, replacing the default.

    Returns
    -------
    xarray.DataTree
        The posterior and sample statistics, as PyMC 6 returns them; the
        observed data carry each scored response's ``participant`` and ``trial``
        as coordinates along ``observation``.
    """
    from hgf_tutorial.model import label_observations

    settings = sampler_settings(**overrides)
    with model, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Nn]umba.*")
        idata = pm.sample(**settings)
    label_observations(idata, model)
    return idata
