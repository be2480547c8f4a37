"""Input checks shared by the public functions.

Every check raises a :class:`ValueError` that names the argument and says what is
wrong, before the value reaches JAX or PyTensor. Values that are JAX tracers (the
function is being traced under ``jit``, ``vmap`` or ``grad``) cannot be inspected
and are passed through: they were checked when the concrete call was made.
"""

from __future__ import annotations

import numbers
import os
import unicodedata
import warnings

import jax
import numpy as np

#: Warnings name the caller's line, not one inside the package.
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def is_traced(*values) -> bool:
    """Whether any of the values is a JAX tracer (abstract, not inspectable)."""
    return any(isinstance(v, jax.core.Tracer) for v in values)


def as_binary_array(value, name: str, *, ndim: tuple[int, ...] = (1,)) -> np.ndarray:
    """Return ``value`` as a float array of 0/1 values, or raise ``ValueError``."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"`{name}` must be an array of 0/1 values: {error}") from None
    if array.ndim not in ndim:
        expected = " or ".join(f"{d}-D" for d in ndim)
        raise ValueError(f"`{name}` must be {expected}, got shape {array.shape}.")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"`{name}` contains NaN or infinite values.")
    bad = (array != 0) & (array != 1)
    if bad.any():
        first = np.argwhere(bad)[0]
        raise ValueError(
            f"`{name}` must contain only 0 and 1; found {array[tuple(first)]!r} "
            f"at index {tuple(int(i) for i in first)}."
        )
    if array.shape[-1] < 2:
        raise ValueError(
            f"`{name}` needs at least 2 trials (the first trial is dropped from the "
            f"likelihood), got {array.shape[-1]}."
        )
    return array


def finite_array(value, name: str) -> np.ndarray:
    """Return ``value`` as a float array whose entries are all finite."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as error:
        raise ValueError(f"`{name}` must be numeric: {error}") from None
    if not np.all(np.isfinite(array)):
        raise ValueError(f"`{name}` must be finite, got {value!r}.")
    return array


def positive_array(value, name: str) -> np.ndarray:
    """Return ``value`` as a finite float array whose entries are all > 0."""
    array = finite_array(value, name)
    if np.any(array <= 0):
        raise ValueError(f"`{name}` must be positive, got {value!r}.")
    return array


def positive_int(value, name: str, minimum: int = 1) -> int:
    """Return ``value`` as an int >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"`{name}` must be an integer, got {value!r}.")
    if value < minimum:
        raise ValueError(f"`{name}` must be at least {minimum}, got {value}.")
    return int(value)


def plain(value):
    """A NumPy scalar as the Python scalar it holds (other values unchanged)."""
    return value.item() if isinstance(value, np.generic) else value


def open_probability(value, name: str) -> float:
    """A real number strictly between 0 and 1 (no bool), as float, or ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 < value < 1:
        raise ValueError(f"`{name}` must be a number between 0 and 1 (exclusive), got {value!r}.")
    return float(value)


def normal_spec(value, name: str) -> tuple[float, float]:
    """Check a ``(mean, standard deviation)`` pair."""
    try:
        mean, sd = value
    except (TypeError, ValueError):
        raise ValueError(
            f"`{name}` must be a (mean, standard deviation) pair, got {value!r}."
        ) from None
    mean = float(finite_array(mean, f"{name}[0] (mean)"))
    sd = float(finite_array(sd, f"{name}[1] (standard deviation)"))
    if sd <= 0:
        raise ValueError(f"`{name}` standard deviation must be positive, got {sd}.")
    return mean, sd


def check_shapes_match(responses: np.ndarray, inputs: np.ndarray) -> None:
    """Responses (participant, trial) or (trial,) against inputs of either shape."""
    if responses.shape[-1] != inputs.shape[-1]:
        raise ValueError(
            f"`responses` has {responses.shape[-1]} trials but `inputs` has "
            f"{inputs.shape[-1]}: they must line up trial by trial."
        )
    if inputs.ndim == 2 and responses.ndim == 2 and inputs.shape[0] != responses.shape[0]:
        raise ValueError(
            f"`inputs` has {inputs.shape[0]} participants but `responses` has {responses.shape[0]}."
        )


def warn(message: str) -> None:
    """A ``UserWarning`` attributed to the first caller outside the package."""
    warnings.warn(message, UserWarning, stacklevel=2, skip_file_prefixes=(_PACKAGE_DIR,))


def text_key(value) -> str | None:
    """What is left of a label once case, surrounding whitespace and Unicode form are ignored.

    Text is NFKC-normalised (which also merges NFC and NFD forms, full-width
    letters and non-breaking spaces), stripped and case-folded; a number becomes
    the text it would be written as (``2`` and ``2.0`` as ``"2"``), so that it
    meets the same number stored as text. Other values (booleans included): None.
    """
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, str):
        return unicodedata.normalize("NFKC", value).strip().casefold()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def near_identical(values) -> list[list[int]]:
    """Groups of positions of distinct ``values`` that :func:`text_key` makes equal.

    Only groups of two or more, each in the order of the values, the groups in
    the order of their first member; ``values`` should hold each value once.
    """
    groups: dict[str, list[int]] = {}
    for position, value in enumerate(values):
        key = text_key(value)
        if key is not None:
            groups.setdefault(key, []).append(position)
    return [group for group in groups.values() if len(group) > 1]
