import arviz as az
import numpy as np
import pytest
import xarray as xr

import hgf_tutorial as ht
from hgf_tutorial import recovery
from hgf_tutorial.model import simulate_responses
from tests import reference


def test_spread_parameters_cover_their_ranges():
    volatility, temperature = recovery.spread_parameters(
        500, volatility_range=(-6, -2), log_temperature_range=(-0.5, 1.5), seed=1
    )
    assert volatility.shape == temperature.shape == (500,)
    assert -6 <= volatility.min() < -5.9 and -2.1 < volatility.max() <= -2
    log_t = np.log(temperature)
    assert -0.5 <= log_t.min() < -0.45 and 1.45 < log_t.max() <= 1.5
    # independent draws: no correlation between the two parameters
    assert abs(np.corrcoef(volatility, log_t)[0, 1]) < 0.15
    again = recovery.spread_parameters(500, seed=1)
    np.testing.assert_array_equal(again[0], volatility)


@pytest.mark.parametrize(
    "kwargs",
    [{"volatility_range": (-2, -6)}, {"log_temperature_range": (1.0, 1.0)}, {"n_participants": 0}],
)
def test_spread_parameters_rejects_bad_ranges(kwargs):
    with pytest.raises(ValueError):
        recovery.spread_parameters(**kwargs)


def test_simulate_responses_for_has_the_simulate_group_layout(group):
    data = recovery.simulate_responses_for(
        group.tonic_volatility.values, group.inverse_temperature.values, seed=4
    )
    assert set(data.data_vars) == set(group.data_vars)
    for name in data.data_vars:
        assert data[name].dims == group[name].dims
        assert data[name].dtype.kind == group[name].dtype.kind
    # same agents as simulate_group: same parameters, same beliefs
    for name in ("tonic_volatility", "inverse_temperature", "expected_mean", "inputs"):
        np.testing.assert_allclose(data[name].values, group[name].values, atol=1e-12)
    # and the responses are the model's random function with that seed
    want = simulate_responses(
        "hgf2",
        {"volatility": group.tonic_volatility.values},
        group.inverse_temperature.values,
        group.inputs.values,
        rng=np.random.default_rng(4),
    )
    np.testing.assert_array_equal(data.responses.values, want)


def test_simulate_responses_for_follows_the_reference_probabilities():
    n = 2000
    omegas = np.repeat([-5.0, -2.5], n // 2)
    temperatures = np.repeat([0.8, 4.0], n // 2)
    u = np.tile([1, 1, 0, 1, 1, 0, 0, 1, 0, 0], 6)
    data = recovery.simulate_responses_for(omegas, temperatures, inputs=u, seed=9)
    for omega, t, rows in ((-5.0, 0.8, slice(0, n // 2)), (-2.5, 4.0, slice(n // 2, n))):
        m1 = reference.binary_hgf_beliefs(omega, u)
        np.testing.assert_allclose(data.expected_mean.values[rows][0], m1, atol=1e-10)
        p = reference.unit_square_sigmoid(m1, t)
        se = np.sqrt(p * (1 - p) / (n // 2))
        assert np.all(np.abs(data.responses.values[rows].mean(0) - p) < 4.5 * se + 1e-9)


@pytest.mark.parametrize(
    ("volatility", "temperature"),
    [([-4.0, -3.0], [1.0]), ([-4.0], [0.0]), ([[-4.0]], [[1.0]]), ([np.nan], [1.0])],
)
def test_simulate_responses_for_rejects_bad_parameters(volatility, temperature):
    with pytest.raises(ValueError):
        recovery.simulate_responses_for(volatility, temperature)


def _fake_fit(truth_v, truth_t, rng, n_chains=2, n_draws=400, sampling_time=4.0):
    n = len(truth_v)
    coords = {"chain": np.arange(n_chains), "draw": np.arange(n_draws), "participant": np.arange(n)}
    dims = ("chain", "draw", "participant")
    size = (n_chains, n_draws, n)
    posterior = xr.Dataset(
        {
            "volatility": (dims, truth_v + 0.3 * rng.normal(size=size)),
            "inverse_temperature": (dims, truth_t * np.exp(0.2 * rng.normal(size=size))),
            "mu_volatility": (("chain", "draw"), rng.normal(size=size[:2])),
            "sigma_volatility": (("chain", "draw"), np.abs(rng.normal(size=size[:2]))),
            "mu_temperature": (("chain", "draw"), rng.normal(size=size[:2])),
            "sigma_temperature": (("chain", "draw"), np.abs(rng.normal(size=size[:2]))),
        },
        coords=coords,
        attrs={"sampling_time": sampling_time},
    )
    diverging = np.zeros(size[:2], dtype=bool)
    diverging[0, :3] = True
    n_steps = np.full(size[:2], 7.0)
    n_steps[:, 0] = 15.0
    stats = xr.Dataset(
        {"diverging": (("chain", "draw"), diverging), "n_steps": (("chain", "draw"), n_steps)},
        coords=posterior.coords,
    )
    return xr.DataTree.from_dict({"posterior": posterior, "sample_stats": stats})


def test_recovery_table_against_numpy():
    rng = np.random.default_rng(0)
    truth_v, truth_t = np.array([-5.0, -4.0, -3.0]), np.array([1.0, 2.0, 4.0])
    idata = _fake_fit(truth_v, truth_t, rng)
    data = xr.Dataset(
        {
            "tonic_volatility": ("participant", truth_v),
            "inverse_temperature": ("participant", truth_t),
        }
    )
    # move participant 2's truth outside its interval
    data["tonic_volatility"][2] = 10.0
    table = recovery.recovery_table(idata, data, prob=0.9)
    assert len(table) == 6
    v = table[table.parameter == "volatility"]
    draws = idata["posterior"]["volatility"].values.reshape(-1, 3)
    np.testing.assert_allclose(v["mean"], draws.mean(0))
    np.testing.assert_allclose(v["lower"], np.quantile(draws, 0.05, axis=0))
    np.testing.assert_allclose(v["upper"], np.quantile(draws, 0.95, axis=0))
    assert list(v["covered"]) == [True, True, False]
    np.testing.assert_array_equal(v["true"], [-5.0, -4.0, 10.0])
    metrics = recovery.recovery_metrics(table)
    assert list(metrics.index) == ["volatility", "log_inverse_temperature"]
    assert metrics.loc["volatility", "coverage"] == pytest.approx(2 / 3)
    t = table[table.parameter == "inverse_temperature"]
    want_r = np.corrcoef(np.log(truth_t), np.log(t["mean"]))[0, 1]
    assert metrics.loc["log_inverse_temperature", "r"] == pytest.approx(want_r)
    assert metrics.loc["log_inverse_temperature", "n"] == 3


def test_recovery_table_checks_sizes():
    idata = _fake_fit(np.zeros(3), np.ones(3), np.random.default_rng(1))
    data = ht.simulate_group(4)
    with pytest.raises(ValueError, match="participants"):
        recovery.recovery_table(idata, data)


def test_sampler_efficiency_summarises_the_fit():
    idata = _fake_fit(np.zeros(4), np.ones(4), np.random.default_rng(2), sampling_time=8.0)
    eff = recovery.sampler_efficiency(idata)
    assert eff["divergences"] == 3
    assert eff["seconds"] == 8.0
    names = recovery.GROUP_PARAMETERS + ["volatility", "inverse_temperature"]
    ess = az.ess(idata, var_names=names)
    want = min(float(ess[v].min()) for v in names)
    assert eff["min_ess_bulk"] == pytest.approx(want)
    assert eff["ess_bulk_per_second"] == pytest.approx(want / 8.0)
    # independent draws: ESS near the number of draws, r-hat near 1
    assert eff["min_ess_bulk"] > 400 and eff["max_rhat"] < 1.02
    assert eff["mean_steps"] == pytest.approx((15 + 7 * 399) / 400)
    del idata["posterior"].attrs["sampling_time"]
    with pytest.raises(ValueError, match="sampling_time"):
        recovery.sampler_efficiency(idata)


def test_recovery_table_keeps_string_labels():
    rng = np.random.default_rng(0)
    idata = _fake_fit(np.array([-5.0, -4.0]), np.array([1.0, 2.0]), rng)
    labels = ["sub-00", "sub-01"]
    idata["posterior"] = idata["posterior"].to_dataset().assign_coords(participant=labels)
    data = xr.Dataset(
        {
            "tonic_volatility": ("participant", [-5.0, -4.0]),
            "inverse_temperature": ("participant", [1.0, 2.0]),
        },
        coords={"participant": labels},
    )
    table = recovery.recovery_table(idata, data)
    assert list(table["participant"]) == labels * 2


def test_simulate_responses_for_takes_one_schedule_per_participant():
    u = np.tile([1, 1, 0, 1, 0, 0], 5)
    schedules = np.stack([u, 1 - u])
    data = recovery.simulate_responses_for([-4.0, -4.0], [500.0, 500.0], inputs=schedules)
    assert data["inputs"].dims == ("participant", "trial")
    for i in range(2):
        m1 = reference.binary_hgf_beliefs(-4.0, schedules[i])
        np.testing.assert_allclose(data.expected_mean.values[i], m1, atol=1e-10)
        clear = np.abs(m1 - 0.5) > 0.05
        np.testing.assert_array_equal(data.responses.values[i][clear], m1[clear] > 0.5)
    with pytest.raises(ValueError, match="`inputs` has 2 rows but there are 3"):
        recovery.simulate_responses_for([-4.0] * 3, [1.0] * 3, inputs=schedules)
