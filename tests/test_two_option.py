"""A two-option task's choices and rewards coded as the HGF's input and response."""

import numpy as np
import pandas as pd
import pytest

from hgf_tutorial import data

NA = pd.NA

#: choice, reward -> input ("option 1 was the rewarded one"), response ("chose option 1"),
#: worked out by hand
TABLE = [
    (1, 1, 1, 1),  # chose 1, rewarded: option 1 was the rewarded one
    (1, 0, 0, 1),  # chose 1, not rewarded: option 2 was
    (2, 1, 0, 0),  # chose 2, rewarded: option 2 was
    (2, 0, 1, 0),  # chose 2, not rewarded: option 1 was
    (None, None, NA, NA),  # missed choice: no outcome shown, no response
    (None, 0, NA, NA),  # missed choice exported with reward 0: still no outcome
    (1, None, NA, 1),  # chose 1, outcome not shown: the response stays
    (2, None, NA, 0),  # chose 2, outcome not shown
]


def _columns():
    choice, reward, inputs, responses = zip(*TABLE, strict=True)
    return list(choice), list(reward), list(inputs), list(responses)


def _as_list(series):
    return [NA if pd.isna(v) else int(v) for v in series]


def test_coding_of_a_hand_written_table():
    choice, reward, inputs, responses = _columns()
    frame = pd.DataFrame({"choice": choice, "reward": reward}, index=range(10, 18))
    assert frame["choice"].dtype == float  # as pd.read_csv gives it: NaN for the misses
    coded = data.two_option_input(frame["choice"], frame["reward"])
    assert list(coded.columns) == ["input", "response"]
    assert (coded.dtypes == "Int64").all()
    assert _as_list(coded["input"]) == inputs
    assert _as_list(coded["response"]) == responses
    # the table's index, so that the columns join the table
    assert list(coded.index) == list(range(10, 18))


def test_arrays_text_options_and_booleans_give_the_same_coding():
    choice, reward, inputs, responses = _columns()
    names = {1: "left", 2: "right", None: None}
    text = np.array([names[c] for c in choice], dtype=object)
    flags = [None if r is None else bool(r) for r in reward]
    coded = data.two_option_input(text, flags, options=("left", "right"))
    assert _as_list(coded["input"]) == inputs
    assert _as_list(coded["response"]) == responses
    assert list(coded.index) == list(range(len(TABLE)))
    # options the other way round: option 1 is now "right", every coded value flips
    flipped = data.two_option_input(text, flags, options=("right", "left"))
    assert _as_list(flipped["input"]) == [NA if v is NA else 1 - v for v in inputs]
    assert _as_list(flipped["response"]) == [NA if v is NA else 1 - v for v in responses]


def test_nullable_columns_are_read_as_missing():
    choice = pd.array([1, NA, 2], dtype="Int64")
    reward = pd.array([True, NA, NA], dtype="boolean")
    coded = data.two_option_input(pd.Series(choice), pd.Series(reward))
    assert _as_list(coded["input"]) == [1, NA, NA]
    assert _as_list(coded["response"]) == [1, NA, 0]


def test_coded_table_goes_through_from_dataframe():
    choice, reward, inputs, _ = _columns()
    table = pd.DataFrame(
        {"participant": "p1", "trial": range(1, 9), "choice": choice, "reward": reward}
    )
    study = data.from_dataframe(table.join(data.two_option_input(table["choice"], table["reward"])))
    shown = [v is not NA for v in inputs]
    np.testing.assert_array_equal(study["observed_input"].values[0], shown)
    np.testing.assert_array_equal(
        study["inputs"].values[0][shown], [v for v in inputs if v is not NA]
    )


@pytest.mark.parametrize(
    ("choice", "reward", "kwargs", "message"),
    [
        (
            [1, 3, 2],
            [1, 0, 1],
            {},
            r"`choice` must hold one of the options \[1, 2\].* 3 at position 1",
        ),
        ([1, 2, 2], [1, 2, 1], {}, r"`reward` must hold 0, 1 .* 2 at position 1"),
        ([1, 2], [1, 0.5], {}, r"`reward` .* 0.5 at position 1"),
        ([1, 2], [1, 0, 1], {}, "one value per trial"),
        ([1, 2], [1, 0], {"options": (1, 1)}, "`options` must be two distinct"),
        ([1, 2], [1, 0], {"options": (1, 2, 3)}, "`options` must be two values"),
        ([[1, 2]], [[1, 0]], {}, "`choice` must be one value per trial"),
    ],
)
def test_bad_values_are_refused(choice, reward, kwargs, message):
    with pytest.raises(ValueError, match=message):
        data.two_option_input(choice, reward, **kwargs)


def test_a_bad_value_is_named_by_the_series_index():
    choice = pd.Series([1, 2, "2"], index=["a", "b", "c"])
    with pytest.raises(ValueError, match=r"'2' at index 'c'"):
        data.two_option_input(choice, [1, 1, 1])
