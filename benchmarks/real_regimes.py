"""Sampling where real studies live: reversal-learning studies shaped like lab exports.

Every page of the site samples data in the seed's regime (omega_2 around -4, 320
trials), where ``ht.sample``'s defaults converge. Real exports land elsewhere: a
reversal-learning study of 20 participants x 100 trials put the group mean of
omega_2 near -0.8 (group SD about 0.5) and the inverse temperature near 1.2 (group
SD of log t about 0.2), and the defaults gave tens of divergent transitions there.

This script simulates such studies (:func:`simulate_cell`: two anti-correlated
options coded as one input, 70/30 to 90/10 feedback, reversals every 15-40 trials,
missed choices, some early stoppers; written out with ``to_dataframe`` and read
back with ``from_dataframe``, as a lab's table would be) and fits each cell of a
grid with each candidate setting, recording what ``hgf_tutorial.fit.diagnose``
says (divergences, worst r-hat, smallest bulk and tail ESS), the wall time, ESS per
second, gradient evaluations, and where the divergent draws sit: in the group SDs
(the diagnosis' own localisation) and at the extremes of the participants'
omega_2 and t (the largest omega_2 and the smallest t of each draw).

    .venv/bin/python benchmarks/real_regimes.py                       # the real export's cell
    .venv/bin/python benchmarks/real_regimes.py --cells all           # the whole grid (hours)
    .venv/bin/python benchmarks/real_regimes.py --settings defaults t_noncentered

Results: ``results/real_regimes_runs.csv`` (one row per cell, setting and seed,
appended to what is there) and ``results/real_regimes.md`` (the machine and the
table). Outside ``make test`` and ``make bench``; it refuses quick mode.
"""

from __future__ import annotations

import hgf_tutorial as ht  # first: pyhgf sets XLA_FLAGS before jax is imported

# isort: split
import argparse
import itertools
import time
import warnings
from dataclasses import asdict, dataclass

import _common
import numpy as np
import pandas as pd

from hgf_tutorial import data
from hgf_tutorial.fit import diagnose

RUNS = _common.RESULTS / "real_regimes_runs.csv"
SUMMARY = _common.RESULTS / "real_regimes.md"
SEED = 20261208


@dataclass(frozen=True)
class Cell:
    """One simulated study design: size, task and population."""

    name: str
    n_participants: int = 20
    n_trials: int = 100
    feedback: float = 0.8  # P(the better option is rewarded)
    omega_mean: float = -0.8
    omega_sd: float = 0.5
    log_t_mean: float = float(np.log(1.2))
    log_t_sd: float = 0.2
    family: str = "hgf2"
    group_effect: float = 0.0  # patients' shift of omega_2; a predictor "1 + group" if != 0


#: The cell at the regime of the real export, then a grid around it.
REAL_EXPORT = Cell("real_export")
GRID = [REAL_EXPORT] + [
    Cell(
        f"N{n}_T{t}_om{om}_sd{sd}_t{lt}",
        n_participants=n,
        n_trials=t,
        omega_mean=om,
        omega_sd=sd,
        log_t_mean=float(np.log(lt)),
        log_t_sd=0.3,
    )
    for n, t, om, sd, lt in itertools.product(
        (10, 20, 50, 200), (80, 320), (-6.0, -3.0, -0.8, 0.0), (0.2, 1.5), (0.5, 4.0)
    )
]

#: Candidate settings: keyword arguments of build_group_model, then of ht.sample.
SETTINGS = {
    "defaults": ({}, {}),
    "t_noncentered": ({"parameterization": {"inverse_temperature": "noncentered"}}, {}),
    "all_noncentered": ({"parameterization": "noncentered"}, {}),
    "target95": ({}, {"target_accept": 0.95}),
    "tune1500": ({}, {"tune": 1500}),
    "low_rank": ({}, {"nuts": {"adaptation": "low_rank"}}),
}


def reversal_inputs(n_trials: int, feedback: float, rng) -> np.ndarray:
    """'Option 1 was the rewarded one' on each trial of a reversal task.

    Option 1 is the better one (rewarded with probability ``feedback``) for a run
    of 15 to 40 trials, then option 2, and so on; exactly one option is rewarded
    on each trial (anti-correlated options).
    """
    inputs, p = [], feedback
    while len(inputs) < n_trials:
        run = int(rng.integers(15, 41))
        inputs.extend((rng.random(run) < p).astype(int))
        p = 1.0 - p
    return np.asarray(inputs[:n_trials], dtype=np.int64)


def simulate_cell(cell: Cell, seed: int):
    """The cell's study as a lab's table read back through ``from_dataframe``."""
    rng = np.random.default_rng(seed)
    study = data.simulate_study(
        cell.n_participants,
        seed=seed,
        family=cell.family,
        inputs=reversal_inputs(cell.n_trials, cell.feedback, rng),
        population={"volatility": (cell.omega_mean, cell.omega_sd)},
        log_temperature=(cell.log_t_mean, cell.log_t_sd),
        group_effect={"volatility": cell.group_effect} if cell.group_effect else None,
        p_missed_response=0.04,
        p_aborted_trial=0.02,
        p_stop_early=0.2,
        min_trials=int(0.8 * cell.n_trials),
    )
    table = data.to_dataframe(study)
    return study, data.from_dataframe(table, covariates=["group", "age"])


def where_divergent(idata) -> dict:
    """Percentile of the divergent draws' median among all draws, for the extremes."""
    diverging = idata["sample_stats"]["diverging"].values.ravel().astype(bool)
    posterior = idata["posterior"]
    n = posterior.sizes["participant"]
    extremes = {
        "max_omega": posterior["volatility"].values.reshape(-1, n).max(axis=1),
        "min_t": posterior["inverse_temperature"].values.reshape(-1, n).min(axis=1),
    }
    out = {}
    for name, values in extremes.items():
        median = float(np.median(values[diverging])) if diverging.any() else np.nan
        out[f"{name}_divergent"] = median
        out[f"{name}_all"] = float(np.median(values))
        out[f"{name}_percentile"] = (
            float(100 * (values <= median).mean()) if diverging.any() else np.nan
        )
    return out


def run(cell: Cell, setting: str, seed: int, length: dict) -> dict:
    study, dataset = simulate_cell(cell, seed)
    build, sample = SETTINGS[setting]
    sample = {**length, **sample}
    predictors = {"volatility": "1 + group"} if cell.group_effect else None
    model = ht.build_group_model(dataset, family=cell.family, predictors=predictors, **build)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the diagnosis is recorded below
        idata = ht.sample(model, random_seed=seed, **sample)
    wall = time.perf_counter() - start
    diagnosis = diagnose(idata)
    stats = _common.sampling_stats(idata, wall)
    located = diagnosis.attrs["divergent_draws"]
    return {
        **asdict(cell),
        "setting": setting,
        "seed": seed,
        "chain_length": "default" if not length else f"{length}",
        "divergences": stats["divergences"],
        "max_rhat": stats["max_rhat"],
        "min_ess_bulk": stats["min_ess_bulk"],
        "min_ess_tail": float(diagnosis.loc["ess_tail", "value"]),
        "converged": bool(diagnosis["passed"].all()),
        "wall_s": round(wall, 1),
        "ess_per_s": stats["ess_per_s"],
        "grad_evals": stats["grad_evals"],
        "worst_rhat_at": diagnosis.loc["r_hat", "variable"],
        "divergent_group_sd": located[0]["variable"] if located else "",
        "divergent_group_sd_percentile": located[0]["percentile"] if located else np.nan,
        **where_divergent(idata),
        "true_max_omega": float(study["tonic_volatility"].max()),
    }


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", nargs="+", default=["real_export"], help="names, or 'all'")
    parser.add_argument("--settings", nargs="+", default=list(SETTINGS), choices=list(SETTINGS))
    parser.add_argument("--seeds", type=int, default=1, help="studies per cell")
    parser.add_argument("--tune", type=int, help="tuning steps (a smoke run); default ht.sample's")
    parser.add_argument("--draws", type=int, help="draws per chain (a smoke run)")
    args = parser.parse_args(argv)
    if ht.is_quick():
        raise SystemExit("refusing quick mode: unset HGF_TUTORIAL_QUICK")
    cells = GRID if args.cells == ["all"] else [c for c in GRID if c.name in args.cells]
    if not cells:
        raise SystemExit(f"no cell named {args.cells}; names: {[c.name for c in GRID][:5]}...")
    length = {k: v for k, v in (("tune", args.tune), ("draws", args.draws)) if v is not None}
    started = time.perf_counter()
    info = _common.machine()
    rows = []
    for cell, seed in itertools.product(cells, range(SEED, SEED + args.seeds)):
        for setting in args.settings:
            row = run(cell, setting, seed, length)
            rows.append(row)
            print(
                f"{cell.name} {setting} seed {seed}: {row['divergences']} divergences, "
                f"r-hat {row['max_rhat']:.3f}, ESS {row['min_ess_bulk']:.0f}, "
                f"{row['wall_s']} s",
                flush=True,
            )
    info = _common.finish_machine(info, started)
    table = pd.DataFrame(rows)
    table["date"] = info["date"]
    table["git_commit"] = info["git_commit"]
    table["load_start"] = info["load_average_start"][0]
    table["load_end"] = info["load_average_end"][0]
    if RUNS.exists():
        table = pd.concat([pd.read_csv(RUNS), table], ignore_index=True)
    table.to_csv(RUNS, index=False)
    shown = table[
        [
            "name",
            "setting",
            "seed",
            "divergences",
            "max_rhat",
            "min_ess_bulk",
            "min_ess_tail",
            "wall_s",
            "ess_per_s",
            "max_omega_percentile",
            "divergent_group_sd",
            "date",
        ]
    ]
    SUMMARY.write_text(
        "# Sampling in real regimes (`benchmarks/real_regimes.py`)\n\n"
        "Written by `benchmarks/real_regimes.py`; every run so far, from "
        "`results/real_regimes_runs.csv`. `max_omega_percentile`: where the divergent "
        "draws' median of the largest participant omega_2 lies among all draws (100 = "
        "at the top).\n\nThe last run:\n\n"
        + _common.machine_markdown(info)
        + "\n\n"
        + _common.markdown_table(shown, {"max_rhat": 3, "min_ess_bulk": 0, "min_ess_tail": 0})
        + "\n"
    )


if __name__ == "__main__":
    main()
