"""Recovery of a group difference: coverage, power and the interval's width by sample size.

Each fit simulates a study with :func:`hgf_tutorial.data.simulate_study` (the
gaps of the "Comparing groups" page: 4 % time-outs, 3 % aborted trials, one
participant in five stopping early), two groups of ``n_per_group``
(:func:`hgf_tutorial.data.balanced_groups`) whose
population means of omega_2 differ by ``difference`` (patients higher; the
population SD is 1), and fits ``build_group_model(study, predictors={"volatility":
"1 + group"})`` with ``ht.sample(model, **FAST_OVERRIDES, draws=DRAWS)`` (4 chains
x (300 tune + 500 draws)). The coefficient ``beta_volatility[group[T.patient]]``
is compared with the true population difference.

Two parts, each written to its own table under ``results/``:

``coverage``
    Differences 0, 0.5 and 1.0, 25 participants per group, ``--studies``
    simulated studies each (seeds ``SEED``, ``SEED + 1``, ...: the same seeds for
    every difference, so the studies differ only by the patients' shift; common
    random numbers). Per difference: how often the central 90 % interval holds the
    true difference (coverage) and how often it excludes 0 (power; for a true
    difference of 0, the false-positive rate). -> ``group_effects_coverage.csv``
``size``
    The width of the 94 % HDI of the difference at 10, 25 and 50 participants per
    group (true difference 1.0; the 25 row reuses the ``coverage`` part's fits
    when both parts run). -> ``group_effects_size.csv``

Every fit is a row of ``group_effects_runs.csv``; the machine, date, settings
and git commit are in ``group_effects.json`` and ``group_effects.md``.
With a handful of studies per cell these are rough numbers: a coverage of 5 of
5 studies is compatible with a true coverage well below 90 %.

Usage: ``.venv/bin/python benchmarks/group_effects.py [--parts coverage size]``
"""

from __future__ import annotations

import hgf_tutorial as ht  # first: pyhgf sets XLA_FLAGS before jax is imported

# isort: split
import argparse
import json
import logging
import sys
import time
import warnings
from pathlib import Path

import _common
import arviz as az
import numpy as np
import pandas as pd

from hgf_tutorial import data
from hgf_tutorial.sampling import FAST_OVERRIDES, RANDOM_SEED

warnings.filterwarnings("ignore", message=".*[Nn]umba.*")
logging.getLogger("pymc").setLevel(logging.WARNING)

SEED = 3100
DRAWS = 500
TERM = "group[T.patient]"
FORMULA = "1 + group"
GAPS = {"p_missed_response": 0.04, "p_aborted_trial": 0.03, "p_stop_early": 0.2}
DIFFERENCES = (0.0, 0.5, 1.0)
COVERAGE_PER_GROUP = 25
SIZES = (10, 25, 50)
SIZE_DIFFERENCE = 1.0
INTERVAL = 0.9  # coverage and power: the central 90 % interval
HDI = 0.94  # the width table: the 94 % HDI the page reports
ALL_PARTS = ("coverage", "size")


def fit_study(n_per_group: int, difference: float, study: int) -> dict:
    """Simulate one study, fit the group model, summarise the group coefficient."""
    seed = SEED + study
    dataset = data.simulate_study(
        2 * n_per_group,
        seed=seed,
        groups=data.balanced_groups(2 * n_per_group),
        group_effect={"volatility": difference},
        **GAPS,
    )
    model = ht.build_group_model(dataset, predictors={"volatility": FORMULA})
    start = time.perf_counter()
    idata = ht.sample(model, **FAST_OVERRIDES, draws=DRAWS, random_seed=RANDOM_SEED + study)
    wall = time.perf_counter() - start
    diagnosis = ht.diagnose(idata)
    draws = idata["posterior"]["beta_volatility"].sel(volatility_term=TERM)
    values = draws.values.ravel()
    low, high = np.quantile(values, [(1 - INTERVAL) / 2, (1 + INTERVAL) / 2])
    hdi = az.hdi(draws, prob=HDI)
    hdi_low, hdi_high = (float(v) for v in np.asarray(hdi).ravel())
    truth = dataset["tonic_volatility"].values
    patient = dataset["group"].values == "patient"
    return {
        "n_per_group": n_per_group,
        "true_difference": difference,
        "study": study,
        "seed": seed,
        "sample_difference": float(truth[patient].mean() - truth[~patient].mean()),
        "mean": float(values.mean()),
        "sd": float(values.std()),
        "q05": float(low),
        "q95": float(high),
        "hdi94_low": hdi_low,
        "hdi94_high": hdi_high,
        "hdi94_width": hdi_high - hdi_low,
        "p_positive": float((values > 0).mean()),
        "covers_truth": bool(low <= difference <= high),
        "excludes_zero": bool(low > 0 or high < 0),
        "max_rhat": float(diagnosis.loc["r_hat", "value"]),
        "min_ess_bulk": float(diagnosis.loc["ess_bulk", "value"]),
        "divergences": int(diagnosis.loc["divergences", "value"]),
        "wall_s": wall,
    }


def run_fits(cells, studies: int, done: list[dict]) -> list[dict]:
    """Fit every (n_per_group, difference) cell ``studies`` times, skipping fits in ``done``."""
    have = {(r["n_per_group"], r["true_difference"], r["study"]) for r in done}
    rows = []
    for n_per_group, difference in cells:
        for study in range(studies):
            if (n_per_group, difference, study) in have:
                continue
            row = fit_study(n_per_group, difference, study)
            print(
                f"n={n_per_group} d={difference} study {study}: mean {row['mean']:.2f} "
                f"[{row['q05']:.2f}, {row['q95']:.2f}] {row['wall_s']:.0f} s",
                flush=True,
            )
            rows.append(row)
    return rows


def coverage_table(runs: pd.DataFrame) -> pd.DataFrame:
    """Per true difference at 25 per group: coverage of the truth (and of the
    participants' own difference, ``covered_sample``), how often 0 is excluded."""
    runs = runs.assign(
        covers_sample=(runs["q05"] <= runs["sample_difference"])
        & (runs["sample_difference"] <= runs["q95"])
    )
    cells = runs[runs["n_per_group"] == COVERAGE_PER_GROUP]
    return (
        cells.groupby("true_difference")
        .agg(
            studies=("study", "size"),
            mean_estimate=("mean", "mean"),
            mean_sample_difference=("sample_difference", "mean"),
            covered=("covers_truth", "sum"),
            coverage_90=("covers_truth", "mean"),
            covered_sample=("covers_sample", "sum"),
            excluded_zero=("excludes_zero", "sum"),
            power_90=("excludes_zero", "mean"),
            mean_p_positive=("p_positive", "mean"),
        )
        .reset_index()
        .assign(n_per_group=COVERAGE_PER_GROUP)
    )


def size_table(runs: pd.DataFrame) -> pd.DataFrame:
    cells = runs[runs["true_difference"] == SIZE_DIFFERENCE]
    return (
        cells.groupby("n_per_group")
        .agg(
            studies=("study", "size"),
            mean_estimate=("mean", "mean"),
            mean_sd=("sd", "mean"),
            mean_hdi94_width=("hdi94_width", "mean"),
            min_hdi94_width=("hdi94_width", "min"),
            max_hdi94_width=("hdi94_width", "max"),
            covered=("covers_truth", "sum"),
            excluded_zero=("excludes_zero", "sum"),
            mean_wall_s=("wall_s", "mean"),
        )
        .reset_index()
        .assign(true_difference=SIZE_DIFFERENCE)
    )


def write_markdown(out: Path, info: dict, coverage: pd.DataFrame, size: pd.DataFrame) -> None:
    text = [
        "# Recovery of a group difference in omega_2",
        "",
        "Written by `benchmarks/group_effects.py`. Each study: `simulate_study` with "
        "4 % time-outs, 3 % aborted trials and one participant in five stopping early; "
        f"model `predictors={{'volatility': '{FORMULA}'}}`; "
        f"`ht.sample(model, **FAST_OVERRIDES, draws={DRAWS})` (4 chains x (300 tune + "
        f"{DRAWS} draws)). A few studies per cell: rough numbers.",
        "",
        _common.machine_markdown(info),
        "",
        f"## Coverage and power ({COVERAGE_PER_GROUP} per group, central 90 % interval)",
        "",
        _common.markdown_table(coverage),
        "",
        f"## Width of the 94 % HDI by group size (true difference {SIZE_DIFFERENCE})",
        "",
        _common.markdown_table(size),
        "",
    ]
    (out / "group_effects.md").write_text("\n".join(text))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="*", default=list(ALL_PARTS), choices=ALL_PARTS)
    parser.add_argument("--studies", type=int, default=4, help="studies per difference")
    parser.add_argument(
        "--size-studies",
        type=int,
        nargs=2,
        default=(4, 2),
        metavar=("SMALL", "LARGE"),
        help="studies at 10 and at 50 per group",
    )
    parser.add_argument("--out", default=str(_common.RESULTS))
    parser.add_argument(
        "--tables-only",
        action="store_true",
        help="recompute the tables and the markdown from group_effects_runs.csv, no fits",
    )
    args = parser.parse_args(argv)
    out = Path(args.out)
    if args.tables_only:
        runs = pd.read_csv(out / "group_effects_runs.csv")
        info = json.loads((out / "group_effects.json").read_text())["machine"]
        write_tables(out, info, runs)
        return 0
    if ht.is_quick():
        parser.error("unset HGF_TUTORIAL_QUICK: the benchmark measures the full settings")
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    info = _common.machine()
    rows: list[dict] = []
    if "coverage" in args.parts:
        cells = [(COVERAGE_PER_GROUP, d) for d in DIFFERENCES]
        rows += run_fits(cells, args.studies, rows)
    if "size" in args.parts:
        small, large = args.size_studies
        rows += run_fits([(SIZES[0], SIZE_DIFFERENCE)], small, rows)
        rows += run_fits([(SIZES[1], SIZE_DIFFERENCE)], args.studies, rows)
        rows += run_fits([(SIZES[2], SIZE_DIFFERENCE)], large, rows)
    runs = pd.DataFrame(rows)
    runs.to_csv(out / "group_effects_runs.csv", index=False)
    _common.finish_machine(info, started)
    settings = {
        "draws": DRAWS,
        "chains": 4,
        "fast_overrides": {k: str(v) for k, v in FAST_OVERRIDES.items()},
        "formula": FORMULA,
        "gaps": GAPS,
        "seed": SEED,
        "interval": INTERVAL,
        "hdi": HDI,
        "studies": args.studies,
        "size_studies": list(args.size_studies),
    }
    _common.write_json(out / "group_effects.json", {"machine": info, "settings": settings})
    write_tables(out, info, runs)
    return 0


def write_tables(out: Path, info: dict, runs: pd.DataFrame) -> None:
    coverage = coverage_table(runs)
    size = size_table(runs)
    coverage.to_csv(out / "group_effects_coverage.csv", index=False)
    size.to_csv(out / "group_effects_size.csv", index=False)
    write_markdown(out, info, coverage, size)
    print(coverage.to_string(), size.to_string(), sep="\n\n")


if __name__ == "__main__":
    sys.exit(main())
