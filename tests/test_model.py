import numpy as np
import pymc as pm
import pytest
from scipy import stats

import hgf_tutorial as ht
from hgf_tutorial.model import simulate_responses
from tests import reference


@pytest.fixture(scope="module")
def small():
    return ht.simulate_group(4, seed=11)


def _reference_logp(point, data):
    """Joint log-density of the centred model written with SciPy and the NumPy HGF."""
    mu_v, sd_v = point["mu_volatility"], point["sigma_volatility"]
    mu_t, sd_t = point["mu_temperature"], point["sigma_temperature"]
    v, t = point["volatility"], point["inverse_temperature"]
    total = stats.norm(-5, 5).logpdf(mu_v) + stats.halfnorm(scale=10).logpdf(sd_v)
    total += stats.norm(0, 2).logpdf(mu_t) + stats.halfnorm(scale=2).logpdf(sd_t)
    total += stats.norm(mu_v, sd_v).logpdf(v).sum()
    total += stats.lognorm(s=sd_t, scale=np.exp(mu_t)).logpdf(t).sum()
    for i in range(len(v)):
        total += reference.participant_logp(
            v[i], t[i], data.responses.values[i], data.inputs.values
        ).sum()
    return total


def test_model_density_matches_reference(small):
    model = ht.build_group_model(small)
    point = {
        "mu_volatility": -4.2,
        "sigma_volatility": 1.3,
        "mu_temperature": 0.4,
        "sigma_temperature": 0.6,
        "volatility": np.array([-5.0, -3.5, -4.1, -2.9]),
        "inverse_temperature": np.array([1.2, 0.7, 3.0, 2.2]),
    }
    logp = model.compile_logp(jacobian=False)
    values = {}
    for rv in model.free_RVs:
        value_var = model.rvs_to_values[rv]
        transform = model.rvs_to_transforms.get(rv)
        x = point[rv.name]
        values[value_var.name] = transform.forward(x).eval() if transform is not None else x
    assert float(logp(values)) == pytest.approx(_reference_logp(point, small), abs=1e-7)


def test_model_coords_and_names(small):
    model = ht.build_group_model(small)
    assert list(model.coords["participant"]) == [0, 1, 2, 3]
    assert len(model.coords["trial"]) == 320
    assert {rv.name for rv in model.free_RVs} == {
        "mu_volatility",
        "sigma_volatility",
        "mu_temperature",
        "sigma_temperature",
        "volatility",
        "inverse_temperature",
    }
    assert model.named_vars_to_dims["responses"] == ("observation",)
    assert len(model.coords["observation"]) == 4 * 319


def test_noncentered_has_the_same_likelihood(small):
    model = ht.build_group_model(small, parameterization="noncentered")
    assert {rv.name for rv in model.free_RVs} == {
        "mu_volatility",
        "sigma_volatility",
        "mu_temperature",
        "sigma_temperature",
        "z_volatility",
        "z_temperature",
    }
    z_v = np.array([0.5, -1.0, 0.2, 1.5])
    z_t = np.array([-0.3, 0.1, 0.9, -1.2])
    mu_v, sd_v, mu_t, sd_t = -4.0, 1.2, 0.5, 0.4
    v = mu_v + sd_v * z_v
    t = np.exp(mu_t + sd_t * z_t)
    responses_logp = model.compile_fn(
        model.logp(vars=[model["responses"]], jacobian=False), inputs=model.value_vars
    )
    values = {
        "mu_volatility": mu_v,
        "sigma_volatility_log__": np.log(sd_v),
        "mu_temperature": mu_t,
        "sigma_temperature_log__": np.log(sd_t),
        "z_volatility": z_v,
        "z_temperature": z_t,
    }
    want = sum(
        reference.participant_logp(v[i], t[i], small.responses.values[i], small.inputs.values).sum()
        for i in range(4)
    )
    assert float(responses_logp(values)) == pytest.approx(want, abs=1e-7)


def test_prior_predictive_draws_binary_responses(small):
    model = ht.build_group_model(small)
    with model:
        prior = pm.sample_prior_predictive(draws=5, random_seed=1)
    draws = prior["prior_predictive"]["responses"]
    assert draws.shape == (1, 5, 4 * 319)
    assert set(np.unique(draws.values)) <= {0, 1}


def test_model_graph_can_be_drawn(small):
    graph = pm.model_to_graphviz(ht.build_group_model(small))
    assert "responses" in graph.source and "volatility" in graph.source


def test_random_follows_belief_at_high_temperature(inputs):
    rng = np.random.default_rng(3)
    draws = simulate_responses(
        "hgf2", {"volatility": np.array([-3.0, -5.0])}, np.array([200.0, 200.0]), inputs, rng=rng
    )
    assert draws.shape == (2, 320)
    for i, omega in enumerate((-3.0, -5.0)):
        m1 = reference.binary_hgf_beliefs(omega, inputs)
        clear = np.abs(m1 - 0.5) > 0.05
        np.testing.assert_array_equal(draws[i][clear], (m1[clear] > 0.5).astype(int))


def test_random_choice_rate_matches_probability(inputs):
    rng = np.random.default_rng(4)
    draws = simulate_responses(
        "hgf2", {"volatility": np.full(4000, -4.0)}, np.full(4000, 2.0), inputs, rng=rng
    )
    p = reference.unit_square_sigmoid(reference.binary_hgf_beliefs(-4.0, inputs), 2.0)
    # 4000 Bernoulli draws per trial: the standard error is at most 0.0079
    assert np.max(np.abs(draws.mean(axis=0) - p)) < 0.04
