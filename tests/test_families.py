"""The model families: beliefs, likelihood, simulation, PyMC model, log-likelihood.

The three-level HGF and Rescorla-Wagner are checked against NumPy implementations
written here with plain loops, sharing no code with ``hgf_tutorial`` or pyhgf.
"""

import subprocess
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pymc as pm
import pytest
import xarray as xr
from scipy import special, stats

import hgf_tutorial as ht
from hgf_tutorial.families import HGF2, HGF3, RW
from hgf_tutorial.model import simulate_responses
from tests import reference

# --- independent references ---------------------------------------------------------


def three_level_hgf(omega_2, omega_3, inputs):
    """Three-level binary HGF as pyhgf 0.3.2 computes it (``reference.hgf3_states``)."""
    return reference.hgf3_states(omega_2, omega_3, inputs)


def rescorla_wagner(alpha, inputs):
    """Belief before each trial, v <- v + alpha (u - v), clipped like the package."""
    return reference.rw_beliefs(alpha, inputs)


def reference_logp(beliefs, t, responses):
    """Pointwise log-probability, first trial dropped.

    Written with the logs of m^t and (1 - m)^t rather than log(1 - p): with
    beliefs at the clip (1 - 1e-6), 1 - p would lose most of its digits.
    """
    m = np.asarray(beliefs)
    log_norm = np.log(m**t + (1.0 - m) ** t)
    log_p1 = t * np.log(m) - log_norm
    log_p0 = t * np.log(1.0 - m) - log_norm
    return np.where(np.asarray(responses) == 1, log_p1, log_p0)[1:]


def hgf3_logp(omega_2, omega_3, t, responses, inputs):
    return reference_logp(three_level_hgf(omega_2, omega_3, inputs)["m1"], t, responses)


def rw_logp(alpha, t, responses, inputs):
    return reference_logp(rescorla_wagner(alpha, inputs), t, responses)


@pytest.fixture(scope="module")
def responses(group):
    return group.responses.values


# --- beliefs --------------------------------------------------------------------------

HGF3_PARAMETERS = [(-4.0, -6.0), (-2.5, -3.0), (-6.0, -10.0), (-3.0, -1.0), (-5.0, 0.5)]


@pytest.mark.parametrize(("omega_2", "omega_3"), HGF3_PARAMETERS)
def test_three_level_beliefs_match_numpy(inputs, omega_2, omega_3):
    got = np.asarray(ht.families.three_level_belief_trajectory(omega_2, omega_3, inputs))
    want = three_level_hgf(omega_2, omega_3, inputs)["m1"]
    assert got.shape == (320,)
    assert got[0] == 0.5
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-10)


def test_three_level_hidden_states_match_numpy(inputs):
    # the belief alone could hide a wrong third level that happens to matter
    # little: compare every level's posterior with pyhgf's own trajectories
    traj = ht.families.three_level_trajectories(-3.0, -2.0, inputs)
    want = three_level_hgf(-3.0, -2.0, inputs)
    np.testing.assert_allclose(np.asarray(traj[1]["mean"]), want["mu2"], rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(np.asarray(traj[1]["precision"]), want["pi2"], rtol=1e-9)
    np.testing.assert_allclose(np.asarray(traj[2]["mean"]), want["mu3"], rtol=1e-9, atol=1e-10)
    np.testing.assert_allclose(np.asarray(traj[2]["precision"]), want["pi3"], rtol=1e-9)
    # at omega_3 = -2 the third level runs away (its mean passes 20) and the
    # belief sticks at the clip: the regime the omega_3 prior keeps away from
    assert want["mu3"].max() > 20
    assert np.mean(np.minimum(want["m1"], 1 - want["m1"]) < 1.0001e-6) > 0.3
    calm = three_level_hgf(-3.0, -8.0, inputs)
    assert calm["mu3"].max() < 1 and calm["m1"].min() > 0.01


def test_three_level_differs_from_two_level(inputs):
    two = reference.binary_hgf_beliefs(-4.0, inputs)
    three = np.asarray(ht.families.three_level_belief_trajectory(-4.0, -6.0, inputs))
    assert np.max(np.abs(two - three)) > 0.01


@pytest.mark.parametrize("alpha", [0.01, 0.2, 0.5, 0.97])
def test_rescorla_wagner_matches_numpy_loop(inputs, alpha):
    got = np.asarray(ht.families.rescorla_wagner_beliefs(alpha, inputs))
    assert got.shape == (320,)
    assert got[0] == 0.5
    np.testing.assert_allclose(got, rescorla_wagner(alpha, inputs), rtol=0, atol=1e-14)


def test_rescorla_wagner_by_hand():
    # v: 0.5 -> 0.5 + 0.5 (1 - 0.5) = 0.75 -> 0.75 + 0.5 (0 - 0.75) = 0.375
    got = np.asarray(ht.families.rescorla_wagner_beliefs(0.5, np.array([1, 0, 1])))
    np.testing.assert_allclose(got, [0.5, 0.75, 0.375], rtol=0, atol=1e-15)


def test_rescorla_wagner_belief_is_clipped():
    got = np.asarray(ht.families.rescorla_wagner_beliefs(0.999, np.ones(12, dtype=int)))
    assert got.max() == pytest.approx(1 - 1e-6)


def test_three_level_network_built_first_under_jit_does_not_leak_tracers():
    # as for the two-level network: the cached network must hold concrete values
    # even when its first use is inside a jit trace (needs a fresh interpreter)
    script = (
        "import numpy as np, hgf_tutorial as ht\n"
        "from hgf_tutorial.model import simulate_responses\n"
        "u = ht.load_inputs()\n"
        "simulate_responses('hgf3', {'volatility': np.array([-4.0]),"
        " 'volatility_3': np.array([-6.0])}, np.array([2.0]), u, rng=1)\n"
        "print(float(ht.families.three_level_belief_trajectory(-4.0, -6.0, u)[1]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    u = ht.load_inputs()
    want = three_level_hgf(-4.0, -6.0, u[:2])["m1"][1]
    assert float(done.stdout.strip().splitlines()[-1]) == pytest.approx(want, abs=1e-12)


# --- family_logp ----------------------------------------------------------------------


def test_registry_and_parameters():
    assert set(ht.FAMILIES) == {"hgf2", "hgf3", "rw"}
    assert ht.get_family("hgf3") is HGF3
    assert ht.get_family(RW) is RW
    assert HGF2.parameter_names == ("volatility",)
    assert HGF3.parameter_names == ("volatility", "volatility_3")
    assert RW.parameter_names == ("learning_rate",)
    with pytest.raises(ValueError, match="family"):
        ht.get_family("hgf4")


@pytest.mark.parametrize(("omega", "t"), [(-4.0, 1.0), (-2.5, 2.8), (-6.2, 0.6)])
def test_hgf2_family_logp_is_participant_logp(group, omega, t):
    y, u = group.responses.values[2], group.inputs.values
    got = np.asarray(ht.family_logp("hgf2", {"volatility": omega}, t, y, u))
    np.testing.assert_array_equal(got, np.asarray(ht.participant_logp(omega, t, y, u)))


@pytest.mark.parametrize(("omega_2", "omega_3"), HGF3_PARAMETERS)
def test_hgf3_logp_matches_numpy(group, omega_2, omega_3):
    y, u = group.responses.values[4], group.inputs.values
    params = {"volatility": omega_2, "volatility_3": omega_3}
    got = np.asarray(ht.family_logp("hgf3", params, 1.7, y, u))
    assert got.shape == (319,)
    np.testing.assert_allclose(got, hgf3_logp(omega_2, omega_3, 1.7, y, u), rtol=0, atol=1e-8)


@pytest.mark.parametrize(("alpha", "t"), [(0.05, 1.0), (0.3, 2.5), (0.8, 0.4)])
def test_rw_logp_matches_numpy(group, alpha, t):
    y, u = group.responses.values[1], group.inputs.values
    got = np.asarray(ht.family_logp("rw", {"learning_rate": alpha}, t, y, u))
    np.testing.assert_allclose(got, rw_logp(alpha, t, y, u), rtol=0, atol=1e-10)


def test_first_trial_is_dropped_for_every_family(group):
    u = group.inputs.values
    y = group.responses.values[0].copy()
    for name, params in (
        ("hgf3", {"volatility": -4.0, "volatility_3": -6.0}),
        ("rw", {"learning_rate": 0.3}),
    ):
        before = np.asarray(ht.family_logp(name, params, 2.0, y, u))
        flipped = y.copy()
        flipped[0] = 1 - flipped[0]
        np.testing.assert_array_equal(
            before, np.asarray(ht.family_logp(name, params, 2.0, flipped, u))
        )


def _central_difference(f, x, h=1e-5):
    x = np.asarray(x, dtype=float)
    grad = []
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        grad.append((f(x + e) - f(x - e)) / (2 * h))
    return np.array(grad)


@pytest.mark.parametrize("point", [(-4.0, -6.0, 1.5), (-2.7, -3.0, 3.0), (-5.5, -1.5, 0.7)])
def test_hgf3_gradient_matches_central_differences(group, point):
    y, u = group.responses.values[6], group.inputs.values

    def total(x):
        params = {"volatility": x[0], "volatility_3": x[1]}
        return ht.family_logp("hgf3", params, x[2], y, u).sum()

    grad = np.asarray(jax.grad(total)(jnp.array(point)))
    fd = _central_difference(lambda x: hgf3_logp(x[0], x[1], x[2], y, u).sum(), point)
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("point", [(0.1, 1.5), (0.45, 3.0), (0.8, 0.7)])
def test_rw_gradient_matches_central_differences(group, point):
    y, u = group.responses.values[6], group.inputs.values

    def total(x):
        return ht.family_logp("rw", {"learning_rate": x[0]}, x[1], y, u).sum()

    grad = np.asarray(jax.grad(total)(jnp.array(point)))
    fd = _central_difference(lambda x: rw_logp(x[0], x[1], y, u).sum(), point)
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-6)


def test_hgf3_gradient_is_finite_over_the_prior_range(group):
    y, u = group.responses.values[0], group.inputs.values
    value_and_grad = jax.jit(
        jax.value_and_grad(
            lambda w2, w3, t: ht.family_logp(
                "hgf3", {"volatility": w2, "volatility_3": w3}, t, y, u
            ).sum(),
            argnums=(0, 1, 2),
        )
    )
    for w2 in (-12.0, -8.0, -4.0, -1.0, 1.0):
        for w3 in (-14.0, -8.0, -4.0, 0.0, 2.0):
            value, grads = value_and_grad(w2, w3, 2.0)
            assert np.isfinite(float(value)) and all(np.isfinite(float(g)) for g in grads)


def test_family_logp_checks_its_arguments(group):
    y, u = group.responses.values[0], group.inputs.values
    with pytest.raises(ValueError, match="volatility_3"):
        ht.family_logp("hgf3", {"volatility": -4.0}, 1.0, y, u)
    with pytest.raises(ValueError, match=r"\(0, 1\)"):
        ht.family_logp("rw", {"learning_rate": 1.2}, 1.0, y, u)
    with pytest.raises(ValueError, match="inverse_temperature"):
        ht.family_logp("rw", {"learning_rate": 0.2}, -1.0, y, u)
    with pytest.raises(ValueError, match="trials"):
        ht.family_logp("rw", {"learning_rate": 0.2}, 1.0, y[:10], u)


# --- simulation -----------------------------------------------------------------------


def test_hgf2_family_arguments_keep_the_default_dataset(group):
    same = ht.simulate_group(family="hgf2", population={"volatility": (-4.0, 1.0)})
    xr.testing.assert_identical(same, group)


@pytest.mark.parametrize(
    ("name", "variables"),
    [("hgf3", ["tonic_volatility", "tonic_volatility_3"]), ("rw", ["learning_rate"])],
)
def test_simulated_families_layout_and_reproducibility(inputs, name, variables):
    a = ht.simulate_group(5, seed=9, family=name)
    b = ht.simulate_group(5, seed=9, family=name)
    xr.testing.assert_identical(a, b)
    assert dict(a.sizes) == {"participant": 5, "trial": 320}
    for variable in variables:
        assert a[variable].dims == ("participant",)
    assert ("tonic_volatility" in a) == (name == "hgf3")
    assert a.attrs["family"] == name
    assert set(np.unique(a.responses.values)) <= {0, 1}
    assert not np.array_equal(
        a.responses.values, ht.simulate_group(5, seed=10, family=name).responses.values
    )


def test_simulated_beliefs_follow_each_family(inputs):
    data = ht.simulate_group(3, seed=2, family="hgf3")
    for i in range(3):
        want = three_level_hgf(
            data.tonic_volatility.values[i], data.tonic_volatility_3.values[i], inputs
        )["m1"]
        np.testing.assert_allclose(data.expected_mean.values[i], want, atol=1e-10)
    data = ht.simulate_group(3, seed=2, family="rw")
    for i in range(3):
        want = rescorla_wagner(data.learning_rate.values[i], inputs)
        np.testing.assert_allclose(data.expected_mean.values[i], want, atol=1e-14)


def test_simulation_draw_order_is_parameters_then_temperature_then_responses(inputs):
    data = ht.simulate_group(2, seed=21, family="rw", population={"learning_rate": (-0.5, 0.3)})
    stream = np.random.RandomState(21)
    for i in range(2):
        alpha = special.expit(stream.normal(-0.5, 0.3))
        t = np.exp(stream.normal(0.5, 0.5))
        p = reference.unit_square_sigmoid(rescorla_wagner(alpha, inputs), t)
        y = stream.binomial(p=p, n=1)
        assert data.learning_rate.values[i] == pytest.approx(alpha, abs=1e-15)
        assert data.inverse_temperature.values[i] == pytest.approx(t, abs=1e-14)
        np.testing.assert_array_equal(data.responses.values[i], y)


def test_population_sets_each_parameter():
    data = ht.simulate_group(
        300,
        seed=1,
        family="hgf3",
        population={"volatility": (-3.0, 0.1), "volatility_3": (-8.0, 0.2)},
        inputs=np.tile([0, 1, 1, 0, 1], 4),
    )
    assert abs(data.tonic_volatility.values.mean() + 3.0) < 0.03
    assert abs(data.tonic_volatility_3.values.mean() + 8.0) < 0.05
    assert data.attrs["volatility_3_population"] == (-8.0, 0.2)
    rw = ht.simulate_group(300, seed=1, family="rw", population={"learning_rate": (1.0, 0.1)})
    assert abs(special.logit(rw.learning_rate.values).mean() - 1.0) < 0.03
    with pytest.raises(ValueError, match="learning_rate"):
        ht.simulate_group(2, family="hgf2", population={"learning_rate": (0.0, 1.0)})
    with pytest.raises(ValueError, match="standard deviation"):
        ht.simulate_group(2, family="rw", population={"learning_rate": (0.0, -1.0)})


# --- the PyMC model -------------------------------------------------------------------


@pytest.fixture(scope="module")
def small():
    return ht.simulate_group(3, seed=11, family="rw")


def _logp_at(model, point):
    logp = model.compile_logp(jacobian=False)
    values = {}
    for rv in model.free_RVs:
        value_var = model.rvs_to_values[rv]
        transform = model.rvs_to_transforms.get(rv)
        x = point[rv.name]
        values[value_var.name] = transform.forward(x).eval() if transform is not None else x
    return float(logp(values))


def _temperature_prior(point):
    mu_t, sd_t, t = (
        point["mu_temperature"],
        point["sigma_temperature"],
        point["inverse_temperature"],
    )
    return (
        stats.norm(0, 2).logpdf(mu_t)
        + stats.halfnorm(scale=2).logpdf(sd_t)
        + stats.lognorm(s=sd_t, scale=np.exp(mu_t)).logpdf(t).sum()
    )


def test_hgf3_model_density_matches_scipy(small):
    model = ht.build_group_model(small, family="hgf3")
    point = {
        "mu_volatility": -4.2,
        "sigma_volatility": 1.3,
        "mu_volatility_3": -5.5,
        "sigma_volatility_3": 0.8,
        "mu_temperature": 0.4,
        "sigma_temperature": 0.6,
        "volatility": np.array([-5.0, -3.5, -4.1]),
        "volatility_3": np.array([-6.0, -4.5, -7.2]),
        "inverse_temperature": np.array([1.2, 0.7, 3.0]),
    }
    want = stats.norm(-5, 5).logpdf(-4.2) + stats.halfnorm(scale=10).logpdf(1.3)
    want += stats.norm(-8, 1).logpdf(-5.5) + stats.halfnorm(scale=0.5).logpdf(0.8)
    want += stats.norm(-4.2, 1.3).logpdf(point["volatility"]).sum()
    want += stats.norm(-5.5, 0.8).logpdf(point["volatility_3"]).sum()
    want += _temperature_prior(point)
    for i in range(3):
        want += hgf3_logp(
            point["volatility"][i],
            point["volatility_3"][i],
            point["inverse_temperature"][i],
            small.responses.values[i],
            small.inputs.values,
        ).sum()
    assert _logp_at(model, point) == pytest.approx(want, abs=1e-7)


def test_rw_model_density_matches_scipy(small):
    model = ht.build_group_model(small, family="rw")
    alpha = np.array([0.2, 0.45, 0.05])
    point = {
        "mu_learning_rate": -0.8,
        "sigma_learning_rate": 0.9,
        "mu_temperature": 0.4,
        "sigma_temperature": 0.6,
        "learning_rate": alpha,
        "inverse_temperature": np.array([1.2, 0.7, 3.0]),
    }
    want = stats.norm(0, 1.5).logpdf(-0.8) + stats.halfnorm(scale=1.5).logpdf(0.9)
    # logit-normal density: normal density of logit(alpha) times |d logit / d alpha|
    want += (stats.norm(-0.8, 0.9).logpdf(special.logit(alpha)) - np.log(alpha * (1 - alpha))).sum()
    want += _temperature_prior(point)
    for i in range(3):
        want += rw_logp(
            alpha[i],
            point["inverse_temperature"][i],
            small.responses.values[i],
            small.inputs.values,
        ).sum()
    assert _logp_at(model, point) == pytest.approx(want, abs=1e-7)


@pytest.mark.parametrize("name", ["hgf3", "rw"])
def test_model_names_coords_and_noncentered_likelihood(small, name):
    family = ht.get_family(name)
    centered = ht.build_group_model(small, family=name)
    hyper = {f"{kind}_{p}" for p in family.parameter_names for kind in ("mu", "sigma")}
    hyper |= {"mu_temperature", "sigma_temperature"}
    assert {rv.name for rv in centered.free_RVs} == hyper | set(family.parameter_names) | {
        "inverse_temperature"
    }
    assert list(centered.coords["participant"]) == [0, 1, 2]
    assert len(centered.coords["trial"]) == 320
    assert centered.named_vars_to_dims["responses"] == ("observation",)
    assert len(centered.coords["observation"]) == 3 * 319

    noncentered = ht.build_group_model(small, family=name, parameterization="noncentered")
    assert {rv.name for rv in noncentered.free_RVs} == hyper | {
        f"z_{p}" for p in family.parameter_names
    } | {"z_temperature"}
    rng = np.random.default_rng(0)
    z = {f"z_{p}": rng.normal(size=3) for p in family.parameter_names}
    values = {"mu_temperature": 0.5, "sigma_temperature_log__": np.log(0.4)}
    values["z_temperature"] = rng.normal(size=3)
    params = {}
    for p in family.parameters:
        mu, sd = (-4.0, 0.7) if p.link == "identity" else (-1.0, 0.5)
        if p.name == "volatility_3":
            mu = -6.0
        values[f"mu_{p.name}"] = mu
        values[f"sigma_{p.name}_log__"] = np.log(sd)
        values[f"z_{p.name}"] = z[f"z_{p.name}"]
        params[p.name] = p.from_link(mu + sd * z[f"z_{p.name}"])
    t = np.exp(0.5 + 0.4 * values["z_temperature"])
    responses_logp = noncentered.compile_fn(
        noncentered.logp(vars=[noncentered["responses"]], jacobian=False),
        inputs=noncentered.value_vars,
    )
    want = sum(
        float(
            ht.family_logp(
                name,
                {k: float(v[i]) for k, v in params.items()},
                t[i],
                small.responses.values[i],
                small.inputs.values,
            ).sum()
        )
        for i in range(3)
    )
    assert float(responses_logp(values)) == pytest.approx(want, abs=1e-7)


def test_unknown_family_is_rejected(small):
    with pytest.raises(ValueError, match="family"):
        ht.build_group_model(small, family="kalman")


@pytest.mark.parametrize("name", ["hgf3", "rw"])
def test_prior_predictive_and_graph(small, name):
    model = ht.build_group_model(small, family=name)
    with model:
        prior = pm.sample_prior_predictive(draws=4, random_seed=2)
    draws = prior["prior_predictive"]["responses"]
    assert draws.shape == (1, 4, 3 * 319)
    assert set(np.unique(draws.values)) <= {0, 1}
    graph = pm.model_to_graphviz(model)
    for p in ht.get_family(name).parameter_names:
        assert p in graph.source


# --- random functions -----------------------------------------------------------------


def test_random_shapes_and_values(inputs):
    params = {"volatility": np.array([-4.0, -3.0]), "volatility_3": np.array([-6.0, -5.0])}
    draws = simulate_responses("hgf3", params, np.array([1.0, 2.0]), inputs, rng=0)
    assert draws.shape == (2, 320) and draws.dtype.kind == "i"
    assert set(np.unique(draws)) <= {0, 1}
    draws = simulate_responses(
        "rw", {"learning_rate": 0.3}, np.full(5, 2.0), inputs, rng=np.random.default_rng(1)
    )
    assert draws.shape == (5, 320)


@pytest.mark.parametrize(
    ("name", "params", "beliefs"),
    [
        (
            "hgf3",
            {"volatility": np.array([-3.0, -5.0]), "volatility_3": np.array([-4.0, -7.0])},
            lambda u: np.stack(
                [three_level_hgf(-3.0, -4.0, u)["m1"], three_level_hgf(-5.0, -7.0, u)["m1"]]
            ),
        ),
        (
            "rw",
            {"learning_rate": np.array([0.1, 0.6])},
            lambda u: np.stack([rescorla_wagner(0.1, u), rescorla_wagner(0.6, u)]),
        ),
    ],
)
def test_random_follows_belief_at_high_temperature(inputs, name, params, beliefs):
    draws = simulate_responses(name, params, np.array([300.0, 300.0]), inputs, rng=3)
    m = beliefs(inputs)
    clear = np.abs(m - 0.5) > 0.05
    assert clear.sum() > 400
    np.testing.assert_array_equal(draws[clear], (m[clear] > 0.5).astype(int))


def test_random_choice_rate_matches_probability(inputs):
    n = 4000
    draws = simulate_responses(
        "rw", {"learning_rate": np.full(n, 0.25)}, np.full(n, 2.0), inputs, rng=4
    )
    p = reference.unit_square_sigmoid(rescorla_wagner(0.25, inputs), 2.0)
    # 4000 Bernoulli draws per trial: the standard error is at most 0.0079
    assert np.max(np.abs(draws.mean(axis=0) - p)) < 0.04


# --- pointwise log-likelihood ---------------------------------------------------------


def _fake_posterior(family, n_chains, n_draws, n_participants, seed=0):
    rng = np.random.default_rng(seed)
    dims = ("chain", "draw", "participant")
    shape = (n_chains, n_draws, n_participants)
    variables = {"inverse_temperature": (dims, np.exp(rng.normal(0.5, 0.5, shape)))}
    for p in family.parameters:
        mean = {"volatility": -4.0, "volatility_3": -6.0, "learning_rate": -1.0}[p.name]
        variables[p.name] = (dims, p.from_link(rng.normal(mean, 1.0, shape)))
    posterior = xr.Dataset(
        variables,
        coords={
            "chain": np.arange(n_chains),
            "draw": np.arange(n_draws),
            "participant": np.arange(n_participants),
        },
    )
    return xr.DataTree.from_dict({"posterior": posterior})


@pytest.mark.parametrize("name", ["hgf3", "rw"])
def test_log_likelihood_for_other_families(small, name):
    family = ht.get_family(name)
    idata = ht.add_log_likelihood(
        _fake_posterior(family, 2, 3, 3), small, family=name, max_chunk_bytes=2 * 3 * 319 * 8
    )
    ll = idata["log_likelihood"]["responses"]
    assert ll.dims == ("chain", "draw", "observation")
    assert ll.shape == (2, 3, 3 * 319)
    assert idata["log_likelihood"].attrs["n_chunks"] == 3
    post = idata["posterior"]
    u = small.inputs.values
    for chain, draw, i in [(0, 0, 0), (1, 2, 2), (0, 1, 1)]:
        values = {
            v: float(post[v][chain, draw, i])
            for v in (*family.parameter_names, "inverse_temperature")
        }
        y = small.responses.values[i]
        if name == "hgf3":
            want = hgf3_logp(
                values["volatility"], values["volatility_3"], values["inverse_temperature"], y, u
            )
        else:
            want = rw_logp(values["learning_rate"], values["inverse_temperature"], y, u)
        got = ll[chain, draw].where(ll["participant"] == i, drop=True)
        np.testing.assert_allclose(got.values, want, atol=1e-8)


def test_log_likelihood_needs_the_family_parameters(small):
    with pytest.raises(ValueError, match="learning_rate"):
        ht.add_log_likelihood(_fake_posterior(HGF2, 1, 2, 3), small, family="rw")


def test_learning_rate_is_sampled_on_the_log_odds_scale(small):
    # PyMC's LogitNormal has no default transform; without one NUTS would step
    # outside (0, 1) (and nutpie's jittered starting points fail)
    model = ht.build_group_model(small, family="rw")
    assert "learning_rate_logodds__" in {v.name for v in model.value_vars}


def test_parameterization_can_be_chosen_per_parameter(small):
    model = ht.build_group_model(
        small, family="hgf3", parameterization={"volatility_3": "noncentered"}
    )
    free = {rv.name for rv in model.free_RVs}
    assert {"volatility", "z_volatility_3", "inverse_temperature"} <= free
    assert "volatility_3" not in free and "z_volatility" not in free
    assert [d.name for d in model.deterministics] == ["volatility_3"]
    point = model.initial_point()
    point["z_volatility_3"] = np.array([0.3, -1.0, 0.8])
    point["mu_volatility_3"] = np.array(-6.5)
    point["sigma_volatility_3_log__"] = np.log(0.7)
    omega_3 = -6.5 + 0.7 * point["z_volatility_3"]
    responses_logp = model.compile_fn(
        model.logp(vars=[model["responses"]], jacobian=False),
        inputs=model.value_vars,
        on_unused_input="ignore",
    )
    omega_2 = point["volatility"]
    t = np.exp(point["inverse_temperature_log__"])
    want = sum(
        hgf3_logp(
            omega_2[i], omega_3[i], t[i], small.responses.values[i], small.inputs.values
        ).sum()
        for i in range(3)
    )
    assert float(responses_logp(point)) == pytest.approx(want, abs=1e-7)
    with pytest.raises(ValueError, match="not a parameter"):
        ht.build_group_model(small, family="rw", parameterization={"volatility": "noncentered"})
    with pytest.raises(ValueError, match="must be one of"):
        ht.build_group_model(small, family="rw", parameterization={"learning_rate": "centred"})
