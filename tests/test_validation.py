"""Bad input gets a ValueError naming the argument, before JAX or PyTensor see it."""

import re

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


# --- ht.sample: the model and the sampler's settings --------------------------------------


@pytest.fixture
def no_sampling(monkeypatch):
    """pm.sample that fails the test if reached: every check comes before it."""
    import pymc as pm

    def fail(*args, **kwargs):
        raise AssertionError("pm.sample was reached")

    monkeypatch.setattr(pm, "sample", fail)


@pytest.fixture(scope="module")
def tiny_model():
    import pymc as pm

    with pm.Model() as model:
        pm.Normal("x")
    return model


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"draws": -5}, "`draws` must be at least 1, got -5."),
        ({"draws": 0}, "`draws` must be at least 1, got 0."),
        ({"draws": "100"}, "`draws` must be an integer, got '100'."),
        ({"draws": 10.5}, "`draws` must be an integer, got 10.5."),
        ({"draws": True}, "`draws` must be an integer, got True."),
        ({"tune": -1}, "`tune` must be at least 0, got -1."),
        ({"tune": 100.0}, "`tune` must be an integer, got 100.0."),
        ({"chains": 0}, "`chains` must be at least 1, got 0."),
        ({"cores": 0}, "`cores` must be at least 1, got 0."),
        ({"target_accept": 1.5}, "`target_accept` must be a number between 0 and 1"),
        ({"target_accept": 0}, "`target_accept` must be a number between 0 and 1"),
        ({"target_accept": "0.9"}, "`target_accept` must be a number between 0 and 1"),
    ],
)
def test_sample_settings(tiny_model, no_sampling, settings, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        ht.sample(tiny_model, **settings)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_sample_settings_that_are_fine_are_accepted(tiny_model):
    # a NumPy integer, no tuning, one chain, cores left to PyMC: a real (tiny) run
    idata = ht.sample(
        tiny_model, draws=np.int64(5), tune=0, chains=1, cores=None, target_accept=0.95
    )
    assert dict(idata["posterior"].sizes)["chain"] == 1
    assert dict(idata["posterior"].sizes)["draw"] == 5


@pytest.mark.parametrize("model", [None, "dataset"])
def test_sample_needs_a_model(small, no_sampling, model):
    model = small if model == "dataset" else model
    kind = type(model).__name__
    with pytest.raises(
        ValueError,
        match=rf"`model` must be a PyMC model, got {kind}: build the model first with "
        r"`model = ht.build_group_model\(dataset\)`",
    ):
        ht.sample(model, draws=10)


# --- observe_responses: inside a model, one value per participant -------------------------


def test_observe_responses_outside_a_model(small):
    with pytest.raises(
        ValueError,
        match=re.escape(
            "`observe_responses` adds the responses to the model being built: call it inside "
            "`with pm.Model(coords=...) as model:`"
        ),
    ):
        ht.observe_responses(small, {"volatility": np.full(3, -4.0)}, np.ones(3))


def _observe(small, volatility, temperature, coords=None):
    import pymc as pm

    with pm.Model(coords=coords or {}) as model:
        volatility = volatility() if callable(volatility) else volatility
        temperature = temperature() if callable(temperature) else temperature
        ht.observe_responses(small, {"volatility": volatility}, temperature)
    return model


def test_observe_responses_one_value_per_participant(small):
    import pymc as pm

    def too_short(name, shape=2):
        return pm.Normal(name, -4.0, 1.0, shape=shape)

    with pytest.raises(
        ValueError,
        match=re.escape("`params['volatility']` has length 2 but `data` has 3 participants"),
    ):
        _observe(small, np.full(2, -4.0), 1.0)
    with pytest.raises(
        ValueError,
        match=re.escape("`inverse_temperature` has length 4 but `data` has 3 participants"),
    ):
        _observe(small, np.full(3, -4.0), np.ones(4))
    with pytest.raises(ValueError, match=r"`params\['volatility'\]` has length 5"):
        _observe(small, lambda: too_short("volatility", 5), 1.0)
    # a variable with dims: the model's dim gives its length
    with pytest.raises(ValueError, match=r"`inverse_temperature` has length 2 but `data` has 3"):
        _observe(
            small,
            -4.0,
            lambda: pm.LogNormal("t", 0.0, 1.0, dims="participant"),
            coords={"participant": ["a", "b"]},
        )
    with pytest.raises(
        ValueError,
        match=re.escape(
            "`params['volatility']` must be a scalar or one value per participant, shape (3,); "
            "it has 2 dimensions, shape (3, 2)."
        ),
    ):
        _observe(small, np.full((3, 2), -4.0), 1.0)


def test_observe_responses_takes_scalars_and_lengths_known_only_symbolically(small):
    import pymc as pm

    model = _observe(small, -4.0, 2.0)
    assert model["responses"].type.ndim == 1
    # a slice of a dims variable has no static length: it is not checked here
    coords = {"participant": ["x", *small["participant"].values]}
    with pm.Model(coords=coords) as model:
        volatility = pm.Normal("volatility", -4.0, 1.0, dims="participant")
        assert volatility[1:].type.shape == (None,)
        ht.observe_responses(small, {"volatility": volatility[1:]}, 2.0)
    assert "responses" in model.named_vars
