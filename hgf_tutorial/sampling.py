"""``pm.sample`` with the project's defaults, and the quick mode used by CI."""

from __future__ import annotations

import copy
import os
import warnings

import numpy as np
import pymc as pm

from hgf_tutorial import _validation as check

#: Environment variable that switches every page and test to quick mode.
QUICK_ENV = "HGF_TUTORIAL_QUICK"

#: Environment variable that turns progress bars on (1) or off (0); see
#: :func:`show_progress`.
PROGRESS_ENV = "HGF_TUTORIAL_PROGRESS"

#: The seed :func:`sample` passes to :func:`pymc.sample` unless told otherwise, so
#: that a rerun of a page gives the same numbers. ``random_seed=None`` gives fresh
#: chains.
RANDOM_SEED = 20261129

#: NUTS step-size target; PyMC's default is 0.8. What was measured on the default
#: dataset (10 participants):
#:
#: - the first check (closing note of the foundation session, two seeds): at 0.8
#:   one of the two runs had 1 divergent transition, at 0.9 neither had any;
#: - ``benchmarks/samplers.py`` (``results/samplers_runs.csv``, 2026-12-04, the
#:   defaults below, seeds 20261129 to 20261131): 1, 1 and 0 divergences at 0.9
#:   (``project_defaults``), 1, 1 and 1 at 0.8 (``defaults_target80``), and 38 %
#:   more gradient evaluations at 0.9.
#:
#: So 0.9 makes a divergence at most a little rarer here, not impossible: the
#: sampling page counts its own run's. It is kept because the 1000-participant fit
#: (``results/large_fit_runs.csv``) converged with it; 0.8 was not tried there.
TARGET_ACCEPT = 0.9

FULL_SETTINGS = {"draws": 1000, "tune": 600, "chains": 4}

#: How nutpie gets the gradient. ``"jax"``: JAX differentiates the whole
#: log-density in one function (value and gradient in one pass through the
#: likelihood's forward-mode derivatives). PyTensor's own gradient
#: (``"pytensor"``, PyMC's default) calls the likelihood twice, once for the value
#: and once for its vector-Jacobian product. Measured in
#: ``benchmarks/samplers.py`` (``chains4`` against ``chains4_jaxgrad``). With 600
#: tuning steps (nutpie's default for its diagonal mass matrix is 400), the same
#: call converged for 10 and for 1000 participants
#: (``benchmarks/results/large_fit_runs.csv``).
COMPILE_KWARGS = {"gradient_backend": "jax"}
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


def show_progress() -> bool:
    """Whether long computations (sampling, ADVI) show a progress bar.

    ``HGF_TUTORIAL_PROGRESS=1`` turns them on, ``HGF_TUTORIAL_PROGRESS=0`` off.
    Unset, they are on where a person is watching (a terminal, Jupyter, Colab)
    and off in quick mode and where the ``CI`` variable is set (GitHub Actions
    and most CI services set it). ``make book`` and ``make test`` set the
    variable to 0, so the built pages show results, not progress bars.
    """
    value = os.environ.get(PROGRESS_ENV, "").strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    if value:
        raise ValueError(f"`{PROGRESS_ENV}` must be 0 or 1, got {value!r}.")
    return not (is_quick() or os.environ.get("CI", "").strip().lower() not in ("", "0", "false"))


def sampler_settings(**overrides) -> dict:
    """The keyword arguments :func:`sample` passes to :func:`pymc.sample`.

    Each override replaces the default of the same name, ``None`` included:
    ``sampler_settings(random_seed=None)["random_seed"] is None``.
    """
    settings = dict(QUICK_SETTINGS if is_quick() else FULL_SETTINGS)
    progress = show_progress()
    settings.update(
        cores=min(settings["chains"], os.cpu_count() or 1),
        nuts_sampler="nutpie",
        backend="jax",
        target_accept=TARGET_ACCEPT,
        compile_kwargs=dict(COMPILE_KWARGS),
        random_seed=RANDOM_SEED,
        progressbar=progress,
        # PyMC's log lines ("Sampling 4 chains ...") go with the progress bar
        quiet=not progress,
    )
    # a deep copy: pm.sample writes into nested dicts it is given (``nuts``)
    settings.update(copy.deepcopy(overrides))
    return settings


def sample(model: pm.Model, **overrides):
    """Sample ``model`` with NUTS (nutpie, JAX backend) and the project's defaults.

    Full mode: 4 chains x (600 tune + 1000 draws), chains run in parallel over
    the cores, ``target_accept=0.9`` (:data:`TARGET_ACCEPT` says why), the
    gradient from JAX (:data:`COMPILE_KWARGS`), a
    progress bar where a person is watching and none in the built pages or CI
    (:func:`show_progress` says how to switch it). Quick mode
    (``HGF_TUTORIAL_QUICK=1``): 2 chains x (150 + 150), the same sampler, fewer
    draws; for CI only, its numbers are not for reading.

    The chains are seeded: unless ``random_seed`` is given, every call passes
    ``random_seed=20261129`` (:data:`RANDOM_SEED`), so the same model and data
    give the same draws each time. Pass ``random_seed=None`` for fresh chains, or
    another seed to check that a result does not hang on this one.

    Parameters
    ----------
    model : pymc.Model
    **overrides
        Any :func:`pymc.sample` keyword, replacing the default (see
        :func:`sampler_settings`); ``random_seed=None`` reaches
        :func:`pymc.sample` as ``None``.

    Returns
    -------
    xarray.DataTree
        The posterior and sample statistics, as PyMC 6 returns them; the
        observed data carry each scored response's ``participant`` and ``trial``
        as coordinates along ``observation``. A run interrupted during its
        draws returns the draws every chain completed, with a warning
        (:func:`complete_draws`); interrupted while tuning, it raises
        ``KeyboardInterrupt``. Its diagnosis (:func:`hgf_tutorial.fit.diagnose`)
        is stored as text in ``idata["sample_stats"].attrs["diagnosis"]``, with
        ``attrs["converged"]`` 1 or 0 (:func:`store_diagnosis`); in full mode a
        fit that has not converged warns with that text.

    Raises
    ------
    ValueError
        Before anything is compiled, for a ``model`` that is not a PyMC model (a
        dataset: build the model first with ``ht.build_group_model(dataset)``),
        ``draws``, ``chains`` or ``cores`` that are not integers of at least 1,
        ``tune`` not an integer of at least 0 (booleans and floats such as
        ``10.5`` or ``100.0`` are refused), or ``target_accept`` outside (0, 1).
    """
    _check_sample_arguments(model, overrides)
    from hgf_tutorial.model import label_observations

    settings = sampler_settings(**overrides)
    with model, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*[Nn]umba.*")
        idata = pm.sample(**settings)
    idata = complete_draws(idata, settings["draws"])
    _text_without_nan(idata)
    store_diagnosis(idata)
    label_observations(idata, model)
    return idata


def store_diagnosis(idata) -> None:
    """Keep the fit's diagnosis with it; in full mode, warn when it has not converged.

    The paragraph of :func:`hgf_tutorial.fit.report` goes to
    ``idata["sample_stats"].attrs["diagnosis"]`` and whether every check of
    :func:`hgf_tutorial.fit.diagnose` passed to ``attrs["converged"]`` (1 or 0;
    netCDF has no booleans), so both are saved with the fit
    (``idata.to_netcdf``). In full mode a fit that has not converged gives a
    ``UserWarning`` with the paragraph; in quick mode, where short chains are
    not expected to meet the limits, it does not. A fit whose draws cannot be
    diagnosed (a NaN or infinite value in a deterministic, say) is kept, with
    the reason as its diagnosis, ``converged`` 0 and a warning in either mode.
    """
    from hgf_tutorial.fit import diagnose, report

    stats = idata["sample_stats"]
    try:
        diagnosis = diagnose(idata)
    except ValueError as error:
        text = f"The fit could not be diagnosed: {error}"
        stats.attrs["diagnosis"], stats.attrs["converged"] = text, 0
        warnings.warn(text, UserWarning, stacklevel=3)
        return
    converged = bool(diagnosis["passed"].all())
    text = report(diagnosis)
    stats.attrs["diagnosis"], stats.attrs["converged"] = text, int(converged)
    if not converged and not is_quick():
        warnings.warn(f"The fit has not converged. {text}", UserWarning, stacklevel=3)


def _text_without_nan(idata) -> None:
    """Text statistics with ``""`` where nutpie leaves NaN, so the fit saves as it is.

    nutpie's ``divergence_message`` holds a message for each divergent draw and
    NaN for the others; netCDF stores text, so a NaN would come back as ``""``.
    Writing ``""`` in the first place makes a saved and reloaded fit identical
    to the one returned.
    """
    if "sample_stats" not in idata.children:
        return
    stats = idata["sample_stats"].to_dataset()
    changed = False
    for name, variable in stats.data_vars.items():
        if variable.dtype == object:
            values = variable.to_numpy()
            text = [v if isinstance(v, str) else "" for v in values.ravel()]
            stats[name] = variable.copy(data=np.array(text, dtype=str).reshape(values.shape))
            changed = True
    if changed:
        idata["sample_stats"] = stats


def complete_draws(idata, draws: int):
    """The fit trimmed to the draws every chain completed, after an interrupted run.

    Interrupted (Ctrl-C, a stop button), nutpie returns what it has: chains of
    unequal length, the shorter ones padded with NaN, or no draws at all when
    it was still tuning. A fit like that is not whole, and every later step
    would compute with the padding. So:

    - no kept draw in some chain (stopped while tuning): ``KeyboardInterrupt``,
      as for any interrupted computation, since there is nothing to keep;
    - otherwise the first ``n`` draws of every chain, ``n`` the fewest any chain
      completed, in every group with a ``draw`` dimension, with a warning that
      says where each chain stopped; the same text is stored in the posterior's
      ``attrs["interrupted"]``.

    Parameters
    ----------
    idata : xarray.DataTree
        As :func:`pymc.sample` returns it.
    draws : int
        The draws per chain that were asked for.

    Returns
    -------
    xarray.DataTree
        ``idata`` itself when every chain completed its draws.
    """
    from hgf_tutorial.fit import completed_draws

    posterior = idata["posterior"].to_dataset()
    n_chains = posterior.sizes.get("chain", 0)
    done = completed_draws(posterior)
    if n_chains and done.min() >= draws:
        return idata
    where = ", ".join(f"chain {c} after {n} draws" for c, n in enumerate(done))
    if n_chains == 0 or done.min() == 0:
        raise KeyboardInterrupt(
            f"Sampling was interrupted before every chain had kept a draw ({where} of "
            f"{draws}): there is no fit to return. Sample again."
        )
    kept = int(done.min())
    message = (
        f"Sampling was interrupted: {where} of {draws}. The fit keeps the first {kept} "
        "draws of every chain; its diagnostics are those of a shorter run."
    )
    warnings.warn(message, RuntimeWarning, stacklevel=3)
    for name, node in idata.children.items():
        dataset = node.to_dataset()
        if "draw" in dataset.dims:
            idata[name] = dataset.isel(draw=slice(0, kept))
    idata["posterior"].attrs["interrupted"] = message
    return idata


def _check_sample_arguments(model, overrides: dict) -> None:
    """``ValueError`` for a model that is not one, or a sampler setting PyMC would trip on."""
    if not isinstance(model, pm.Model):
        raise ValueError(
            f"`model` must be a PyMC model, got {type(model).__name__}: build the model first "
            "with `model = ht.build_group_model(dataset)`, then `ht.sample(model)`."
        )
    minimum = {"draws": 1, "tune": 0, "chains": 1, "cores": 1}
    for name, least in minimum.items():
        if name in overrides and not (name == "cores" and overrides[name] is None):
            check.positive_int(overrides[name], name, minimum=least)
    if "target_accept" in overrides:
        check.open_probability(overrides["target_accept"], "target_accept")
