"""Regressions on participant-level parameters (``build_group_model(predictors=...)``)."""

import arviz as az
import numpy as np
import pytest
from scipy import stats

import hgf_tutorial as ht
from hgf_tutorial.data import simulate_study
from hgf_tutorial.predictors import design_matrix

SYMPTOM = np.array([3.0, 7.5, 1.0, 4.0, 9.0, 2.5])


def _study(n=6, seed=3, **extra):
    """A small simulated study (gaps included) with a numeric ``symptom`` and more covariates."""
    study = simulate_study(n, seed=seed, group_effect={"volatility": 1.0}, p_stop_early=0.5)
    covariates = {"symptom": SYMPTOM[:n], **extra}
    for name, values in covariates.items():
        study[name] = ("participant", np.asarray(values))
    study.attrs["covariates"] = [*study.attrs["covariates"], *covariates]
    return study


@pytest.fixture(scope="module")
def study():
    return _study()


def _hand_design(study):
    """Intercept, patient indicator, standardised symptom (population SD), by NumPy."""
    x = study["symptom"].values.astype(float)
    z = (x - x.mean()) / np.sqrt(((x - x.mean()) ** 2).mean())
    patient = (study["group"].values == "patient").astype(float)
    return np.column_stack([np.ones(len(x)), patient, z])


def _values(model, point):
    """``point`` (constrained values by variable name) as the model's value variables."""
    values = {}
    for rv in model.free_RVs:
        transform = model.rvs_to_transforms.get(rv)
        x = np.asarray(point[rv.name], dtype=float)
        values[model.rvs_to_values[rv].name] = (
            transform.forward(x).eval() if transform is not None else x
        )
    return values


def _likelihood(study, volatility, temperature):
    """The masked log-likelihood of every participant, from ``ht.family_logp``."""
    total = 0.0
    for i in range(study.sizes["participant"]):
        total += float(
            np.sum(
                ht.family_logp(
                    "hgf2",
                    {"volatility": volatility[i]},
                    temperature[i],
                    study.responses.values[i],
                    study.inputs.values[i],
                    observed_response=study.observed_response.values[i].astype(float),
                    observed_input=study.observed_input.values[i].astype(float),
                )
            )
        )
    return total


# --- the design matrix ---------------------------------------------------------------


def test_design_matrix_matches_hand(study):
    design = design_matrix(study, "volatility", "1 + group + symptom")
    assert design.terms == ["Intercept", "group[T.patient]", "symptom"]
    np.testing.assert_allclose(design.matrix, _hand_design(study), rtol=0, atol=1e-12)
    x = study["symptom"].values
    assert design.scaling == {"symptom": pytest.approx((x.mean(), x.std(ddof=0)))}
    assert design.reference == {"group": "control"}


def test_categorical_reference_levels():
    # a pandas categorical's first category, not the sorted first; booleans against False
    study = _study(flag=[True, False, True, True, False, False])
    study["group"].attrs["categories"] = ["patient", "control"]
    design = design_matrix(study, "volatility", "group + flag")
    assert design.terms == ["Intercept", "group[T.control]", "flag[T.True]"]
    np.testing.assert_array_equal(
        design.matrix[:, 1], (study["group"].values == "control").astype(float)
    )
    np.testing.assert_array_equal(design.matrix[:, 2], [1, 0, 1, 1, 0, 0])


def test_per_unit_matrix_for_two_numeric_covariates():
    study = _study()
    design = design_matrix(study, "volatility", "1 + age + group + symptom")
    beta = np.array([-4.0, 0.3, 0.8, -0.5])
    age, symptom = study["age"].values.astype(float), study["symptom"].values
    expected = np.array(
        [
            -4.0 - 0.3 * age.mean() / age.std() + 0.5 * symptom.mean() / symptom.std(),
            0.3 / age.std(),
            0.8,
            -0.5 / symptom.std(),
        ]
    )
    np.testing.assert_allclose(design.per_unit @ beta, expected, rtol=1e-10)


SITE = np.array([1, 2, 1, 2, 3, 3])


def test_numeric_covariate_written_as_categories():
    """``C(site)`` of a numeric site: one indicator per site against site 1, not standardised."""
    study = _study(site=SITE)
    design = design_matrix(study, "volatility", "1 + C(site) + symptom")
    assert design.terms == ["Intercept", "C(site)[T.2]", "C(site)[T.3]", "symptom"]
    hand = _hand_design(study)  # intercept, patient, standardised symptom
    expected = np.column_stack([hand[:, 0], SITE == 2, SITE == 3, hand[:, 2]])
    np.testing.assert_allclose(design.matrix, expected, rtol=0, atol=1e-12)
    assert design.reference == {"site": 1}
    assert set(design.scaling) == {"symptom"}
    # per unit: the site contrasts as they are, symptom per unit, the intercept at 0
    beta = np.array([-4.0, 0.5, -1.0, 0.3])
    x = study["symptom"].values
    want = [-4.0 - 0.3 * x.mean() / x.std(), 0.5, -1.0, 0.3 / x.std()]
    np.testing.assert_allclose(design.per_unit @ beta, want, rtol=1e-10)
    model = ht.build_group_model(study, predictors={"volatility": "1 + C(site)"})
    assert model.coords["volatility_term"] == ("Intercept", "C(site)[T.2]", "C(site)[T.3]")


def test_numeric_covariate_inside_and_outside_c():
    study = _study(site=SITE)
    with pytest.raises(
        ValueError,
        match=r"uses numeric covariate 'site' both inside C\(site\), as categories, and "
        r"outside it, as a number",
    ):
        design_matrix(study, "volatility", "1 + C(site) + site")
    with pytest.raises(ValueError, match=r"covariate 'dose', written C\(dose\), has one level"):
        design_matrix(_study(dose=np.full(6, 2.5)), "volatility", "1 + C(dose)")


# --- the model ------------------------------------------------------------------------


def test_model_density_matches_hand(study):
    model = ht.build_group_model(study, predictors={"volatility": "1 + group + symptom"})
    assert model.named_vars_to_dims["beta_volatility"] == ("volatility_term",)
    assert "mu_volatility" not in model.named_vars
    beta = np.array([-4.2, 0.9, -0.4])
    point = {
        "beta_volatility": beta,
        "sigma_volatility": 0.8,
        "mu_temperature": 0.4,
        "sigma_temperature": 0.6,
        "volatility": np.array([-5.0, -3.5, -4.1, -2.9, -3.3, -4.6]),
        "inverse_temperature": np.array([1.2, 0.7, 3.0, 2.2, 1.6, 0.9]),
    }
    mean = _hand_design(study) @ beta
    total = stats.norm([-5.0, 0.0, 0.0], [5.0, 1.0, 1.0]).logpdf(beta).sum()
    total += stats.halfnorm(scale=10).logpdf(0.8)
    total += stats.norm(0, 2).logpdf(0.4) + stats.halfnorm(scale=2).logpdf(0.6)
    total += stats.norm(mean, 0.8).logpdf(point["volatility"]).sum()
    total += stats.lognorm(s=0.6, scale=np.exp(0.4)).logpdf(point["inverse_temperature"]).sum()
    total += _likelihood(study, point["volatility"], point["inverse_temperature"])
    logp = model.compile_logp(jacobian=False)
    assert float(logp(_values(model, point))) == pytest.approx(total, abs=1e-6)


def test_noncentered_density_with_two_regressions(study):
    predictors = {"volatility": "1 + group + symptom", "inverse_temperature": "1 + group"}
    model = ht.build_group_model(study, predictors=predictors, parameterization="noncentered")
    assert {rv.name for rv in model.free_RVs} == {
        "beta_volatility",
        "sigma_volatility",
        "beta_inverse_temperature",
        "sigma_temperature",
        "z_volatility",
        "z_temperature",
    }
    assert list(model.coords["inverse_temperature_term"]) == ["Intercept", "group[T.patient]"]
    beta_v, beta_t = np.array([-4.0, 1.0, 0.3]), np.array([0.5, -0.2])
    z_v = np.array([0.5, -1.0, 0.2, 1.5, -0.3, 0.0])
    z_t = np.array([-0.3, 0.1, 0.9, -1.2, 0.4, 0.2])
    x = _hand_design(study)
    volatility = x @ beta_v + 1.1 * z_v
    temperature = np.exp(x[:, :2] @ beta_t + 0.4 * z_t)
    point = {
        "beta_volatility": beta_v,
        "sigma_volatility": 1.1,
        "beta_inverse_temperature": beta_t,
        "sigma_temperature": 0.4,
        "z_volatility": z_v,
        "z_temperature": z_t,
    }
    total = stats.norm([-5.0, 0.0, 0.0], [5.0, 1.0, 1.0]).logpdf(beta_v).sum()
    total += stats.norm([0.0, 0.0], [2.0, 0.5]).logpdf(beta_t).sum()
    total += stats.halfnorm(scale=10).logpdf(1.1) + stats.halfnorm(scale=2).logpdf(0.4)
    total += stats.norm().logpdf(z_v).sum() + stats.norm().logpdf(z_t).sum()
    total += _likelihood(study, volatility, temperature)
    logp = model.compile_logp(jacobian=False)
    assert float(logp(_values(model, point))) == pytest.approx(total, abs=1e-6)
    np.testing.assert_allclose(
        model["volatility"].eval(
            {
                model["beta_volatility"]: beta_v,
                model["z_volatility"]: z_v,
                model["sigma_volatility"]: 1.1,
            }
        ),
        volatility,
    )


def test_without_predictors_the_model_is_unchanged(study):
    today = ht.build_group_model(study, parameterization={"volatility": "noncentered"})
    for predictors in (None, {}):
        model = ht.build_group_model(
            study, predictors=predictors, parameterization={"volatility": "noncentered"}
        )
        assert list(model.named_vars) == list(today.named_vars)
        assert {k: list(v) for k, v in model.coords.items()} == {
            k: list(v) for k, v in today.coords.items()
        }
        assert not hasattr(model, "predictors")
        point = today.initial_point()
        point = {k: v + 0.1 * np.arange(np.size(v)).reshape(np.shape(v)) for k, v in point.items()}
        assert float(model.compile_logp()(point)) == float(today.compile_logp()(point))


def test_per_unit_deterministic_and_scaling_data(study):
    model = ht.build_group_model(study, predictors={"volatility": "1 + group + symptom"})
    x = study["symptom"].values
    mean, sd = x.mean(), x.std(ddof=0)
    assert list(model.coords["numeric_covariate"]) == ["symptom"]
    np.testing.assert_allclose(model["covariate_mean"].get_value(), [mean])
    np.testing.assert_allclose(model["covariate_sd"].get_value(), [sd])
    np.testing.assert_allclose(model["design_volatility"].get_value(), _hand_design(study))
    beta = np.array([-4.0, 0.7, -0.6])
    per_unit = model["beta_volatility_per_unit"].eval({model["beta_volatility"]: beta})
    np.testing.assert_allclose(per_unit, [-4.0 + 0.6 * mean / sd, 0.7, -0.6 / sd], rtol=1e-10)


def test_quick_fit_labels_coefficients_by_term(study):
    model = ht.build_group_model(study, predictors={"volatility": "1 + group + symptom"})
    idata = ht.sample(model, draws=100, tune=100, chains=2)
    summary = az.summary(idata, var_names=["beta_volatility"])
    assert list(summary.index) == [
        "beta_volatility[Intercept]",
        "beta_volatility[group[T.patient]]",
        "beta_volatility[symptom]",
    ]
    posterior = idata.posterior
    beta = posterior["beta_volatility"].values
    per_unit = posterior["beta_volatility_per_unit"].values
    np.testing.assert_allclose(per_unit[..., 2], beta[..., 2] / study["symptom"].values.std())
    assert np.isfinite(beta).all()


def test_other_families_and_parameters():
    study = simulate_study(4, seed=5, family="rw")
    model = ht.build_group_model(
        study, family="rw", predictors={"learning_rate": "group", "inverse_temperature": "age"}
    )
    assert {"beta_learning_rate", "beta_inverse_temperature"} <= set(model.named_vars)
    assert "mu_learning_rate" not in model.named_vars
    assert "mu_temperature" not in model.named_vars
    assert np.isfinite(model.compile_logp()(model.initial_point()))


# --- bad input ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("predictors", "match"),
    [
        ({"omega": "1 + group"}, r"'omega'.*it has \['volatility', 'inverse_temperature'\]"),
        ({"volatility": "1 + group + anxiety"}, r"\['anxiety'\].*it has \['group', 'age'"),
        ({"volatility": "1 + group +"}, r"'1 \+ group \+' does not parse: Operator `\+`"),
        ({"volatility": "1 + (1|group)"}, r"random-effect term.*Write e.g. '1'"),
        ({"volatility": "1 + group + (1 | schedule)"}, r"random-effect.*'1 \+ group'"),
        ({"volatility": "0 + group"}, r"has no intercept"),
        ({"volatility": "group - 1"}, r"has no intercept"),
        ({"volatility": "volatility ~ group"}, r"only the right-hand side"),
        ({"volatility": ""}, r"= '' is empty: write '1' for an intercept-only model"),
        ({"volatility": " \t"}, r"is empty: write '1' for an intercept-only model"),
        ({"volatility": 3}, r"must be a formula's right-hand side"),
        (["volatility"], r"`predictors` must be a dict"),
    ],
)
def test_bad_formulas(study, predictors, match):
    with pytest.raises(ValueError, match=match):
        ht.build_group_model(study, predictors=predictors)


def test_one_level_categorical():
    study = _study(site=["A"] * 6)
    with pytest.raises(ValueError, match=r"categorical covariate 'site' has one level \('A'"):
        ht.build_group_model(study, predictors={"volatility": "1 + site"})


def test_zero_variance_numeric():
    study = _study(dose=np.full(6, 2.5))
    with pytest.raises(ValueError, match=r"numeric covariate 'dose' has the same value \(2.5\)"):
        ht.build_group_model(study, predictors={"volatility": "1 + dose"})


def test_missing_value():
    study = _study(score=[1.0, np.nan, 2.0, 3.0, 4.0, 5.0])
    with pytest.raises(ValueError, match=r"'score' has missing values.*\['sub-02'\]"):
        ht.build_group_model(study, predictors={"volatility": "1 + score"})
    study = _study(site=["A", None, "B", "A", "B", "A"])
    with pytest.raises(ValueError, match=r"'site' has missing values"):
        ht.build_group_model(study, predictors={"volatility": "1 + site"})


def test_rank_deficient():
    # "arm" repeats "group" under other labels
    arm = np.where(_study()["group"].values == "patient", "drug", "placebo")
    study = _study(arm=arm)
    with pytest.raises(
        ValueError,
        match=r"rank-deficient.*\['Intercept', 'group\[T.patient\]', 'arm\[T.placebo\]'\]",
    ):
        ht.build_group_model(study, predictors={"volatility": "group + arm"})
    # more terms than participants
    with pytest.raises(ValueError, match=r"rank-deficient"):
        ht.build_group_model(
            _study(),
            predictors={"volatility": "group + schedule + symptom + age + I(age**2) + I(age**3)"},
        )


def test_unconvertible_interaction():
    with pytest.raises(ValueError, match=r"cannot be converted to per-unit"):
        ht.build_group_model(_study(), predictors={"volatility": "1 + group:symptom"})
    # a power without its covariate's own term: the message says what to write
    with pytest.raises(ValueError, match=r"'1 \+ age \+ I\(age\*\*2\)', not '1 \+ I"):
        design_matrix(_study(), "volatility", "1 + I(age**2)")


def test_dataset_without_covariates():
    group = ht.simulate_group(3, seed=1)
    with pytest.raises(ValueError, match=r"it has none"):
        ht.build_group_model(group, predictors={"volatility": "1 + group"})


def test_errors_come_before_the_model(monkeypatch):
    # nothing reaches PyMC: a failing formula raises before pm.Model is entered
    import pymc as pm

    def fail(*args, **kwargs):
        raise AssertionError("pm.Model was entered")

    monkeypatch.setattr(pm, "Model", fail)
    with pytest.raises(ValueError, match="does not parse"):
        ht.build_group_model(_study(), predictors={"volatility": "1 + group +"})
    with pytest.raises(ValueError, match=r"rank-deficient.*\['symptom', 'I\(2 \* symptom\)'\]"):
        ht.build_group_model(_study(), predictors={"volatility": "1 + symptom + I(2 * symptom)"})
