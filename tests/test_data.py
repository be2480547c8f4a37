"""Tests for hgf_tutorial.data: the table in, the dataset, the tables out."""

import math
import unicodedata
import warnings

import numpy as np
import pandas as pd
import pandas.testing as pdt
import pytest
import xarray as xr

import hgf_tutorial as ht
from hgf_tutorial import data as htdata
from hgf_tutorial.data import from_dataframe, participant_estimates, to_dataframe
from tests import reference

# --- a small study written out by hand ------------------------------------------------

#: (participant, trial, input, response, group, age), in the order a task might export
#: them: participants interleaved, trials out of order and not consecutive.
ROWS = [
    ("sub-10", 30, 1, 0, "patient", 41),
    ("sub-02", 2, 0, 1, "control", 29),
    ("sub-10", 10, 0, 1, "patient", 41),
    ("sub-02", 1, 1, None, "control", 29),  # time-out
    ("sub-10", 20, None, 1, "patient", 41),  # aborted trial, still answered
    ("sub-02", 3, 1, 1, "control", 29),
    ("sub-10", 40, None, None, "patient", 41),  # aborted and no answer
    ("sub-05", 7, 1, 1, "control", 35),
    ("sub-05", 5, 0, 0, "control", 35),
]
COLUMNS = ["participant", "trial", "input", "response", "group", "age"]


def small_frame() -> pd.DataFrame:
    return pd.DataFrame(ROWS, columns=COLUMNS)


# what the dataset must hold, written out: participants in first-seen order
LABELS = ["sub-10", "sub-02", "sub-05"]
#: int64's smallest value, where an integer trial column has no trial (padding)
SOURCE_TRIAL = [[10, 20, 30, 40], [1, 2, 3, np.nan], [5, 7, np.nan, np.nan]]
#: int64's padding of trial numbers beyond 2**53, which float64 cannot hold
PAD = -(2**63)
INPUTS = [[0, 0, 1, 0], [1, 0, 1, 0], [0, 1, 0, 0]]
OBSERVED_INPUT = [[True, False, True, False], [True, True, True, False], [True, True, False, False]]
RESPONSES = [[1, 1, 0, 0], [0, 1, 1, 0], [0, 1, 0, 0]]
OBSERVED_RESPONSE = [
    [True, True, True, False],
    [False, True, True, False],
    [True, True, False, False],
]


def test_from_dataframe_layout():
    ds = from_dataframe(small_frame(), covariates=["group", "age"])
    assert ds.sizes == {"participant": 3, "trial": 4}
    assert list(ds["participant"].values) == LABELS
    np.testing.assert_array_equal(ds["trial"].values, [0, 1, 2, 3])
    assert ds["trial"].dtype == np.int64
    for name, expected in [
        ("inputs", INPUTS),
        ("responses", RESPONSES),
        ("observed_input", OBSERVED_INPUT),
        ("observed_response", OBSERVED_RESPONSE),
    ]:
        assert ds[name].dims == ("participant", "trial")
        np.testing.assert_array_equal(ds[name].values, expected, err_msg=name)
    assert ds["inputs"].dtype == np.int64 and ds["responses"].dtype == np.int64
    assert ds["observed_input"].dtype == bool and ds["observed_response"].dtype == bool
    np.testing.assert_array_equal(ds["source_trial"].values, SOURCE_TRIAL)
    assert ds["source_trial"].dtype == np.float64  # small integers: exact, NaN in padding
    np.testing.assert_array_equal(ds["n_trials"].values, [4, 3, 2])
    assert ds["n_trials"].dtype == np.int64
    assert list(ds["group"].values) == ["patient", "control", "control"]
    np.testing.assert_array_equal(ds["age"].values, [41, 29, 35])
    assert ds["age"].dtype == np.int64
    assert ds.attrs == {
        "participant_column": "participant",
        "trial_column": "trial",
        "input_column": "input",
        "response_column": "response",
        "covariates": ["group", "age"],
        "source_trial_dtype": "int64",
    }


def test_padding_is_unobserved_and_zero():
    ds = from_dataframe(small_frame())
    padding = (ds["trial"] >= ds["n_trials"]).transpose("participant", "trial")
    assert int(padding.sum()) == 3
    assert not (ds["observed_input"] & padding).any()
    assert not (ds["observed_response"] & padding).any()
    assert (ds["inputs"].where(padding, 0) == 0).all()
    assert (ds["responses"].where(padding, 0) == 0).all()
    assert ds["source_trial"].isnull().equals(padding)


def test_no_nan_reaches_the_values():
    frame = small_frame()
    frame["response"] = frame["response"].astype(float)  # NaN for the time-outs
    ds = from_dataframe(frame)
    for name in ("inputs", "responses"):
        assert ds[name].dtype == np.int64
        assert set(np.unique(ds[name].values)) <= {0, 1}


@pytest.mark.parametrize(
    "convert",
    [
        pytest.param(lambda s: s.astype(float), id="float-nan"),
        pytest.param(lambda s: s.astype(object), id="object-none"),
        pytest.param(lambda s: s.astype("Int64"), id="Int64-na"),
        pytest.param(lambda s: s.astype("Float64"), id="Float64-na"),
        pytest.param(lambda s: s.map({0: False, 1: True}).astype("boolean"), id="boolean-na"),
        pytest.param(lambda s: s.map({0: False, 1: True}), id="object-bool"),
    ],
)
def test_missing_values_and_dtypes(convert):
    frame = small_frame()
    frame["input"] = convert(frame["input"])
    frame["response"] = convert(frame["response"])
    ds = from_dataframe(frame)
    np.testing.assert_array_equal(ds["inputs"].values, INPUTS)
    np.testing.assert_array_equal(ds["responses"].values, RESPONSES)
    np.testing.assert_array_equal(ds["observed_input"].values, OBSERVED_INPUT)
    np.testing.assert_array_equal(ds["observed_response"].values, OBSERVED_RESPONSE)


def test_boolean_columns_without_gaps():
    frame = pd.DataFrame(
        {
            "participant": [1, 1, 1],
            "trial": [0, 1, 2],
            "input": [True, False, True],
            "response": [False, True, True],
        }
    )
    ds = from_dataframe(frame)
    np.testing.assert_array_equal(ds["inputs"].values, [[1, 0, 1]])
    np.testing.assert_array_equal(ds["responses"].values, [[0, 1, 1]])
    assert ds["observed_input"].all() and ds["observed_response"].all()


def test_integer_labels_keep_their_values_and_first_seen_order():
    frame = small_frame()
    frame["participant"] = frame["participant"].map({"sub-10": 10, "sub-02": 2, "sub-05": 5})
    ds = from_dataframe(frame)
    assert ds["participant"].dtype == np.int64
    np.testing.assert_array_equal(ds["participant"].values, [10, 2, 5])
    np.testing.assert_array_equal(ds["responses"].values, RESPONSES)


def test_custom_column_names():
    frame = small_frame().rename(
        columns={
            "participant": "subject_id",
            "trial": "trial_no",
            "input": "outcome",
            "response": "choice",
        }
    )
    ds = from_dataframe(
        frame,
        participant="subject_id",
        trial="trial_no",
        input="outcome",
        response="choice",
        covariates="group",
    )
    np.testing.assert_array_equal(ds["responses"].values, RESPONSES)
    assert ds.attrs["participant_column"] == "subject_id"
    assert ds.attrs["trial_column"] == "trial_no"
    assert ds.attrs["input_column"] == "outcome"
    assert ds.attrs["response_column"] == "choice"
    assert ds.attrs["covariates"] == ["group"]
    back = to_dataframe(ds)
    assert list(back.columns) == ["subject_id", "trial_no", "outcome", "choice", "group"]


def test_float_trial_numbers_sort_numerically():
    frame = pd.DataFrame(
        {
            "participant": ["a"] * 3,
            "trial": [10.5, 2.0, 9.25],
            "input": [1, 0, 1],
            "response": [1, 1, 0],
        }
    )
    ds = from_dataframe(frame)
    np.testing.assert_array_equal(ds["source_trial"].values, [[2.0, 9.25, 10.5]])
    np.testing.assert_array_equal(ds["inputs"].values, [[0, 1, 1]])
    np.testing.assert_array_equal(ds["responses"].values, [[1, 0, 1]])
    assert ds.attrs["source_trial_dtype"] == "float64"


def test_covariate_kinds():
    frame = small_frame()
    frame["score"] = frame["age"] / 2
    frame["medicated"] = frame["group"] == "patient"
    frame["site"] = pd.Categorical(
        frame["participant"].map({"sub-10": "z", "sub-02": "y", "sub-05": "z"}),
        categories=["z", "y", "x"],
        ordered=True,
    )
    ds = from_dataframe(frame, covariates=["group", "age", "score", "medicated", "site"])
    assert ds["age"].dtype == np.int64
    assert ds["score"].dtype == np.float64
    np.testing.assert_array_equal(ds["score"].values, [20.5, 14.5, 17.5])
    assert ds["medicated"].dtype == bool
    np.testing.assert_array_equal(ds["medicated"].values, [True, False, False])
    assert ds["group"].dtype == object
    assert all(type(v) is str for v in ds["group"].values)
    assert list(ds["site"].values) == ["z", "y", "z"]
    assert ds["site"].attrs["categories"] == ["z", "y", "x"]
    assert ds["site"].attrs["ordered"] == 1
    back = to_dataframe(ds)
    assert list(back["site"].cat.categories) == ["z", "y", "x"]
    assert back["site"].cat.ordered
    assert back["medicated"].dtype == bool
    assert back["score"].dtype == np.float64


# --- bad input: one ValueError each, naming the argument or column ----------------------


def _with(frame, **changes):
    """``frame`` with ``changes[column] = (row position, value)`` applied."""
    frame = frame.copy()
    for column, (row, value) in changes.items():
        if column not in frame:
            frame[column] = None
        frame[column] = frame[column].astype(object)
        frame.iloc[row, frame.columns.get_loc(column)] = value
    return frame


def test_error_not_a_dataframe():
    with pytest.raises(ValueError, match="`frame` must be a pandas DataFrame, got dict"):
        from_dataframe({"participant": [1], "trial": [1]})


def test_error_empty_frame():
    with pytest.raises(ValueError, match=r"`frame` is empty \(no rows"):
        from_dataframe(small_frame().iloc[:0])


def test_error_missing_column_lists_the_columns():
    frame = small_frame().drop(columns="response")
    message = (
        r"`response`: the frame has no column 'response'; its columns are "
        r"\['participant', 'trial', 'input', 'group', 'age'\]"
    )
    with pytest.raises(ValueError, match=message):
        from_dataframe(frame)
    with pytest.raises(ValueError, match="`covariates`: the frame has no column 'sex'"):
        from_dataframe(small_frame(), covariates=["sex"])


def test_error_duplicate_rows_name_the_first():
    frame = small_frame()
    extra = pd.DataFrame(
        [("sub-03", 12, 1, 1, "control", 30), ("sub-03", 12, 0, 1, "control", 30)],
        columns=COLUMNS,
    )
    frame = pd.concat([frame, extra, extra.iloc[:1]], ignore_index=True)
    with pytest.raises(
        ValueError,
        match=r"'participant' and 'trial' have 2 duplicate row\(s\): the first is "
        r"participant 'sub-03' trial 12 \(row 10\)",
    ):
        from_dataframe(frame)


@pytest.mark.parametrize(
    ("column", "value", "shown"),
    [("response", 2, "2"), ("response", 0.5, "0.5"), ("input", "1", "'1'"), ("input", -1, "-1")],
)
def test_error_value_other_than_0_1_or_missing(column, value, shown):
    frame = _with(small_frame(), **{column: (5, value)})  # sub-02, trial 3
    message = (
        rf"Column '{column}' \(`{column}`\) must hold 0, 1 or a missing value; it has "
        rf"{shown} at participant 'sub-02' trial 3 \(row 5\)"
    )
    with pytest.raises(ValueError, match=message):
        from_dataframe(frame)


def test_error_participant_without_scored_response():
    frame = small_frame()
    # sub-05 answers only its first trial (5); sub-10 keeps its answers
    frame.loc[(frame["participant"] == "sub-05") & (frame["trial"] == 7), "response"] = None
    with pytest.raises(
        ValueError,
        match=r"Columns 'input' and 'response' \(`input`, `response`\): participant\(s\) "
        "'sub-05' have no",
    ):
        from_dataframe(frame)
    # an answer on the first trial only is not enough, but an answer later is
    frame.loc[(frame["participant"] == "sub-05") & (frame["trial"] == 5), "response"] = None
    with pytest.raises(ValueError, match="'sub-05' have no scored response"):
        from_dataframe(frame)
    frame.loc[(frame["participant"] == "sub-05") & (frame["trial"] == 7), "response"] = 1
    assert from_dataframe(frame)["observed_response"].sel(participant="sub-05").sum() == 1


def test_error_participant_whose_answers_all_precede_any_shown_outcome():
    """Answers before any outcome was shown reflect the prior only: not scored."""
    frame = small_frame()
    sub05 = frame["participant"] == "sub-05"
    # sub-05's first outcome (trial 5) aborted: its answer on trial 7 comes before
    # any shown outcome
    frame.loc[sub05 & (frame["trial"] == 5), "input"] = None
    with pytest.raises(ValueError, match="'sub-05' have no scored response"):
        from_dataframe(frame)
    # every outcome aborted: the same
    frame.loc[sub05, "input"] = None
    with pytest.raises(ValueError, match="'sub-05' have no scored response"):
        from_dataframe(frame)
    # an outcome shown on trial 5 makes the answer on trial 7 scored
    frame.loc[sub05 & (frame["trial"] == 5), "input"] = 0
    ds = from_dataframe(frame)
    scored = ht.model.observations(ds).scored
    np.testing.assert_array_equal(scored[2], [False, True, False, False])


def test_error_fewer_than_two_trials():
    frame = small_frame()
    frame = frame[~((frame["participant"] == "sub-05") & (frame["trial"] == 5))]
    with pytest.raises(ValueError, match=r"participant\(s\) 'sub-05' have fewer than 2 trials"):
        from_dataframe(frame)


def test_error_covariate_varies_within_participant():
    frame = small_frame()
    frame.loc[frame.index[4], "age"] = 42  # a row of sub-10
    with pytest.raises(
        ValueError, match=r"Covariate 'age' \(`covariates`\) varies within participant 'sub-10'"
    ):
        from_dataframe(frame, covariates=["age"])


def test_error_covariate_missing():
    frame = _with(small_frame(), group=(8, None))  # a row of sub-05
    with pytest.raises(
        ValueError,
        match=r"Covariate 'group' \(`covariates`\) has 1 missing value\(s\), for "
        r"participant\(s\) 'sub-05'",
    ):
        from_dataframe(frame, covariates=["age", "group"])


def test_error_non_numeric_trial():
    frame = small_frame()
    frame["trial"] = frame["trial"].astype(str)
    with pytest.raises(ValueError, match=r"Column 'trial' \(`trial`\) must be numeric"):
        from_dataframe(frame)


def test_error_missing_trial_number():
    frame = _with(small_frame(), trial=(2, None))
    frame["trial"] = frame["trial"].astype(float)
    with pytest.raises(
        ValueError,
        match=r"Column 'trial' \(`trial`\) has 1 missing value\(s\); the first at "
        r"participant 'sub-10'",
    ):
        from_dataframe(frame)


def test_error_missing_participant_label():
    frame = _with(small_frame(), participant=(3, np.nan))
    with pytest.raises(
        ValueError,
        match=r"Column 'participant' \(`participant`\) has 1 missing label\(s\), at row\(s\) 3",
    ):
        from_dataframe(frame)


def test_error_one_column_for_two_roles():
    with pytest.raises(ValueError, match="`input` and `response` name the same column 'input'"):
        from_dataframe(small_frame(), response="input")


def test_error_covariate_with_a_reserved_name():
    frame = small_frame().rename(columns={"age": "n_trials"})
    with pytest.raises(ValueError, match="`covariates` names 'n_trials', which is a name"):
        from_dataframe(frame, covariates=["n_trials"])


def test_errors_come_before_anything_else():
    """The frame's own errors are reported before a later check can trip on them."""
    frame = small_frame().drop(columns="trial")
    frame["response"] = 7
    with pytest.raises(ValueError, match="no column 'trial'"):
        from_dataframe(frame)


# --- columns and values that would be read wrongly without a word ---------------------


@pytest.mark.parametrize("column", ["response", "trial", "group"])
def test_error_duplicated_column_name(column):
    frame = small_frame()
    copy = frame[[column]]
    frame = pd.concat([frame, copy], axis=1)  # two columns called `column`
    role = "covariates" if column == "group" else column
    with pytest.raises(ValueError, match=rf"The frame has 2 columns named '{column}' \(`{role}`\)"):
        from_dataframe(frame, covariates=["group"])
    # a repeated column the data do not use is ignored, like any other column
    frame = pd.concat([small_frame(), small_frame()[["age"]]], axis=1)
    assert from_dataframe(frame, covariates=["group"]).sizes["participant"] == 3


@pytest.mark.parametrize("column", ["input", "response", "trial"])
def test_error_complex_numbers(column):
    frame = small_frame()
    frame["input"] = frame["input"].fillna(0)  # complex has no missing value to keep
    frame["response"] = frame["response"].fillna(0)
    frame[column] = frame[column].astype(complex)
    frame.loc[5, column] = frame.loc[5, column] + 1j  # sub-02, trial 3
    trial = "" if column == "trial" else " trial 3"
    with pytest.raises(
        ValueError,
        match=rf"Column '{column}' \(`{column}`\) holds complex numbers \(dtype complex128\), "
        rf"e.g. \(\d\+1j\) at participant 'sub-02'{trial} \(row 5\); its imaginary parts "
        "would be dropped",
    ):
        from_dataframe(frame)


@pytest.mark.parametrize(
    "convert",
    [
        pytest.param(lambda s: s.astype(complex), id="complex128"),
        pytest.param(lambda s: s.astype(object), id="object"),
        pytest.param(lambda s: pd.Categorical(s), id="categorical"),
    ],
)
def test_error_complex_covariate(convert):
    frame = small_frame()
    ages = frame["age"].astype(object)
    ages[frame["participant"] == "sub-05"] = 35 + 2j
    frame["age"] = convert(ages)
    with pytest.raises(
        ValueError,
        match=r"Covariate 'age' \(`covariates`\) holds complex numbers, e.g. \(35\+2j\) for "
        r"participant 'sub-05'",
    ):
        from_dataframe(frame, covariates=["age"])


def test_large_integer_trial_numbers_stay_exact():
    """Nanosecond timestamps as trial numbers: float64 would merge neighbours (above 2**53)."""
    t0 = 1_700_000_000_000_000_000
    frame = pd.DataFrame(
        {
            "participant": ["a", "b", "a", "b", "a"],
            "trial": np.array([t0 + 3, t0 + 1, t0 + 1, t0 + 2, t0 + 2], dtype=np.int64),
            "input": [1, 0, 0, 1, 1],
            "response": [0, 1, 1, 1, 0],
        }
    )
    ds = from_dataframe(frame)
    assert ds["source_trial"].dtype == np.int64
    np.testing.assert_array_equal(
        ds["source_trial"].values, [[t0 + 1, t0 + 2, t0 + 3], [t0 + 1, t0 + 2, PAD]]
    )
    assert htdata.SOURCE_TRIAL_PADDING == PAD
    # ordered by the exact values: a's rows 3, 5, 1 of the table
    np.testing.assert_array_equal(ds["inputs"].values, [[0, 1, 1], [0, 1, 0]])
    back = to_dataframe(ds)
    assert back["trial"].tolist() == [t0 + 1, t0 + 2, t0 + 3, t0 + 1, t0 + 2]
    assert back["trial"].dtype == np.int64
    # the same in unsigned integers, and one above int64's range is refused
    frame["trial"] = frame["trial"].astype(np.uint64)
    back = to_dataframe(from_dataframe(frame))
    assert back["trial"].dtype == np.uint64
    assert back["trial"].tolist() == [t0 + 1, t0 + 2, t0 + 3, t0 + 1, t0 + 2]
    frame.loc[4, "trial"] = np.uint64(2**63 + 5)
    with pytest.raises(
        ValueError,
        match=r"Column 'trial' \(`trial`\) has a number above 2\*\*63 - 1, 9223372036854775813 "
        r"at participant 'a' \(row 4\)",
    ):
        from_dataframe(frame)


def test_large_integer_trial_numbers_are_told_apart_in_the_duplicate_check():
    t0 = 2**60
    frame = pd.DataFrame(
        {"participant": ["a"] * 3, "trial": [t0, t0 + 1, t0 + 1], "input": 0, "response": 1}
    )
    with pytest.raises(
        ValueError, match=rf"1 duplicate row\(s\): the first is participant 'a' trial {t0 + 1}"
    ):
        from_dataframe(frame)
    frame.loc[2, "trial"] = t0 + 2
    assert from_dataframe(frame)["n_trials"].values.tolist() == [3]


def test_error_dates_as_trial_numbers():
    frame = small_frame()
    frame["trial"] = pd.Timestamp("2024-01-01") + pd.to_timedelta(frame["trial"], unit="s")
    with pytest.raises(
        ValueError, match=r"Column 'trial' \(`trial`\) must be numeric, got dtype datetime64"
    ):
        from_dataframe(frame)


@pytest.mark.parametrize("blank", ["", "   ", "\t"])
def test_error_empty_participant_label(blank):
    frame = _with(small_frame(), participant=(3, blank))
    frame.loc[6, "participant"] = blank
    with pytest.raises(
        ValueError,
        match=r"Column 'participant' \(`participant`\) has 2 empty label\(s\) \('' or only "
        r"spaces\), at row\(s\) 3, 6",
    ):
        from_dataframe(frame)


def _split_labels(frame, label, variant):
    """``frame`` with ``label`` written as ``variant`` on every other of its rows."""
    frame = frame.copy()
    rows = frame.index[frame["participant"] == label][1::2]
    frame.loc[rows, "participant"] = variant
    return frame


def _long_frame():
    """Three participants with 6 trials each, every answer given."""
    labels = np.repeat(["sub-01", "sub-02", "sub-03"], 6)
    return pd.DataFrame(
        {
            "participant": labels,
            "trial": np.tile(np.arange(6), 3),
            "input": np.tile([0, 1, 1, 0, 1, 0], 3),
            "response": np.tile([1, 1, 0, 0, 1, 1], 3),
            "group": np.repeat(["control", "control", "patient"], 6),
        }
    )


@pytest.mark.parametrize(
    ("variant", "shown"),
    [
        ("sub-01 ", "'sub-01 '"),
        ("SUB-01", "'SUB-01'"),
        ("\uff53ub-01", "'\uff53ub-01'"),  # full-width s: the same under NFKC
    ],
)
def test_participant_labels_that_differ_only_in_form_warn(variant, shown):
    frame = _split_labels(_long_frame(), "sub-01", variant)
    message = (
        r"Column 'participant' \(`participant`\) has labels that differ only by case, "
        rf"surrounding whitespace, Unicode form or a number stored as text: 'sub-01' \(3 rows\) "
        rf"and {shown} \(3 rows\)\. They are kept as separate participants"
    )
    with pytest.warns(UserWarning, match=message):
        ds = from_dataframe(frame)
    # not merged behind the user's back
    assert list(ds["participant"].values) == ["sub-01", variant, "sub-02", "sub-03"]
    np.testing.assert_array_equal(ds["n_trials"].values, [3, 3, 6, 6])


def test_participant_labels_in_two_unicode_forms_warn():
    composed = unicodedata.normalize("NFC", "Zo\u00eb")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    frame = _long_frame().replace({"participant": {"sub-01": composed}})
    frame = _split_labels(frame, composed, decomposed)
    with pytest.warns(UserWarning, match=rf"{composed!r} \(3 rows\) and {decomposed!r}"):
        from_dataframe(frame)


def test_participant_number_and_the_same_number_as_text_warn():
    frame = _long_frame()
    frame["participant"] = frame["participant"].map({"sub-01": 1, "sub-02": 2, "sub-03": 3})
    frame["participant"] = frame["participant"].astype(object)
    frame.loc[frame.index[frame["participant"] == 2][1::2], "participant"] = "2"
    with pytest.warns(UserWarning, match=r"stored as text: 2 \(3 rows\) and '2' \(3 rows\)"):
        from_dataframe(frame)


@pytest.mark.parametrize(
    "convert",
    [
        pytest.param(lambda s: s.astype(object), id="object"),
        pytest.param(lambda s: pd.Categorical(s.astype(object)), id="categorical"),
    ],
)
def test_error_covariate_mixes_numbers_and_text(convert):
    """Excel's numbers stored as text: 1, 2 and '2' would be three levels."""
    frame = small_frame()
    site = frame["participant"].map({"sub-10": 1, "sub-02": 2, "sub-05": "2"})
    frame["site"] = convert(site)
    message = (
        r"Covariate 'site' \(`covariates`\) mixes numbers and text: numbers 1 \(participant "
        r"'sub-10'\), 2 \(participant 'sub-02'\); text '2' \(participant 'sub-05'\)\. .*"
        r"Convert the column to one type first, e.g. frame\['site'\] = "
        r"pd.to_numeric\(frame\['site'\]\) for numbers"
    )
    with pytest.raises(ValueError, match=message):
        from_dataframe(frame, covariates=["site"])
    # converted, the column is fine
    frame["site"] = pd.to_numeric(site.astype(object))
    np.testing.assert_array_equal(from_dataframe(frame, covariates=["site"])["site"], [1, 2, 2])


def test_error_covariate_mixes_booleans_and_text():
    frame = small_frame()
    frame["medicated"] = frame["participant"].map({"sub-10": True, "sub-02": "no", "sub-05": "no"})
    with pytest.raises(
        ValueError,
        match=r"Covariate 'medicated' \(`covariates`\) mixes booleans and text: booleans True "
        r"\(participant 'sub-10'\); text 'no' \(participant 'sub-02'\)",
    ):
        from_dataframe(frame, covariates=["medicated"])


def _grouped_frame(groups):
    """Four participants with 4 trials each, every answer given, in the given groups."""
    n = len(groups)
    return pd.DataFrame(
        {
            "participant": np.repeat([f"p{i}" for i in range(n)], 4),
            "trial": np.tile(np.arange(4), n),
            "input": np.tile([0, 1, 1, 0], n),
            "response": np.tile([1, 0, 1, 1], n),
            "group": pd.Series(np.repeat(np.array(groups, dtype=object), 4), dtype=object),
        }
    )


@pytest.mark.parametrize("as_category", [False, True])
def test_covariate_levels_that_differ_only_in_form_warn(as_category):
    groups = ["control", "Control", "patient", "patient ", "control", "patient"]
    frame = _grouped_frame(groups)
    if as_category:
        frame["group"] = frame["group"].astype("category")
    message = (
        r"Covariate 'group' \(`covariates`\) has levels that differ only by case, surrounding "
        r"whitespace or Unicode form: 'control' \(2 participant\(s\)\) and 'Control' \(1 "
        r"participant\(s\)\); 'patient' \(2 participant\(s\)\) and 'patient ' \(1 "
        r"participant\(s\)\)\. They are kept as separate levels\. If they are the same, "
        r"merge them in the table"
    )
    with pytest.warns(UserWarning, match=message):
        ds = from_dataframe(frame, covariates=["group"])
    assert list(ds["group"].values) == groups  # kept as they are


def test_covariate_levels_in_two_unicode_forms_warn():
    composed = unicodedata.normalize("NFC", "\u00e9tudiant")
    decomposed = unicodedata.normalize("NFD", composed)
    frame = _grouped_frame([composed, decomposed, "control", "control"])
    with pytest.warns(
        UserWarning, match=rf"{composed!r} \(1 participant\(s\)\) and {decomposed!r}"
    ):
        from_dataframe(frame, covariates=["group"])


def test_distinct_labels_and_levels_do_not_warn():
    frame = small_frame()
    frame["site"] = frame["group"].map({"patient": "Site A", "control": "Site B"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from_dataframe(frame, covariates=["group", "site", "age"])
        from_dataframe(_long_frame(), covariates=["group"])


# --- the round trips -------------------------------------------------------------------


def _sorted_like_the_dataset(frame, participant="participant", trial="trial"):
    order = {label: i for i, label in enumerate(pd.unique(frame[participant]))}
    key = frame[participant].map(order)
    return (frame.assign(_key=key).sort_values(["_key", trial]).drop(columns="_key")).reset_index(
        drop=True
    )


def test_round_trip_table_with_float_nan():
    frame = small_frame()
    frame["response"] = frame["response"].astype(float)
    frame["input"] = frame["input"].astype(float)
    back = to_dataframe(from_dataframe(frame, covariates=["group", "age"]))
    assert back["input"].dtype == "Int64" and back["response"].dtype == "Int64"
    assert back["response"].isna().sum() == 2 and back["input"].isna().sum() == 2
    expected = _sorted_like_the_dataset(frame)
    pdt.assert_frame_equal(back, expected, check_dtype=False)
    assert list(back["participant"].unique()) == LABELS


def test_round_trip_table_exact_dtypes():
    frame = small_frame()
    frame["input"] = frame["input"].astype("Int64")
    frame["response"] = frame["response"].astype("Int64")
    frame["site"] = pd.Categorical(frame["group"].map({"patient": "B", "control": "A"}))
    frame["trial"] = frame["trial"].astype(np.int32)
    back = to_dataframe(from_dataframe(frame, covariates=["group", "age", "site"]))
    pdt.assert_frame_equal(back, _sorted_like_the_dataset(frame))


def test_round_trip_dataset_is_identical():
    frame = small_frame()
    frame["trial"] = frame["trial"] / 4  # float trial numbers
    frame["site"] = pd.Categorical(["x", "y", "x", "y", "x", "y", "x", "z", "z"])
    ds = from_dataframe(frame, covariates=["site", "age", "group"])
    again = from_dataframe(to_dataframe(ds), covariates=ds.attrs["covariates"])
    xr.testing.assert_identical(again, ds)
    assert again.attrs == ds.attrs
    for name in ds.data_vars:
        assert again[name].attrs == ds[name].attrs


def test_round_trip_through_csv(tmp_path):
    ds = from_dataframe(small_frame(), covariates=["group", "age"])
    path = tmp_path / "study.csv"
    to_dataframe(ds).to_csv(path, index=False)
    again = from_dataframe(pd.read_csv(path), covariates=["group", "age"])
    xr.testing.assert_identical(again, ds)


def test_to_dataframe_of_simulate_group():
    group = ht.simulate_group(3, inputs=ht.load_inputs()[:40])
    frame = to_dataframe(group)
    assert list(frame.columns) == ["participant", "trial", "input", "response"]
    assert len(frame) == 3 * 40
    np.testing.assert_array_equal(frame["participant"], np.repeat([0, 1, 2], 40))
    np.testing.assert_array_equal(frame["trial"], np.tile(np.arange(40), 3))
    np.testing.assert_array_equal(frame["input"], np.tile(group["inputs"].values, 3))
    np.testing.assert_array_equal(frame["response"], group["responses"].values.ravel())
    assert frame["input"].dtype == "Int64" and not frame["response"].isna().any()
    # and back in: the same responses, every trial observed
    ds = from_dataframe(frame)
    np.testing.assert_array_equal(ds["responses"].values, group["responses"].values)
    assert ds["observed_input"].all() and ds["observed_response"].all()


def test_to_dataframe_rejects_a_dataset_without_responses():
    with pytest.raises(ValueError, match="`dataset` has no 'responses' variable"):
        to_dataframe(xr.Dataset({"inputs": ("trial", [0, 1])}))
    with pytest.raises(ValueError, match="`dataset` must be an xarray Dataset"):
        to_dataframe(small_frame())


# --- participant_estimates --------------------------------------------------------------

# 1005 draws: prob * n is not a whole number for the probs tested (ArviZ then keeps
# floor(prob * n) + 1 = ceil(prob * n) draws)
N_CHAINS, N_DRAWS = 3, 335


def narrowest_interval(draws, prob):
    """The narrowest interval holding ceil(prob * n) of the sorted draws."""
    x = np.sort(np.ravel(draws))
    k = math.ceil(prob * x.size)
    widths = x[k - 1 :] - x[: x.size - k + 1]
    i = int(np.argmin(widths))
    return x[i], x[i + k - 1]


@pytest.fixture
def fit_and_data():
    """A fake fit of three participants labelled like a lab's, with known draws."""
    ds = from_dataframe(small_frame(), covariates=["group", "age"])
    rng = np.random.default_rng(11)
    shape = (N_CHAINS, N_DRAWS, 3)
    posterior = xr.Dataset(
        {
            # participant i's volatility ~ Normal(-6 + 2 i, 0.5 + 0.25 i)
            "volatility": (
                ("chain", "draw", "participant"),
                rng.normal([-6.0, -4.0, -2.0], [0.5, 0.75, 1.0], size=shape),
            ),
            # skewed, so that the HDI and the equal-tailed interval differ
            "inverse_temperature": (
                ("chain", "draw", "participant"),
                rng.gamma([1.5, 2.0, 4.0], 1.0, size=shape),
            ),
            "z_volatility": (("chain", "draw", "participant"), rng.normal(size=shape)),
            "mu_volatility": (("chain", "draw"), rng.normal(size=shape[:2])),
            "expected_mean": (
                ("chain", "draw", "participant", "trial"),
                rng.uniform(size=(*shape, 4)),
            ),
        },
        coords={
            "chain": np.arange(N_CHAINS),
            "draw": np.arange(N_DRAWS),
            "participant": ds["participant"].values,
        },
    )
    return xr.DataTree.from_dict({"posterior": posterior}), ds


def test_participant_estimates_columns(fit_and_data):
    idata, ds = fit_and_data
    table = participant_estimates(idata, ds)
    assert list(table.columns) == [
        "participant",
        "volatility_mean",
        "volatility_sd",
        "volatility_hdi_low",
        "volatility_hdi_high",
        "inverse_temperature_mean",
        "inverse_temperature_sd",
        "inverse_temperature_hdi_low",
        "inverse_temperature_hdi_high",
        "group",
        "age",
    ]
    assert list(table["participant"]) == LABELS
    assert list(table["group"]) == ["patient", "control", "control"]
    assert list(table["age"]) == [41, 29, 35]
    assert table.attrs["hdi_prob"] == 0.94


@pytest.mark.parametrize("prob", [0.94, 0.5, 0.89])
def test_participant_estimates_values(fit_and_data, prob):
    idata, ds = fit_and_data
    table = participant_estimates(idata, ds, prob=prob)
    posterior = idata["posterior"]
    for i, label in enumerate(LABELS):
        row = table.iloc[i]
        assert row["participant"] == label
        for name in ("volatility", "inverse_temperature"):
            draws = posterior[name].values[:, :, i].ravel()
            assert row[f"{name}_mean"] == pytest.approx(draws.mean(), rel=1e-12)
            assert row[f"{name}_sd"] == pytest.approx(draws.std(ddof=1), rel=1e-12)
            low, high = narrowest_interval(draws, prob)
            assert row[f"{name}_hdi_low"] == low
            assert row[f"{name}_hdi_high"] == high
    # the draws are what the fixture says they are: the rows are not mixed up
    np.testing.assert_allclose(table["volatility_mean"], [-6, -4, -2], atol=0.1)


def test_participant_estimates_hdi_is_not_the_equal_tailed_interval(fit_and_data):
    idata, ds = fit_and_data
    table = participant_estimates(idata, ds)
    draws = idata["posterior"]["inverse_temperature"].values[:, :, 0].ravel()
    equal_tailed_low = np.quantile(draws, 0.03)
    # a right-skewed posterior: the HDI starts well below the 3 % quantile
    assert table["inverse_temperature_hdi_low"].iloc[0] < equal_tailed_low - 0.02
    width = table["inverse_temperature_hdi_high"] - table["inverse_temperature_hdi_low"]
    quantile_width = np.quantile(draws, 0.97) - equal_tailed_low
    assert width.iloc[0] < quantile_width


def test_participant_estimates_reorders_the_fit_participants(fit_and_data):
    idata, ds = fit_and_data
    reversed_posterior = idata["posterior"].to_dataset().isel(participant=[2, 1, 0])
    reversed_fit = xr.DataTree.from_dict({"posterior": reversed_posterior})
    pdt.assert_frame_equal(
        participant_estimates(reversed_fit, ds), participant_estimates(idata, ds)
    )


def test_participant_estimates_integer_labels_and_no_covariates():
    group = ht.simulate_group(3, inputs=ht.load_inputs()[:20])
    rng = np.random.default_rng(2)
    posterior = xr.Dataset(
        {"learning_rate": (("chain", "draw", "participant"), rng.uniform(size=(2, 50, 3)))},
        coords={"participant": group["participant"].values},
    )
    table = participant_estimates(xr.DataTree.from_dict({"posterior": posterior}), group)
    assert list(table.columns) == [
        "participant",
        "learning_rate_mean",
        "learning_rate_sd",
        "learning_rate_hdi_low",
        "learning_rate_hdi_high",
    ]
    np.testing.assert_array_equal(table["participant"], [0, 1, 2])
    np.testing.assert_allclose(
        table["learning_rate_mean"], posterior["learning_rate"].mean(("chain", "draw"))
    )


def test_participant_estimates_errors(fit_and_data):
    idata, ds = fit_and_data
    with pytest.raises(ValueError, match="`prob` must be a number between 0 and 1"):
        participant_estimates(idata, ds, prob=94)
    with pytest.raises(
        ValueError,
        match=r"`data`'s participants are not the fit's \(2 in `data`, 3 in the fit; only in "
        r"`data`: \[\], only in the fit: \['sub-05'\]\)",
    ):
        participant_estimates(idata, ds.isel(participant=[0, 1]))
    relabelled = ds.assign_coords(participant=["a", "b", "c"])
    with pytest.raises(ValueError, match=r"only in `data`: \['a', 'b', 'c'\], only in the fit"):
        participant_estimates(idata, relabelled)
    with pytest.raises(ValueError, match="`idata` has no 'posterior' group"):
        participant_estimates(xr.DataTree(), ds)
    group_only = xr.DataTree.from_dict(
        {"posterior": idata["posterior"].to_dataset()[["mu_volatility"]]}
    )
    with pytest.raises(ValueError, match="no participant-level variable"):
        participant_estimates(group_only, ds)


def test_participant_estimates_refuses_a_covariate_named_like_an_estimate(fit_and_data):
    """Last run's estimates merged back into the table would be overwritten without a word."""
    idata, _ = fit_and_data
    frame = small_frame()
    frame["volatility_mean"] = frame["participant"].map(
        {"sub-10": 1.0, "sub-02": 2.0, "sub-05": 3.0}
    )
    ds = from_dataframe(frame, covariates=["group", "volatility_mean"])
    with pytest.raises(
        ValueError,
        match=r"`data`'s covariate 'volatility_mean' has the name of a column of the estimates "
        r"table \(\['participant', 'volatility_mean', .*\]\), which it would overwrite",
    ):
        participant_estimates(idata, ds)


def test_module_constants():
    assert set(htdata.RESERVED_NAMES) >= {"inputs", "responses", "n_trials"}


# --- simulate_study ---------------------------------------------------------------------


def masked_hgf2_beliefs(omega_2, inputs, observed):
    """Two-level binary HGF belief before each trial; no update where not observed."""
    return reference.binary_hgf_beliefs(omega_2, inputs, observed=observed)


@pytest.fixture(scope="module")
def study():
    return htdata.simulate_study(
        16, seed=7, p_missed_response=0.05, p_aborted_trial=0.05, p_stop_early=0.5
    )


def test_study_layout(study):
    assert study.sizes == {"participant": 16, "trial": 320}
    assert list(study["participant"].values) == [f"sub-{i:02d}" for i in range(1, 17)]
    assert study.attrs["covariates"] == ["group", "age", "schedule"]
    for name in ("inputs", "responses"):
        assert study[name].dtype == np.int64
        assert set(np.unique(study[name].values)) <= {0, 1}
    for name in ("observed_input", "observed_response"):
        assert study[name].dtype == bool
    assert {"tonic_volatility", "inverse_temperature", "expected_mean"} <= set(study.data_vars)
    assert (study["inverse_temperature"] > 0).all()
    assert ((study["age"] >= 18) & (study["age"] <= 65)).all()
    # both groups see both schedules
    table = study[["group", "schedule"]].to_dataframe()
    assert table.groupby(["group", "schedule"]).size().to_dict() == {
        ("control", "A"): 4,
        ("control", "B"): 4,
        ("patient", "A"): 4,
        ("patient", "B"): 4,
    }


def test_study_gaps_are_where_the_masks_say(study):
    n_trials = study["n_trials"].values
    within = np.arange(320)[None, :] < n_trials[:, None]
    observed_input = study["observed_input"].values
    observed_response = study["observed_response"].values
    # every kind of gap is there, and only inside each participant's trials
    assert (~observed_input & within).sum() > 100
    assert (~observed_response & within).sum() > 100
    assert (observed_input & observed_response & within).sum() > 0.8 * within.sum()
    assert not (observed_input & ~within).any()
    assert not (observed_response & ~within).any()
    assert (study["inputs"].values[~observed_input] == 0).all()
    assert (study["responses"].values[~observed_response] == 0).all()
    assert np.isnan(study["source_trial"].values[~within]).all()
    assert np.isnan(study["expected_mean"].values[~within]).all()
    # the rates are near the asked probabilities
    assert abs((~observed_input[within]).mean() - 0.05) < 0.01
    assert abs((~observed_response[within]).mean() - 0.05) < 0.01
    # and the table written out has <NA> exactly there
    frame = to_dataframe(study)
    assert len(frame) == n_trials.sum()
    np.testing.assert_array_equal(frame["input"].isna(), ~observed_input[within])
    np.testing.assert_array_equal(frame["response"].isna(), ~observed_response[within])
    np.testing.assert_array_equal(
        frame["trial"], np.concatenate([np.arange(1, n + 1) for n in n_trials])
    )


def test_study_early_stoppers(study):
    n_trials = study["n_trials"].values
    stopped = n_trials < 320
    assert 3 <= stopped.sum() <= 13  # half of 16 on average
    assert (n_trials[stopped] >= 100).all()
    short = htdata.simulate_study(6, seed=1, p_stop_early=1.0, min_trials=150)
    assert (short["n_trials"] >= 150).all() and (short["n_trials"] < 320).all()
    # the trial dim ends with the longest participant
    assert short.sizes["trial"] == int(short["n_trials"].max())
    never = htdata.simulate_study(4, seed=1, p_stop_early=0.0)
    assert (never["n_trials"] == 320).all()


def test_study_schedules(study):
    task = ht.load_inputs()
    swapped = np.concatenate([task[160:], task[:160]])
    assert not np.array_equal(task, swapped)
    for label in study["participant"].values:
        p = study.sel(participant=label)
        n = int(p["n_trials"])
        expected = task if p["schedule"].item() == "A" else swapped
        seen = p["observed_input"].values[:n]
        np.testing.assert_array_equal(p["inputs"].values[:n][seen], expected[:n][seen])
    assert list(study["schedule"].values[:4]) == ["A", "B", "A", "B"]
    np.testing.assert_array_equal(htdata.schedule_inputs(task, "B"), swapped)
    with pytest.raises(ValueError, match="`schedule` must be one of"):
        htdata.schedule_inputs(task, "C")


def test_study_beliefs_skip_aborted_trials(study):
    checked_after_abort = 0
    for label in study["participant"].values:
        p = study.sel(participant=label)
        n = int(p["n_trials"])
        inputs = p["inputs"].values[:n]
        observed = p["observed_input"].values[:n]
        omega = float(p["tonic_volatility"])
        expected = masked_hgf2_beliefs(omega, inputs, observed)
        np.testing.assert_allclose(p["expected_mean"].values[:n], expected, rtol=0, atol=1e-10)
        # after an aborted trial, the belief is the prediction: not what it would be
        # had the outcome been shown
        aborted = np.flatnonzero(~observed[:-1])
        if aborted.size:
            t = int(aborted[0])
            shown = observed.copy()
            shown[t] = True
            as_if_seen = masked_hgf2_beliefs(omega, inputs, shown)
            assert abs(expected[t + 1] - as_if_seen[t + 1]) > 1e-4
            checked_after_abort += 1
    assert checked_after_abort >= 10


def test_study_responses_follow_the_beliefs():
    study = htdata.simulate_study(30, seed=3)
    scored = study["observed_response"].values
    p1 = np.asarray(
        ht.response_probability(
            np.nan_to_num(study["expected_mean"].values, nan=0.5),
            study["inverse_temperature"].values[:, None],
        )
    )
    y = study["responses"].values
    # the average response matches the average probability (binomial s.e. about 0.003)
    assert abs(y[scored].mean() - p1[scored].mean()) < 0.015
    # and answers of 1 come where P(1) is high
    assert p1[scored & (y == 1)].mean() - p1[scored & (y == 0)].mean() > 0.2


def test_study_is_reproducible():
    a = htdata.simulate_study(5, seed=11)
    b = htdata.simulate_study(5, seed=11)
    c = htdata.simulate_study(5, seed=12)
    xr.testing.assert_identical(a, b)
    assert not a["responses"].equals(c["responses"])


def test_study_round_trips_through_a_csv(tmp_path, study):
    path = tmp_path / "study.csv"
    to_dataframe(study).to_csv(path, index=False)
    frame = pd.read_csv(path)
    assert list(frame.columns) == [
        "participant",
        "trial",
        "input",
        "response",
        "group",
        "age",
        "schedule",
    ]
    again = from_dataframe(frame, covariates=["group", "age", "schedule"])
    data_part = study[list(again.data_vars)]
    data_part.attrs = {key: study.attrs[key] for key in again.attrs}
    xr.testing.assert_identical(again, data_part)


def test_study_group_effect():
    shifted = htdata.simulate_study(40, seed=5, group_effect={"volatility": 3.0})
    patients = shifted["group"] == "patient"
    difference = float(
        shifted["tonic_volatility"].where(patients).mean()
        - shifted["tonic_volatility"].where(~patients).mean()
    )
    assert 2.0 < difference < 4.0
    plain = htdata.simulate_study(40, seed=5)
    difference = float(
        plain["tonic_volatility"].where(patients).mean()
        - plain["tonic_volatility"].where(~patients).mean()
    )
    assert abs(difference) < 1.0


@pytest.mark.parametrize("family", ["hgf3", "rw"])
def test_study_other_families(family):
    study = htdata.simulate_study(4, seed=2, family=family)
    names = {"hgf3": ["tonic_volatility", "tonic_volatility_3"], "rw": ["learning_rate"]}
    for name in names[family]:
        assert study[name].dims == ("participant",)
    assert "tonic_volatility" not in study or family == "hgf3"
    belief = study["expected_mean"].values
    within = ~np.isnan(belief)
    assert ((belief[within] > 0) & (belief[within] < 1)).all()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_participants": 0}, "`n_participants` must be at least 1"),
        ({"p_missed_response": 1.0}, r"`p_missed_response` must be a probability in \[0, 1\)"),
        ({"p_aborted_trial": -0.1}, r"`p_aborted_trial` must be a probability in \[0, 1\)"),
        ({"p_stop_early": 1.5}, r"`p_stop_early` must be a probability in \[0, 1\]"),
        ({"min_trials": 320}, "`min_trials` must be less than the sequence's 320 trials"),
        ({"min_trials": 1}, "`min_trials` must be at least 2"),
        ({"age_range": (40, 20)}, "`age_range` must be"),
        ({"group_effect": {"learning_rate": 1.0}}, "`group_effect` has 'learning_rate'"),
        ({"family": "hgf9"}, "`family` must be one of"),
        ({"inputs": [0, 1, 2]}, "`inputs` must contain only 0 and 1"),
    ],
)
def test_study_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        htdata.simulate_study(**{"n_participants": 4, **kwargs})


def test_study_groups_balanced_and_given():
    default = htdata.simulate_study(10, seed=4)
    assert list(default["group"].values).count("control") == 6  # two of each in turn
    groups = htdata.balanced_groups(10)
    assert groups.count("control") == groups.count("patient") == 5
    assert groups[:4] == ["control", "control", "patient", "patient"]
    assert htdata.balanced_groups(8) == list(default["group"].values[:8])
    balanced = htdata.simulate_study(10, seed=4, groups=groups, group_effect={"volatility": 2.0})
    assert list(balanced["group"].values) == groups
    # the same draws: only the last participant's group, and so their shift, changed
    np.testing.assert_allclose(
        balanced["tonic_volatility"].values[:9],
        default["tonic_volatility"].values[:9]
        + np.where(np.array(groups[:9]) == "patient", 2.0, 0.0),
        rtol=0,
        atol=1e-12,
    )
    assert balanced["tonic_volatility"].values[9] == pytest.approx(
        default["tonic_volatility"].values[9] + 2.0
    )
    # each group sees both schedules
    for group in ("control", "patient"):
        assert set(balanced["schedule"].values[balanced["group"].values == group]) == {"A", "B"}


@pytest.mark.parametrize(
    ("groups", "message"),
    [
        (["control"] * 3, "one group per participant"),
        (["control", "patient", "healthy", "control"], "only hold 'control' and 'patient'"),
        ("control", "sequence of group names"),
    ],
)
def test_study_groups_bad_input(groups, message):
    with pytest.raises(ValueError, match=message):
        htdata.simulate_study(4, seed=1, groups=groups)
    with pytest.raises(ValueError, match="even"):
        htdata.balanced_groups(7)
