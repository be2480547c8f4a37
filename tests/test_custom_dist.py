"""The original tutorial's ``pm.CustomDist`` model against ``build_group_model``.

The original pyhgf tutorial sums each participant's log-probabilities, maps the sum
over participants with ``jax.vmap``, wraps it with ``pytensor.wrap_jax`` and gives
it to ``pm.CustomDist``; the package writes the same likelihood as one observed
Bernoulli per scored answer. Both models must have the same log-density and
gradient at every point of their (shared) unconstrained space.
"""

import jax
import numpy as np
import pymc as pm
import pytensor.tensor as pt
import pytest
from pytensor import wrap_jax

import hgf_tutorial as ht


@pytest.fixture(scope="module")
def data():
    # every input shown and every answer given; 80 trials keep the compile short
    return ht.simulate_group(4, seed=7, inputs=ht.load_inputs()[:80])


def _custom_dist_model(data, constant=np.float64):
    """The original tutorial's model, written here from ``participant_logp``."""
    responses = data["responses"].values
    n_participants = responses.shape[0]
    each_input = np.broadcast_to(data["inputs"].values, responses.shape).astype(float)

    def participant_total(omega_2, t, answers, seen):
        return ht.participant_logp(omega_2, t, answers, seen).sum()

    totals = wrap_jax(jax.vmap(participant_total))

    def logp(value, volatility, inverse_temperature, seen):
        one_each = (n_participants,)
        return totals(
            pt.specify_shape(volatility, one_each),
            pt.specify_shape(inverse_temperature, one_each),
            value,
            seen,
        )

    c = constant
    with pm.Model(coords={"participant": data["participant"].values}) as model:
        mu_v = pm.Normal("mu_volatility", c(-5.0), c(5.0))
        sigma_v = pm.HalfNormal("sigma_volatility", c(10.0))
        volatility = pm.Normal("volatility", mu_v, sigma_v, dims="participant")
        mu_t = pm.Normal("mu_temperature", c(0.0), c(2.0))
        sigma_t = pm.HalfNormal("sigma_temperature", c(2.0))
        temperature = pm.LogNormal("inverse_temperature", mu_t, sigma_t, dims="participant")
        pm.CustomDist(
            "y",
            volatility,
            temperature,
            each_input,
            logp=logp,
            signature="(),(),(trial)->(trial)",
            observed=responses,
        )
    return model


def _value_names_and_transforms(model):
    return {
        model.rvs_to_values[rv].name: type(model.rvs_to_transforms.get(rv)).__name__
        for rv in model.free_RVs
    }


def _compiled(model, names):
    """Log-density and its gradient, the gradient in the order of ``names``."""
    by_name = {model.rvs_to_values[rv].name: rv for rv in model.free_RVs}
    in_order = [by_name[name] for name in names]
    return model.compile_logp(mode="JAX"), model.compile_dlogp(vars=in_order, mode="JAX")


def _points(model, n_random=3, seed=4):
    """The initial point and random points of the unconstrained space."""
    rng = np.random.default_rng(seed)
    start = model.initial_point()
    return [start] + [
        {name: value + rng.normal(size=np.shape(value)) for name, value in start.items()}
        for _ in range(n_random)
    ]


@pytest.fixture(scope="module")
def package(data):
    model = ht.build_group_model(data)
    names = [value.name for value in model.value_vars]
    return model, names, _compiled(model, names), _points(model)


def test_same_value_variables_names_and_transforms(data, package):
    model = package[0]
    assert _value_names_and_transforms(_custom_dist_model(data)) == (
        _value_names_and_transforms(model)
    )


def test_logp_and_gradient_equal_the_package_model(data, package):
    _, names, (logp, dlogp), points = package
    custom_logp, custom_dlogp = _compiled(_custom_dist_model(data), names)
    for point in points:
        # two different programs (a sum per participant against one Bernoulli per
        # answer; JAX's reverse mode against the package's forward-mode derivatives)
        # agree up to rounding, far below 1e-10 relative, not bit for bit
        np.testing.assert_allclose(custom_logp(point), logp(point), rtol=1e-10)
        gradient = dlogp(point)
        assert np.all(np.isfinite(gradient)) and np.any(gradient != 0)
        # atol for components that are exactly zero in both (e.g. mu at its prior mean)
        np.testing.assert_allclose(custom_dlogp(point), gradient, rtol=1e-10, atol=1e-12)


def test_plain_prior_constants_shift_logp_by_float32_logarithms(data, package):
    """Plain Python floats as prior scales are float32 constants in PyTensor: the log
    of each scale, in the normalising constant, is then computed in float32, and the
    log-density moves by a constant (the page explains the offset this way)."""
    _, names, (logp, _), points = package
    plain_logp, _ = _compiled(_custom_dist_model(data, constant=float), names)
    offsets = np.array([plain_logp(p) - logp(p) for p in points])
    predicted = -sum(float(np.log(np.float32(s))) - np.log(s) for s in (5.0, 10.0, 2.0, 2.0))
    assert abs(predicted) > 1e-8  # a visible offset, far above rounding
    np.testing.assert_allclose(offsets, predicted, rtol=0, atol=1e-11)
