"""Sampler benchmark: the original tutorial's call against faster configurations.

One run, side by side, on the default data set (``ht.simulate_group()``, 10
participants x 320 trials) and the centred model. Every configuration is run
``--repeats`` times; the configurations are interleaved (round ``r`` runs each
of them once, in an order rotated by ``r``) and round ``r`` gives every
configuration the same seed, so that a change of machine load hits all of them
alike and each ratio compares runs made minutes apart.

Measured for each run: wall time of the call (compilation included), nutpie's
or PyMC's own sampling time, gradient evaluations (the sum of ``n_steps`` over
tuning and kept draws), the smallest bulk ESS over every parameter, ESS per
second, divergences and the largest r-hat. The summary gives medians over the
rounds and the ratio of each configuration's ESS per second to the original
call's in the same round (median over rounds).

Writes ``results/samplers.csv`` (summary), ``results/samplers_runs.csv`` (one
row per run), ``results/samplers.md``, ``results/samplers.json`` (machine,
evaluation costs, compile times) and ``results/samplers.png``.

Usage: ``.venv/bin/python benchmarks/samplers.py [--repeats 2] [--only KEY ...]``
"""

from __future__ import annotations

import hgf_tutorial as ht  # first: pyhgf sets XLA_FLAGS before jax is imported

# isort: split
import argparse
import copy
import dataclasses
import importlib.util
import json
import statistics
import subprocess
import sys
import time
import warnings

import _common
import jax
import jax.numpy as jnp
import matplotlib
import numpy as np
import nutpie
import pandas as pd
import pymc as pm
from pymc.util import get_random_generator

from hgf_tutorial import plots
from hgf_tutorial.sampling import FAST_OVERRIDES, RANDOM_SEED, sampler_settings

matplotlib.use("Agg")
warnings.filterwarnings("ignore", message=".*[Nn]umba.*")

#: Cores the parallel configurations may use (the machine the issue targets has 2).
CORES = 2


@dataclasses.dataclass(frozen=True)
class Config:
    key: str
    label: str
    kind: str  # "pm": pm.sample(**kwargs); "ht": ht.sample(**kwargs); "nutpie": compiled once
    kwargs: dict
    requires: str | None = None  # a module that must be importable

    @property
    def chains(self) -> int:
        return self.kwargs.get("chains", sampler_settings()["chains"])

    @property
    def cores(self) -> int:
        return self.kwargs.get("cores", sampler_settings()["cores"])

    @property
    def gradient_backend(self) -> str:
        """How nutpie gets the gradient: ``ht.sample``'s default for ``ht`` runs,
        PyMC's (``"pytensor"``) for ``pm.sample`` unless the keywords say otherwise."""
        kwargs = sampler_settings(**self.kwargs) if self.kind == "ht" else self.kwargs
        return kwargs.get("compile_kwargs", {}).get("gradient_backend", "pytensor")


def _fast(**extra) -> dict:
    return {"cores": CORES, **FAST_OVERRIDES, **extra}


CONFIGS = [
    Config(
        "original",
        "original call: 2 chains on 1 core",
        "pm",
        {"chains": 2, "cores": 1, "backend": "jax"},
    ),
    Config(
        "project_defaults",
        "ht.sample defaults: 4 chains, tune 600, target 0.9, JAX gradient",
        "ht",
        {"cores": CORES},
    ),
    Config(
        "defaults_target80",
        "ht.sample defaults with target 0.8",
        "ht",
        {"cores": CORES, "target_accept": 0.8},
    ),
    Config(
        "previous_defaults",
        "ht.sample's defaults until 2026-12-04: tune 1000, PyTensor gradient",
        "ht",
        {"cores": CORES, "tune": 1000, "compile_kwargs": {"gradient_backend": "pytensor"}},
    ),
    Config(
        "chains4",
        "4 chains on 2 cores",
        "pm",
        {"chains": 4, "cores": CORES, "backend": "jax"},
    ),
    Config(
        "chains4_jaxgrad",
        "+ JAX gradient",
        "pm",
        {
            "chains": 4,
            "cores": CORES,
            "backend": "jax",
            "compile_kwargs": {"gradient_backend": "jax"},
        },
    ),
    Config(
        "chains4_jaxgrad_lowrank",
        "+ low-rank mass matrix",
        "pm",
        {
            "chains": 4,
            "cores": CORES,
            "backend": "jax",
            "compile_kwargs": {"gradient_backend": "jax"},
            "nuts": {"adaptation": "low_rank"},
        },
    ),
    Config(
        "fast",
        "+ tune 300: FAST_OVERRIDES",
        "ht",
        _fast(),
    ),
    Config(
        "fast_target90",
        "FAST_OVERRIDES, target 0.9",
        "ht",
        _fast(target_accept=0.9),
    ),
    Config(
        "fast_precompiled",
        "FAST_OVERRIDES, compiled once",
        "nutpie",
        {"chains": 4, **_fast()},
    ),
    Config(
        "fast_precompiled_1core",
        "FAST_OVERRIDES, compiled once, 1 core",
        "nutpie",
        {"chains": 4, **_fast(cores=1)},
    ),
    Config(
        "numba_backend",
        "numba backend, 4 chains on 2 cores",
        "pm",
        {"chains": 4, "cores": CORES, "backend": "numba"},
    ),
    Config(
        "pymc_nuts",
        "PyMC's NUTS, 2 chains on 1 core",
        "pm",
        {"chains": 2, "cores": 1, "backend": "jax", "nuts_sampler": "pymc"},
    ),
    Config(
        "numpyro",
        "numpyro NUTS, 4 chains",
        "pm",
        {"chains": 4, "nuts_sampler": "numpyro", "nuts": {"chain_method": "sequential"}},
        requires="numpyro",
    ),
    Config(
        "blackjax",
        "blackjax NUTS, 4 chains",
        "pm",
        {"chains": 4, "nuts_sampler": "blackjax", "nuts": {"chain_method": "sequential"}},
        requires="blackjax",
    ),
]


def available(config: Config) -> bool:
    return config.requires is None or importlib.util.find_spec(config.requires) is not None


# --- running one configuration ---------------------------------------------------


class Precompiled:
    """nutpie's compiled model, built once and reused by every round."""

    def __init__(self, model, gradient_backend: str):
        start = time.perf_counter()
        self.compiled = nutpie.compile_pymc_model(
            model, backend="jax", gradient_backend=gradient_backend
        )
        self.compile_s = time.perf_counter() - start
        # a tiny run triggers JAX's jit compilation, so the timed runs start warm
        start = time.perf_counter()
        nutpie.sample(self.compiled, draws=5, tune=5, chains=1, progress_bar=False, seed=1)
        self.warmup_s = time.perf_counter() - start

    def sample(self, random_seed: int, kwargs: dict):
        kwargs = dict(kwargs)
        kwargs.pop("backend", None)
        kwargs.pop("compile_kwargs", None)
        nuts = kwargs.pop("nuts", {})
        nuts.pop("target_accept", None)
        # the seed pm.sample would hand to nutpie for this random_seed
        rngs = get_random_generator(random_seed).spawn(kwargs["chains"])
        seed = int(rngs[0].integers(2**30))
        return nutpie.sample(self.compiled, seed=seed, progress_bar=False, **kwargs, **nuts)


def run_once(config: Config, model, seed: int, precompiled: dict):
    """Sample once; the wall time of the call is measured around it."""
    common = {"random_seed": seed, "discard_tuned_samples": False, "progressbar": False}
    config = dataclasses.replace(config, kwargs=copy.deepcopy(config.kwargs))  # pm.sample mutates
    start = time.perf_counter()
    if config.kind == "ht":
        idata = ht.sample(model, **common, **config.kwargs)
    elif config.kind == "pm":
        with model, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            idata = pm.sample(quiet=True, **common, **config.kwargs)
    else:
        idata = precompiled[config.gradient_backend].sample(seed, config.kwargs)
    wall = time.perf_counter() - start
    return idata, wall


# --- cost of one evaluation --------------------------------------------------------


def evaluation_costs(model, data, repeats: int = 300) -> dict:
    """Median microseconds of one value+gradient call, as each sampler path makes it."""
    y = jnp.asarray(data["responses"].values, dtype=float)
    u = jnp.asarray(data["inputs"].values, dtype=float)
    v0 = jnp.asarray(data["tonic_volatility"].values)
    t0 = jnp.asarray(data["inverse_temperature"].values)
    pure = jax.jit(jax.value_and_grad(lambda v, t: ht.group_logp(v, t, y, u), argnums=(0, 1)))

    def pure_call():
        value, grad = pure(v0, t0)
        return float(value), np.asarray(grad[0]), np.asarray(grad[1])

    calls = {"pure_jax": pure_call}
    for backend in ("pytensor", "jax"):
        compiled = nutpie.compile_pymc_model(model, backend="jax", gradient_backend=backend)
        # the function nutpie calls for every leapfrog step (private, but it is the thing timed)
        logp_fn = compiled._make_logp_func()
        x0 = np.asarray(compiled._make_initial_points(0), dtype=float)
        shared = compiled._shared_data
        calls[f"nutpie_{backend}_gradient"] = lambda f=logp_fn, x=x0, s=shared: f(x, **s)
    for call in calls.values():
        call()
    times = {key: [] for key in calls}
    for _ in range(5):  # interleave in blocks
        for key, call in calls.items():
            median, _ = _common.median_time(call, repeats // 5)
            times[key].append(median)
    return {key: 1e6 * statistics.median(values) for key, values in times.items()}


# --- compilation: what a fresh process pays once ------------------------------------

COMPILE_CHILD = r"""
import json, sys, time
start = time.perf_counter()
import hgf_tutorial as ht
import nutpie
from hgf_tutorial.sampling import FAST_OVERRIDES
imported = time.perf_counter() - start
settings = dict(FAST_OVERRIDES, draws=300, cores=2, progressbar=False)
model = ht.build_group_model(ht.simulate_group())
out = {"import_s": imported}
for key in ("first_call_s", "second_call_s"):
    start = time.perf_counter()
    ht.sample(model, **settings)
    out[key] = time.perf_counter() - start
start = time.perf_counter()
compiled = nutpie.compile_pymc_model(model, backend="jax", gradient_backend="jax")
out["compile_pymc_model_s"] = time.perf_counter() - start
for key in ("first_nutpie_sample_s", "second_nutpie_sample_s"):
    start = time.perf_counter()
    nutpie.sample(compiled, draws=300, tune=300, chains=4, cores=2, seed=1,
                  adaptation="low_rank", progress_bar=False)
    out[key] = time.perf_counter() - start
print("RESULT " + json.dumps(out))
"""


def compile_costs() -> dict:
    """One-off costs in a fresh interpreter: imports, first against second sampling call.

    Runs ``ht.sample(model, **FAST_OVERRIDES, draws=300)`` twice, then
    ``nutpie.compile_pymc_model`` once and ``nutpie.sample`` twice on the result.
    """
    result = subprocess.run(
        [sys.executable, "-c", COMPILE_CHILD],
        capture_output=True,
        text=True,
        check=True,
        cwd=_common.ROOT,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


# --- summary ---------------------------------------------------------------------------


def summarise(runs: pd.DataFrame, configs: list[Config], costs: dict) -> pd.DataFrame:
    original = runs[runs["config"] == "original"].set_index("round")["ess_per_s"]
    runs = runs.assign(ratio=runs["ess_per_s"] / runs["round"].map(original))
    rows = []
    for config in configs:
        part = runs[runs["config"] == config.key]
        if part.empty:
            continue
        gradient = config.gradient_backend
        parallel = min(config.cores, config.chains)
        sampler = config.kwargs.get("nuts_sampler", "nutpie")
        cost = costs.get(f"nutpie_{gradient}_gradient") if sampler == "nutpie" else None
        grad_evals = part["grad_evals"].median()
        row = {
            "config": config.key,
            "label": config.label,
            "sampler": sampler,
            "chains": int(part["chains"].iloc[0]),
            "cores": int(part["cores"].iloc[0]),
            "tune": int(part["tune"].iloc[0]),
            "draws": int(part["draws"].iloc[0]),
            "repeats": len(part),
            "wall_s": part["wall_s"].median(),
            "sampling_s": part["sampling_s"].median(),
            "overhead_s": (part["wall_s"] - part["sampling_s"]).median(),
            "grad_evals": grad_evals,
            "min_ess_bulk": part["min_ess_bulk"].median(),
            "ess_per_s": part["ess_per_s"].median(),
            "ess_per_1000_grads": 1000 * (part["min_ess_bulk"] / part["grad_evals"]).median(),
            "us_per_grad_per_core": 1e6
            * (part["sampling_s"] * parallel / part["grad_evals"]).median(),
            "floor_s": grad_evals * cost * 1e-6 / parallel if cost else np.nan,
            "divergences": int(part["divergences"].sum()),
            "runs_with_divergences": int((part["divergences"] > 0).sum()),
            "max_rhat": part["max_rhat"].max(),
            "ratio": part["ratio"].median(),
            "ratio_min": part["ratio"].min(),
            "ratio_max": part["ratio"].max(),
        }
        rows.append(row)
    return pd.DataFrame(rows)


def write_markdown(summary: pd.DataFrame, info: dict, costs: dict, c: dict) -> str:
    shown = summary[
        [
            "config",
            "chains",
            "cores",
            "tune",
            "wall_s",
            "overhead_s",
            "grad_evals",
            "min_ess_bulk",
            "ess_per_s",
            "ratio",
            "ess_per_1000_grads",
            "us_per_grad_per_core",
            "divergences",
            "max_rhat",
        ]
    ]
    labels = "\n".join(f"- `{r.config}`: {r.label}" for r in summary.itertuples())
    cost_lines = "\n".join(f"- {k}: {v:.0f} µs" for k, v in costs.items())
    text = f"""# Sampler benchmark

Default data set (10 participants x 320 trials), centred model, 1000 kept draws
per chain. Medians over {int(summary["repeats"].max())} interleaved rounds (round r
gives every configuration the seed {RANDOM_SEED} + r); `divergences` is the total
over the rounds, `max_rhat` the largest over them. `ratio` is the configuration's
ESS per second (smallest bulk ESS over all parameters / wall time of the call,
compilation included) divided by the original call's in the same round.
`grad_evals` counts tuning and kept draws. `us_per_grad_per_core` is sampling
time x parallel chains / gradient evaluations.

Produced by `benchmarks/samplers.py`.

## Machine

{_common.machine_markdown(info)}

## Configurations

{labels}

## Results

{
        _common.markdown_table(
            shown,
            {
                "wall_s": 1,
                "overhead_s": 1,
                "grad_evals": 0,
                "min_ess_bulk": 0,
                "ess_per_s": 0,
                "ratio": 2,
                "ess_per_1000_grads": 1,
                "us_per_grad_per_core": 0,
                "max_rhat": 3,
            },
        )
    }

## Cost of one value+gradient call (median, N = 10)

{cost_lines}

## Compilation (one fresh process, FAST_OVERRIDES with 300 draws)

- `import hgf_tutorial` (pyhgf, JAX, PyMC): {c["import_s"]:.1f} s
- first `ht.sample` call {c["first_call_s"]:.1f} s, second {c["second_call_s"]:.1f} s
- `nutpie.compile_pymc_model` once {c["compile_pymc_model_s"]:.1f} s, then
  `nutpie.sample` {c["first_nutpie_sample_s"]:.1f} s and {c["second_nutpie_sample_s"]:.1f} s
- In the table, `overhead_s` is the wall time of a call minus the sampler's own
  timer: compilation and bookkeeping that every `pm.sample` call repeats (JAX's
  JIT compilation happens inside the sampler's timer, on the first gradient).
"""
    return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--only", nargs="*", help="configuration keys to run (default: all)")
    parser.add_argument("--out", default=str(_common.RESULTS))
    args = parser.parse_args(argv)
    if ht.is_quick():
        parser.error("unset HGF_TUTORIAL_QUICK: the benchmark measures the full settings")
    out = _common.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    info = _common.machine()

    data = ht.simulate_group()
    model = ht.build_group_model(data)
    configs = [c for c in CONFIGS if available(c) and (not args.only or c.key in args.only)]
    if "original" not in [c.key for c in configs]:
        configs.insert(0, CONFIGS[0])
    skipped = [c.key for c in CONFIGS if not available(c)]
    print(f"configurations: {[c.key for c in configs]}; not installed: {skipped}", flush=True)

    costs = evaluation_costs(model, data)
    print("µs per value+gradient:", {k: round(v) for k, v in costs.items()}, flush=True)
    compile_info = compile_costs()
    print("one-off costs in a fresh process (s):", compile_info, flush=True)
    precompiled = {}
    if any(c.kind == "nutpie" for c in configs):
        precompiled["jax"] = Precompiled(model, "jax")

    rows = []
    for round_ in range(args.repeats):
        seed = RANDOM_SEED + round_
        shift = round_ % len(configs)
        for config in configs[shift:] + configs[:shift]:
            idata, wall = run_once(config, model, seed, precompiled)
            row = {"config": config.key, "round": round_, "seed": seed}
            row.update(chains=config.chains, cores=config.cores)
            row.update(_common.sampling_stats(idata, wall))
            rows.append(row)
            print(
                f"round {round_} {config.key:26s} wall {wall:6.1f} s"
                f"  ESS {row['min_ess_bulk']:6.0f}"
                f"  ESS/s {row['ess_per_s']:6.1f}  div {row['divergences']}"
                f"  r-hat {row['max_rhat']:.4f}  grads {row['grad_evals']}",
                flush=True,
            )
    runs = pd.DataFrame(rows)
    summary = summarise(runs, configs, costs)
    _common.finish_machine(info, started)

    runs.to_csv(out / "samplers_runs.csv", index=False)
    summary.to_csv(out / "samplers.csv", index=False)
    (out / "samplers.md").write_text(write_markdown(summary, info, costs, compile_info))
    _common.write_json(
        out / "samplers.json",
        {
            "machine": info,
            "us_per_value_and_grad": costs,
            "compile_fresh_process": compile_info,
            "precompiled_in_this_process": {
                key: {"compile_s": pc.compile_s, "first_tiny_run_s": pc.warmup_s}
                for key, pc in precompiled.items()
            },
            "not_installed": skipped,
        },
    )
    fig = plots.plot_sampler_benchmark(summary)
    fig.savefig(out / "samplers.png", dpi=120, bbox_inches="tight")
    print(summary[["config", "wall_s", "ess_per_s", "ratio", "divergences", "max_rhat"]])
    return 0


if __name__ == "__main__":
    sys.exit(main())
