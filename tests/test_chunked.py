"""The model's likelihood differentiated a chunk of participants at a time.

Values are compared with the NumPy HGF of ``tests/reference.py``, gradients with
central finite differences of it and with plain autodiff of the unchunked vmap.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import hgf_tutorial as ht
from hgf_tutorial.families import get_family
from hgf_tutorial.likelihood import chunked_gradient, family_logp, participant_logp
from tests import reference

N = 7  # not a multiple of the chunks below: the padding is exercised


@pytest.fixture(scope="module")
def group():
    data = ht.simulate_group(N, seed=5)
    responses = data["responses"].values.astype(float)
    inputs = np.broadcast_to(data["inputs"].values.astype(float), responses.shape)
    return (
        data,
        data["tonic_volatility"].values,
        data["inverse_temperature"].values,
        responses,
        np.ascontiguousarray(inputs),
    )


def _summed(v, t, y, u):
    return jax.vmap(participant_logp)(v, t, y, u).sum(axis=-1)


def _reference_sums(v, t, y, u):
    return np.array([reference.participant_logp(v[i], t[i], y[i], u[i]).sum() for i in range(N)])


@pytest.mark.parametrize("chunk", [1, 3, 7, 50])
def test_values_and_vjp_match_numpy_and_finite_differences(group, chunk):
    _, v, t, y, u = group
    chunked = chunked_gradient(_summed, chunk)
    values = np.asarray(chunked(v, t, y, u))
    np.testing.assert_allclose(values, _reference_sums(v, t, y, u), rtol=1e-9)

    cotangent = np.linspace(0.5, 2.0, N)
    _, vjp = jax.vjp(chunked, v, t, y, u)
    d_v, d_t, d_y, d_u = vjp(jnp.asarray(cotangent))
    assert not np.any(np.asarray(d_y)) and not np.any(np.asarray(d_u))
    h = 1e-5
    for i in range(N):

        def shifted(dv, dt, i=i):
            return reference.participant_logp(v[i] + dv, t[i] + dt, y[i], u[i]).sum()

        fd_v = (shifted(h, 0) - shifted(-h, 0)) / (2 * h)
        fd_t = (shifted(0, h) - shifted(0, -h)) / (2 * h)
        np.testing.assert_allclose(float(d_v[i]), cotangent[i] * fd_v, rtol=1e-5, atol=1e-6)
        np.testing.assert_allclose(float(d_t[i]), cotangent[i] * fd_t, rtol=1e-5, atol=1e-6)


def test_dict_parameters_match_plain_autodiff(group):
    _, _, t, y, u = group
    family = get_family("rw")
    params = {"learning_rate": np.linspace(0.1, 0.7, N)}

    def summed(p, t, y, u):
        one = lambda p, t, y, u: family_logp(family, p, t, y, u).sum()  # noqa: E731
        return jax.vmap(one)(p, t, y, u)

    weights = jnp.linspace(1.0, 3.0, N)
    plain = jax.grad(lambda p, t: (weights * summed(p, t, y, u)).sum(), argnums=(0, 1))
    chunked_fn = chunked_gradient(summed, 2)
    chunked = jax.jit(
        jax.grad(lambda p, t: (weights * chunked_fn(p, t, y, u)).sum(), argnums=(0, 1))
    )
    (p_plain, t_plain), (p_chunked, t_chunked) = plain(params, t), chunked(params, t)
    np.testing.assert_allclose(p_chunked["learning_rate"], p_plain["learning_rate"], rtol=1e-10)
    np.testing.assert_allclose(t_chunked, t_plain, rtol=1e-10)


@pytest.mark.parametrize("chunk", [0, -2, 2.5, True, "50"])
def test_bad_chunk_is_a_value_error(chunk):
    with pytest.raises(ValueError, match="`chunk` must be a positive integer"):
        chunked_gradient(_summed, chunk)
