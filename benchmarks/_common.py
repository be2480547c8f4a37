"""What both benchmark scripts share: the results folder, the machine, the tables."""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import subprocess
import time
from importlib import metadata
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"

PACKAGES = (
    "hgf-tutorial",
    "pyhgf",
    "jax",
    "jaxlib",
    "pymc",
    "pytensor",
    "nutpie",
    "arviz",
    "numpy",
    "numba",
    "numpyro",
    "blackjax",
)


def cpu_model() -> str:
    """The CPU's ``model name`` from /proc/cpuinfo (or the platform's answer)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def git_commit() -> str | None:
    """The checked-out commit, with ``+changes`` when the package or benchmarks differ from it.

    A benchmark is often run before its code is committed; the suffix says that
    the commit alone does not reproduce the result (the next commit should).
    """
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        changed = subprocess.run(
            ["git", "status", "--porcelain", "--", "hgf_tutorial", "benchmarks/*.py"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return f"{head}+changes" if changed else head


def versions() -> dict:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    return found


def machine() -> dict:
    """A description of where and when the benchmark ran."""
    cores = os.cpu_count()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:
        usable = cores
    return {
        "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "logical_cores": cores,
        "usable_cores": usable,
        "memory_gib": memory_gib(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "versions": {k: v for k, v in versions().items() if v is not None},
        "xla_flags": os.environ.get("XLA_FLAGS", ""),
        "load_average_start": [round(x, 2) for x in os.getloadavg()],
        "git_commit": git_commit(),
    }


def finish_machine(info: dict, started: float) -> dict:
    info["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    info["runtime_s"] = round(time.perf_counter() - started, 1)
    return info


def machine_markdown(info: dict) -> str:
    versions_text = ", ".join(f"{k} {v}" for k, v in info["versions"].items())
    lines = [
        f"- date: {info['date']} (git commit {info.get('git_commit') or 'unknown'})",
        f"- CPU: {info['cpu']}, {info['usable_cores']} usable of {info['logical_cores']} "
        f"logical cores, {info['memory_gib']} GiB memory",
        f"- platform: {info['platform']}, Python {info['python']}",
        f"- versions: {versions_text}",
        f"- XLA_FLAGS: `{info['xla_flags'] or '(unset)'}`",
        f"- load average (1, 5, 15 min) at start {info['load_average_start']}, "
        f"at end {info.get('load_average_end')}; the script ran "
        f"{info.get('runtime_s')} s",
    ]
    return "\n".join(lines)


def write_json(path: Path, payload: dict) -> None:
    path.write_text(json.dumps(payload, indent=2, sort_keys=True) + "\n")


def markdown_table(table: pd.DataFrame, digits: dict | None = None) -> str:
    """``table`` as GitHub markdown; ``digits`` maps a column to its decimals."""
    digits = digits or {}
    shown = table.copy()
    for column in shown.columns:
        if column in digits:
            shown[column] = shown[column].map(lambda x, d=digits[column]: f"{x:.{d}f}")
        elif pd.api.types.is_float_dtype(shown[column]):
            shown[column] = shown[column].map(lambda x: f"{x:.3g}")
    return shown.to_markdown(index=False, disable_numparse=True)


def median_time(fn, repeats: int) -> tuple[float, float]:
    """Median and minimum wall time of ``fn()`` over ``repeats`` calls, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), min(times)


def sampling_stats(idata, wall: float) -> dict:
    """Numbers of one run: time, gradient evaluations, ESS, divergences, r-hat.

    ESS, divergences and r-hat are ``hgf_tutorial.fit.diagnose``'s, over every
    posterior variable. ``grad_evals`` counts tuning too when the run kept its
    warm-up (``discard_tuned_samples=False``).
    """
    from hgf_tutorial.fit import diagnose

    posterior = idata["posterior"].to_dataset()
    value = diagnose(idata)["value"]
    stats = idata["sample_stats"]
    grads_draws = int(stats["n_steps"].sum())
    grads_tune = 0
    if "warmup_sample_stats" in idata.children:
        grads_tune = int(idata["warmup_sample_stats"]["n_steps"].sum())
    sampling = idata["posterior"].attrs.get("sampling_time")
    if sampling is None:  # nutpie.sample called directly: its own timer
        sampling = wall
    tune = 0
    if "warmup_posterior" in idata.children:
        tune = int(idata["warmup_posterior"].sizes["draw"])
    min_ess = float(value["ess_bulk"])
    return {
        "wall_s": wall,
        "sampling_s": float(sampling),
        "tune": tune,
        "draws": int(posterior.sizes["draw"]),
        "grad_evals_tune": grads_tune,
        "grad_evals_draws": grads_draws,
        "grad_evals": grads_tune + grads_draws,
        "min_ess_bulk": min_ess,
        "ess_per_s": min_ess / wall,
        "divergences": int(value["divergences"]),
        "max_rhat": float(value["r_hat"]),
    }


def participant_recovery(idata, name: str, truth) -> dict:
    """One parameter's draws per participant against the simulated values.

    Returns the posterior mean, the 5 % and 95 % quantiles per participant
    (arrays), their correlation of means with ``truth`` (``r``) and the share of
    participants whose central 90 % interval holds the truth (``coverage90``).
    """
    import numpy as np

    draws = idata["posterior"][name].stack(sample=("chain", "draw"))
    values = np.asarray(draws.transpose("participant", "sample").values)
    truth = np.asarray(truth)
    low, high = np.quantile(values, [0.05, 0.95], axis=1)
    mean = values.mean(axis=1)
    return {
        "values": values,
        "mean": mean,
        "q05": low,
        "q95": high,
        "r": float(np.corrcoef(mean, truth)[0, 1]),
        "coverage90": float(np.mean((truth >= low) & (truth <= high))),
    }
