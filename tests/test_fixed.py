"""Parameters held fixed: ``build_group_model(..., fixed={...})`` end to end.

The three-level HGF with omega_3 fixed is the common case: the model has no
``volatility_3`` or ``mu_volatility_3`` to sample, its density is the full
model's at that omega_3 (checked against scipy.stats and the NumPy reference of
``tests/reference.py``), and a fit's log-likelihood, replications and estimates
read the fixed value from the fit's ``constant_data``.
"""

import numpy as np
import pymc as pm
import pytest
import xarray as xr
from scipy import stats

import hgf_tutorial as ht
from hgf_tutorial import data as htdata
from tests import reference

pytestmark = pytest.mark.filterwarnings("ignore:Numba will use object mode:UserWarning")

#: omega_3 of each of the three participants, and the single value of other tests
OMEGA_3 = np.array([-6.0, -7.0, -6.5])


@pytest.fixture(scope="module")
def study():
    """A lab's table of 3 participants of a 50-trial task: ragged, with both kinds of gap.

    Written out and read back, so the dataset holds no true parameters.
    """
    simulated = htdata.simulate_study(
        3,
        seed=3,
        family="hgf3",
        inputs=ht.load_inputs()[:50],
        p_missed_response=0.1,
        p_aborted_trial=0.1,
        p_stop_early=0.7,
        min_trials=25,
    )
    dataset = htdata.from_dataframe(htdata.to_dataframe(simulated))
    assert "tonic_volatility_3" not in dataset
    assert len(set(dataset["n_trials"].values)) > 1
    answered = dataset["observed_response"].values
    shown = dataset["observed_input"].values
    assert (answered & ~shown).any() and (~answered & shown).any()
    return dataset


def hand_likelihood(dataset, omega_2, omega_3, t):
    """Sum over the scored responses of log P(response), from the NumPy reference."""
    total = 0.0
    for i in range(dataset.sizes["participant"]):
        shown = dataset["observed_input"].values[i]
        inputs = dataset["inputs"].values[i]
        m = reference.hgf3_states(omega_2[i], omega_3[i], inputs, shown)["m1"]
        p = reference.unit_square_sigmoid(m, t[i])
        responses = dataset["responses"].values[i]
        logp = np.where(responses == 1, np.log(p), np.log1p(-p))
        scored = reference.scored(dataset["observed_response"].values[i], shown)
        total += logp[scored].sum()
    return total


def free_names(model):
    return {rv.name for rv in model.free_RVs}


def test_fixed_omega_3_is_data_not_a_random_variable(study):
    model = ht.build_group_model(study, family="hgf3", fixed={"volatility_3": -6.5})
    assert free_names(model) == {
        "mu_volatility",
        "sigma_volatility",
        "volatility",
        "mu_temperature",
        "sigma_temperature",
        "inverse_temperature",
    }
    assert "mu_volatility_3" not in model.named_vars
    assert "sigma_volatility_3" not in model.named_vars
    assert model["volatility_3"] in model.data_vars
    np.testing.assert_array_equal(model["volatility_3"].get_value(), np.full(3, -6.5))
    assert model.named_vars_to_dims["volatility_3"] == ("participant",)
    # one value per participant, in the order of the data
    model = ht.build_group_model(study, family="hgf3", fixed={"volatility_3": OMEGA_3})
    np.testing.assert_array_equal(model["volatility_3"].get_value(), OMEGA_3)


def test_density_with_omega_3_fixed_is_the_hand_written_one(study):
    point = {
        "mu_volatility": -4.5,
        "sigma_volatility": 0.8,
        "volatility": np.array([-5.0, -3.5, -4.1]),
        "mu_temperature": 0.3,
        "sigma_temperature": 0.6,
        "inverse_temperature": np.array([1.2, 0.7, 3.0]),
    }
    values = {
        "mu_volatility": point["mu_volatility"],
        "sigma_volatility_log__": np.log(point["sigma_volatility"]),
        "volatility": point["volatility"],
        "mu_temperature": point["mu_temperature"],
        "sigma_temperature_log__": np.log(point["sigma_temperature"]),
        "inverse_temperature_log__": np.log(point["inverse_temperature"]),
    }
    model = ht.build_group_model(study, family="hgf3", fixed={"volatility_3": OMEGA_3})
    logp = float(model.compile_logp(jacobian=False)(values))
    likelihood = float(model.compile_logp(vars=[model["responses"]], jacobian=False)(values))

    t = point["inverse_temperature"]
    want_likelihood = hand_likelihood(study, point["volatility"], OMEGA_3, t)
    priors = (
        stats.norm(-5, 5).logpdf(point["mu_volatility"])
        + stats.halfnorm(scale=10).logpdf(point["sigma_volatility"])
        + stats.norm(point["mu_volatility"], point["sigma_volatility"])
        .logpdf(point["volatility"])
        .sum()
        + stats.norm(0, 2).logpdf(point["mu_temperature"])
        + stats.halfnorm(scale=2).logpdf(point["sigma_temperature"])
        + stats.lognorm(s=point["sigma_temperature"], scale=np.exp(point["mu_temperature"]))
        .logpdf(t)
        .sum()
    )
    # no term for omega_3 or its group: the density is priors + likelihood
    assert likelihood == pytest.approx(want_likelihood, rel=0, abs=1e-8)
    assert logp == pytest.approx(priors + want_likelihood, rel=0, abs=1e-6)

    # the model with omega_3 free has the same likelihood at omega_3 = OMEGA_3
    free = ht.build_group_model(study, family="hgf3")
    free_point = free.initial_point()
    free_point.update(values)
    free_point["volatility_3"] = OMEGA_3
    free_likelihood = free.compile_logp(vars=[free["responses"]], jacobian=False)(free_point)
    assert float(free_likelihood) == pytest.approx(likelihood, rel=1e-12)


def test_fixed_inverse_temperature_drops_its_group_prior(study):
    model = ht.build_group_model(study, fixed={"inverse_temperature": 2.0})
    assert free_names(model) == {"mu_volatility", "sigma_volatility", "volatility"}
    values = {
        "mu_volatility": -4.0,
        "sigma_volatility_log__": np.log(1.5),
        "volatility": np.array([-5.0, -3.5, -4.1]),
    }
    likelihood = float(model.compile_logp(vars=[model["responses"]], jacobian=False)(values))
    want = 0.0
    for i in range(3):
        shown = study["observed_input"].values[i]
        m = reference.binary_hgf_beliefs(
            values["volatility"][i], study["inputs"].values[i], observed=shown
        )
        p = reference.unit_square_sigmoid(m, 2.0)
        logp = np.where(study["responses"].values[i] == 1, np.log(p), np.log1p(-p))
        scored = reference.scored(study["observed_response"].values[i], shown)
        want += logp[scored].sum()
    assert likelihood == pytest.approx(want, rel=0, abs=1e-8)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fixed": {"volatility_3": -6.0}}, "not a parameter of family 'hgf2'"),
        ({"fixed": {"omega_3": -6.0}, "family": "hgf3"}, "'omega_3'"),
        ({"fixed": {"volatility_3": np.nan}, "family": "hgf3"}, "must be finite"),
        ({"fixed": {"volatility_3": [-6.0, np.inf, -6.0]}, "family": "hgf3"}, "must be finite"),
        ({"fixed": {"volatility_3": [-6.0, -7.0]}, "family": "hgf3"}, r"per participant \(3\)"),
        ({"fixed": {"volatility_3": "low"}, "family": "hgf3"}, "must be numeric"),
        ({"fixed": {"inverse_temperature": 0.0}}, "must be positive"),
        ({"fixed": {"learning_rate": 1.0}, "family": "rw"}, "between 0 and 1"),
        ({"fixed": [("volatility", -4.0)]}, "must be a dict"),
        (
            {"fixed": {"volatility": -4.0}, "predictors": {"volatility": "1"}},
            "`fixed` and `predictors` both name",
        ),
        (
            {
                "fixed": {"volatility_3": -6.0},
                "family": "hgf3",
                "parameterization": {"volatility_3": "noncentered"},
            },
            "`fixed` and `parameterization` both name",
        ),
    ],
)
def test_bad_fixed_values_are_refused(study, kwargs, message):
    with pytest.raises(ValueError, match=message):
        ht.build_group_model(study, **kwargs)


def test_a_fixed_parameter_and_a_string_parameterization_go_together(study):
    model = ht.build_group_model(
        study, family="hgf3", fixed={"volatility_3": -6.5}, parameterization="noncentered"
    )
    assert "z_volatility" in free_names(model)
    assert "z_volatility_3" not in model.named_vars


# --- a quick fit with omega_3 fixed ------------------------------------------------------


@pytest.fixture(scope="module")
def fit(study):
    model = ht.build_group_model(study, family="hgf3", fixed={"volatility_3": OMEGA_3})
    idata = ht.sample(model, draws=40, tune=40, chains=2)
    return model, idata


def test_quick_fit_keeps_the_fixed_value_and_its_log_likelihood_is_pymcs(study, fit):
    model, idata = fit
    assert "volatility_3" not in idata["posterior"]
    np.testing.assert_array_equal(idata["constant_data"]["volatility_3"].values, OMEGA_3)

    ll = ht.add_log_likelihood(idata, study, family="hgf3", extend_inferencedata=False)
    ll = ll["log_likelihood"]["responses"]
    pymc_ll = pm.compute_log_likelihood(
        idata, model=model, extend_inferencedata=False, progressbar=False
    )["responses"]
    n_scored = int(
        reference.scored(study["observed_response"].values, study["observed_input"].values).sum()
    )
    assert ll.shape == pymc_ll.shape == (2, 40, n_scored)
    np.testing.assert_allclose(ll.values, pymc_ll.values, rtol=1e-10, atol=0)

    # one draw by hand: the reference at that draw's omega_2 and t, omega_3 fixed
    post = idata["posterior"]
    omega_2 = post["volatility"].values[1, 7]
    t = post["inverse_temperature"].values[1, 7]
    want = hand_likelihood(study, omega_2, OMEGA_3, t)
    assert float(ll.values[1, 7].sum()) == pytest.approx(want, rel=0, abs=1e-8)


def test_quick_fit_replications_and_estimates(study, fit):
    model, idata = fit
    sequences = ht.replicate_sequences(idata, study, family="hgf3", random_seed=1)
    assert sequences.shape == (2, 40, 3, study.sizes["trial"])
    replicated = ht.posterior_predictive(model, idata, extend_inferencedata=False)
    assert replicated["posterior_predictive"]["responses"].shape[:2] == (2, 40)
    estimates = htdata.participant_estimates(idata, study)
    assert "volatility_mean" in estimates.columns
    # a fixed value is not an estimate
    assert not any(column.startswith("volatility_3") for column in estimates.columns)


def test_a_missing_parameter_says_how_to_fix_it(study, fit):
    _, idata = fit
    without = xr.DataTree.from_dict({"posterior": idata["posterior"].to_dataset()})
    for call in (
        lambda: ht.add_log_likelihood(without, study, family="hgf3"),
        lambda: ht.replicate_sequences(without, study, family="hgf3"),
    ):
        with pytest.raises(ValueError, match=r"no `volatility_3`.*fixed=\{'volatility_3'"):
            call()
