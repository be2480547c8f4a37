"""A study's data in and the results out: one door in, one door out.

A task's export is a long table, one row per participant and trial.
:func:`from_dataframe` checks it once and turns it into the dataset every later
stage (the model, the log-likelihood, the predictive checks) relies on without
checking it again; :func:`to_dataframe` turns such a dataset back into the table,
and :func:`participant_estimates` turns a fit into a table with one row per
participant, ready for ``to_csv``. :func:`simulate_study` makes a realistic study
in the same layout, with the kinds of gap real data have. :func:`two_option_input`
codes a two-option task's choices and rewards as the input and the response.

The dataset
-----------
Dims ``participant`` (the labels as they appear in the table, in the order they
first appear) and ``trial`` (0 to ``T_max - 1``, ``T_max`` the longest
participant's number of rows). Each participant's rows are sorted by the trial
column and numbered from 0; shorter participants are padded at the end.

======================= ====================== =======================================
variable                dims                   what
======================= ====================== =======================================
``inputs``              (participant, trial)   0/1 int64; 0 where not observed
``responses``           (participant, trial)   0/1 int64; 0 where not observed
``observed_input``      (participant, trial)   bool; False for an outcome not shown
                                               (aborted trial) and in padding
``observed_response``   (participant, trial)   bool; False for a time-out and in
                                               padding
``n_trials``            (participant)          int64, the participant's number of rows
``source_trial``        (participant, trial)   the trial column's values, exactly:
                                               float64 with NaN in padding, or int64
                                               padded with ``SOURCE_TRIAL_PADDING``
                                               for integers beyond 2**53
one per covariate       (participant)          numeric, boolean or text/categorical
======================= ====================== =======================================

Attributes: ``participant_column``, ``trial_column``, ``input_column``,
``response_column`` (the table's column names), ``covariates`` (list of names) and
``source_trial_dtype`` (the trial column's dtype, restored by
:func:`to_dataframe`). Each covariate keeps its table dtype in its attribute
``source_dtype``; a categorical one also keeps ``categories`` and ``ordered``.

No NaN is ever stored in ``inputs`` or ``responses``: pyhgf carries a NaN input
into every later belief even where the input is marked unobserved, so a gap is a
False in the mask and a 0 in the values.
"""

from __future__ import annotations

import numbers
from collections.abc import Hashable, Sequence

import arviz as az
import jax
import jax.numpy as jnp
import numpy as np
import pandas as pd
import xarray as xr

from hgf_tutorial import _validation as check
from hgf_tutorial.families import Family, get_family
from hgf_tutorial.fit import SAMPLE_DIMS, matched_data, whole_draws
from hgf_tutorial.likelihood import scored_responses
from hgf_tutorial.perception import response_probability
from hgf_tutorial.simulate import _population, load_inputs

#: Names of the dataset's own variables and dims; a covariate may not take them.
RESERVED_NAMES = (
    "participant",
    "trial",
    "inputs",
    "responses",
    "observed_input",
    "observed_response",
    "n_trials",
    "source_trial",
)

#: Column names :func:`to_dataframe` uses for a dataset without the attributes.
DEFAULT_COLUMNS = {
    "participant_column": "participant",
    "trial_column": "trial",
    "input_column": "input",
    "response_column": "response",
}


# --- one door in ------------------------------------------------------------------


def from_dataframe(
    frame: pd.DataFrame,
    *,
    participant: Hashable = "participant",
    trial: Hashable = "trial",
    input: Hashable = "input",
    response: Hashable = "response",
    covariates: Sequence[Hashable] = (),
) -> xr.Dataset:
    """Turn a task's long table into the module's dataset, checking it on the way.

    Parameters
    ----------
    frame : pandas.DataFrame, shape (n_rows, n_columns)
        One row per participant and trial, in any order. Other columns are
        ignored.
    participant : column name
        The participant's label (text or numbers; never missing).
    trial : column name
        A number that orders each participant's trials (any numeric values, not
        necessarily consecutive; unique within a participant). Integers are
        kept as integers, exactly, however large (nanosecond timestamps);
        dates and times must be converted to numbers first.
    input : column name
        The outcome shown, 0 or 1; missing (NaN, None, ``pd.NA``) for a trial
        whose outcome was not shown, which leaves the belief unchanged.
    response : column name
        The participant's answer, 0 or 1; missing for a trial without an answer
        (a time-out), which the beliefs still learn from but the likelihood
        does not score. ``input`` and ``response`` may be integers, floats,
        booleans (True is 1) or pandas' nullable types.
    covariates : sequence of column names
        Participant-level columns (group, age, scores) to keep, each constant
        within a participant, never missing, and of one type (numbers, text or
        booleans, not a mix).

    Returns
    -------
    xarray.Dataset
        Dims ``participant`` (n_participants) and ``trial`` (T_max); the layout
        is described in the module's docstring.

    Raises
    ------
    ValueError
        Naming the argument or column, for anything the model could not use:
        not a DataFrame, no rows, a missing column, a column the data use that
        appears more than once in the frame, a missing or empty ('' or only
        spaces) participant label, a missing or non-numeric trial number (dates
        included), an unsigned trial number above 2**63 - 1, duplicate
        (participant, trial) rows, an input or response other than 0, 1 or
        missing, complex numbers in the trial, input, response or a covariate
        column, a participant with fewer than 2 trials or without a scored
        response (an observed response after an outcome was shown,
        :func:`hgf_tutorial.likelihood.scored_responses`), a covariate that is
        missing, varies within a participant or mixes numbers, text and
        booleans (1, 2 and ``"2"``: numbers stored as text).

    Warns
    -----
    UserWarning
        For participant labels that differ only by case, surrounding
        whitespace, Unicode form (NFC/NFKC) or a number stored as text
        (``"sub-01"`` and ``"sub-01 "``): they are kept as separate participants.
        Likewise for a text covariate's levels that differ only by case,
        surrounding whitespace or Unicode form (``"control"`` and
        ``"Control"``): they are kept as separate levels.
    """
    covariates = _check_arguments(frame, participant, trial, input, response, covariates)

    labels = frame[participant]
    missing_label = labels.isna().to_numpy()
    if missing_label.any():
        rows = _row_labels(frame, missing_label)
        raise ValueError(
            f"Column {participant!r} (`participant`) has {missing_label.sum()} missing "
            f"label(s), at row(s) {rows}: every row needs its participant's label."
        )
    codes, uniques = pd.factorize(labels, sort=False)
    _check_labels(frame, participant, codes, uniques)
    trials = _trial_numbers(frame, trial, codes, uniques)

    duplicated = pd.DataFrame({"code": codes, "trial": trials}).duplicated().to_numpy()
    if duplicated.any():
        first = int(np.argmax(duplicated))
        raise ValueError(
            f"Columns {participant!r} and {trial!r} have {duplicated.sum()} duplicate "
            f"row(s): the first is participant {_show(uniques[codes[first]])} trial "
            f"{_show(frame[trial].iloc[first])} (row {_show(frame.index[first])}). "
            "Each participant may have only one row per trial."
        )

    in_values, in_observed = _binary_column(frame, input, "input", codes, uniques, trial)
    out_values, out_observed = _binary_column(frame, response, "response", codes, uniques, trial)

    # sort by participant (first-seen order), then by trial number
    order = np.lexsort((trials, codes))
    codes_sorted = codes[order]
    n_participants = len(uniques)
    n_trials = np.bincount(codes_sorted, minlength=n_participants).astype(np.int64)
    starts = np.concatenate([[0], np.cumsum(n_trials)[:-1]])
    position = np.arange(len(order)) - starts[codes_sorted]

    too_short = n_trials < 2
    if too_short.any():
        names = _show_list(uniques[too_short])
        raise ValueError(
            f"Column {participant!r}: participant(s) {names} have fewer than 2 trials; "
            "the first trial is not scored, so each participant needs at least 2."
        )
    covariate_values = {name: _covariate(frame, name, codes, uniques) for name in covariates}

    n_max = int(n_trials.max())
    shape = (n_participants, n_max)

    def grid(values, fill, dtype):
        array = np.full(shape, fill, dtype=dtype)
        array[codes_sorted, position] = values[order]
        return array

    observed_input = grid(in_observed, False, bool)
    observed_response = grid(out_observed, False, bool)
    unscored = ~scored_responses(observed_response, observed_input).any(axis=1)
    if unscored.any():
        names = _show_list(uniques[unscored])
        raise ValueError(
            f"Columns {input!r} and {response!r} (`input`, `response`): participant(s) "
            f"{names} have no scored response (an observed response on a trial after "
            "an outcome was shown: a response before any shown outcome reflects the "
            "prior belief only), so the data say nothing about them: remove them or "
            "check their inputs and responses."
        )
    inputs = np.where(observed_input, grid(in_values, 0, np.int64), 0).astype(np.int64)
    responses = np.where(observed_response, grid(out_values, 0, np.int64), 0).astype(np.int64)
    source_trial = _source_trial_grid(trials, grid)

    grid_dims = ("participant", "trial")
    variables = {
        "inputs": (grid_dims, inputs),
        "responses": (grid_dims, responses),
        "observed_input": (grid_dims, observed_input),
        "observed_response": (grid_dims, observed_response),
        "n_trials": ("participant", n_trials),
        "source_trial": (grid_dims, source_trial),
    }
    for name, (values, attrs) in covariate_values.items():
        variables[name] = xr.Variable("participant", values, attrs=attrs)
    return xr.Dataset(
        variables,
        coords={"participant": _label_array(uniques), "trial": np.arange(n_max, dtype=np.int64)},
        attrs={
            "participant_column": participant,
            "trial_column": trial,
            "input_column": input,
            "response_column": response,
            "covariates": list(covariates),
            "source_trial_dtype": str(frame[trial].dtype),
        },
    )


def _check_arguments(frame, participant, trial, input, response, covariates) -> list:
    """Check the frame and the column names; return the covariates as a list."""
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"`frame` must be a pandas DataFrame, got {type(frame).__name__}.")
    if len(frame) == 0:
        raise ValueError(
            f"`frame` is empty (no rows; columns {list(frame.columns)}): it needs one row "
            "per participant and trial."
        )
    roles = {"participant": participant, "trial": trial, "input": input, "response": response}
    for role, name in roles.items():
        if not isinstance(name, Hashable):
            raise ValueError(f"`{role}` must be a column name, got {name!r}.")
    seen = {}
    for role, name in roles.items():
        if name in seen:
            raise ValueError(
                f"`{seen[name]}` and `{role}` name the same column {name!r}; each role "
                "needs its own column."
            )
        seen[name] = role
    if isinstance(covariates, str):
        covariates = [covariates]
    try:
        covariates = list(covariates)
    except TypeError:
        raise ValueError(
            f"`covariates` must be a list of column names, got {covariates!r}."
        ) from None
    for name in covariates:
        if not isinstance(name, Hashable):
            raise ValueError(f"`covariates` must hold column names, got {name!r}.")
        if name in seen:
            raise ValueError(
                f"`covariates` names {name!r}, which is already the `{seen[name]}` column."
            )
        if name in RESERVED_NAMES:
            raise ValueError(
                f"`covariates` names {name!r}, which is a name the dataset uses for its own "
                f"variables ({', '.join(RESERVED_NAMES)}); rename that column first."
            )
    repeated = [name for i, name in enumerate(covariates) if name in covariates[:i]]
    if repeated:
        raise ValueError(f"`covariates` names {repeated[0]!r} more than once.")
    columns = list(frame.columns)
    used = [*roles.items(), *(("covariates", name) for name in covariates)]
    for role, name in used:
        if name not in frame.columns:
            raise ValueError(
                f"`{role}`: the frame has no column {name!r}; its columns are {columns}."
            )
    _check_unique_columns(frame, used)
    return covariates


def _check_unique_columns(frame, used) -> None:
    """``ValueError`` when a column the data use appears more than once in the frame."""
    repeated = frame.columns[frame.columns.duplicated()]
    clashes = [
        f"{int(np.sum(frame.columns == name))} columns named {name!r} (`{role}`)"
        for role, name in used
        if name in repeated
    ]
    if clashes:
        raise ValueError(
            f"The frame has {'; '.join(clashes)}: pandas would return all of them as that "
            "column. Rename or drop the copies first; "
            "`frame.loc[:, ~frame.columns.duplicated()]` keeps the first of each name."
        )


def _check_labels(frame, participant, codes, uniques) -> None:
    """``ValueError`` for an empty label; a warning for labels that differ only in form."""
    blank = np.array([isinstance(v, str) and not v.strip() for v in uniques], dtype=bool)
    if blank.any():
        rows = blank[codes]
        raise ValueError(
            f"Column {participant!r} (`participant`) has {rows.sum()} empty label(s) ('' or "
            f"only spaces), at row(s) {_row_labels(frame, rows)}: every row needs its "
            "participant's label (an empty spreadsheet cell can be read as '')."
        )
    shown = _near_identical(list(uniques), np.bincount(codes, minlength=len(uniques)), "rows")
    if shown:
        check.warn(
            f"Column {participant!r} (`participant`) has labels that differ only by case, "
            f"surrounding whitespace, Unicode form or a number stored as text: {shown}. "
            "They are kept as separate participants. If they are the same person, clean the "
            f"column and call from_dataframe again, e.g. frame[{participant!r}] = "
            f"frame[{participant!r}].astype(str).str.normalize('NFKC').str.strip() (and "
            ".str.lower() where case does not matter)."
        )


#: What ``source_trial`` holds in the padding after a participant's last trial when the
#: trial column holds integers beyond 2**53 (nanosecond timestamps, say), which float64
#: cannot hold exactly and int64 holds without NaN; ``trial < n_trials`` marks the real
#: ones.
SOURCE_TRIAL_PADDING = np.iinfo(np.int64).min

#: The largest integer float64 holds exactly, with every integer below it.
EXACT_IN_FLOAT64 = 2**53


def _source_trial_grid(trials: np.ndarray, grid) -> np.ndarray:
    """The trial numbers on the (participant, trial) grid, exact, padded after each end.

    float64 with NaN in the padding whenever float64 holds every value exactly (all
    trial numbers a task numbers 1, 2, ... or by seconds do); int64 padded with
    :data:`SOURCE_TRIAL_PADDING` for integers beyond 2**53.
    """
    if trials.dtype == np.int64 and np.abs(trials).max() > EXACT_IN_FLOAT64:
        return grid(trials, SOURCE_TRIAL_PADDING, np.int64)
    return grid(trials.astype(np.float64), np.nan, np.float64)


def _trial_numbers(frame, trial, codes, uniques) -> np.ndarray:
    """The trial column as int64 (an integer column, exact) or finite float64, or ``ValueError``.

    Integers stay integers: float64 holds them exactly only up to 2**53, so larger
    ones (nanosecond timestamps) would sort and compare wrongly as floats.
    """
    column = frame[trial]
    if pd.api.types.is_bool_dtype(column.dtype) or not pd.api.types.is_numeric_dtype(column.dtype):
        raise ValueError(
            f"Column {trial!r} (`trial`) must be numeric, got dtype {column.dtype} "
            f"(first value {_show(column.iloc[0])}); convert it with pd.to_numeric, or "
            "number the trials."
        )
    _refuse_complex(frame, trial, "trial", codes, uniques, trial)
    missing = column.isna().to_numpy()
    if missing.any():
        first = int(np.argmax(missing))
        raise ValueError(
            f"Column {trial!r} (`trial`) has {missing.sum()} missing value(s); the first "
            f"at participant {_show(uniques[codes[first]])} (row {_show(frame.index[first])})."
        )
    if pd.api.types.is_integer_dtype(column.dtype):
        too_large = column.to_numpy() > np.iinfo(np.int64).max  # only unsigned can be
        if too_large.any():
            first = int(np.argmax(too_large))
            raise ValueError(
                f"Column {trial!r} (`trial`) has a number above 2**63 - 1, "
                f"{_show(column.iloc[first])} at participant {_show(uniques[codes[first]])} "
                f"(row {_show(frame.index[first])}); subtract the smallest trial number first."
            )
        return column.to_numpy(dtype=np.int64)
    values = column.to_numpy(dtype=np.float64)
    infinite = ~np.isfinite(values)
    if infinite.any():
        first = int(np.argmax(infinite))
        raise ValueError(
            f"Column {trial!r} (`trial`) has an infinite value at participant "
            f"{_show(uniques[codes[first]])} (row {_show(frame.index[first])})."
        )
    return values


def _binary_column(frame, column, role, codes, uniques, trial) -> tuple[np.ndarray, np.ndarray]:
    """A 0/1 column with gaps: (values as int64 with 0 at gaps, observed as bool)."""
    series = frame[column]
    _refuse_complex(frame, column, role, codes, uniques, trial)
    observed = ~series.isna().to_numpy()
    values = np.zeros(len(series), dtype=np.int64)
    present = series[observed]
    if pd.api.types.is_bool_dtype(present.dtype):
        good = np.ones(len(present), dtype=bool)
        ints = present.to_numpy(dtype=np.int64)
    elif pd.api.types.is_numeric_dtype(present.dtype):
        floats = present.to_numpy(dtype=np.float64)
        good = (floats == 0) | (floats == 1)
        ints = np.where(good, floats, 0).astype(np.int64)
    else:
        raw = present.to_numpy(dtype=object)
        good = np.array([_is_binary(v) for v in raw], dtype=bool)
        ints = np.array([int(v) if ok else 0 for v, ok in zip(raw, good, strict=True)])
        ints = ints.astype(np.int64)
    if not good.all():
        where = np.flatnonzero(observed)[np.argmin(good)]
        raise ValueError(
            f"Column {column!r} (`{role}`) must hold 0, 1 or a missing value; it has "
            f"{_show(series.iloc[where])} at participant {_show(uniques[codes[where]])} "
            f"trial {_show(frame[trial].iloc[where])} (row {_show(frame.index[where])}), "
            f"and {int((~good).sum())} such value(s) in all."
        )
    values[observed] = ints
    return values, observed


def _refuse_complex(frame, column, role, codes, uniques, trial) -> None:
    """``ValueError`` for a column of complex numbers (NumPy would drop the imaginary part)."""
    if not pd.api.types.is_complex_dtype(frame[column].dtype):
        return
    values = frame[column].to_numpy()
    first = int(np.argmax(np.imag(values) != 0))  # the first with an imaginary part, or row 0
    at_trial = "" if column == trial else f" trial {_show(frame[trial].iloc[first])}"
    raise ValueError(
        f"Column {column!r} (`{role}`) holds complex numbers (dtype {values.dtype}), e.g. "
        f"{_show(values[first])} at participant {_show(uniques[codes[first]])}{at_trial} "
        f"(row {_show(frame.index[first])}); its imaginary parts would be dropped. Give real "
        "numbers: check how the column was made."
    )


def _is_binary(value) -> bool:
    if isinstance(value, bool | np.bool_):
        return True
    if isinstance(value, numbers.Real) and not isinstance(value, str):
        return value == 0 or value == 1
    return False


def _covariate(frame, name, codes, uniques) -> tuple[np.ndarray, dict]:
    """One value per participant for covariate ``name``, with its attrs; or ``ValueError``."""
    column = frame[name]
    missing = column.isna().to_numpy()
    if missing.any():
        who = _show_list(pd.unique(uniques[codes[missing]]))
        raise ValueError(
            f"Covariate {name!r} (`covariates`) has {missing.sum()} missing value(s), for "
            f"participant(s) {who}; a covariate needs a value for every participant."
        )
    dtype = column.dtype
    attrs = {"source_dtype": str(dtype)}
    row = _first_complex(column)
    if row is not None:
        raise ValueError(
            f"Covariate {name!r} (`covariates`) holds complex numbers, e.g. "
            f"{_show(column.iloc[row])} for participant {_show(uniques[codes[row]])}; its "
            "imaginary parts would be dropped or each value made a level. Give real numbers."
        )
    if isinstance(dtype, pd.CategoricalDtype):
        categories = list(dtype.categories)
        attrs["categories"] = [check.plain(c) for c in categories]
        attrs["ordered"] = int(bool(dtype.ordered))
        values = np.asarray(column.astype(object).to_numpy(), dtype=object)
        _check_one_kind(name, values, codes, uniques)
    elif pd.api.types.is_bool_dtype(dtype):
        values = column.to_numpy(dtype=bool)
    elif pd.api.types.is_integer_dtype(dtype):
        values = column.to_numpy(dtype=np.int64)
    elif pd.api.types.is_float_dtype(dtype):
        values = column.to_numpy(dtype=np.float64)
        if not np.isfinite(values).all():
            raise ValueError(f"Covariate {name!r} (`covariates`) has infinite values.")
    elif pd.api.types.is_string_dtype(dtype) or pd.api.types.is_object_dtype(dtype):
        values = column.to_numpy(dtype=object)
        bad = [v for v in values if not isinstance(v, str | numbers.Number | np.bool_)]
        if bad:
            raise ValueError(
                f"Covariate {name!r} (`covariates`) must be numeric, boolean, text or "
                f"categorical; it holds {_show(bad[0])} ({type(bad[0]).__name__})."
            )
        values = np.array([check.plain(v) for v in values], dtype=object)
        _check_one_kind(name, values, codes, uniques)
    else:
        raise ValueError(
            f"Covariate {name!r} (`covariates`) must be numeric, boolean, text or "
            f"categorical, got dtype {dtype}."
        )

    first = np.full(len(uniques), -1)
    # position of each participant's first row
    first[codes[::-1]] = np.arange(len(codes))[::-1]
    per_participant = values[first]
    differs = _differs(values, per_participant[codes])
    if differs.any():
        row = int(np.argmax(differs))
        who = uniques[codes[row]]
        n_varying = len(pd.unique(codes[differs]))
        raise ValueError(
            f"Covariate {name!r} (`covariates`) varies within participant {_show(who)} "
            f"({_show(per_participant[codes[row]])} and {_show(values[row])}), and within "
            f"{n_varying} participant(s) in all; a covariate must be one value per participant."
        )
    if all(isinstance(v, str) for v in per_participant):
        _warn_near_identical_levels(name, per_participant)
    return per_participant, attrs


def _value_kind(value) -> str:
    if isinstance(value, bool | np.bool_):
        return "booleans"
    if isinstance(value, str):
        return "text"
    return "numbers" if isinstance(value, numbers.Real) else "other values"


def _check_one_kind(name, values, codes, uniques) -> None:
    """``ValueError`` for a covariate mixing numbers, text and booleans (2, '2', True)."""
    examples: dict[str, dict[str, str]] = {}
    for row, value in enumerate(values):
        shown = examples.setdefault(_value_kind(value), {})
        key = f"{type(value).__name__}:{value!r}"
        if key not in shown and len(shown) < 3:
            shown[key] = f"{_show(value)} (participant {_show(uniques[codes[row]])})"
    if len(examples) < 2:
        return
    kinds = sorted(examples)
    listed = "; ".join(f"{kind} {', '.join(examples[kind].values())}" for kind in kinds)
    raise ValueError(
        f"Covariate {name!r} (`covariates`) mixes {', '.join(kinds[:-1])} and {kinds[-1]}: "
        f"{listed}. The model would code each type's values as levels of their own (the "
        "number 2 apart from the text '2', as when a spreadsheet stores some numbers as "
        "text). Convert the column to one type first, e.g. "
        f"frame[{name!r}] = pd.to_numeric(frame[{name!r}]) for numbers, or "
        f"frame[{name!r}].astype(str) for labels."
    )


def _near_identical(values: list, counts, unit: str, limit: int = 5) -> str:
    """The groups of ``values`` that differ only in form, each value with its count; or ''."""
    groups = check.near_identical(values)
    shown = "; ".join(
        " and ".join(f"{_show(values[i])} ({counts[i]} {unit})" for i in group)
        for group in groups[:limit]
    )
    more = f" and {len(groups) - limit} more such group(s)" if len(groups) > limit else ""
    return shown + more


def _warn_near_identical_levels(name, per_participant) -> None:
    """A warning for text levels that differ only by case, whitespace or Unicode form."""
    counts: dict[str, int] = {}  # participants per level, in order of first appearance
    for level in per_participant:
        counts[level] = counts.get(level, 0) + 1
    levels = list(counts)
    shown = _near_identical(levels, list(counts.values()), "participant(s)")
    if not shown:
        return
    check.warn(
        f"Covariate {name!r} (`covariates`) has levels that differ only by case, surrounding "
        f"whitespace or Unicode form: {shown}. They are kept as separate levels. If they "
        "are the same, merge them in the table and call from_dataframe again, e.g. "
        f"frame[{name!r}] = frame[{name!r}].str.normalize('NFKC').str.strip().str.lower()."
    )


def _first_complex(column: pd.Series) -> int | None:
    """The position of a complex value in ``column`` (the first with an imaginary part), or None."""
    if pd.api.types.is_complex_dtype(column.dtype):
        return int(np.argmax(np.imag(column.to_numpy()) != 0))
    if not (
        isinstance(column.dtype, pd.CategoricalDtype) or pd.api.types.is_object_dtype(column.dtype)
    ):
        return None
    for row, value in enumerate(column.astype(object)):
        if isinstance(value, numbers.Complex) and not isinstance(value, numbers.Real):
            return row
    return None


def _differs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    if a.dtype == object:
        return np.array([x != y or type(x) is not type(y) for x, y in zip(a, b, strict=True)])
    return a != b


def _label_array(uniques) -> np.ndarray:
    """The participant labels as a NumPy array: int64, float64, bool, or objects."""
    array = np.asarray(uniques.to_numpy() if hasattr(uniques, "to_numpy") else uniques)
    if array.dtype.kind in "iub":
        return array.astype(np.int64) if array.dtype.kind in "iu" else array
    if array.dtype.kind == "f":
        return array.astype(np.float64)
    return np.array([check.plain(v) for v in array], dtype=object)


def _show(value) -> str:
    """A value for a message: ``'sub-03'``, ``12``, ``2.5``."""
    value = check.plain(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value)


def _show_list(values, limit: int = 10) -> str:
    values = list(values)
    shown = ", ".join(_show(v) for v in values[:limit])
    more = f" and {len(values) - limit} more" if len(values) > limit else ""
    return f"{shown}{more}"


def _row_labels(frame, mask) -> str:
    return _show_list(frame.index[mask])


# --- and out ----------------------------------------------------------------------


def to_dataframe(dataset: xr.Dataset) -> pd.DataFrame:
    """Turn a dataset back into a long table, one row per participant and trial.

    The inverse of :func:`from_dataframe`. It also takes the datasets of
    :func:`~hgf_tutorial.simulate_group` (one input sequence for everybody, every
    response observed, no covariates); their true parameters are not written.

    Parameters
    ----------
    dataset : xarray.Dataset
        ``inputs`` with dims (participant, trial) or (trial,), ``responses``
        (participant, trial), and optionally the masks, ``n_trials``,
        ``source_trial``, covariates and attributes of :func:`from_dataframe`'s
        layout.

    Returns
    -------
    pandas.DataFrame, shape (sum of n_trials, 4 + n_covariates)
        Rows ordered by participant (the dataset's order) then trial; columns the
        participant label, the trial number (the original values and dtype), the
        input and the response (nullable ``Int64``, ``<NA>`` where not observed),
        then each covariate, repeated on each of the participant's rows. Columns
        are named as in the dataset's attributes, by default ``participant``,
        ``trial``, ``input``, ``response``.
    """
    if not isinstance(dataset, xr.Dataset):
        raise ValueError(f"`dataset` must be an xarray Dataset, got {type(dataset).__name__}.")
    for name in ("inputs", "responses"):
        if name not in dataset.data_vars:
            raise ValueError(
                f"`dataset` has no {name!r} variable; its variables are {list(dataset.data_vars)}."
            )
    responses = dataset["responses"]
    if responses.dims != ("participant", "trial"):
        raise ValueError(
            f"`dataset['responses']` must have dims ('participant', 'trial'), got {responses.dims}."
        )
    shape = responses.shape
    inputs = dataset["inputs"].broadcast_like(responses).transpose("participant", "trial")
    columns = {key: dataset.attrs.get(key, default) for key, default in DEFAULT_COLUMNS.items()}

    def mask(name):
        if name in dataset:
            return dataset[name].broadcast_like(responses).transpose(*responses.dims).to_numpy()
        return np.ones(shape, dtype=bool)

    if "n_trials" in dataset:
        n_trials = dataset["n_trials"].to_numpy().astype(np.int64)
    else:
        n_trials = np.full(shape[0], shape[1], dtype=np.int64)
    kept = np.arange(shape[1])[None, :] < n_trials[:, None]
    rows, cols = np.nonzero(kept)

    labels = dataset["participant"].to_numpy()
    if "source_trial" in dataset:
        trial_values = dataset["source_trial"].transpose("participant", "trial").to_numpy()
        trial_values = pd.Series(trial_values[rows, cols])
    else:
        trial_values = pd.Series(dataset["trial"].to_numpy()[cols])
    trial_dtype = dataset.attrs.get("source_trial_dtype")
    if trial_dtype is not None:
        trial_values = trial_values.astype(trial_dtype)

    def nullable(values, observed):
        return pd.arrays.IntegerArray(
            np.asarray(values, dtype=np.int64)[rows, cols], ~observed[rows, cols]
        )

    frame = pd.DataFrame(
        {
            columns["participant_column"]: _label_column(labels[rows]),
            columns["trial_column"]: trial_values,
            columns["input_column"]: nullable(inputs.to_numpy(), mask("observed_input")),
            columns["response_column"]: nullable(responses.to_numpy(), mask("observed_response")),
        }
    )
    for name in dataset.attrs.get("covariates", []):
        frame[name] = _covariate_column(dataset[name]).iloc[rows].reset_index(drop=True)
    return frame


def _label_column(labels: np.ndarray) -> pd.Series:
    """Participant labels as a Series; text labels get pandas' default string dtype."""
    return pd.Series(list(labels) if labels.dtype == object else labels)


def _covariate_column(variable: xr.DataArray) -> pd.Series:
    """A participant-level variable as a Series, with its table dtype restored."""
    values = variable.to_numpy()
    dtype = variable.attrs.get("source_dtype")
    if dtype == "category":
        categorical = pd.Categorical(
            values,
            categories=variable.attrs.get("categories"),
            ordered=bool(variable.attrs.get("ordered", False)),
        )
        return pd.Series(categorical)
    series = pd.Series(list(values) if values.dtype == object else values)
    return series.astype(dtype) if dtype is not None else series


# --- the fit's results, one row per participant ---------------------------------------


def to_grid(values, dim: str = "observation"):
    """Values along the observation dimension laid out on a (participant, trial) grid.

    The fit's observed data, pointwise log-likelihood and replications have one
    entry per scored response, with its ``participant`` and ``trial`` as
    coordinates along ``observation``. This puts them back on a grid, for
    statistics by trial or by participant, with NaN where no response was scored
    (unanswered trials); trials with no scored response at all (every first
    trial) are left out, and the participants keep their order in the data.

    Parameters
    ----------
    values : xarray.DataArray or xarray.Dataset
        With ``dim`` and the coordinates ``participant`` and ``trial`` along it
        (other dims, such as chain and draw, are kept).
    dim : str
        The observation dimension: ``<name>_observation`` for an observed
        variable called ``<name>`` (coordinates ``<name>_participant`` and
        ``<name>_trial``).

    Returns
    -------
    xarray.DataArray or xarray.Dataset
        ``dim`` replaced by ``participant`` and ``trial``.
    """
    if not isinstance(values, xr.DataArray | xr.Dataset) or dim not in values.dims:
        raise ValueError(f"`values` must be an xarray object with the dimension {dim!r}.")
    # the observed variable <name> has dim <name>_observation and coords <name>_participant...
    prefix = dim[: -len("observation")] if dim.endswith("observation") else ""
    names = {f"{prefix}participant": "participant", f"{prefix}trial": "trial"}
    missing = [c for c in names if c not in values.coords]
    if missing:
        raise ValueError(
            f"`values` has no {missing} coordinate along {dim!r}: use the fit's groups "
            "(observed_data, log_likelihood, posterior_predictive) as ht.sample, "
            "ht.add_log_likelihood and ht.posterior_predictive return them."
        )
    order = pd.unique(np.asarray(values[f"{prefix}participant"]))
    grid = values.drop_vars(dim).set_index({dim: list(names)}).unstack(dim)
    return grid.rename(names).sel(participant=order)


def participant_estimates(idata, data: xr.Dataset, *, prob: float = 0.94) -> pd.DataFrame:
    """One row per participant: each participant-level parameter's posterior summary.

    Every posterior variable whose only dims besides ``chain`` and ``draw`` is
    ``participant`` is summarised (``volatility``, ``inverse_temperature``,
    ``learning_rate``, ``volatility_3``, ...), except the standardised offsets
    ``z_*`` of a non-centred model.

    Parameters
    ----------
    idata : xarray.DataTree or arviz.InferenceData
        A fit, with a ``posterior`` group.
    data : xarray.Dataset
        The dataset the model was fitted to (:func:`from_dataframe`'s layout),
        its participants in any order; its participant labels name the rows (in
        its order) and its covariates are appended. It is matched to the fit by
        label and checked against the fit's observed data
        (:func:`hgf_tutorial.fit.matched_data`).
    prob : float
        Probability mass of the highest-density interval, in (0, 1).

    Returns
    -------
    pandas.DataFrame, shape (n_participants, 1 + 4 * n_parameters + n_covariates)
        Column one is the participant label, named as the dataset's
        ``participant_column`` attribute (default ``participant``). Then, for each
        parameter ``<name>``: ``<name>_mean`` and ``<name>_sd`` (posterior mean and
        standard deviation, ``ddof=1`` as in ``az.summary``) and ``<name>_hdi_low``
        and ``<name>_hdi_high`` (ArviZ's highest-density interval at ``prob``,
        which is also stored in ``frame.attrs["hdi_prob"]``). Then each covariate.

    Raises
    ------
    ValueError
        For a fit without a posterior or participant-level variables, a ``prob``
        outside (0, 1), a dataset whose participants are not the fit's, or a
        covariate with the name of one of the table's columns
        (``volatility_mean`` merged back from an earlier run's estimates).
    """
    prob = check.open_probability(prob, "prob")
    if not isinstance(data, xr.Dataset) or "participant" not in data.dims:
        raise ValueError("`data` must be a dataset with a 'participant' dim (from_dataframe's).")
    posterior = whole_draws(idata)
    sample_dims = list(SAMPLE_DIMS)
    names = [
        name
        for name, variable in posterior.data_vars.items()
        if set(variable.dims) - set(sample_dims) == {"participant"}
        and not str(name).startswith("z_")
    ]
    if not names:
        raise ValueError(
            "`idata`'s posterior has no participant-level variable (dims chain, draw, "
            f"participant); its variables are {list(posterior.data_vars)}."
        )
    matched_data(idata, data)
    # rows in the data's order
    selected = posterior[names].sel(participant=data["participant"].to_numpy())

    mean = selected.mean(sample_dims)
    sd = selected.std(sample_dims, ddof=1)
    hdi = az.hdi(selected, prob=prob, dim=sample_dims)
    label_column = data.attrs.get("participant_column", "participant")
    labels = data["participant"].to_numpy()
    columns = {label_column: _label_column(labels)}
    for name in names:
        columns[f"{name}_mean"] = mean[name].transpose("participant").to_numpy()
        columns[f"{name}_sd"] = sd[name].transpose("participant").to_numpy()
        interval = hdi[name].transpose("participant", "ci_bound")
        columns[f"{name}_hdi_low"] = interval.sel(ci_bound="lower").to_numpy()
        columns[f"{name}_hdi_high"] = interval.sel(ci_bound="upper").to_numpy()
    frame = pd.DataFrame(columns)
    for name in data.attrs.get("covariates", []):
        if name in frame.columns:
            raise ValueError(
                f"`data`'s covariate {name!r} has the name of a column of the estimates table "
                f"({list(frame.columns)}), which it would overwrite. Rename or drop it before "
                "`from_dataframe` (a column merged back from an earlier run's estimates?)."
            )
        frame[name] = _covariate_column(data[name])
    frame.attrs["hdi_prob"] = prob
    return frame


# --- a realistic simulated study -------------------------------------------------------

#: The two counterbalanced orders of the task's sequence.
SCHEDULES = ("A", "B")

#: The study's covariates, in the order :func:`simulate_study` stores them.
STUDY_COVARIATES = ("group", "age", "schedule")


def schedule_inputs(inputs, schedule: str) -> np.ndarray:
    """The task's sequence in one of the two counterbalanced orders.

    Parameters
    ----------
    inputs : array, shape (n_trials,)
        The task's 0/1 sequence.
    schedule : {"A", "B"}
        ``"A"``: the sequence as it is; ``"B"``: its second half first, then its
        first half (for an odd length, the longer half is the second).

    Returns
    -------
    numpy.ndarray, shape (n_trials,), dtype int64
    """
    inputs = np.asarray(inputs, dtype=np.int64)
    if schedule == "A":
        return inputs.copy()
    if schedule == "B":
        half = inputs.shape[0] // 2
        return np.concatenate([inputs[half:], inputs[:half]])
    raise ValueError(f"`schedule` must be one of {SCHEDULES}, got {schedule!r}.")


def simulate_study(
    n_participants: int = 24,
    *,
    seed: int = 2024,
    family: str | Family = "hgf2",
    inputs=None,
    p_missed_response: float = 0.04,
    p_aborted_trial: float = 0.03,
    p_stop_early: float = 0.2,
    min_trials: int = 100,
    age_range: tuple[int, int] = (18, 65),
    group_effect: dict | None = None,
    population: dict | None = None,
    log_temperature: tuple[float, float] = (0.5, 0.5),
    groups=None,
) -> xr.Dataset:
    """Simulate a study with the gaps real data have, in :func:`from_dataframe`'s layout.

    Participants ``sub-01``, ``sub-02``, ... answer the task's sequence in one of
    two counterbalanced orders (:func:`schedule_inputs`; ``"A"``, ``"B"``,
    ``"A"``, ... in turn) and belong to a group, ``"control"`` or ``"patient"``
    (by default two of each in turn, so each group gets both orders equally
    often; ``groups`` sets them). On each
    trial, independently:

    - with probability ``p_aborted_trial`` the outcome is not shown (the input is
      missing): the belief is not updated by it, but the participant still
      answers from the belief they had before the trial;
    - with probability ``p_missed_response`` the participant does not answer (a
      time-out): the beliefs still learn from the outcome.

    A fraction ``p_stop_early`` of the participants (on average) stop after a
    random number of trials, between ``min_trials`` and one less than the full
    sequence; the others do every trial.

    Random draws come from ``numpy.random.default_rng(seed)``, participant by
    participant: the perceptual parameters (as :func:`~hgf_tutorial.simulate_group`
    draws them, from the family's population, shifted for patients by
    ``group_effect``), log inverse temperature, age, whether and when the
    participant stops, the aborted trials, the missed responses, then the
    responses, ``P(1) = response_probability(belief, t)``.

    Parameters
    ----------
    n_participants : int
        Number of participants (at least 1).
    seed : int
        Seed of :func:`numpy.random.default_rng`.
    family : {"hgf2", "hgf3", "rw"} or Family
        The participants' perceptual model.
    inputs : array, shape (n_trials,), optional
        The task's 0/1 sequence; defaults to :func:`~hgf_tutorial.load_inputs`
        (320 trials).
    p_missed_response, p_aborted_trial : float in [0, 1)
        Per-trial probabilities of a time-out and of an outcome not shown.
    p_stop_early : float in [0, 1]
        Probability that a participant stops before the end.
    min_trials : int
        The fewest trials an early stopper does (at least 2, fewer than the
        sequence's length).
    age_range : (low, high)
        Ages are whole years drawn uniformly from ``low`` to ``high`` inclusive.
    group_effect : dict, optional
        Shift of the patients' population mean, by parameter name, on the link
        scale (e.g. ``{"volatility": 1.0}``; ``"inverse_temperature"`` shifts the
        log inverse temperature). By default the groups do not differ.
    population : dict, optional
        ``(mean, sd)`` per perceptual parameter, as in
        :func:`~hgf_tutorial.simulate_group`.
    log_temperature : (mean, sd)
        Population of log(inverse temperature).
    groups : sequence of {"control", "patient"}, optional
        Each participant's group, in order (``n_participants`` of them). The
        default, two controls then two patients in turn, gives e.g. 26 controls
        and 24 patients for 50 participants; pass
        ``balanced_groups(50)`` for 25 of each.

    Returns
    -------
    xarray.Dataset
        :func:`from_dataframe`'s layout, dims ``participant`` (labels
        ``"sub-01"``, ...) and ``trial`` (the sequence's length), with the
        covariates ``group``, ``age`` and ``schedule`` and trial numbers 1, 2, ...
        in ``source_trial``; plus the true parameters (``tonic_volatility`` for
        ``"hgf2"``, named as in ``simulate_group``; ``inverse_temperature``) per
        participant and ``expected_mean`` (participant, trial), the belief before
        each trial (NaN after a participant's last trial). :func:`to_dataframe`
        writes it as a task would export it.
    """
    family = get_family(family)
    n_participants = check.positive_int(n_participants, "n_participants")
    if inputs is None:
        inputs = load_inputs()
    task = check.as_binary_array(inputs, "inputs", ndim=(1,)).astype(np.int64)
    n_task = task.shape[0]
    p_missed_response = _probability(p_missed_response, "p_missed_response")
    p_aborted_trial = _probability(p_aborted_trial, "p_aborted_trial")
    p_stop_early = _probability(p_stop_early, "p_stop_early", closed=True)
    min_trials = check.positive_int(min_trials, "min_trials", minimum=2)
    if p_stop_early > 0 and min_trials >= n_task:
        raise ValueError(
            f"`min_trials` must be less than the sequence's {n_task} trials, got {min_trials}."
        )
    age_low, age_high = _age_range(age_range)
    log_temperature = check.normal_spec(log_temperature, "log_temperature")
    defaults = {p.name: p.population for p in family.parameters}
    base = _population(family, defaults.get("volatility", (-4.0, 1.0)), population)
    effect = _group_effect(group_effect, family)

    rng = np.random.default_rng(seed)
    width = max(2, len(str(n_participants)))
    labels = np.array([f"sub-{i + 1:0{width}d}" for i in range(n_participants)], dtype=object)
    schedules = np.array([SCHEDULES[i % 2] for i in range(n_participants)], dtype=object)
    groups = _study_groups(groups, n_participants)
    parameters = {p.name: np.empty(n_participants) for p in family.parameters}
    temperatures = np.empty(n_participants)
    ages = np.empty(n_participants, dtype=np.int64)
    n_trials = np.full(n_participants, n_task, dtype=np.int64)
    shown = np.empty((n_participants, n_task), dtype=bool)
    answered = np.empty((n_participants, n_task), dtype=bool)
    sequences = np.stack([schedule_inputs(task, s) for s in schedules])
    uniforms = np.empty((n_participants, n_task))
    for i in range(n_participants):
        shift = effect if groups[i] == "patient" else {}
        spec = {name: (mean + shift.get(name, 0.0), sd) for name, (mean, sd) in base.items()}
        for name, value in family.draw_parameters(rng, spec).items():
            parameters[name][i] = value
        log_t_mean = log_temperature[0] + shift.get("inverse_temperature", 0.0)
        temperatures[i] = np.exp(rng.normal(log_t_mean, log_temperature[1]))
        ages[i] = rng.integers(age_low, age_high + 1)
        if rng.random() < p_stop_early:
            n_trials[i] = rng.integers(min_trials, n_task)
        shown[i] = rng.random(n_task) >= p_aborted_trial
        answered[i] = rng.random(n_task) >= p_missed_response
        uniforms[i] = rng.random(n_task)

    within = np.arange(n_task)[None, :] < n_trials[:, None]
    observed_input = shown & within
    observed_response = answered & within
    inputs_grid = np.where(observed_input, sequences, 0).astype(np.int64)
    beliefs = _study_beliefs(family, parameters, inputs_grid, observed_input)
    probabilities = np.asarray(response_probability(beliefs, temperatures[:, None]))
    responses = np.where(observed_response, uniforms < probabilities, 0).astype(np.int64)
    scored = scored_responses(observed_response, observed_input).any(axis=1)
    if not scored.all():
        raise ValueError(
            f"`p_missed_response` = {p_missed_response} left participant(s) "
            f"{_show_list(labels[~scored])} without a scored response; lower it."
        )

    grid_dims = ("participant", "trial")
    source_trial = np.where(within, np.arange(1, n_task + 1, dtype=np.float64), np.nan)
    text = {"source_dtype": "str"}
    study = xr.Dataset(
        {
            "inputs": (grid_dims, inputs_grid),
            "responses": (grid_dims, responses),
            "observed_input": (grid_dims, observed_input),
            "observed_response": (grid_dims, observed_response),
            "n_trials": ("participant", n_trials),
            "source_trial": (grid_dims, source_trial),
            "group": ("participant", groups, text),
            "age": ("participant", ages, {"source_dtype": "int64"}),
            "schedule": ("participant", schedules, text),
            **{p.data_name: ("participant", parameters[p.name]) for p in family.parameters},
            "inverse_temperature": ("participant", temperatures),
            "expected_mean": (grid_dims, np.where(within, beliefs, np.nan)),
        },
        coords={"participant": labels, "trial": np.arange(n_task, dtype=np.int64)},
        attrs={
            "participant_column": "participant",
            "trial_column": "trial",
            "input_column": "input",
            "response_column": "response",
            "covariates": list(STUDY_COVARIATES),
            "source_trial_dtype": "int64",
            "seed": seed,
            "family": family.name,
            "p_missed_response": p_missed_response,
            "p_aborted_trial": p_aborted_trial,
            "p_stop_early": p_stop_early,
            "min_trials": min_trials,
            **{f"{name}_population": spec for name, spec in base.items()},
            "log_temperature_population": log_temperature,
            **{f"{name}_patient_shift": value for name, value in effect.items()},
        },
    )
    # the trial dim ends with the longest participant, as from_dataframe's does
    return study.isel(trial=slice(0, int(n_trials.max())))


def balanced_groups(n_participants: int) -> list[str]:
    """Groups for :func:`simulate_study`: two controls, two patients in turn, equal counts.

    As the default of :func:`simulate_study`, except that an odd last pair is
    split (``"control"``, ``"patient"``), so that an even number of participants
    gives two groups of the same size; with the schedules ``"A"``, ``"B"`` in
    turn each group still sees both orders (as equally often as it can).

    Parameters
    ----------
    n_participants : int
        An even number (at least 2).

    Returns
    -------
    list of str, length n_participants
    """
    n_participants = check.positive_int(n_participants, "n_participants", minimum=2)
    if n_participants % 2:
        raise ValueError(f"`n_participants` must be even for equal groups, got {n_participants}.")
    groups = ["control" if i % 4 < 2 else "patient" for i in range(n_participants)]
    if n_participants % 4 == 2:
        groups[-1] = "patient"
    return groups


def _study_groups(groups, n_participants: int) -> np.ndarray:
    if groups is None:
        return np.array(
            ["control" if i % 4 < 2 else "patient" for i in range(n_participants)], dtype=object
        )
    if isinstance(groups, str):
        raise ValueError(f"`groups` must be a sequence of group names, got {groups!r}.")
    out = np.array([str(g) for g in groups], dtype=object)
    if out.shape != (n_participants,):
        raise ValueError(
            f"`groups` must name one group per participant ({n_participants}), got {out.size}."
        )
    unknown = sorted(set(out) - {"control", "patient"})
    if unknown:
        raise ValueError(f"`groups` may only hold 'control' and 'patient', got {unknown}.")
    return out


def _study_beliefs(family, parameters, inputs, observed) -> np.ndarray:
    """Every participant's belief before each trial, shape (n_participants, n_trials)."""
    beliefs = jax.jit(jax.vmap(family.beliefs))
    params = {name: jnp.asarray(values) for name, values in parameters.items()}
    return np.asarray(beliefs(params, jnp.asarray(inputs), jnp.asarray(observed, dtype=int)))


def _probability(value, name: str, *, closed: bool = False) -> float:
    upper = "1]" if closed else "1)"
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool)
    if ok:
        value = float(value)
        ok = 0 <= value <= 1 if closed else 0 <= value < 1
    if not ok:
        raise ValueError(f"`{name}` must be a probability in [0, {upper}, got {value!r}.")
    return value


def _age_range(value) -> tuple[int, int]:
    try:
        low, high = value
    except (TypeError, ValueError):
        raise ValueError(f"`age_range` must be a (low, high) pair, got {value!r}.") from None
    if not all(isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in (low, high)):
        raise ValueError(f"`age_range` must hold whole years, got {value!r}.")
    if not 0 <= low <= high:
        raise ValueError(f"`age_range` must be (low, high) with 0 <= low <= high, got {value!r}.")
    return int(low), int(high)


def _group_effect(value, family: Family) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"`group_effect` must be a dict of shifts, got {value!r}.")
    allowed = [*family.parameter_names, "inverse_temperature"]
    effect = {}
    for name, shift in value.items():
        if name not in allowed:
            raise ValueError(
                f"`group_effect` has {name!r}, which is not a parameter of family "
                f"{family.name!r}; it may shift {allowed}."
            )
        effect[name] = float(check.finite_array(shift, f"group_effect[{name!r}]"))
    return effect


# --- a two-option task's choices and outcomes -------------------------------------------


def two_option_input(choice, reward, *, options=(1, 2)) -> pd.DataFrame:
    """The binary input and response of a two-option task, from its choices and rewards.

    A reversal task's export has, per trial, the option the participant chose and
    whether it was rewarded; the HGF needs one binary input per trial that does
    not depend on the choice. With two anti-correlated options (on every trial
    exactly one of them is the rewarded one, as in most reversal tasks) the
    outcome of the choice tells which: the input is "option 1 was the rewarded
    one", 1 when the participant chose option 1 and was rewarded or chose
    option 2 and was not, 0 otherwise; the response is "chose option 1".

    If the options are rewarded independently (on some trials both or neither),
    the choice's outcome says nothing about the other option and no single
    binary input describes the trial: the HGF would need two inputs, one per
    option. The models of this package take one binary input, so such a task
    can only be fitted approximately, by coding the chosen option's outcome with
    the choice as here, which treats the unchosen option as having had the
    opposite outcome; a report should say so.

    Parameters
    ----------
    choice : pandas.Series or array_like, shape (n_trials,)
        The option chosen on each trial, one of ``options``; missing (NaN,
        None, ``pd.NA``) for a missed choice, whose outcome was not shown.
    reward : pandas.Series or array_like, shape (n_trials,)
        1 (or True) if the chosen option was rewarded, 0 (or False) if not;
        missing where no outcome was shown.
    options : (option 1, option 2)
        The two values ``choice`` takes; the first is "option 1".

    Returns
    -------
    pandas.DataFrame, shape (n_trials, 2)
        Columns ``input`` and ``response``, nullable ``Int64``, with the index of
        ``choice`` when it is a Series: ``input`` is missing where the choice or
        the reward is, ``response`` where the choice is. Join it to the table
        and pass that to :func:`from_dataframe`.

    Raises
    ------
    ValueError
        For ``options`` that are not two distinct values, ``choice`` and
        ``reward`` of different lengths, a choice that is not one of
        ``options`` or a reward other than 0, 1 or missing (naming the first
        such value and its position).
    """
    try:
        first, second = options
    except (TypeError, ValueError):
        raise ValueError(f"`options` must be two values, got {options!r}.") from None
    if _is_missing(first) or _is_missing(second) or first == second:
        raise ValueError(f"`options` must be two distinct values, got {options!r}.")
    index = choice.index if isinstance(choice, pd.Series) else None
    choices = _one_dimensional(choice, "choice")
    rewards = _one_dimensional(reward, "reward")
    if len(choices) != len(rewards):
        raise ValueError(
            f"`choice` and `reward` must have one value per trial each, got {len(choices)} "
            f"and {len(rewards)}."
        )
    chose = np.array([not _is_missing(v) for v in choices], dtype=bool)
    shown = np.array([not _is_missing(v) for v in rewards], dtype=bool)
    first_option = np.array([c == first for c in choices[chose]], dtype=bool)
    other = np.array([c == second for c in choices[chose]], dtype=bool)
    allowed = f"one of the options {list(options)} or a missing value"
    _refuse_first(
        choices[chose], ~(first_option | other), np.flatnonzero(chose), index, "choice", allowed
    )
    good_reward = np.array([_is_binary(v) for v in rewards[shown]], dtype=bool)
    _refuse_first(
        rewards[shown],
        ~good_reward,
        np.flatnonzero(shown),
        index,
        "reward",
        "0, 1 or a missing value",
    )

    chose_first = np.zeros(len(choices), dtype=bool)
    chose_first[chose] = first_option
    rewarded = np.zeros(len(rewards), dtype=bool)
    rewarded[shown] = [bool(int(v)) for v in rewards[shown]]
    first_rewarded = np.where(chose_first, rewarded, ~rewarded)
    coded = pd.DataFrame(
        {
            "input": pd.arrays.IntegerArray(first_rewarded.astype(np.int64), ~(chose & shown)),
            "response": pd.arrays.IntegerArray(chose_first.astype(np.int64), ~chose),
        }
    )
    if index is not None:
        coded.index = index
    return coded


def _one_dimensional(values, name: str) -> np.ndarray:
    """``values`` (Series, list, array) as a 1-D object array, or ``ValueError``."""
    if isinstance(values, pd.Series | pd.Index):
        array = values.to_numpy(dtype=object)
    else:
        array = np.asarray(values, dtype=object)
    if array.ndim != 1:
        raise ValueError(f"`{name}` must be one value per trial (1-D), got shape {array.shape}.")
    return array


def _is_missing(value) -> bool:
    """None, ``pd.NA``, or a NaN of any float type."""
    return value is None or value is pd.NA or (isinstance(value, numbers.Real) and value != value)


def _refuse_first(values, bad, positions, index, name: str, allowed: str) -> None:
    """``ValueError`` naming the first of ``values`` marked ``bad``, if any."""
    if not bad.any():
        return
    first = int(np.argmax(bad))
    where = positions[first] if index is None else index[positions[first]]
    raise ValueError(
        f"`{name}` must hold {allowed}; it has {_show(values[first])} at "
        f"{'position' if index is None else 'index'} {_show(where)}, and "
        f"{int(bad.sum())} such value(s) in all."
    )
