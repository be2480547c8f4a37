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
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return None
    return out.stdout.strip()


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
