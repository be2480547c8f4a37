"""Cheaper answers for large cohorts: ADVI against NUTS, and LOO in less memory.

Two parts, both starting from one NUTS fit of 100 simulated participants
(``ht.build_group_model(simulate_group(100, seed=2026))`` sampled with
``ht.sample``'s defaults):

``advi``
    Mean-field ADVI (``pm.fit(method="advi")``, Adam with learning rate 0.01,
    stopped when the parameters change by less than ``--tolerance`` between checks
    100 iterations apart, at most ``--iterations``) on the same data. Its
    posterior (4000 draws) against NUTS's: correlation of the participants'
    posterior means, ratio of posterior SDs (ADVI / NUTS), coverage of the true
    values by central 90 % intervals, and the group means' 94 % intervals. Then
    ADVI's wall time at 1000 participants (run to convergence) and at 10000
    (``--big-iterations`` iterations, timed; the total for as many iterations as
    1000 participants needed is extrapolated and marked so).
    -> ``advi_calibration.csv``, ``advi_participants.csv``, ``advi_groups.csv``,
    ``advi_times.csv``
``loo``
    ``az.loo`` from the pointwise log-likelihood stored in float64 (the reference),
    float32, and thinned to every 4th / 10th draw; ``az.loo_subsample``; and
    leave-one-participant-out (the log-likelihood summed per participant, what a
    large cohort can keep in memory). Each against the reference: elpd, its SE,
    the difference, the largest Pareto k, the bytes stored, and those bytes
    scaled to 1500 participants x 4 x 1000 draws. -> ``loo_storage.csv``

Usage: ``.venv/bin/python benchmarks/approximate.py [--parts advi loo]``
"""

from __future__ import annotations

import hgf_tutorial as ht  # first: pyhgf sets XLA_FLAGS before jax is imported

# isort: split
import argparse
import json
import os
import sys
import time
import warnings

import _common
import arviz as az
import numpy as np
import pandas as pd
import pymc as pm
from pymc.variational.callbacks import CheckParametersConvergence

warnings.filterwarnings("ignore", message=".*[Nn]umba.*")

SEED = 2026
N_CALIBRATION = 100
ADVI_DRAWS = 4000
GROUP_VARIABLES = ("mu_volatility", "sigma_volatility", "mu_temperature", "sigma_temperature")
PARTICIPANT_VARIABLES = {
    "volatility": "tonic_volatility",
    "inverse_temperature": "inverse_temperature",
}
#: the cohort of the issue: 1500 participants x 4 chains x 1000 draws x 319 scored trials
LARGE = {"participants": 1500, "samples": 4000, "trials": 319}


def nuts_fit(data):
    model = ht.build_group_model(data)
    start = time.perf_counter()
    idata = ht.sample(model)
    return model, idata, time.perf_counter() - start


def advi_fit(model, iterations: int, tolerance: float, seed: int = 1):
    """ADVI until the parameters settle; (approximation, seconds, iterations run)."""
    check = CheckParametersConvergence(every=100, tolerance=tolerance, diff="absolute")
    start = time.perf_counter()
    with model:
        approx = pm.fit(
            n=iterations,
            method="advi",
            obj_optimizer=pm.adam(learning_rate=0.01),
            callbacks=[check],
            random_seed=seed,
            progressbar=ht.sampling.show_progress(),
        )
    seconds = time.perf_counter() - start
    return approx, seconds, len(approx.hist)


def calibration(data, nuts, advi) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rows, participants = [], []
    for name, truth_name in PARTICIPANT_VARIABLES.items():
        truth = np.asarray(data[truth_name].values)
        row = {"variable": name}
        found = {}
        for label, source in (("nuts", nuts), ("advi", advi)):
            found[label] = _common.participant_recovery(source, name, truth)
            row[f"coverage90_{label}"] = found[label]["coverage90"]
            row[f"r_truth_{label}"] = found[label]["r"]
        means = {label: found[label]["mean"] for label in found}
        sds = {label: found[label]["values"].std(axis=1) for label in found}
        row["r_means"] = float(np.corrcoef(means["nuts"], means["advi"])[0, 1])
        participants.append(
            pd.DataFrame(
                {
                    "variable": name,
                    "participant": np.arange(truth.size),
                    "truth": truth,
                    "nuts_mean": means["nuts"],
                    "nuts_sd": sds["nuts"],
                    "advi_mean": means["advi"],
                    "advi_sd": sds["advi"],
                }
            )
        )
        ratio = sds["advi"] / sds["nuts"]
        row["sd_ratio_median"] = float(np.median(ratio))
        row["sd_ratio_q10"] = float(np.quantile(ratio, 0.1))
        row["sd_ratio_q90"] = float(np.quantile(ratio, 0.9))
        rows.append(row)
    groups = []
    for name in GROUP_VARIABLES:
        for label, source in (("nuts", nuts), ("advi", advi)):
            draws = np.asarray(source["posterior"][name].values).ravel()
            low, high = np.quantile(draws, [0.03, 0.97])
            groups.append(
                {
                    "variable": name,
                    "method": label,
                    "mean": float(draws.mean()),
                    "sd": float(draws.std()),
                    "q03": float(low),
                    "q97": float(high),
                }
            )
    return pd.DataFrame(rows), pd.DataFrame(groups), pd.concat(participants)


def measure_advi(args, data, model, nuts, nuts_s) -> dict:
    out = {}
    approx, seconds, iterations = advi_fit(model, args.iterations, args.tolerance)
    advi = approx.sample(ADVI_DRAWS, random_seed=2)
    table, groups, participants = calibration(data, nuts, advi)
    table.to_csv(_common.RESULTS / "advi_calibration.csv", index=False)
    participants.to_csv(_common.RESULTS / "advi_participants.csv", index=False)
    groups.to_csv(_common.RESULTS / "advi_groups.csv", index=False)
    print(table.to_string(), groups.to_string(), sep="\n", flush=True)
    times = [
        {
            "n_participants": N_CALIBRATION,
            "method": "NUTS (ht.sample defaults)",
            "iterations": np.nan,
            "seconds": nuts_s,
            "s_per_1000_iterations": np.nan,
            "extrapolated": False,
        },
        {
            "n_participants": N_CALIBRATION,
            "method": "ADVI",
            "iterations": iterations,
            "seconds": seconds,
            "s_per_1000_iterations": 1000 * seconds / iterations,
            "extrapolated": False,
        },
    ]
    needed = iterations
    for n in args.sizes:
        big = ht.simulate_group(n, seed=SEED)
        big_model = ht.build_group_model(big)
        limit = args.iterations if n <= 1000 else args.big_iterations
        approx, seconds, ran = advi_fit(big_model, limit, args.tolerance)
        per_1000 = 1000 * seconds / ran
        times.append(
            {
                "n_participants": n,
                "method": "ADVI",
                "iterations": ran,
                "seconds": seconds,
                "s_per_1000_iterations": per_1000,
                "extrapolated": False,
            }
        )
        if ran < limit:
            needed = ran  # converged: the count a larger cohort is extrapolated with
        elif ran < needed:  # cut short: extrapolate to the iterations a smaller cohort ran
            times.append(
                {
                    "n_participants": n,
                    "method": f"ADVI, {needed} iterations (extrapolated)",
                    "iterations": needed,
                    "seconds": per_1000 * needed / 1000,
                    "s_per_1000_iterations": per_1000,
                    "extrapolated": True,
                }
            )
        if n <= 1000:
            draws = approx.sample(1000, random_seed=2)
            for name, truth_name in PARTICIPANT_VARIABLES.items():
                found = _common.participant_recovery(draws, name, big[truth_name].values)
                out[f"r_truth_{name}_{n}"] = found["r"]
        print(times[-1], flush=True)
    pd.DataFrame(times).to_csv(_common.RESULTS / "advi_times.csv", index=False)
    out["advi_iterations_100"] = iterations
    return out


def _loo_row(label, idata, reference=None, **extra):
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = az.loo(idata)
    seconds = time.perf_counter() - start
    values = idata["log_likelihood"]["responses"]
    row = {
        "method": label,
        "elpd": float(result.elpd),
        "se": float(result.se),
        "p_loo": float(result.p),
        "max_k": float(np.max(result.pareto_k)),
        "n_k_above_0_7": int(np.sum(np.asarray(result.pareto_k) > 0.7)),
        "points": int(values.sizes[values.dims[-1]]),
        "bytes": int(values.nbytes),
        "loo_s": seconds,
        **extra,
    }
    if reference is not None:
        row["elpd_minus_reference"] = row["elpd"] - reference["elpd"]
    return row


def measure_loo(data, nuts) -> pd.DataFrame:
    rows = []
    full = ht.add_log_likelihood(nuts, data, extend_inferencedata=False)
    base = nuts.copy()
    base["log_likelihood"] = full["log_likelihood"]
    reference = _loo_row("float64, every draw (reference)", base)
    rows.append(reference)
    half = ht.add_log_likelihood(nuts, data, extend_inferencedata=False, dtype="float32")
    tree = nuts.copy()
    tree["log_likelihood"] = half["log_likelihood"]
    rows.append(_loo_row("float32, every draw", tree, reference))
    for k in (4, 10):
        for dtype in ("float64", "float32"):
            thinned = nuts.isel(draw=slice(None, None, k))
            ht.add_log_likelihood(thinned, data, dtype=dtype)
            rows.append(_loo_row(f"{dtype}, every {k}th draw", thinned, reference))
    # the log-likelihood summed per participant: one point per participant
    summed = base["log_likelihood"]["responses"].groupby("participant").sum()
    per_participant = nuts.copy()
    per_participant["log_likelihood"] = summed.rename(participant="observation").to_dataset(
        name="responses"
    )
    row = _loo_row("leave one participant out (float64)", per_participant)
    row["elpd_minus_reference"] = np.nan  # another question: new participants, not new trials
    rows.append(row)
    # ArviZ's sub-sampling LOO on the stored group (does it run on this stack?)
    for size in (2000, 8000):
        start = time.perf_counter()
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                result = az.loo_subsample(base, observations=size, seed=3)
            rows.append(
                {
                    "method": f"az.loo_subsample, {size} observations",
                    "elpd": float(result.elpd),
                    "se": float(result.se),
                    "p_loo": float(result.p),
                    "max_k": float(np.max(np.asarray(result.pareto_k))),
                    "points": size,
                    "bytes": int(base["log_likelihood"]["responses"].nbytes),
                    "loo_s": time.perf_counter() - start,
                    "elpd_minus_reference": float(result.elpd) - reference["elpd"],
                    "subsampling_se": float(result.subsampling_se),
                }
            )
        except Exception as error:  # noqa: BLE001 (recorded, not hidden)
            label = f"az.loo_subsample, {size} observations"
            rows.append({"method": label, "error": repr(error)[:300]})
    table = pd.DataFrame(rows)
    n_chains, n_draws = nuts["posterior"].sizes["chain"], nuts["posterior"].sizes["draw"]
    scale = (LARGE["participants"] * LARGE["samples"] * LARGE["trials"]) / (
        N_CALIBRATION * n_chains * n_draws * 319
    )
    table["gb_at_1500_participants"] = table["bytes"] * scale / 1e9
    # one value per participant and draw: scales with participants and draws only
    per_participant_scale = (LARGE["participants"] * LARGE["samples"]) / (
        N_CALIBRATION * n_chains * n_draws
    )
    summed_rows = table["method"].str.startswith("leave one participant")
    table.loc[summed_rows, "gb_at_1500_participants"] = (
        table.loc[summed_rows, "bytes"] * per_participant_scale / 1e9
    )
    print(table.to_string(), flush=True)
    return table


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="*", default=["advi", "loo"], choices=["advi", "loo"])
    parser.add_argument("--iterations", type=int, default=30000)
    parser.add_argument("--tolerance", type=float, default=1e-3)
    parser.add_argument("--sizes", nargs="*", type=int, default=[1000, 10000])
    parser.add_argument("--big-iterations", type=int, default=300)
    args = parser.parse_args(argv)
    if ht.is_quick():
        parser.error("unset HGF_TUTORIAL_QUICK: the benchmark measures the full settings")
    started = time.perf_counter()
    info = _common.machine()
    data = ht.simulate_group(N_CALIBRATION, seed=SEED)
    model, nuts, nuts_s = nuts_fit(data)
    info["nuts_s_100"] = nuts_s
    info["nuts_divergences_100"] = int(nuts["sample_stats"]["diverging"].sum())
    info["load_after_nuts"] = os.getloadavg()[0]
    if "advi" in args.parts:
        info.update(measure_advi(args, data, model, nuts, nuts_s))
    if "loo" in args.parts:
        measure_loo(data, nuts).to_csv(_common.RESULTS / "loo_storage.csv", index=False)
    _common.finish_machine(info, started)
    info["settings"] = {
        "iterations": args.iterations,
        "tolerance": args.tolerance,
        "sizes": args.sizes,
        "big_iterations": args.big_iterations,
        "optimizer": "adam(learning_rate=0.01)",
        "advi_draws": ADVI_DRAWS,
    }
    _common.write_json(_common.RESULTS / "approximate.json", info)
    print(json.dumps({k: v for k, v in info.items() if not isinstance(v, dict)}, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
