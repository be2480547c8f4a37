import logging

import numpy as np
import pytest
import xarray as xr

import hgf_tutorial as ht
from hgf_tutorial import predictive
from tests import reference


def _draws(values, participant=True):
    dims = ("chain", "draw", "participant", "trial") if participant else ("chain", "draw", "trial")
    return xr.DataArray(values, dims=dims[-values.ndim :])


def test_switch_rate_counts_changes_between_consecutive_trials():
    responses = xr.DataArray(
        np.array([[0, 0, 0, 0, 0], [0, 1, 0, 1, 0], [1, 1, 0, 0, 1]]), dims=("participant", "trial")
    )
    np.testing.assert_allclose(predictive.switch_rate(responses).values, [0.0, 1.0, 0.5])
    rng = np.random.default_rng(0)
    values = rng.integers(0, 2, size=(2, 3, 4, 20))
    rate = predictive.switch_rate(_draws(values))
    assert rate.dims == ("chain", "draw", "participant")
    want = np.array(
        [
            [
                [np.mean([row[k] != row[k - 1] for k in range(1, len(row))]) for row in draw]
                for draw in chain
            ]
            for chain in values
        ]
    )
    np.testing.assert_allclose(rate.values, want)


def test_switch_rate_keeps_trial_last_whatever_the_order():
    values = np.random.default_rng(1).integers(0, 2, size=(5, 30))
    a = xr.DataArray(values, dims=("participant", "trial"))
    np.testing.assert_allclose(
        predictive.switch_rate(a.transpose("trial", "participant")).values,
        predictive.switch_rate(a).values,
    )


def test_choice_rates():
    values = np.random.default_rng(2).integers(0, 2, size=(6, 40))
    responses = xr.DataArray(values, dims=("participant", "trial"), coords={"trial": np.arange(40)})
    np.testing.assert_allclose(predictive.choice_proportion(responses).values, values.mean(1))
    raw = predictive.group_choice_rate(responses)
    np.testing.assert_allclose(raw.values, values.mean(0))
    smooth = predictive.group_choice_rate(responses, window=5)
    want = np.convolve(values.mean(0), np.ones(5) / 5, mode="valid")
    np.testing.assert_allclose(smooth.values, want)
    np.testing.assert_array_equal(smooth["trial"], np.arange(2, 38))
    even = predictive.group_choice_rate(responses, window=4)
    np.testing.assert_allclose(even.values, np.convolve(values.mean(0), np.ones(4) / 4, "valid"))
    assert even.sizes["trial"] == 37
    with pytest.raises(ValueError, match="longer"):
        predictive.group_choice_rate(responses, window=41)
    with pytest.raises(ValueError, match="window"):
        predictive.group_choice_rate(responses, window=0)
    with pytest.raises(ValueError, match="DataArray"):
        predictive.switch_rate(values)


def test_predictive_interval_and_coverage():
    rng = np.random.default_rng(3)
    values = rng.normal(size=(4, 500, 3))
    stat = xr.DataArray(values, dims=("chain", "draw", "participant"))
    interval = predictive.predictive_interval(stat, prob=0.8)
    flat = values.reshape(-1, 3)
    np.testing.assert_allclose(interval["lower"].values, np.quantile(flat, 0.1, axis=0))
    np.testing.assert_allclose(interval["median"].values, np.median(flat, axis=0))
    np.testing.assert_allclose(interval["upper"].values, np.quantile(flat, 0.9, axis=0))
    observed = xr.DataArray([0.0, 5.0, np.nan], dims="participant")
    assert predictive.coverage(observed, interval) == pytest.approx(0.5)
    with pytest.raises(ValueError, match="prob"):
        predictive.predictive_interval(stat, prob=1.5)


def test_ppc_pvalue_counts_ties_as_half():
    replicated = xr.DataArray(np.array([[1.0, 2.0, 3.0, 4.0]]), dims=("chain", "draw"))
    assert float(predictive.ppc_pvalue(xr.DataArray(2.0), replicated)) == pytest.approx(0.625)
    assert float(predictive.ppc_pvalue(xr.DataArray(9.0), replicated)) == 0.0
    assert float(predictive.ppc_pvalue(xr.DataArray(0.0), replicated)) == 1.0
    # a statistic drawn from the same distribution gives p-values spread over (0, 1)
    rng = np.random.default_rng(4)
    reps = xr.DataArray(rng.normal(size=(1, 400, 300)), dims=("chain", "draw", "participant"))
    observed = xr.DataArray(rng.normal(size=300), dims="participant")
    p = predictive.ppc_pvalue(observed, reps).values
    assert abs(p.mean() - 0.5) < 0.05 and (p < 0.1).mean() == pytest.approx(0.1, abs=0.05)


def test_sticky_agents_are_the_simulate_group_agents():
    sticky = predictive.simulate_sticky_group(4, stickiness=0.5, seed=7)
    plain = ht.simulate_group(4, seed=7)
    for name in ("tonic_volatility", "inverse_temperature", "expected_mean", "inputs"):
        np.testing.assert_array_equal(sticky[name].values, plain[name].values)
    assert sticky.responses.dims == ("participant", "trial")
    assert set(np.unique(sticky.responses.values)) <= {0, 1}
    assert sticky.attrs["stickiness"] == 0.5
    always = predictive.simulate_sticky_group(4, stickiness=1.0, seed=7)
    assert (always.responses.values == always.responses.values[:, :1]).all()


def _sticky_switch_probability(p, stickiness):
    """P(switch) on trials 1..n-1 of a sticky agent, from the two-state Markov chain.

    q_t = P(r_t = 1) obeys q_t = s q_{t-1} + (1 - s) p_t, and a switch needs a fresh
    draw (1 - s) that differs from the previous response.
    """
    q = np.empty_like(p)
    q[0] = p[0]
    for t in range(1, p.size):
        q[t] = stickiness * q[t - 1] + (1 - stickiness) * p[t]
    return (1 - stickiness) * (q[:-1] * (1 - p[1:]) + (1 - q[:-1]) * p[1:])


@pytest.mark.parametrize("stickiness", [0.0, 0.6])
def test_sticky_switch_rate_matches_the_markov_chain(stickiness):
    n = 3000
    data = predictive.simulate_sticky_group(
        n, stickiness=stickiness, seed=3, volatility=(-3.5, 1e-9), log_temperature=(0.7, 1e-9)
    )
    m1 = reference.binary_hgf_beliefs(-3.5, data.inputs.values)
    p = reference.unit_square_sigmoid(m1, np.exp(0.7))
    want = _sticky_switch_probability(p, stickiness)
    got = np.diff(data.responses.values, axis=1) != 0
    # overall rate, and trial by trial within 4.5 binomial standard errors
    assert got.mean() == pytest.approx(want.mean(), abs=0.005)
    se = np.sqrt(want * (1 - want) / n)
    assert np.all(np.abs(got.mean(0) - want) < 4.5 * se + 1e-9)
    if stickiness == 0:
        np.testing.assert_allclose(data.responses.values.mean(0), p, atol=0.04)


@pytest.mark.parametrize("bad", [-0.1, 1.2, np.nan])
def test_sticky_needs_a_probability(bad):
    with pytest.raises(ValueError, match="stickiness"):
        predictive.simulate_sticky_group(2, stickiness=bad)


def _fake_posterior(model, n_draws, volatility, temperature):
    """A one-chain posterior with the given participant parameters in every draw."""
    n = len(volatility)
    coords = {"chain": [0], "draw": np.arange(n_draws), "participant": np.arange(n)}
    scalars = {"mu_volatility": -4.0, "sigma_volatility": 1.0}
    scalars |= {"mu_temperature": 0.5, "sigma_temperature": 0.5}
    variables = {k: (("chain", "draw"), np.full((1, n_draws), v)) for k, v in scalars.items()}
    variables["volatility"] = (
        ("chain", "draw", "participant"),
        np.broadcast_to(volatility, (1, n_draws, n)).copy(),
    )
    variables["inverse_temperature"] = (
        ("chain", "draw", "participant"),
        np.broadcast_to(temperature, (1, n_draws, n)).copy(),
    )
    return xr.DataTree.from_dict({"posterior": xr.Dataset(variables, coords=coords)})


def test_posterior_predictive_is_quiet_and_follows_the_beliefs(caplog, capsys):
    data = ht.simulate_group(3, seed=5)
    model = ht.build_group_model(data)
    volatility = np.array([-3.0, -4.0, -5.0])
    idata = _fake_posterior(model, 6, volatility, np.full(3, 300.0))
    with caplog.at_level(logging.INFO):
        out = predictive.posterior_predictive(model, idata, random_seed=1)
    assert out is idata
    replicated = idata["posterior_predictive"]["responses"]
    # the scored responses: trials 1..319 of each participant, labelled like the data
    assert replicated.dims == ("chain", "draw", "observation")
    assert replicated.shape == (1, 6, 3 * 319)
    np.testing.assert_array_equal(replicated["participant"].values, np.repeat([0, 1, 2], 319))
    assert set(np.unique(replicated.values)) <= {0, 1}
    assert not [r for r in caplog.records if r.name.startswith("pymc")]
    assert "Sampling" not in capsys.readouterr().err
    # at a very high inverse temperature the agent picks the option it believes in
    for i, omega in enumerate(volatility):
        m1 = reference.binary_hgf_beliefs(omega, data.inputs.values)[1:]
        clear = np.abs(m1 - 0.5) > 0.05
        mine = replicated.values[0, :, i * 319 : (i + 1) * 319]
        np.testing.assert_array_equal(
            mine[:, clear], np.broadcast_to(m1[clear] > 0.5, (6, clear.sum()))
        )


def test_posterior_predictive_can_return_a_new_tree():
    data = ht.simulate_group(2, seed=5)
    model = ht.build_group_model(data)
    idata = _fake_posterior(model, 3, np.array([-3.0, -4.0]), np.full(2, 2.0))
    alone = predictive.posterior_predictive(model, idata, extend_inferencedata=False)
    assert "posterior_predictive" not in idata.children
    assert set(alone.children) == {"posterior_predictive"}
    assert alone["posterior_predictive"]["responses"].sizes["observation"] == 2 * 319


def test_replicate_sequences_answer_on_every_trial_from_the_beliefs():
    data = ht.simulate_group(3, seed=5)
    volatility = np.array([-3.0, -4.0, -5.0])
    model = ht.build_group_model(data)
    idata = _fake_posterior(model, 4, volatility, np.full(3, 300.0))
    replicated = ht.replicate_sequences(idata, data)
    assert replicated.dims == ("chain", "draw", "participant", "trial")
    assert replicated.shape == (1, 4, 3, 320)
    # at a very high inverse temperature the agent answers what it believes, first trial
    # included (m = 0.5 there: a coin flip, so not checked)
    for i, omega in enumerate(volatility):
        m1 = reference.binary_hgf_beliefs(omega, data.inputs.values)
        clear = np.abs(m1 - 0.5) > 0.05
        np.testing.assert_array_equal(
            replicated.values[0, :, i][:, clear], np.broadcast_to(m1[clear] > 0.5, (4, clear.sum()))
        )
    # the prior's draws work the same way, and an unknown group is named
    prior = xr.DataTree.from_dict({"prior": idata["posterior"].to_dataset()})
    same = ht.replicate_sequences(prior, data, group="prior")
    np.testing.assert_array_equal(same.values, replicated.values)
    with pytest.raises(ValueError, match="`group` must name"):
        ht.replicate_sequences(idata, data, group="prior")
