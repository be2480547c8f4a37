"""Does it matter whether ``arviz`` (which imports JAX) comes before ``hgf_tutorial``?

pyhgf adds ``--xla_cpu_use_thunk_runtime=false`` to ``XLA_FLAGS`` when it is
imported, and warns when JAX was imported before it. XLA reads the flag when JAX
starts its backend (the first computation), not when JAX is imported. This script
measures what the order costs: each round starts one fresh Python process per
order (rotated from round to round, so that load drift hits every order alike);
each process times a value+gradient of

- ``ht.group_logp`` with ``jax.value_and_grad`` (reverse mode), and
- the log-density of ``ht.build_group_model`` compiled to JAX, as nutpie's JAX
  backend evaluates it (the model's likelihood carries forward-mode derivatives),

for 10 and 100 participants. The table gives each order's median over rounds of
the per-process medians, and its ratio to ``hgf_tutorial first`` in the same
round (median over rounds). ``jax used first`` (one JAX computation before the
import, so the flag really is too late) shows what a late flag costs, and that
the measurement can see it.

    .venv/bin/python benchmarks/import_order.py            # -> results/import_order.csv, .md
    .venv/bin/python benchmarks/import_order.py --rounds 3

Not part of ``make bench``; run it on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

RESULTS = Path(__file__).resolve().parent / "results"
SIZES = (10, 100)
SEED = 7

#: What each fresh process runs before timing anything.
ORDERS = {
    "hgf_tutorial first": "import hgf_tutorial as ht\nimport arviz\nimport pymc",
    "arviz first": "import arviz\nimport pymc\nimport hgf_tutorial as ht",
    "jax used first": (
        "import jax.numpy as jnp\njnp.zeros(1).block_until_ready()\nimport hgf_tutorial as ht"
    ),
}

CHILD = r"""
import warnings
warnings.simplefilter("ignore")
{prelude}
import json, statistics, time
import jax, jax.numpy as jnp, numpy as np
from pymc.sampling.jax import get_jaxified_logp

def timed(fn, budget_s=1.0, blocks=5):
    fn(); fn()
    start = time.perf_counter(); fn(); once = time.perf_counter() - start
    repeats = int(min(400, max(5, budget_s / blocks / max(once, 1e-6))))
    medians = []
    for _ in range(blocks):
        times = []
        for _ in range(repeats):
            start = time.perf_counter(); fn(); times.append(time.perf_counter() - start)
        medians.append(statistics.median(times))
    return statistics.median(medians)

out = {{}}
for n in {sizes}:
    data = ht.simulate_group(n, seed={seed})
    v = jnp.asarray(data["tonic_volatility"].values)
    t = jnp.asarray(data["inverse_temperature"].values)
    r = jnp.asarray(data["responses"].values, dtype=float)
    u = jnp.asarray(data["inputs"].values, dtype=float)
    grad = jax.jit(jax.value_and_grad(lambda v, t: ht.group_logp(v, t, r, u), argnums=(0, 1)))
    out[f"group_logp {{n}}"] = timed(lambda: jax.block_until_ready(grad(v, t)))
    model = ht.build_group_model(data)
    point = model.initial_point()
    values = tuple(jnp.asarray(point[x.name], dtype=float) for x in model.value_vars)
    logp = get_jaxified_logp(model)
    model_grad = jax.jit(jax.value_and_grad(lambda values: logp(values)))
    out[f"model {{n}}"] = timed(lambda: jax.block_until_ready(model_grad(values)))
print("RESULT " + json.dumps(out))
"""


def _env_without_flag() -> dict:
    """The environment minus any ``xla_cpu_use_thunk_runtime`` flag, as a fresh shell has it."""
    env = dict(os.environ)
    flags = [f for f in env.get("XLA_FLAGS", "").split() if "xla_cpu_use_thunk_runtime" not in f]
    env.pop("XLA_FLAGS", None)
    if flags:
        env["XLA_FLAGS"] = " ".join(flags)
    env.pop("HGF_TUTORIAL_QUICK", None)
    return env


def run_child(prelude: str) -> dict:
    script = CHILD.format(prelude=prelude, sizes=SIZES, seed=SEED)
    result = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=_env_without_flag(),
        check=True,
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def main(rounds: int) -> pd.DataFrame:
    load_start = load()
    rows = []
    names = list(ORDERS)
    for round_ in range(rounds):
        order = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in order:
            result = run_child(ORDERS[name])
            for key, seconds in result.items():
                what, n = key.rsplit(" ", 1)
                rows.append(
                    {
                        "round": round_,
                        "order": name,
                        "what": what,
                        "n_participants": int(n),
                        "ms": 1e3 * seconds,
                    }
                )
            print(f"round {round_} {name}: {result}", flush=True)
    runs = pd.DataFrame(rows)
    keys = ["round", "what", "n_participants"]
    base = runs[runs["order"] == "hgf_tutorial first"].set_index(keys)
    runs["ratio"] = [
        row.ms / base.loc[(row.round, row.what, row.n_participants), "ms"]
        for row in runs.itertuples()
    ]
    table = (
        runs.groupby(["what", "n_participants", "order"], sort=False)
        .agg(
            ms_median=("ms", "median"),
            ratio_median=("ratio", "median"),
            ratio_min=("ratio", "min"),
            ratio_max=("ratio", "max"),
            rounds=("ratio", "size"),
        )
        .reset_index()
    )
    load_end = load()
    RESULTS.mkdir(exist_ok=True)
    table.to_csv(RESULTS / "import_order.csv", index=False)
    runs.to_csv(RESULTS / "import_order_runs.csv", index=False)
    text = [
        "# Import order\n",
        f"{rounds} rounds, each one fresh process per order (rotated); value+gradient",
        "per call, median of the process's timing blocks; `ratio`: over `hgf_tutorial first`",
        "in the same round (median, min, max over rounds). Produced by",
        "`benchmarks/import_order.py`.\n",
        f"- CPU: {os.cpu_count()} logical cores",
        f"- load average (1, 5, 15 min) at start {load_start}, at end {load_end}\n",
        table.round(3).to_markdown(index=False),
        "",
    ]
    (RESULTS / "import_order.md").write_text("\n".join(text))
    print(table.round(3).to_string(index=False))
    print("load at start", load_start, "at end", load_end)
    return table


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    main(args.rounds)
