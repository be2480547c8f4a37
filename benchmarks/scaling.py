"""Scaling study: cost of the likelihood, of an effective sample and of LOO's input.

Five measurements, each written to its own table under ``results/``:

``cost``
    Median wall time of one value+gradient evaluation of the summed
    log-density (``jax.jit``), for N = 10 ... 3000 participants of
    ``simulate_group(N, seed=SEED)``, side by side: reverse mode (one
    ``jax.vmap`` over participants, then ``jax.grad``), reverse mode a chunk of
    100 participants at a time (the model's route until forward mode replaced it,
    kept here as :func:`chunked_reverse`), forward mode
    (:func:`hgf_tutorial.likelihood.forward_derivatives`, the model's route), the
    value alone, and the whole log-density of ``ht.build_group_model`` compiled to
    JAX (what nutpie's JAX gradient evaluates). The three derivatives are checked
    against each other before they are timed. Also the JIT compilation time.
    -> ``scaling_cost.csv``
``memory``
    Peak resident memory of ``ht.add_log_likelihood`` on a posterior laid out as
    PyMC lays it out (chain, draw, participant), in a fresh process each time:
    the default chunks against one block. -> ``scaling_memory.csv``
``import``
    value+gradient time in fresh processes that import pyhgf before JAX (pyhgf
    sets ``XLA_FLAGS=--xla_cpu_use_thunk_runtime=false``) or JAX first (the flag
    arrives too late). -> ``scaling_import.csv``
``roundtrip``
    One value+gradient call through each path a sampler can take: pure JAX, the
    function nutpie compiles from the PyMC model (PyTensor's gradient or JAX's,
    JAX or numba backend) and PyMC's ``compile_logp`` + ``compile_dlogp``.
    -> ``scaling_roundtrip.csv``

What a whole fit costs as the cohort grows is ``benchmarks/large_fit.py``'s
question (one run per size, ``results/large_fit_runs.csv``).

Usage: ``.venv/bin/python benchmarks/scaling.py [--parts cost memory ...]``
"""

from __future__ import annotations

import hgf_tutorial as ht  # first: pyhgf sets XLA_FLAGS before jax is imported

# isort: split
import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
import warnings
from functools import partial
from pathlib import Path

import _common
import jax
import jax.numpy as jnp
import matplotlib
import numpy as np
import pandas as pd

from hgf_tutorial import plots
from hgf_tutorial.likelihood import forward_derivatives

matplotlib.use("Agg")
warnings.filterwarnings("ignore", message=".*[Nn]umba.*")

SIZES = (10, 30, 100, 300, 1000, 3000)
SEED = 2026
#: participants per chunk of the chunked reverse-mode baseline (30 % faster than 25
#: or 50 at N = 1000 in an earlier run of this benchmark)
CHUNK = 100
#: (participants, chains, draws) of the fake posteriors; at N = 1000 fewer draws,
#: because 4 x 1000 draws would make the result alone 10 GB.
MEMORY_GRID = ((10, 4, 1000), (100, 4, 1000), (1000, 4, 100))
ALL_PARTS = ("cost", "memory", "import", "roundtrip")


def as_arrays(data):
    """(volatility, temperature, responses, inputs) of a simulated group as JAX arrays."""
    return (
        jnp.asarray(data["tonic_volatility"].values),
        jnp.asarray(data["inverse_temperature"].values),
        jnp.asarray(data["responses"].values, dtype=float),
        jnp.asarray(data["inputs"].values, dtype=float),
    )


def _bound(fn, *args):
    """``fn(*args)``, waited for, as a function of no arguments."""
    return lambda: jax.block_until_ready(fn(*args))


def _timed_calls(calls: dict, budget_s: float = 1.5, blocks: int = 3) -> dict:
    """Median and minimum seconds per call of each function, interleaved in blocks."""
    times = {key: [] for key in calls}
    for call in calls.values():
        call()  # compile / warm
    per_call = {}
    for key, call in calls.items():
        start = time.perf_counter()
        call()
        per_call[key] = time.perf_counter() - start
    for _ in range(blocks):
        for key, call in calls.items():
            repeats = int(min(200, max(3, budget_s / blocks / max(per_call[key], 1e-6))))
            for _ in range(repeats):
                start = time.perf_counter()
                call()
                times[key].append(time.perf_counter() - start)
    return {key: (statistics.median(v), min(v), len(v)) for key, v in times.items()}


# --- cost per evaluation ----------------------------------------------------------------


REVERSE = "reverse (one vmap)"
CHUNKED = f"reverse in chunks of {CHUNK}"
FORWARD = "forward (the model's)"
VALUE = "value only"
MODEL = "the model (build_group_model)"


def chunked_reverse(per_participant, chunk: int = CHUNK):
    """Baseline: reverse mode a chunk of participants at a time (the model's route until
    commit cf095ff, ``likelihood.chunked_gradient``, kept here for the comparison).

    The Jacobian is diagonal, so each chunk's ``jax.grad`` of its sum gives every
    participant's own derivatives; ``jax.lax.map`` runs one chunk's forward and
    backward pass at a time, the last chunk padded by repeating the last participant.
    """

    def values_and_derivatives(params, responses, inputs):
        n = responses.shape[0]
        n_chunks = -(-n // chunk)
        size = -(-n // n_chunks)

        def blocks(x):
            pad = n_chunks * size - n
            if pad:
                x = jnp.concatenate([x, jnp.repeat(x[-1:], pad, axis=0)])
            return x.reshape(n_chunks, size, *x.shape[1:])

        def one_chunk(args):
            def total(p):
                values = per_participant(p, *args[1:])
                return values.sum(), values

            (_, values), derivatives = jax.value_and_grad(total, has_aux=True)(args[0])
            return values, derivatives

        values, derivatives = jax.lax.map(
            one_chunk, jax.tree.map(blocks, (params, responses, inputs))
        )
        unblock = lambda x: x.reshape(-1)[:n]  # noqa: E731
        return unblock(values), jax.tree.map(unblock, derivatives)

    @jax.custom_vjp
    def chunked(params, responses, inputs):
        return per_participant(params, responses, inputs)

    def forward(params, responses, inputs):
        values, derivatives = values_and_derivatives(params, responses, inputs)
        return values, (derivatives, jnp.zeros_like(responses), jnp.zeros_like(inputs))

    def backward(residuals, cotangent):
        derivatives, zero_responses, zero_inputs = residuals
        return jax.tree.map(lambda d: cotangent * d, derivatives), zero_responses, zero_inputs

    chunked.defvjp(forward, backward)
    return chunked


def _per_participant(params, responses, inputs):
    """Each participant's summed log-likelihood, ``params = {"v": omega_2, "t": t}``."""
    return ht.pointwise_logp(params["v"], params["t"], responses, inputs).sum(axis=-1)


def _summed(per_participant, responses, inputs):
    return lambda v, t: per_participant({"v": v, "t": t}, responses, inputs).sum()


def _model_value_and_grad(data):
    """value+gradient of the whole model's log-density as nutpie's JAX gradient sees it.

    The likelihood of ``ht.build_group_model`` (forward-mode derivatives of the
    beliefs, ``likelihood.forward_derivatives``) plus the priors, compiled from
    PyTensor to JAX, evaluated at the simulation values.
    """
    from pymc.sampling.jax import get_jaxified_logp

    model = ht.build_group_model(data)
    point = model.initial_point()
    point["volatility"] = data["tonic_volatility"].values
    point["inverse_temperature_log__"] = np.log(data["inverse_temperature"].values)
    values = tuple(jnp.asarray(point[v.name], dtype=float) for v in model.value_vars)
    logp = get_jaxified_logp(model)  # (sic) the log-density itself
    names = [v.name for v in model.value_vars]
    return jax.value_and_grad(lambda values: logp(values)), values, names


def measure_cost(sizes=SIZES) -> pd.DataFrame:
    """value+gradient of the summed likelihood in reverse, chunked reverse and forward mode.

    All three are checked against each other (values to 1e-10, gradients to 1e-8)
    before they are timed, and the model's gradient against the reverse-mode one
    plus its prior's.
    """
    rows = []
    for n in sizes:
        data = ht.simulate_group(n, seed=SEED)
        volatility, temperature, responses, inputs = as_arrays(data)
        inputs = jnp.broadcast_to(inputs, responses.shape)
        functions = {
            REVERSE: jax.value_and_grad(
                _summed(_per_participant, responses, inputs), argnums=(0, 1)
            ),
            CHUNKED: jax.value_and_grad(
                _summed(chunked_reverse(_per_participant), responses, inputs), argnums=(0, 1)
            ),
            FORWARD: jax.value_and_grad(
                _summed(forward_derivatives(_per_participant), responses, inputs),
                argnums=(0, 1),
            ),
            VALUE: _summed(_per_participant, responses, inputs),
        }
        compiled, compile_s = {}, {}
        for key, fn in functions.items():
            start = time.perf_counter()
            compiled[key] = jax.jit(fn).lower(volatility, temperature).compile()
            compile_s[key] = time.perf_counter() - start
        reference = compiled[REVERSE](volatility, temperature)
        for key in (CHUNKED, FORWARD):
            other = compiled[key](volatility, temperature)
            np.testing.assert_allclose(float(other[0]), float(reference[0]), rtol=1e-10)
            for mine, theirs in zip(other[1], reference[1], strict=True):
                np.testing.assert_allclose(np.asarray(mine), np.asarray(theirs), atol=1e-8)
        calls = {key: _bound(f, volatility, temperature) for key, f in compiled.items()}

        model_fn, model_values, names = _model_value_and_grad(data)
        start = time.perf_counter()
        model_compiled = jax.jit(model_fn).lower(model_values).compile()
        compile_s[MODEL] = time.perf_counter() - start
        # d/d omega_2 of the model = the likelihood's + the Normal prior's -(v - mu) / sigma^2
        _, model_grads = model_compiled(model_values)
        mu = float(model_values[names.index("mu_volatility")])
        sigma = float(np.exp(model_values[names.index("sigma_volatility_log__")]))
        prior = -(np.asarray(volatility) - mu) / sigma**2
        np.testing.assert_allclose(
            np.asarray(model_grads[names.index("volatility")]),
            np.asarray(reference[1][0]) + prior,
            rtol=1e-8,
            atol=1e-8,
        )
        calls[MODEL] = _bound(model_compiled, model_values)

        timed = _timed_calls(calls)
        for key, (median, minimum, repeats) in timed.items():
            rows.append(
                {
                    "n_participants": n,
                    "method": key,
                    "ms_value_grad": 1e3 * median,
                    "ms_min": 1e3 * minimum,
                    "us_per_participant": 1e6 * median / n,
                    "repeats": repeats,
                    "compile_s": compile_s[key],
                }
            )
        print(
            f"cost N={n}: " + ", ".join(f"{k} {1e3 * v[0]:.2f} ms" for k, v in timed.items()),
            flush=True,
        )
    return pd.DataFrame(rows)


# --- peak memory of add_log_likelihood (fresh process each) -----------------------------


def _status_kib(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def _reset_peak() -> bool:
    """Reset VmHWM (Linux >= 4.0: write 5 to clear_refs)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def memory_child(n: int, chains: int, draws: int, mode: str) -> dict:
    """Run in a fresh process: peak memory of one ``add_log_likelihood`` call."""
    import xarray as xr

    data = ht.simulate_group(n, seed=SEED)
    rng = np.random.default_rng(SEED)
    shape = (chains, draws, n)
    volatility = data["tonic_volatility"].values + 0.3 * rng.standard_normal(shape)
    temperature = data["inverse_temperature"].values * np.exp(0.2 * rng.standard_normal(shape))
    coords = {"chain": np.arange(chains), "draw": np.arange(draws), "participant": np.arange(n)}
    dims = ("chain", "draw", "participant")
    posterior = xr.Dataset(
        {"volatility": (dims, volatility), "inverse_temperature": (dims, temperature)},
        coords=coords,
    )
    idata = xr.DataTree.from_dict({"posterior": posterior})
    kwargs = {} if mode == "chunked" else {"max_chunk_bytes": 2**62}
    gc.collect()
    rss_before = _status_kib("VmRSS")
    reset = _reset_peak()
    start = time.perf_counter()
    ht.add_log_likelihood(idata, data, **kwargs)
    seconds = time.perf_counter() - start
    peak = _status_kib("VmHWM")
    result = idata["log_likelihood"]["responses"]
    return {
        "n_participants": n,
        "chains": chains,
        "draws": draws,
        "mode": "default chunks" if mode == "chunked" else "one block",
        "n_chunks": int(idata["log_likelihood"].attrs["n_chunks"]),
        "result_mb": result.nbytes / 2**20,
        "rss_before_mb": rss_before / 1024,
        "peak_mb": peak / 1024,
        "extra_peak_mb": (peak - rss_before) / 1024,
        "peak_reset": reset,
        "seconds": seconds,
    }


def _child(args: list[str]) -> dict:
    result = subprocess.run(
        [sys.executable, __file__, *args],
        capture_output=True,
        text=True,
        cwd=_common.ROOT,
        check=False,
    )
    lines = [x for x in result.stdout.splitlines() if x.startswith("RESULT ")]
    if result.returncode or not lines:
        raise RuntimeError(f"child {args} failed:\n{result.stderr[-2000:]}")
    return json.loads(lines[-1].removeprefix("RESULT "))


def measure_memory(grid=MEMORY_GRID) -> pd.DataFrame:
    rows = []
    for n, chains, draws in grid:
        for mode in ("chunked", "one-block"):
            row = _child(["--memory-child", str(n), str(chains), str(draws), mode])
            rows.append(row)
            print(
                f"memory N={n} {chains}x{draws} {row['mode']}: +{row['extra_peak_mb']:.0f} MB "
                f"(result {row['result_mb']:.0f} MB), {row['seconds']:.1f} s"
            )
    return pd.DataFrame(rows)


# --- import order ------------------------------------------------------------------------

IMPORT_SIZES = (10, 100, 1000)

#: What each fresh process does before ``import hgf_tutorial`` (which imports pyhgf).
IMPORT_ORDERS = {
    "pyhgf first": "",
    "jax imported first": "import jax",
    "jax used first": "import jax.numpy as jnp; jnp.zeros(1).block_until_ready()",
}


def import_child() -> dict:
    """value+gradient seconds per N, in the process this runs in."""
    out = {"xla_flags": os.environ.get("XLA_FLAGS", "")}
    for n in IMPORT_SIZES:
        volatility, temperature, responses, inputs = as_arrays(ht.simulate_group(n, seed=SEED))
        fn = jax.jit(
            jax.value_and_grad(
                lambda v, t, r=responses, u=inputs: ht.group_logp(v, t, r, u), argnums=(0, 1)
            )
        )
        timed = _timed_calls({"x": _bound(fn, volatility, temperature)}, budget_s=0.6)
        out[str(n)] = timed["x"][0]
        out[f"{n}_min"] = timed["x"][1]
    return out


IMPORT_SCRIPT = r"""
import sys, warnings
warnings.simplefilter("ignore")
{prelude}
sys.path.insert(0, {bench!r})
import scaling, json
print("RESULT " + json.dumps(scaling.import_child()))
"""


def _env_without_pyhgf_flag() -> dict:
    """This process's environment minus the XLA flag pyhgf added when it was imported.

    A child process inherits ``XLA_FLAGS``; without this every child would start
    with the flag already set, whatever it imports first.
    """
    env = dict(os.environ)
    flags = [f for f in env.get("XLA_FLAGS", "").split() if "xla_cpu_use_thunk_runtime" not in f]
    if flags:
        env["XLA_FLAGS"] = " ".join(flags)
    else:
        env.pop("XLA_FLAGS", None)
    return env


def measure_import(rounds: int = 2) -> pd.DataFrame:
    """pyhgf sets XLA_FLAGS on import; XLA reads them when JAX first computes.

    So importing JAX first is harmless as long as nothing ran; a JAX computation
    before pyhgf's import fixes the runtime without the flag.
    """
    rows = []
    bench = str(Path(__file__).resolve().parent)
    for round_ in range(rounds):
        for order, prelude in IMPORT_ORDERS.items():
            script = IMPORT_SCRIPT.format(prelude=prelude, bench=bench)
            result = subprocess.run(
                [sys.executable, "-c", script],
                capture_output=True,
                text=True,
                cwd=_common.ROOT,
                env=_env_without_pyhgf_flag(),
                check=True,
            )
            line = next(x for x in result.stdout.splitlines() if x.startswith("RESULT "))
            out = json.loads(line.removeprefix("RESULT "))
            for n in IMPORT_SIZES:
                rows.append(
                    {
                        "order": order,
                        "round": round_,
                        "n_participants": n,
                        "ms_value_grad": 1e3 * out[str(n)],
                        "ms_min": 1e3 * out[f"{n}_min"],
                    }
                )
            timings = ", ".join(f"N={n} {1e3 * out[str(n)]:.2f} ms" for n in IMPORT_SIZES)
            print(f"import, {order}, round {round_}: {timings}")
    table = pd.DataFrame(rows)
    summary = (
        table.groupby(["n_participants", "order"], sort=False)
        .agg(ms_value_grad=("ms_value_grad", "median"), ms_min=("ms_min", "min"))
        .reset_index()
    )
    first = summary[summary["order"] == "pyhgf first"].set_index("n_participants")
    for column, ratio in (("ms_value_grad", "ratio_to_pyhgf_first"), ("ms_min", "ratio_min")):
        summary[ratio] = summary[column] / summary["n_participants"].map(first[column])
    return summary


# --- the PyTensor round trip -------------------------------------------------------------

ROUNDTRIP_SIZES = (10, 100)


def _both(logp, dlogp, point):
    return np.asarray(logp(point)), np.asarray(dlogp(point))


def measure_roundtrip(sizes=ROUNDTRIP_SIZES) -> pd.DataFrame:
    import nutpie

    rows = []
    for n in sizes:
        data = ht.simulate_group(n, seed=SEED)
        model = ht.build_group_model(data)
        volatility, temperature, responses, inputs = as_arrays(data)
        pure = jax.jit(
            jax.value_and_grad(
                lambda v, t, r=responses, u=inputs: ht.group_logp(v, t, r, u), argnums=(0, 1)
            )
        )

        def pure_call(pure=pure, v=volatility, t=temperature):
            value, grads = pure(v, t)
            return float(value), np.asarray(grads[0]), np.asarray(grads[1])

        calls = {"pure JAX (likelihood only)": pure_call}
        for gradient in ("jax", "pytensor"):
            compiled = nutpie.compile_pymc_model(model, backend="jax", gradient_backend=gradient)
            # the Python function nutpie calls at every leapfrog step (private API)
            logp_fn = compiled._make_logp_func()
            x0 = np.asarray(compiled._make_initial_points(0), dtype=float)
            shared = compiled._shared_data
            calls[f"nutpie (JAX backend), {gradient} gradient"] = partial(logp_fn, x0, **shared)
        point = model.initial_point()
        for mode in ("JAX", "NUMBA"):
            logp = model.compile_logp(mode=mode)
            dlogp = model.compile_dlogp(mode=mode)
            calls[f"PyMC compile_logp + compile_dlogp ({mode})"] = partial(
                _both, logp, dlogp, point
            )
        timed = _timed_calls(calls)
        base = timed["pure JAX (likelihood only)"][0]
        for key, (median, minimum, repeats) in timed.items():
            rows.append(
                {
                    "n_participants": n,
                    "path": key,
                    "us_per_call": 1e6 * median,
                    "us_min": 1e6 * minimum,
                    "ratio_to_pure_jax": median / base,
                    "repeats": repeats,
                }
            )
        print(
            f"roundtrip N={n}: " + ", ".join(f"{k} {1e6 * v[0]:.0f} us" for k, v in timed.items())
        )
    return pd.DataFrame(rows)


# --- output --------------------------------------------------------------------------------

TABLES = {
    "cost": "scaling_cost.csv",
    "memory": "scaling_memory.csv",
    "import": "scaling_import.csv",
    "roundtrip": "scaling_roundtrip.csv",
}

DIGITS = {
    "ms_value_grad": 3,
    "ms_min": 3,
    "us_per_participant": 1,
    "compile_s": 2,
    "wall_s": 1,
    "sampling_s": 1,
    "min_ess_bulk": 0,
    "s_per_1000_ess": 2,
    "ms_per_grad_per_core": 3,
    "grad_evals_per_draw": 1,
    "max_rhat": 3,
    "result_mb": 1,
    "rss_before_mb": 0,
    "peak_mb": 0,
    "extra_peak_mb": 0,
    "seconds": 2,
    "ratio_to_pyhgf_first": 2,
    "ratio_min": 2,
    "us_per_call": 0,
    "us_min": 0,
    "ratio_to_pure_jax": 2,
}

HEADINGS = {
    "cost": "Cost of one value+gradient evaluation (median)",
    "memory": "Peak memory of add_log_likelihood (fresh process per row)",
    "import": "Import order: what ran before pyhgf's import (fresh process each)",
    "roundtrip": "One value+gradient call through each path (median)",
}


def write_markdown(out: Path, info: dict) -> None:
    parts = [
        "# Scaling study",
        "",
        "Produced by `benchmarks/scaling.py`; every table is a CSV next to this file.",
        f"Data: `simulate_group(N, seed={SEED})`, 320 trials per participant.",
        "",
        "## Machine",
        "",
        _common.machine_markdown(info),
    ]
    for part, name in TABLES.items():
        path = out / name
        if path.exists():
            table = pd.read_csv(path)
            parts += ["", f"## {HEADINGS[part]}", "", _common.markdown_table(table, DIGITS)]
    (out / "scaling.md").write_text("\n".join(parts) + "\n")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", nargs="*", default=list(ALL_PARTS), choices=ALL_PARTS)
    parser.add_argument("--out", default=str(_common.RESULTS))
    parser.add_argument("--memory-child", nargs=4, metavar=("N", "CHAINS", "DRAWS", "MODE"))
    args = parser.parse_args(argv)
    if args.memory_child:
        n, chains, draws, mode = args.memory_child
        print("RESULT " + json.dumps(memory_child(int(n), int(chains), int(draws), mode)))
        return 0
    if ht.is_quick():
        parser.error("unset HGF_TUTORIAL_QUICK: the benchmark measures the full settings")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    info = _common.machine()
    measures = {
        "cost": measure_cost,
        "memory": measure_memory,
        "import": measure_import,
        "roundtrip": measure_roundtrip,
    }
    for part in args.parts:
        part_start = time.perf_counter()
        table = measures[part]()
        table.to_csv(out / TABLES[part], index=False)
        info.setdefault("part_runtime_s", {})[part] = round(time.perf_counter() - part_start, 1)
        print(f"{part}: {time.perf_counter() - part_start:.0f} s", flush=True)
    _common.finish_machine(info, started)
    previous = out / "scaling.json"
    if previous.exists() and set(args.parts) != set(ALL_PARTS):
        # a partial rerun keeps the machine record of the parts it did not redo
        old = json.loads(previous.read_text())
        info = {**old, **info, "partial_rerun": sorted(args.parts)}
    _common.write_json(previous, {"machine": info, "chunk": CHUNK, "seed": SEED})
    write_markdown(out, info)
    if (out / TABLES["cost"]).exists():
        fig = plots.plot_scaling_cost(pd.read_csv(out / TABLES["cost"]))
        fig.savefig(out / "scaling_cost.png", dpi=120, bbox_inches="tight")
    if (out / TABLES["memory"]).exists():
        fig = plots.plot_loglik_memory(pd.read_csv(out / TABLES["memory"]))
        fig.savefig(out / "scaling_memory.png", dpi=120, bbox_inches="tight")
    return 0


if __name__ == "__main__":
    sys.exit(main())
