"""Regressions on participant-level parameters: formulas over a study's covariates.

``build_group_model(data, predictors={"volatility": "1 + group + symptom"})``
makes the participants' mean omega_2 depend on their group and symptom score.
This module turns such a formula into a design matrix, once, with every check
before anything reaches PyTensor; :func:`hgf_tutorial.model.build_group_model`
puts the coefficients in the model.

The design matrix
-----------------
One row per participant, in the dataset's order; one column per term, built by
`formulaic <https://matthewwardrop.github.io/formulaic/>`_ from the dataset's
participant-level covariates (the variables named in ``data.attrs["covariates"]``,
see :func:`hgf_tutorial.data.from_dataframe`):

- a categorical covariate (text, boolean, or a pandas categorical) is coded
  against its first level (treatment coding): a categorical's first category,
  the first of the sorted values for text, ``False`` for a boolean; levels no
  participant has are dropped first. Its columns are labelled as formulaic
  labels them, ``group[T.patient]``;
- a numeric covariate is standardised before the matrix is built,
  ``z = (x - mean) / sd`` with the population SD (``ddof=0``) over the
  dataset's participants, so its coefficient is the shift per SD of the
  covariate and the intercept is the mean of a participant at the sample's
  mean covariate (and at the reference level of every categorical one). Any
  transformation the formula writes (``I(age**2)``, an interaction) applies to
  the standardised value;
- a numeric covariate the formula writes only as ``C(x)`` is categorical
  instead: its distinct values are its levels, coded against the smallest, and
  are not standardised (``C(x)`` and ``x`` in one formula are refused).

The formula must keep its intercept (``"1 + group"``, or ``"group"``, where it
is implicit): the intercept carries the parameter's group-mean prior (see
:data:`SLOPE_PRIOR_SD`), and ``"0 + group"`` would drop it for a full dummy
coding whose coefficients would all need that prior. Random-effect terms
(``(1|site)``) are not supported: each participant already has their own value
around the regression's mean (the spread ``sigma_<name>``).

Coefficients per unit
---------------------
:attr:`Design.per_unit` is the matrix ``A`` with ``X_z = X_raw @ A``, where
``X_raw`` is the design matrix of the same formula on the covariates as they
are (not standardised); so ``A @ beta`` are the coefficients per unit of each
numeric covariate, and the intercept is the mean at covariate value 0. For a
plain main effect ``x`` this is ``beta_x / sd_x`` and an intercept shifted by
``-sum(beta_x * mean_x / sd_x)``; categorical terms are unchanged. A formula for
which no such ``A`` exists (``1 + group:age`` without ``age``'s own term) is
refused.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from hgf_tutorial._validation import plain

#: The slope prior's standard deviation, ``Normal(0, s)`` on the parameter's link
#: scale, per SD of a numeric covariate or per level contrast of a categorical one.
#:
#: - ``volatility`` (omega_2, identity link): 1.0. 95% of the prior lies within
#:   +-2, so a group difference of up to about two population SDs of omega_2 (the
#:   simulated population's SD is 1, the fitted ``sigma_volatility`` of the
#:   tutorial's data about 1) is plausible a priori, while differences of 5 or
#:   more units, which would move a participant from barely learning to
#:   following every outcome, are not.
#: - ``volatility_3`` (omega_3): 0.5, the scale of its group spread (``sigma``
#:   ``~ HalfNormal(0.5)``): a larger shift would push one group over the
#:   third level's runaway threshold (see :data:`hgf_tutorial.families.VOLATILITY_3`).
#: - ``learning_rate`` (logit alpha): 1.0. 95% of the prior lies within an odds
#:   ratio of exp(+-2), about 7: from a control group's alpha of 0.27 a
#:   patient group anywhere between about 0.05 and 0.73.
#: - ``inverse_temperature`` (log t): 0.5. 95% of the prior lies within a ratio
#:   of exp(+-1), about 2.7, between the groups' median t.
#:
#: A parameter of a custom family not listed here gets 1.0.
SLOPE_PRIOR_SD: dict[str, float] = {
    "volatility": 1.0,
    "volatility_3": 0.5,
    "learning_rate": 1.0,
    "inverse_temperature": 0.5,
}

#: The intercept's prior of ``inverse_temperature``: that of ``mu_temperature``.
TEMPERATURE_MEAN_PRIOR = (0.0, 2.0)

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


@dataclass(frozen=True)
class Design:
    """The design matrix of one parameter's formula, and how to read its coefficients.

    Attributes
    ----------
    parameter : str
        The parameter the formula predicts (``"volatility"``, ...).
    formula : str
        The formula's right-hand side as given.
    matrix : numpy.ndarray of float64, shape (n_participants, n_terms)
        ``X``, standardised numeric covariates, participants in the dataset's order.
    terms : list of str
        ``X``'s column labels (``"Intercept"``, ``"group[T.patient]"``, ``"age"``).
    per_unit : numpy.ndarray of float64, shape (n_terms, n_terms)
        ``A`` with ``X = X_raw @ A``: ``A @ beta`` are the coefficients per unit.
    scaling : dict
        ``{covariate: (mean, sd)}`` of each numeric covariate the formula uses.
    reference : dict
        ``{covariate: level}``, the reference level of each categorical covariate used.
    slope_sd : float
        The slopes' prior SD (:data:`SLOPE_PRIOR_SD`).
    """

    parameter: str
    formula: str
    matrix: np.ndarray
    terms: list[str]
    per_unit: np.ndarray
    scaling: dict = field(default_factory=dict)
    reference: dict = field(default_factory=dict)
    slope_sd: float = 1.0


def check_predictors(predictors, names) -> dict[str, str]:
    """``predictors`` as a dict of formulas by parameter, or ``ValueError``.

    Parameters
    ----------
    predictors : dict or None
    names : sequence of str
        The family's participant-level parameters, ``inverse_temperature`` included.
    """
    if predictors is None:
        return {}
    if not isinstance(predictors, Mapping):
        raise ValueError(
            "`predictors` must be a dict from a parameter name to a formula's right-hand "
            f'side, e.g. {{"volatility": "1 + group"}}, got {predictors!r}.'
        )
    out = {}
    for name, formula in predictors.items():
        if name not in names:
            raise ValueError(
                f"`predictors` names {name!r}, which is not a participant-level parameter "
                f"of this family; it has {list(names)}."
            )
        if not isinstance(formula, str):
            raise ValueError(
                f"`predictors[{name!r}]` must be a formula's right-hand side as a string "
                f'(e.g. "1 + group + age"), got {formula!r}.'
            )
        out[name] = formula
    return out


def design_matrix(data, parameter: str, formula: str) -> Design:
    """The design matrix of ``formula`` over ``data``'s covariates, checked.

    Parameters
    ----------
    data : xarray.Dataset
        A dataset in :func:`hgf_tutorial.data.from_dataframe`'s layout; its
        covariates are the (participant,) variables named in
        ``data.attrs["covariates"]``.
    parameter : str
        The parameter the formula predicts, for the messages and the prior.
    formula : str
        Right-hand side, e.g. ``"1 + group + symptom"``.

    Returns
    -------
    Design

    Raises
    ------
    ValueError
        For an empty formula (write ``"1"`` for intercept only), a random-effect
        term, a left-hand side, a numeric covariate both inside ``C(...)`` and
        outside it, a formula formulaic cannot
        parse (its message), a covariate the dataset lacks, a missing value, a
        categorical covariate with one level, a numeric one with zero variance,
        no intercept, a non-finite column, or a rank-deficient matrix.
    """
    from formulaic import Formula
    from formulaic.errors import FormulaicError

    where = f"`predictors[{parameter!r}]` = {formula!r}"
    if not formula.strip():
        raise ValueError(
            f"{where} is empty: write '1' for an intercept-only model (every participant "
            "around one group mean, as without a formula), or name covariates, e.g. "
            "'1 + group'."
        )
    if "|" in formula:
        raise ValueError(
            f"{where} has a random-effect term (`|`); only participant-level fixed effects "
            "are supported: each participant already has their own value around the "
            f"regression's mean (spread `sigma_...`). Write e.g. {_fixed_only(formula)!r}."
        )
    if "~" in formula:
        raise ValueError(
            f"{where} has a `~`: give only the right-hand side, e.g. '1 + group'; the "
            f"left-hand side is the parameter, {parameter!r}."
        )
    try:
        parsed = Formula(formula)
    except FormulaicError as error:
        message = _ANSI.sub("", str(error)).strip()
        raise ValueError(f"{where} does not parse: {message}") from None

    covariates = list(getattr(data, "attrs", {}).get("covariates", []))
    named = set(parsed.required_variables)
    lacking = sorted(named - set(covariates), key=str)
    if lacking:
        raise ValueError(
            f"{where} names {lacking}, which the dataset does not have as covariates; it has "
            f"{covariates or 'none'} (participant-level covariates come from "
            "`from_dataframe(..., covariates=[...])`)."
        )
    used = [c for c in covariates if c in named or _mentions(formula, c)]
    raw, scaled, scaling, reference = {}, {}, {}, {}
    for name in used:
        values = np.asarray(data[name].values)
        if values.ndim != 1:
            raise ValueError(f"Covariate {name!r} must have one value per participant.")
        if pd.isna(pd.Series(values, dtype=object)).any():
            who = np.asarray(data["participant"].values)[pd.isna(pd.Series(values)).to_numpy()]
            raise ValueError(
                f"{where}: covariate {name!r} has missing values, for participant(s) "
                f"{who.tolist()}; every participant needs a value."
            )
        kind, column, info = _covariate(
            data[name], name, where, written=_written_as_levels(formula, name)
        )
        raw[name] = column
        if kind == "numeric":
            scaled[name] = (column - info[0]) / info[1]
            scaling[name] = info
        else:
            scaled[name] = column
            reference[name] = info

    n = data.sizes["participant"] if hasattr(data, "sizes") else len(data["participant"])
    index = pd.RangeIndex(n)
    matrix, terms, spec = _materialise(formula, pd.DataFrame(scaled, index=index), where)
    unchecked = set(spec.variables_by_source.get("data", set())) - set(used)
    if unchecked:  # a name formulaic found that the first look missed
        raise ValueError(
            f"{where} uses {sorted(unchecked, key=str)} in a way this module cannot check; "
            "name covariates plainly in the formula."
        )
    if "Intercept" not in terms:
        raise ValueError(
            f"{where} has no intercept: the intercept carries the group-mean prior of "
            f"{parameter!r}, so write the formula with it, e.g. "
            f"'1 + {formula.replace('0 +', '').replace('- 1', '').strip()}'."
        )
    if matrix.shape[0] != n:
        raise ValueError(f"{where} gave {matrix.shape[0]} rows for {n} participants.")
    if not np.isfinite(matrix).all():
        bad = [t for t, ok in zip(terms, np.isfinite(matrix).all(axis=0), strict=True) if not ok]
        raise ValueError(
            f"{where} gives non-finite values in {bad}: transformations in the formula apply "
            "to standardised covariates (mean 0, SD 1); transform the covariate in the table "
            "before `from_dataframe` instead."
        )
    dependent = _dependent_columns(matrix, terms)
    if dependent:
        raise ValueError(
            f"{where} gives a rank-deficient design matrix ({matrix.shape[0]} participants, "
            f"{matrix.shape[1]} terms, rank {np.linalg.matrix_rank(matrix)}): the columns "
            f"{dependent} are linear combinations of each other; drop one of them."
        )
    raw_matrix, raw_terms, _ = _materialise(formula, pd.DataFrame(raw, index=index), where)
    per_unit = _per_unit(raw_matrix, matrix) if raw_terms == terms else None
    if per_unit is None:
        raise ValueError(
            f"{where}: its coefficients cannot be converted to per-unit values (the terms of "
            "the standardised covariates are not a linear recombination of the raw ones): "
            "standardising shifts a numeric covariate, and the shift can be undone only where "
            "every part of an interaction or power also has its own term; write e.g. "
            "'1 + group + symptom + group:symptom', not '1 + group:symptom', and "
            "'1 + age + I(age**2)', not '1 + I(age**2)'."
        )
    return Design(
        parameter=parameter,
        formula=formula,
        matrix=matrix,
        terms=terms,
        per_unit=per_unit,
        scaling=scaling,
        reference=reference,
        slope_sd=float(SLOPE_PRIOR_SD.get(parameter, 1.0)),
    )


def _mentions(formula: str, name) -> bool:
    """Whether ``formula`` names covariate ``name`` (as a word or in backticks)."""
    name = str(name)
    return f"`{name}`" in formula or re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", formula)


def _fixed_only(formula: str) -> str:
    """``formula`` without its ``(... | ...)`` terms, for the message."""
    kept = re.sub(r"\+?\s*\([^()]*\|[^()]*\)", "", formula).strip(" +")
    return kept or "1"


def _written_as_levels(formula: str, name) -> str:
    """How ``formula`` writes covariate ``name``: inside ``C(...)`` ``"all"``, ``"some"``
    or ``"none"`` of the times it names it."""
    word = re.escape(str(name))
    uses = len(re.findall(rf"(?<![\w.]){word}(?!\w)", formula))
    wrapped = len(re.findall(rf"(?<![\w.])C\(\s*`?{word}`?\s*[,)]", formula))
    return "none" if wrapped == 0 else "all" if wrapped >= uses else "some"


def _covariate(variable, name, where, *, written: str = "none"):
    """``(kind, column, info)``: numeric with ``(mean, sd)``, or categorical with its reference.

    ``written``: :func:`_written_as_levels`. A numeric covariate the formula writes
    only as ``C(name)`` is categorical: its distinct values are the levels
    (formulaic sorts them, the smallest is the reference), left as they are
    rather than standardised.
    """
    values = np.asarray(variable.values)
    attrs = getattr(variable, "attrs", {})
    numeric = (
        np.issubdtype(values.dtype, np.number) and not np.issubdtype(values.dtype, np.bool_)
    ) and "categories" not in attrs
    if numeric and written == "some":
        raise ValueError(
            f"{where} uses numeric covariate {name!r} both inside C({name}), as categories, "
            "and outside it, as a number; use one of the two (outside C() it is standardised, "
            "inside C() its levels are its raw values)."
        )
    if numeric and written == "all":
        levels = np.unique(values)
        if levels.size < 2:
            raise ValueError(
                f"{where}: covariate {name!r}, written C({name}), has one level "
                f"({plain(levels[0])!r} for every participant), so there is no contrast to "
                "estimate; drop it from the formula."
            )
        return "categorical", values, plain(levels[0])
    if numeric:
        x = values.astype(np.float64)
        mean, sd = float(x.mean()), float(x.std())
        if not sd > 0:
            raise ValueError(
                f"{where}: numeric covariate {name!r} has the same value ({x[0]:g}) for every "
                "participant, so it cannot be standardised or explain a difference; drop it."
            )
        return "numeric", x, (mean, sd)
    if np.issubdtype(values.dtype, np.bool_):
        categories = [False, True]
    elif "categories" in attrs:
        categories = list(attrs["categories"])
    else:
        levels = list(pd.unique(pd.Series(values, dtype=object)))
        try:
            categories = sorted(levels)
        except TypeError:
            categories = sorted(levels, key=str)
    present = set(pd.unique(pd.Series(values, dtype=object)))
    categories = [c for c in categories if c in present]
    if len(categories) < 2:
        raise ValueError(
            f"{where}: categorical covariate {name!r} has one level "
            f"({categories[0]!r} for every participant), so there is no contrast to estimate; "
            "drop it from the formula."
        )
    column = pd.Categorical(list(values), categories=categories)
    return "categorical", column, categories[0]


def _materialise(formula, frame, where):
    """formulaic's model matrix as float64, its column labels and its model spec."""
    from formulaic import model_matrix
    from formulaic.errors import FormulaicError

    try:
        matrix = model_matrix(formula, frame, context={"np": np}, na_action="raise")
    except (FormulaicError, ValueError, NameError, TypeError) as error:
        message = _ANSI.sub("", str(error)).strip()
        raise ValueError(f"{where} cannot be evaluated on the covariates: {message}") from None
    terms = [str(c) for c in matrix.columns]
    return np.asarray(matrix, dtype=np.float64), terms, matrix.model_spec


def _dependent_columns(matrix: np.ndarray, terms: list[str]) -> list[str]:
    """The columns in a linear dependency of ``matrix`` (empty when it has full column rank)."""
    if np.linalg.matrix_rank(matrix) == matrix.shape[1]:
        return []
    _, s, vt = np.linalg.svd(matrix, full_matrices=True)
    tol = s.max() * max(matrix.shape) * np.finfo(float).eps
    rank = int((s > tol).sum())
    null = vt[rank:]
    involved = np.abs(null).max(axis=0) > 1e-8
    return [t for t, hit in zip(terms, involved, strict=True) if hit]


def _per_unit(raw: np.ndarray, scaled: np.ndarray) -> np.ndarray | None:
    """``A`` with ``scaled = raw @ A``, or None when there is none."""
    if np.linalg.matrix_rank(raw) < raw.shape[1]:
        return None
    a, *_ = np.linalg.lstsq(raw, scaled, rcond=None)
    if not np.allclose(raw @ a, scaled, rtol=1e-9, atol=1e-9):
        return None
    # exact zeros and ones where the float arithmetic left noise (categorical terms)
    a[np.abs(a) < 1e-12] = 0.0
    a[np.abs(a - 1.0) < 1e-12] = 1.0
    return a
