import jax
import jax.numpy as jnp
import numpy as np
import pytest

import hgf_tutorial as ht
from tests import reference

PARAMETERS = [(-4.0, 1.0), (-6.2, 0.6), (-2.5, 2.8), (-3.1, 7.5), (-8.0, 0.2)]


@pytest.mark.parametrize(("omega", "t"), PARAMETERS)
def test_participant_logp_matches_numpy_reference(group, omega, t):
    y = group.responses.values[3]
    u = group.inputs.values
    got = np.asarray(ht.participant_logp(omega, t, y, u))
    want = reference.participant_logp(omega, t, y, u)
    assert got.shape == (319,)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-8)


def test_first_trial_is_dropped(group):
    y = group.responses.values[0].copy()
    u = group.inputs.values
    before = np.asarray(ht.participant_logp(-4.0, 2.0, y, u))
    y[0] = 1 - y[0]
    after = np.asarray(ht.participant_logp(-4.0, 2.0, y, u))
    np.testing.assert_array_equal(before, after)
    y[1] = 1 - y[1]
    assert not np.allclose(after, np.asarray(ht.participant_logp(-4.0, 2.0, y, u)))


def test_works_under_jit_and_vmap(group):
    y = group.responses.values
    u = group.inputs.values
    omegas = np.array([-5.0, -3.0])
    ts = np.array([1.5, 0.8])
    jitted = jax.jit(ht.participant_logp)
    vmapped = jax.vmap(ht.participant_logp, in_axes=(0, 0, 0, None))(
        jnp.asarray(omegas), jnp.asarray(ts), jnp.asarray(y[:2], dtype=float), jnp.asarray(u)
    )
    for i in range(2):
        want = reference.participant_logp(omegas[i], ts[i], y[i], u)
        np.testing.assert_allclose(np.asarray(jitted(omegas[i], ts[i], y[i], u)), want, atol=1e-8)
        np.testing.assert_allclose(np.asarray(vmapped[i]), want, atol=1e-8)


@pytest.mark.parametrize(("omega", "t"), [(-4.0, 1.0), (-2.7, 3.0), (-6.0, 0.5)])
def test_gradient_matches_central_differences(group, omega, t):
    y = group.responses.values[5]
    u = group.inputs.values

    def total(params):
        return ht.participant_logp(params[0], params[1], y, u).sum()

    grad = np.asarray(jax.grad(total)(jnp.array([omega, t])))
    h = 1e-5
    fd = [
        (
            reference.participant_logp(omega + h, t, y, u).sum()
            - reference.participant_logp(omega - h, t, y, u).sum()
        )
        / (2 * h),
        (
            reference.participant_logp(omega, t + h, y, u).sum()
            - reference.participant_logp(omega, t - h, y, u).sum()
        )
        / (2 * h),
    ]
    assert np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad, fd, rtol=1e-5, atol=1e-6)


def test_group_logp_is_the_sum_of_a_python_loop(group):
    y = group.responses.values
    u = group.inputs.values
    omegas = np.linspace(-6.0, -2.0, y.shape[0])
    ts = np.linspace(0.5, 3.0, y.shape[0])
    loop = sum(reference.participant_logp(omegas[i], ts[i], y[i], u).sum() for i in range(len(y)))
    assert float(ht.group_logp(omegas, ts, y, u)) == pytest.approx(loop, abs=1e-7)


def test_pointwise_logp_accepts_one_input_sequence_per_participant(group):
    y = group.responses.values[:3]
    u = np.tile(group.inputs.values, (3, 1))
    u[1] = 1 - u[1]
    omegas = np.array([-4.0, -3.0, -5.0])
    ts = np.array([1.0, 2.0, 3.0])
    got = np.asarray(ht.pointwise_logp(omegas, ts, y, u))
    for i in range(3):
        want = reference.participant_logp(omegas[i], ts[i], y[i], u[i])
        np.testing.assert_allclose(got[i], want, atol=1e-8)


def test_group_gradient_is_finite_and_matches_differences(group):
    y = group.responses.values
    u = group.inputs.values
    omegas = group.tonic_volatility.values
    ts = group.inverse_temperature.values
    grad = jax.grad(ht.group_logp, argnums=(0, 1))(omegas, ts, y, u)
    h = 1e-5
    for i in (0, 7):
        e = np.zeros_like(omegas)
        e[i] = h
        fd = (
            float(ht.group_logp(omegas + e, ts, y, u)) - float(ht.group_logp(omegas - e, ts, y, u))
        ) / (2 * h)
        assert float(grad[0][i]) == pytest.approx(fd, rel=1e-5, abs=1e-6)
    assert np.all(np.isfinite(np.asarray(grad[1])))


@pytest.mark.parametrize(
    ("family", "params"),
    [
        ("hgf2", {"volatility": np.array([-3.0, -4.5, -6.0])}),
        ("hgf3", {"volatility": np.array([-3.0, -4.5, -6.0]), "volatility_3": np.full(3, -8.0)}),
        ("rw", {"learning_rate": np.array([0.1, 0.3, 0.7])}),
    ],
)
def test_forward_derivatives_match_reverse_mode(group, family, params):
    """The model's forward-mode VJP against JAX's own reverse mode, masks included."""
    import functools

    from hgf_tutorial.likelihood import forward_derivatives, group_beliefs

    spec = ht.get_family(family)
    inputs = jnp.asarray(np.broadcast_to(group.inputs.values, (3, 320)), dtype=float)
    shown = np.ones((3, 320))
    shown[0, [5, 6, 40]] = 0.0
    shown[2, 200:] = 0.0  # as padding
    shown = jnp.asarray(shown)
    plain = functools.partial(group_beliefs, spec)
    forward = forward_derivatives(plain)
    weights = jnp.asarray(np.random.default_rng(0).normal(size=(3, 320)))
    params = {k: jnp.asarray(v) for k, v in params.items()}
    np.testing.assert_array_equal(forward(params, inputs, shown), plain(params, inputs, shown))

    def weighted(f):
        return lambda p: (f(p, inputs, shown) * weights).sum()

    got = jax.grad(weighted(forward))(params)
    want = jax.grad(weighted(plain))(params)
    for name in params:
        assert np.all(np.asarray(want[name]) != 0)
        np.testing.assert_allclose(got[name], want[name], rtol=1e-10, atol=1e-12)
    # and under jit, as the sampler's compiled model calls it
    jitted = jax.jit(jax.grad(weighted(forward)))(params)
    for name in params:
        np.testing.assert_allclose(jitted[name], want[name], rtol=1e-10, atol=1e-12)
