"""The code behind the "Scaling up" page: sharding, result files."""

import os
import subprocess
import sys
import textwrap

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import hgf_tutorial as ht
from hgf_tutorial import scaling


@pytest.fixture(scope="module")
def twenty():
    data = ht.simulate_group(20, seed=7)
    return (
        jnp.asarray(data["tonic_volatility"].values),
        jnp.asarray(data["inverse_temperature"].values),
        data["responses"].values,
        data["inputs"].values,
    )


def _reference(v, t, y, u):
    return jax.value_and_grad(lambda a, b: ht.group_logp(a, b, y, u), argnums=(0, 1))(v, t)


def test_sharded_functions_match_on_the_local_devices(twenty):
    v, t, y, u = twenty
    mesh = scaling.participant_mesh()
    if 20 % mesh.devices.size:
        pytest.skip("needs a device count that divides 20")
    vs, ts, ys = scaling.shard_participants(mesh, v, t, y)
    values, (g_v, g_t) = scaling.sharded_value_and_grad(mesh, u)(vs, ts, ys)
    value, (want_v, want_t) = _reference(v, t, y, u)
    assert np.asarray(values).shape == (mesh.devices.size,)
    assert np.asarray(values).sum() == pytest.approx(float(value), rel=1e-12)
    np.testing.assert_allclose(np.asarray(g_v), np.asarray(want_v), atol=1e-10)
    np.testing.assert_allclose(np.asarray(g_t), np.asarray(want_t), atol=1e-10)
    pointwise = scaling.sharded_pointwise_logp(mesh, u)(vs, ts, ys)
    np.testing.assert_allclose(np.asarray(pointwise), np.asarray(ht.pointwise_logp(v, t, y, u)))


def test_sharding_over_four_cpu_devices_in_a_fresh_process():
    script = textwrap.dedent(
        """
        import hgf_tutorial as ht, jax, numpy as np
        from hgf_tutorial import scaling
        data = ht.simulate_group(8, seed=3)
        v, t = data["tonic_volatility"].values, data["inverse_temperature"].values
        y, u = data["responses"].values, data["inputs"].values
        mesh = scaling.participant_mesh(jax.devices("cpu"))
        assert mesh.devices.size == 4
        vs, ts, ys = scaling.shard_participants(mesh, v, t, y)
        values, grads = scaling.sharded_value_and_grad(mesh, u)(vs, ts, ys)
        rows = sorted(s.index[0].start for s in grads[0].addressable_shards)
        assert rows == [0, 2, 4, 6], rows
        want = float(ht.group_logp(v, t, y, u))
        assert abs(np.asarray(values).sum() - want) < 1e-8 * abs(want)
        pointwise = scaling.sharded_pointwise_logp(mesh, u)(vs, ts, ys)
        assert np.allclose(np.asarray(pointwise), np.asarray(ht.pointwise_logp(v, t, y, u)))
        print("ok")
        """
    )
    env = dict(os.environ, XLA_FLAGS="--xla_force_host_platform_device_count=4")
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok")


def test_results_are_read_from_the_checkout(tmp_path, monkeypatch):
    (tmp_path / "table.csv").write_text("a,b\n1,2\n")
    (tmp_path / "info.json").write_text('{"x": 1}')
    monkeypatch.setattr(scaling, "RESULTS_DIR", tmp_path)
    assert scaling.results_file("table.csv") == tmp_path / "table.csv"
    assert scaling.read_results("table.csv").to_dict("list") == {"a": [1], "b": [2]}
    assert scaling.read_results("info.json") == {"x": 1}


def test_results_come_from_the_installed_commit_without_a_checkout(tmp_path, monkeypatch):
    monkeypatch.setattr(scaling, "RESULTS_DIR", tmp_path)
    monkeypatch.setattr(
        scaling, "_installed_from", lambda: ("https://github.com/owner/repo", "abc123")
    )
    assert scaling.results_file("samplers.csv") == (
        "https://raw.githubusercontent.com/owner/repo/abc123/benchmarks/results/samplers.csv"
    )
    monkeypatch.setattr(scaling, "_installed_from", lambda: None)
    with pytest.raises(FileNotFoundError, match="make bench"):
        scaling.results_file("samplers.csv")


def test_the_committed_tables_are_readable():
    table = scaling.read_results("samplers.csv")
    assert {"config", "ratio", "ess_per_s", "divergences", "max_rhat"} <= set(table.columns)
    assert table.loc[table["config"] == "original", "ratio"].item() == pytest.approx(1.0)
