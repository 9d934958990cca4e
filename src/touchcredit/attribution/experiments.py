"""Read the experiments of :meth:`Attribution.calibrate <touchcredit.Attribution.calibrate>`.

``experiments`` may be any frame narwhals reads (pandas, polars, pyarrow, ...), a dict
of columns (lists, arrays or Series of equal length), a dict of single values (one
experiment) or a list of records (dicts, one per experiment). Whatever the shape, the
same rows give the same numbers:

- ``channel`` and ``incremental`` are required; ``lower`` and ``upper`` are optional,
  and a missing bound in a row (None, NaN, a null of any frame library) is a bound not
  given for that row;
- other columns are ignored, as every frame input of touchcredit ignores the columns it
  does not read, except names that look like a misspelt ``lower``/``upper`` (``low``,
  ``ci_high``, ``upper_bound``, ``Lower``, ...) or a missing required column, which stop
  with a "did you mean";
- numbers must be numbers (text such as ``"1"`` is refused, naming its row).

Errors name the column and the 1-based row (the record's position for a list of records).
"""

from __future__ import annotations

import difflib
import math
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt

from touchcredit.core.frame_input import as_narwhals

__all__ = ["COLUMNS", "ExperimentRows", "experiment_columns", "experiment_rows", "near_misses"]

#: The columns ``calibrate`` reads, the first two required.
COLUMNS = ("channel", "incremental", "lower", "upper")
_EXPECTED = "'channel', 'incremental' and optional 'lower'/'upper'"
_LOWER = {"low", "lower", "lo", "lb", "lcl", "lcb"}
_UPPER = {"high", "upper", "hi", "up", "ub", "ucl", "ucb"}

FloatArray = npt.NDArray[np.float64]
#: Per channel slot: tested, measured, lower and upper (NaN: not given).
ExperimentRows = tuple[npt.NDArray[np.bool_], FloatArray, FloatArray, FloatArray]


def _is_column(value: Any) -> bool:
    """Whether a dict value is a column of values (not one value)."""
    if isinstance(value, str | bytes | Mapping) or getattr(value, "ndim", 1) == 0:
        return False
    return isinstance(value, Iterable)


def _from_mapping(experiments: Mapping[Any, Any]) -> dict[str, list[Any]]:
    """A dict of columns, or of single values (one experiment)."""
    shape = {str(k): _is_column(v) for k, v in experiments.items()}
    if shape and not any(shape.values()):  # one experiment given as single values
        return {str(k): [v] for k, v in experiments.items()}
    single = [k for k, is_col in shape.items() if not is_col]
    if single:
        lists = [k for k, is_col in shape.items() if is_col]
        raise TypeError(
            f"experiments: {', '.join(map(repr, single))} is a single value but "
            f"{', '.join(map(repr, lists))} a list; give every column as a list (one value "
            "per experiment), or every one as a single value (one experiment)"
        )
    cols = {str(k): list(v) for k, v in experiments.items()}
    lengths = {k: len(v) for k, v in cols.items()}
    if len(set(lengths.values())) > 1:
        shown = ", ".join(f"{k!r} has {n}" for k, n in lengths.items())
        raise ValueError(
            f"experiments: the columns must have one value per experiment, but {shown} values"
        )
    return cols


def _from_records(records: Sequence[Any]) -> dict[str, list[Any]]:
    """A list of records (mappings), one per experiment; a key a record lacks is None."""
    for row, record in enumerate(records, start=1):
        if not isinstance(record, Mapping):
            raise TypeError(
                "experiments: a list of experiments must hold records (dicts with "
                f"{_EXPECTED}); item {row} is a {type(record).__name__}"
            )
    if not records:
        return {"channel": [], "incremental": []}
    keys = list(dict.fromkeys(str(k) for record in records for k in record))
    for row, record in enumerate(records, start=1):
        lacks = [k for k in COLUMNS[:2] if k in keys and k not in record]
        if lacks:
            raise ValueError(
                f"experiments: record {row} has no {' or '.join(map(repr, lacks))} "
                f"(every record needs {_EXPECTED}); it has {', '.join(map(repr, record))}"
            )
    return {k: [record.get(k) for record in records] for k in keys}


def experiment_columns(experiments: Any) -> dict[str, list[Any]]:
    """The columns ``calibrate`` reads, as lists of the same length, checked.

    Raises
    ------
    TypeError
        On a shape that is not a frame, a dict or a list of records.
    ValueError
        On a missing required column, a near miss of a known column (``low``...),
        columns of different lengths or a record without a required key.

    Examples
    --------
    >>> experiment_columns([{"channel": "ads", "incremental": 2}, {"channel": "seo",
    ...     "incremental": 1.5, "upper": 2.0}])
    {'channel': ['ads', 'seo'], 'incremental': [2, 1.5], 'upper': [None, 2.0]}
    >>> experiment_columns({"channel": "ads", "incremental": 2, "notes": "Q3 geo test"})
    {'channel': ['ads'], 'incremental': [2]}
    """
    if isinstance(experiments, Mapping):
        cols = _from_mapping(experiments)
        _check_names(list(cols))
        return {k: v for k, v in cols.items() if k in COLUMNS}
    if isinstance(experiments, list | tuple):
        cols = _from_records(experiments)
        _check_names(list(cols))
        return {k: v for k, v in cols.items() if k in COLUMNS}
    import narwhals as nw

    df = as_narwhals(experiments, table="experiments")
    names = [str(c) for c in df.collect_schema().names()]
    _check_names(names)
    read = [c for c in names if c in COLUMNS]
    if isinstance(df, nw.LazyFrame):
        df = df.select(read).collect()
    return {name: df.get_column(name).to_list() for name in read}


def _meant(name: str, absent: Sequence[str]) -> str | None:
    """The known column ``name`` looks like a misspelling of (None: not one)."""
    norm = re.sub(r"[^a-z0-9]+", "_", name.strip().lower()).strip("_")
    if norm in absent:
        return norm
    tokens = set(norm.split("_"))
    named = [c for c in absent if c in tokens]
    if len(named) == 1:  # incremental_conversions, channel_name, lower_bound
        return named[0]
    lower, upper = bool(tokens & _LOWER), bool(tokens & _UPPER)
    if lower != upper:
        guess = "lower" if lower else "upper"
        return guess if guess in absent else None
    close = difflib.get_close_matches(norm, absent, n=1, cutoff=0.75)
    return close[0] if close else None


def near_misses(names: Sequence[str], absent: Sequence[str]) -> dict[str, str]:
    """The columns among ``names`` that look like a misspelling of one of ``absent``.

    Examples
    --------
    >>> near_misses(["channel", "incremental", "CI low", "notes"], ["lower", "upper"])
    {'CI low': 'lower'}
    """
    return {n: m for n in names if n not in COLUMNS and (m := _meant(n, absent)) is not None}


def _check_names(names: Sequence[str]) -> None:
    """Stop on a missing required column or a near miss of an absent known one."""
    absent = [c for c in COLUMNS if c not in names]
    meant = near_misses(names, absent)
    hint = ""
    if meant:
        pairs = ", ".join(f"{n!r} -> {m!r}" for n, m in meant.items())
        hint = f"; did you mean {pairs}? Rename the column(s) (other columns are ignored)"
    missing = [c for c in COLUMNS[:2] if c in absent]
    if missing:
        raise ValueError(
            f"experiments: missing column(s) {', '.join(map(repr, missing))}; expected "
            f"{_EXPECTED}; found {', '.join(map(repr, names)) or 'none'}{hint}"
        )
    if meant:
        raise ValueError(f"experiments: unknown column(s) {', '.join(map(repr, meant))}{hint}")


def _missing(value: Any) -> bool:
    """None, NaN or a null of a frame library (pandas' NA)."""
    if value is None or type(value).__name__ in ("NAType", "NaTType"):
        return True
    return isinstance(value, float | np.floating | Decimal) and math.isnan(value)


def _number(value: Any, column: str, row: int) -> float:
    """A finite number >= 0 (text, booleans and empty cells are refused)."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real | Decimal):
        kind = "text " if isinstance(value, str) else ""
        raise ValueError(
            f"experiments: {column!r} must be a number, got {kind}{value!r} (row {row})"
        )
    v = float(value)
    if not math.isfinite(v) or v < 0:
        raise ValueError(
            f"experiments: {column!r} must be finite and >= 0, got {value!r} (row {row})"
        )
    return v


def _channel(value: Any, pos: Mapping[Any, int], row: int) -> int:
    if _missing(value):
        raise ValueError(f"experiments: 'channel' is empty (row {row})")
    if not isinstance(value, str) or value not in pos:
        raise ValueError(
            f"experiments: channel {value!r} (row {row}) is not a channel of these "
            f"journeys; they have {', '.join(map(repr, pos))}"
        )
    return pos[value]


def experiment_rows(experiments: Any, channels: Sequence[str | None]) -> ExperimentRows:
    """Per slot of ``channels`` (the journeys' channels, then None): tested, measured,
    lower and upper (NaN: not given).

    Raises
    ------
    TypeError, ValueError
        As :func:`experiment_columns`; and on a channel the journeys do not have, one
        tested twice, an empty ``incremental``, a value that is not a finite number
        >= 0, or bounds that do not hold the measurement (naming the 1-based row).
    """
    cols = experiment_columns(experiments)
    width = len(channels)
    pos = {c: i for i, c in enumerate(channels[:-1])}
    tested = np.zeros(width, dtype=bool)
    measured = np.zeros(width)
    lower = np.full(width, np.nan)
    upper = np.full(width, np.nan)
    for r, name in enumerate(cols["channel"]):  # one row per experiment: a handful
        row = r + 1
        i = _channel(name, pos, row)
        if tested[i]:
            raise ValueError(f"experiments: channel {name!r} is tested twice (row {row})")
        tested[i] = True
        if _missing(cols["incremental"][r]):
            raise ValueError(
                f"experiments: 'incremental' is empty (row {row}); every experiment needs "
                "its measured incremental conversions or value"
            )
        measured[i] = _number(cols["incremental"][r], "incremental", row)
        for column, out in (("lower", lower), ("upper", upper)):
            if column in cols and not _missing(cols[column][r]):
                out[i] = _number(cols[column][r], column, row)
        if not (np.isnan(lower[i]) or lower[i] <= measured[i]) or not (
            np.isnan(upper[i]) or measured[i] <= upper[i]
        ):
            raise ValueError(
                f"experiments: channel {name!r} needs lower <= incremental <= upper, got "
                f"{lower[i]:g} <= {measured[i]:g} <= {upper[i]:g} (row {row})"
            )
    return tested, measured, lower, upper
