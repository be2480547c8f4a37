"""A large cohort fitted with NUTS: does it converge, and what does it cost?

One fit of ``ht.build_group_model(simulate_group(N, seed=2026))`` with
``ht.sample`` and the settings given on the command line (parameterisation per
parameter, tuning length, mass-matrix adaptation, target_accept, chains,
draws). Recorded: wall time, gradient evaluations (``n_steps`` over tuning and
kept draws) and their number per draw, the smallest bulk and tail ESS over every
parameter, ESS per second, the largest r-hat, divergences, and how well the
participants' posterior means recover the simulated values (correlation,
coverage of the central 90 % intervals).

Appends one row to ``results/large_fit_runs.csv`` (the machine's load average
and the git commit in the row) and writes the per-participant posterior summary
to ``results/large_fit_participants_<N>.csv``.

Usage::

    .venv/bin/python benchmarks/large_fit.py --participants 1000 \\
        --parameterization volatility=noncentered --tune 800 --draws 500 \\
        --adaptation low_rank --target-accept 0.9
"""

from __future__ import annotations

import hgf_tutorial as ht  # first: pyhgf sets XLA_FLAGS before jax is imported

# isort: split
import argparse
import os
import sys
import time
import warnings
from pathlib import Path

import _common
import arviz as az
import numpy as np
import pandas as pd

warnings.filterwarnings("ignore", message=".*[Nn]umba.*")

SEED = 2026


def _convergence(idata) -> dict:
    """What ``_common.sampling_stats`` leaves out: tail ESS, where r-hat is worst."""
    posterior = idata["posterior"].to_dataset()
    tail = az.ess(posterior, method="tail")
    rhat = az.rhat(posterior)
    return {
        "min_ess_tail": float(tail.to_array().min()),
        "worst_rhat_variable": max(rhat.data_vars, key=lambda v: float(rhat[v].max())),
        "n_rhat_above_1_01": int((rhat.to_array() > 1.01).sum()),
    }


def _recovery(idata, data) -> tuple[dict, pd.DataFrame]:
    rows = {}
    table = {"participant": np.asarray(data["participant"].values)}
    for name, truth in (
        ("volatility", data["tonic_volatility"].values),
        ("inverse_temperature", data["inverse_temperature"].values),
    ):
        found = _common.participant_recovery(idata, name, truth)
        for key in ("mean", "q05", "q95"):
            table[f"{name}_{key}"] = found[key]
        table[f"{name}_true"] = truth
        rows[f"r_{name}"] = found["r"]
        rows[f"coverage90_{name}"] = found["coverage90"]
    return rows, pd.DataFrame(table)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=1000)
    parser.add_argument(
        "--parameterization",
        nargs="*",
        default=["volatility=noncentered"],
        help="NAME=centered|noncentered per parameter (the others centred)",
    )
    parser.add_argument("--chains", type=int, default=4)
    parser.add_argument("--tune", type=int, default=800)
    parser.add_argument("--draws", type=int, default=500)
    parser.add_argument("--adaptation", default="low_rank", choices=["diag", "low_rank"])
    parser.add_argument("--target-accept", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=ht.sampling.RANDOM_SEED)
    parser.add_argument("--label", default="")
    parser.add_argument("--out", default=str(_common.RESULTS))
    args = parser.parse_args(argv)
    if ht.is_quick():
        parser.error("unset HGF_TUTORIAL_QUICK: the benchmark measures the full settings")

    layout = {"volatility": "centered", "inverse_temperature": "centered"}
    for item in args.parameterization:
        name, _, value = item.partition("=")
        layout[name] = value
    data = ht.simulate_group(args.participants, seed=SEED)
    model = ht.build_group_model(data, parameterization=layout)
    settings = {
        "chains": args.chains,
        "tune": args.tune,
        "draws": args.draws,
        "target_accept": args.target_accept,
        "compile_kwargs": {"gradient_backend": "jax"},
        "nuts": {"adaptation": args.adaptation},
        "discard_tuned_samples": False,
        "random_seed": args.seed,
    }
    load_start = os.getloadavg()
    start = time.perf_counter()
    idata = ht.sample(model, **settings)
    wall = time.perf_counter() - start
    stats = _common.sampling_stats(idata, wall)
    total_draws = args.chains * (args.tune + args.draws)
    row = {
        "date": pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%d %H:%M"),
        "commit": _common.git_commit(),
        "label": args.label,
        "n_participants": args.participants,
        "parameterization": ",".join(f"{k}={v}" for k, v in layout.items()),
        "chains": args.chains,
        "cores": ht.sampling.sampler_settings(chains=args.chains)["cores"],
        "tune": args.tune,
        "draws": args.draws,
        "adaptation": args.adaptation,
        "target_accept": args.target_accept,
        "seed": args.seed,
        "wall_s": wall,
        "grad_evals": stats["grad_evals"],
        "grad_evals_per_draw": stats["grad_evals"] / total_draws,
        "grad_evals_per_kept_draw": stats["grad_evals_draws"] / (args.chains * args.draws),
        "divergences": stats["divergences"],
        "step_size": float(idata["sample_stats"]["step_size"].mean()),
        "min_ess_bulk": stats["min_ess_bulk"],
        "max_rhat": stats["max_rhat"],
        **_convergence(idata),
        "ess_bulk_per_s": stats["ess_per_s"],
    }
    recovery, participants = _recovery(idata, data)
    row.update(recovery)
    row["load_start"] = round(load_start[0], 2)
    row["load_end"] = round(os.getloadavg()[0], 2)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "large_fit_runs.csv"
    table = pd.DataFrame([row])
    if path.exists():
        table = pd.concat([pd.read_csv(path), table], ignore_index=True)
    table.to_csv(path, index=False)
    participants.to_csv(out / f"large_fit_participants_{args.participants}.csv", index=False)
    for key, value in row.items():
        print(f"{key}: {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
