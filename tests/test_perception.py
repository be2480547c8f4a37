import jax
import numpy as np
import pytest

from hgf_tutorial.perception import belief_trajectory, response_probability
from tests import reference


@pytest.mark.parametrize("omega", [-7.0, -4.0, -2.5, -1.5])
def test_beliefs_match_numpy_hgf(inputs, omega):
    got = np.asarray(belief_trajectory(omega, inputs))
    want = reference.binary_hgf_beliefs(omega, inputs)
    assert got.shape == (320,)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-10)


def test_beliefs_are_clipped_away_from_0_and_1(inputs):
    # at high volatility the belief saturates; pyhgf clips it to [1e-6, 1 - 1e-6]
    got = np.asarray(belief_trajectory(2.0, inputs))
    assert got.min() == pytest.approx(1e-6) and got.max() == pytest.approx(1 - 1e-6)
    unclipped = reference.binary_hgf_beliefs(2.0, inputs)
    assert unclipped.min() < 1e-6


def test_first_belief_is_the_prior(inputs):
    assert float(belief_trajectory(-3.0, inputs)[0]) == 0.5


def test_beliefs_follow_other_sequences():
    u = np.array([0, 0, 0, 1, 0, 1, 1, 1, 1, 0])
    np.testing.assert_allclose(
        np.asarray(belief_trajectory(-2.0, u)), reference.binary_hgf_beliefs(-2.0, u), atol=1e-10
    )


@pytest.mark.parametrize("t", [0.3, 1.0, 4.0, 40.0])
def test_response_probability_is_unit_square_sigmoid(t):
    m = np.linspace(0.01, 0.99, 21)
    np.testing.assert_allclose(
        np.asarray(response_probability(m, t)), reference.unit_square_sigmoid(m, t), rtol=1e-10
    )


def test_temperature_one_returns_the_belief():
    m = np.linspace(0.05, 0.95, 7)
    np.testing.assert_allclose(np.asarray(response_probability(m, 1.0)), m, rtol=1e-12)


def test_extreme_values_stay_finite():
    p = np.asarray(response_probability(np.array([1e-6, 1 - 1e-6]), 200.0))
    assert np.all(np.isfinite(p))
    assert p[0] < 1e-100 and p[1] > 1 - 1e-12


def test_beliefs_are_differentiable(inputs):
    grad = jax.grad(lambda w: belief_trajectory(w, inputs).sum())(-4.0)
    h = 1e-5
    fd = (
        reference.binary_hgf_beliefs(-4.0 + h, inputs).sum()
        - reference.binary_hgf_beliefs(-4.0 - h, inputs).sum()
    ) / (2 * h)
    np.testing.assert_allclose(float(grad), fd, rtol=1e-5)


def test_network_built_first_under_jit_does_not_leak_tracers():
    # The network is cached on first use. When that first use is inside a jit
    # trace (the model's random function), the cache must still hold concrete
    # values, or every later eager call fails with UnexpectedTracerError. Needs a
    # fresh interpreter, where nothing has built the network yet.
    import subprocess
    import sys

    script = (
        "import numpy as np, hgf_tutorial as ht\n"
        "from hgf_tutorial.model import simulate_responses\n"
        "u = ht.load_inputs()\n"
        "simulate_responses('hgf2', {'volatility': np.array([-4.0])}, np.array([2.0]), u, rng=1)\n"
        "print(float(ht.belief_trajectory(-4.0, u)[1]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    want = reference.binary_hgf_beliefs(-4.0, np.array([1, 0]))[1]
    assert float(done.stdout.strip().splitlines()[-1]) == pytest.approx(want, abs=1e-12)
