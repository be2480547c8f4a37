import numpy as np
import pytest

import hgf_tutorial as ht
from tests import reference


def original_recipe(n=10, seed=123):
    """The original tutorial's simulation, on NumPy's legacy global stream."""
    u = ht.load_inputs()
    np.random.seed(seed)
    omegas, temperatures, responses = [], [], []
    for _ in range(n):
        omega = np.random.normal(-4.0, 1.0)
        m1 = reference.binary_hgf_beliefs(omega, u)
        t = np.exp(np.random.normal(0.5, 0.5))
        p = m1**t / (m1**t + (1 - m1) ** t)
        responses.append(np.random.binomial(p=p, n=1))
        omegas.append(omega)
        temperatures.append(t)
    return np.array(omegas), np.array(temperatures), np.array(responses)


def test_inputs_are_pyhgf_binary_sequence():
    u = ht.load_inputs()
    assert u.shape == (320,)
    assert set(np.unique(u)) == {0, 1}


def test_default_group_reproduces_the_original_dataset(group):
    omegas, temperatures, responses = original_recipe()
    np.testing.assert_allclose(group.tonic_volatility.values, omegas, rtol=1e-14)
    np.testing.assert_allclose(group.inverse_temperature.values, temperatures, rtol=1e-14)
    np.testing.assert_array_equal(group.responses.values, responses)


def test_dataset_layout(group):
    assert dict(group.sizes) == {"participant": 10, "trial": 320}
    assert group.responses.dims == ("participant", "trial")
    assert group.responses.dtype.kind == "i"
    assert set(np.unique(group.responses.values)) <= {0, 1}
    assert group.inputs.dims == ("trial",)
    np.testing.assert_array_equal(group.inputs.values, ht.load_inputs())
    for i in (0, 9):
        np.testing.assert_allclose(
            group.expected_mean.values[i],
            reference.binary_hgf_beliefs(group.tonic_volatility.values[i], group.inputs.values),
            atol=1e-10,
        )


def test_other_seeds_are_reproducible_and_different():
    a = ht.simulate_group(4, seed=7)
    b = ht.simulate_group(4, seed=7)
    c = ht.simulate_group(4, seed=8)
    np.testing.assert_array_equal(a.responses.values, b.responses.values)
    np.testing.assert_array_equal(a.tonic_volatility.values, b.tonic_volatility.values)
    assert not np.array_equal(a.tonic_volatility.values, c.tonic_volatility.values)
    omegas, temperatures, responses = original_recipe(4, seed=7)
    np.testing.assert_array_equal(a.responses.values, responses)


def test_population_arguments_shift_the_parameters():
    low = ht.simulate_group(200, seed=1, volatility=(-6.0, 0.1), log_temperature=(1.0, 0.1))
    assert abs(low.tonic_volatility.values.mean() + 6.0) < 0.05
    assert abs(np.log(low.inverse_temperature.values).mean() - 1.0) < 0.05


def test_custom_inputs_are_used():
    u = np.tile([1, 1, 0, 1, 0], 8)
    data = ht.simulate_group(2, inputs=u)
    assert data.sizes["trial"] == 40
    np.testing.assert_array_equal(data.inputs.values, u)


def test_real_participant_is_binary():
    y = ht.load_participant()
    assert y.shape == (320,)
    assert set(np.unique(y)) == {0, 1}


@pytest.mark.parametrize("n", [0, -3])
def test_needs_at_least_one_participant(n):
    with pytest.raises(ValueError, match="n_participants"):
        ht.simulate_group(n)
