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


@pytest.mark.parametrize("family", ["hgf2", "hgf3", "rw"])
def test_observe_responses_is_the_likelihood_of_build_group_model(family):
    from hgf_tutorial.model import _group_prior, _participant_prior, observe_responses

    data = ht.simulate_group(3, seed=2, family=family)
    reference_model = ht.build_group_model(data, family=family)
    spec = ht.get_family(family)
    with pm.Model(coords={"participant": data["participant"].values}) as own:
        params = {p.name: _participant_prior(p, *_group_prior(p)) for p in spec.parameters}
        mu_t = pm.Normal("mu_temperature", np.float64(0.0), np.float64(2.0))
        sigma_t = pm.HalfNormal("sigma_temperature", np.float64(2.0))
        t = pm.LogNormal("inverse_temperature", mu_t, sigma_t, dims="participant")
        observe_responses(data, params, t, family=family)
    point = reference_model.initial_point()
    rng = np.random.default_rng(1)
    point = {k: v + 0.2 * rng.normal(size=np.shape(v)) for k, v in point.items()}
    assert own.compile_logp()(point) == pytest.approx(reference_model.compile_logp()(point))


def test_observe_responses_twice_in_one_model():
    """Two subsets of participants (say two sessions) under one set of priors."""
    import arviz as az

    from hgf_tutorial.data import to_grid
    from hgf_tutorial.model import observe_responses

    data = ht.simulate_group(4, seed=3)
    first, second = data.isel(participant=[0, 1]), data.isel(participant=[2, 3])
    with pm.Model(coords={"participant": data["participant"].values}) as model:
        mu = pm.Normal("mu_volatility", -4.0, 2.0)
        volatility = pm.Normal("volatility", mu, 1.0, dims="participant")
        t = pm.LogNormal("inverse_temperature", 0.5, 0.5, dims="participant")
        observe_responses(first, {"volatility": volatility[:2]}, t[:2], name="first")
        observe_responses(second, {"volatility": volatility[2:]}, t[2:], name="second")
        prior = pm.sample_prior_predictive(draws=3, random_seed=1)
    assert prior["prior_predictive"]["first"].shape == (1, 3, 2 * 319)
    assert prior["prior_predictive"]["second"].shape == (1, 3, 2 * 319)
    # the two likelihood terms add up to the one-dataset model's at the same point
    whole = ht.build_group_model(data)
    values = {"volatility": np.array([-3.0, -4.5, -5.0, -2.5]), "t": np.array([1.0, 2, 3, 4])}
    terms = []
    for m, names in ((model, ("first", "second")), (whole, ("responses",))):
        point = m.initial_point()
        point["volatility"] = values["volatility"]
        point["inverse_temperature_log__"] = np.log(values["t"])
        f = m.compile_logp(vars=[m[n] for n in names], jacobian=False)
        terms.append(float(f(point)))
    assert terms[0] == pytest.approx(terms[1], abs=1e-8)

    idata = ht.sample(model, draws=30, tune=30, chains=1)
    with model:
        pm.compute_log_likelihood(idata, progressbar=False)
    from hgf_tutorial.model import label_observations

    label_observations(idata, model)
    ll = idata["log_likelihood"]
    assert ll["first"].dims == ("chain", "draw", "first_observation")
    np.testing.assert_array_equal(np.unique(ll["second_participant"].values), [2, 3])
    grid = to_grid(ll["second"], dim="second_observation")
    assert grid.dims == ("chain", "draw", "participant", "trial") and grid.shape[2:] == (2, 319)
    assert az.loo(idata, var_name="first").n_data_points == 2 * 319
