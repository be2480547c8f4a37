"""Bad input gets a ValueError naming the argument, before JAX or PyTensor see it."""

import numpy as np
import pytest
import xarray as xr

import hgf_tutorial as ht


@pytest.fixture(scope="module")
def small():
    return ht.simulate_group(3, seed=2)


def test_responses_not_binary(small):
    y = small.responses.values[0].astype(float)
    y[10] = 2.0
    with pytest.raises(ValueError, match=r"`responses` must contain only 0 and 1.*index \(10,\)"):
        ht.participant_logp(-4.0, 1.0, y, small.inputs.values)


def test_responses_with_nan(small):
    y = small.responses.values[0].astype(float)
    y[4] = np.nan
    with pytest.raises(ValueError, match="`responses` contains NaN"):
        ht.participant_logp(-4.0, 1.0, y, small.inputs.values)


def test_shapes_do_not_line_up(small):
    with pytest.raises(ValueError, match="`responses` has 319 trials but `inputs` has 320"):
        ht.participant_logp(-4.0, 1.0, small.responses.values[0, 1:], small.inputs.values)


def test_inputs_not_binary(small):
    u = small.inputs.values.astype(float) * 0.5
    with pytest.raises(ValueError, match="`inputs` must contain only 0 and 1"):
        ht.participant_logp(-4.0, 1.0, small.responses.values[0], u)


def test_fewer_than_two_trials():
    with pytest.raises(ValueError, match="`responses` needs at least 2 trials"):
        ht.participant_logp(-4.0, 1.0, [1], [1])
    with pytest.raises(ValueError, match="`inputs` needs at least 2 trials"):
        ht.simulate_group(2, inputs=[1])


def test_fewer_than_one_participant(small):
    with pytest.raises(ValueError, match="n_participants"):
        ht.simulate_group(0)
    empty = xr.Dataset(
        {
            "responses": (("participant", "trial"), np.zeros((0, 320), dtype=int)),
            "inputs": ("trial", small.inputs.values),
        }
    )
    with pytest.raises(ValueError, match="at least 1 participant"):
        ht.build_group_model(empty)


@pytest.mark.parametrize("sd", [0.0, -1.0])
def test_non_positive_standard_deviation(sd):
    with pytest.raises(ValueError, match="`volatility` standard deviation must be positive"):
        ht.simulate_group(2, volatility=(-4.0, sd))
    with pytest.raises(ValueError, match="`log_temperature` standard deviation must be positive"):
        ht.simulate_group(2, log_temperature=(0.5, sd))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_non_finite_parameters(small, bad):
    y, u = small.responses.values[0], small.inputs.values
    with pytest.raises(ValueError, match="`tonic_volatility` must be finite"):
        ht.participant_logp(bad, 1.0, y, u)
    with pytest.raises(ValueError, match="`inverse_temperature` must be finite"):
        ht.participant_logp(-4.0, bad, y, u)
    with pytest.raises(ValueError, match=r"`volatility\[0\] \(mean\)` must be finite"):
        ht.simulate_group(2, volatility=(bad, 1.0))


def test_non_positive_temperature(small):
    with pytest.raises(ValueError, match="`inverse_temperature` must be positive"):
        ht.participant_logp(-4.0, 0.0, small.responses.values[0], small.inputs.values)


def test_one_parameter_per_participant(small):
    with pytest.raises(
        ValueError, match=r"`tonic_volatility` must have one value per participant, shape \(3,\)"
    ):
        ht.group_logp(np.zeros(2), np.ones(3), small.responses.values, small.inputs.values)


def test_model_rejects_bad_data(small):
    bad = small.copy()
    bad["responses"] = bad.responses.where(bad.trial != 5, 3)
    with pytest.raises(ValueError, match=r"`data\['responses'\]` must contain only 0 and 1"):
        ht.build_group_model(bad)
    with pytest.raises(ValueError, match="`parameterization` must be one of"):
        ht.build_group_model(small, parameterization="centred")
    with pytest.raises(ValueError, match="`data` must be a dataset"):
        ht.build_group_model({"responses": small.responses.values})
