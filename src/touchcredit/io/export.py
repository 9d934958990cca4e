"""Writing result tables to CSV safely.

Labels come from URLs and CRMs (attacker-controlled text). A spreadsheet runs a cell
that starts with ``=``, ``+``, ``-``, ``@`` (or a tab/carriage return before one of
those) as a formula, so every text cell and header written to CSV that starts with
one of those characters is prefixed with a single quote. Numbers are written as
numbers; the text itself is kept.
"""

from __future__ import annotations

import csv
import os
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from touchcredit.io.atomic import atomic_path

__all__ = ["neutralize_cell", "write_csv"]

#: First characters that make a spreadsheet treat a cell as a formula (OWASP list).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralize_cell(value: Any) -> Any:
    """Defuse a text cell a spreadsheet would run as a formula; other values unchanged.

    Parameters
    ----------
    value : object
        A cell value. Only ``str`` values are changed.

    Returns
    -------
    object
        ``"'" + value`` when ``value`` is a string starting with one of
        ``= + - @``, tab or carriage return; ``value`` otherwise.

    Examples
    --------
    >>> neutralize_cell('=HYPERLINK("http://x")')
    '\\'=HYPERLINK("http://x")'
    >>> neutralize_cell("LinkedIn Ads"), neutralize_cell(-2.5)
    ('LinkedIn Ads', -2.5)
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    if isinstance(value, str):
        return neutralize_cell(value.replace("\x00", "\\x00"))  # never a raw NUL byte
    if isinstance(value, int | float | bool):
        return value
    return neutralize_cell(str(value))  # dates, tuples...: their text, defused


def write_csv(path: str | os.PathLike[str], columns: Mapping[str, npt.NDArray[Any] | Any]) -> None:
    """Write equal-length columns to a UTF-8 CSV file, formula-like text defused.

    Parameters
    ----------
    path : str or path-like
        Where to write. The file is replaced only when writing succeeded (see
        :func:`touchcredit.io.atomic.atomic_path`).
    columns : mapping of str to array-like
        The columns, in order. Missing values (None, NaN, NaT) become empty cells.

    Raises
    ------
    ValueError
        When the columns differ in length.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> write_csv(p, {"source": np.array(["=1+1", "seo"], dtype=object),
    ...               "value": np.array([1.5, 2.0])})
    >>> print(p.read_text(), end="")
    source,value
    '=1+1,1.5
    seo,2.0
    """
    cols = {str(k): np.asarray(v) for k, v in columns.items()}
    sizes = {k: int(v.shape[0]) for k, v in cols.items()}
    if len(set(sizes.values())) > 1:
        raise ValueError(f"columns must have equal lengths, got {sizes}")
    n = next(iter(sizes.values()), 0)
    lists = []
    for v in cols.values():
        if v.dtype.kind == "M":
            text = np.datetime_as_string(v)
            lists.append(np.where(np.isnat(v), "", text).tolist())
        else:
            lists.append(v.tolist())
    with atomic_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([neutralize_cell(k) for k in cols])
        for i in range(n):  # output tables are small (one row per label/month)
            writer.writerow([_cell(col[i]) for col in lists])
