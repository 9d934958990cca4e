"""Result tables out to pandas, polars or pyarrow: one function for every result.

:func:`to_frame` turns a dict of equal-length numpy columns into a DataFrame of the
library asked for, through narwhals. Every result's ``to_pandas()``,
``to_polars()`` and ``to_arrow()`` calls it, so the three libraries see the same
columns, types and missing values. The library is imported when called; a missing
one raises an ImportError naming the extra to install.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from touchcredit.core import backends

__all__ = ["BACKENDS", "Backend", "to_frame"]

Backend = Literal["pandas", "polars", "pyarrow"]

#: Library name -> the touchcredit extra that installs it.
BACKENDS: Mapping[str, str] = {"pandas": "pandas", "polars": "polars", "pyarrow": "arrow"}


def to_frame(columns: Mapping[str, Any], backend: Backend) -> Any:
    """A DataFrame of ``backend`` from a dict of equal-length numpy columns.

    Numeric and datetime columns keep their dtype (calendar months and weeks become
    their first day, a date); object columns of text become string columns (None =
    missing); other objects (tuples...) become their text.

    Parameters
    ----------
    columns : mapping of str to array-like
        Column name to values, in order.
    backend : {"pandas", "polars", "pyarrow"}
        The library of the result.

    Returns
    -------
    pandas.DataFrame, polars.DataFrame or pyarrow.Table

    Raises
    ------
    ImportError
        When the library is not installed (naming the extra, e.g.
        ``pip install "touchcredit[arrow]"``).
    ValueError
        When the columns differ in length or the backend is unknown.

    Examples
    --------
    >>> cols = {"channel": np.array(["seo", None], dtype=object), "value": np.array([1.5, 2.0])}
    >>> to_frame(cols, "pyarrow").column("channel").to_pylist()
    ['seo', None]
    >>> to_frame(cols, "pandas")["value"].sum()
    np.float64(3.5)
    >>> to_frame(cols, "polars").columns
    ['channel', 'value']
    """
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, got {backend!r}")
    try:
        backends.require(backend)
    except ImportError:
        raise ImportError(
            f"this needs {backend}, which is not installed; install it with "
            f'pip install "touchcredit[{BACKENDS[backend]}]"'
        ) from None
    import narwhals as nw

    return nw.from_dict(_prepared(columns), backend=backend).to_native()


def _prepared(columns: Mapping[str, Any]) -> dict[str, Any]:
    """Columns every library reads the same way (checked for equal lengths)."""
    cols = {str(k): np.asarray(v) for k, v in columns.items()}
    sizes = {k: int(v.shape[0]) for k, v in cols.items()}
    if len(set(sizes.values())) > 1:
        raise ValueError(f"columns must have equal lengths, got {sizes}")
    out: dict[str, Any] = {}
    for k, v in cols.items():
        if v.dtype.kind == "M" and np.datetime_data(v.dtype)[0] in ("Y", "M", "W"):
            v = v.astype("datetime64[D]")  # calendar months: their first day
        out[k] = _plain_objects(v) if v.dtype.kind == "O" else v
    return out


def _plain_objects(v: npt.NDArray[Any]) -> list[Any]:
    """Object column as a list that every library accepts (odd values as their text)."""
    ok = (str, int, float, bool, type(None))
    return [x if isinstance(x, ok) else str(x) for x in v.tolist()]
