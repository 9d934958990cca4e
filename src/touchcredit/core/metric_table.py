"""Result tables: columns side by side, readable and exportable.

The KPI functions, the path measures and the period and comparison views of
attribution results return one. A :class:`MetricTable` is a dict of equal-length
numpy columns (key columns first), with an aligned plain-text ``repr``, an escaped
HTML repr for notebooks, and ``to_pandas()``/``to_polars()``/``to_arrow()`` that hand
the columns to :func:`touchcredit.core.frame_output.to_frame` (the libraries are
optional, imported only when called).

Undefined values (a ratio with a zero denominator) are NaN in the columns, shown as
``n/a`` (``n/a (no spend)`` where the table records a reason for the cell in
:attr:`MetricTable.reasons`), and the reason is listed in :attr:`MetricTable.notes`.
"""

from __future__ import annotations

import html
import math
import textwrap
from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.frame_output import to_frame
from touchcredit.core.label_text import shown_label

__all__ = ["MONEY_COLUMNS", "WIDTH", "MetricTable"]

_MAX_ROWS = 60
#: Text tables wrap their columns into blocks this many characters wide.
WIDTH = 100
#: Columns holding money, shown with the table's currency.
MONEY_COLUMNS = frozenset(
    {"spend", "revenue", "lead_value", "cost_per_lead", "customer_acquisition_cost", "value"}
)


def _freeze(columns: Mapping[str, Any]) -> Mapping[str, npt.NDArray[Any]]:
    out = {str(k): np.asarray(v) for k, v in columns.items()}
    sizes = {k: v.shape[0] for k, v in out.items()}
    if len(set(sizes.values())) > 1:
        raise ValueError(f"columns must have equal lengths, got {sizes}")
    for v in out.values():
        v.setflags(write=False)
    return out


def _freeze_reasons(reasons: Mapping[str, Any]) -> Mapping[str, npt.NDArray[np.object_]]:
    out = {}
    for k, v in reasons.items():
        col = np.empty(len(v), dtype=object)
        col[:] = list(v)
        col.setflags(write=False)
        out[str(k)] = col
    return out


@attrs.frozen(eq=False, repr=False)
class MetricTable:
    """KPI columns side by side, one row per group.

    Parameters
    ----------
    title : str
        What the table shows (first line of the repr).
    data : mapping of str to array-like
        Equal-length columns, key columns first. Stored read-only.
    key : tuple of str
        Names of the key (group) columns.
    percent : tuple of str
        Columns holding fractions, shown as percentages (values stay fractions).
    notes : tuple of str
        Why some values are undefined (NaN), and other caveats.
    unaffordable : tuple
        Keys of the rows where cost per lead exceeds lead value (the source loses
        money on every lead), when the table has both.
    reasons : mapping of str to array-like
        Why a cell is undefined, per column: one short text (or None) per row, shown
        as ``n/a (text)`` where the value is NaN.
    currency : str or None
        Currency of the money columns (:data:`MONEY_COLUMNS`), shown in their headings.

    Examples
    --------
    >>> t = MetricTable("CPL", {"source": np.array(["a", "b"], dtype=object),
    ...                         "cost_per_lead": np.array([50.0, np.nan])}, key=("source",),
    ...                 notes=("cost_per_lead undefined where leads == 0: b",))
    >>> print(t)
    CPL
    source  cost_per_lead
    a               50.00
    b                 n/a
    note: cost_per_lead undefined where leads == 0: b
    >>> t.row("a")["cost_per_lead"]
    50.0
    """

    title: str
    data: Mapping[str, npt.NDArray[Any]] = attrs.field(converter=_freeze)
    key: tuple[str, ...] = ()
    percent: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    unaffordable: tuple[Any, ...] = ()
    reasons: Mapping[str, npt.NDArray[np.object_]] = attrs.field(
        factory=dict, converter=_freeze_reasons
    )
    currency: str | None = None

    # ------------------------------------------------------------- access
    @property
    def names(self) -> tuple[str, ...]:
        """Column names, key columns first."""
        return tuple(self.data)

    @property
    def warnings(self) -> tuple[str, ...]:
        """Money-losing rows as sentences (cost per lead above lead value)."""
        return tuple(
            f"{_show_key(k)}: cost per lead exceeds lead value (loses money on every lead)"
            for k in self.unaffordable
        )

    def __len__(self) -> int:
        return int(next(iter(self.data.values())).shape[0]) if self.data else 0

    def __getitem__(self, name: str) -> npt.NDArray[Any]:
        try:
            return self.data[name]
        except KeyError:
            raise KeyError(f"no column {name!r}; columns: {', '.join(self.data)}") from None

    def columns(self) -> dict[str, npt.NDArray[Any]]:
        """The columns as a new dict of numpy arrays (copies, writable)."""
        return {k: v.copy() for k, v in self.data.items()}

    def row(self, *key: Any) -> dict[str, Any]:
        """The row whose key columns equal ``key``, as a dict of plain values.

        Parameters
        ----------
        *key
            One value per key column (None for "not recorded").

        Returns
        -------
        dict
            Column name -> plain Python value.

        Raises
        ------
        KeyError
            When no row has that key.
        """
        if len(key) != len(self.key):
            raise KeyError(
                f"expected {len(self.key)} key values ({', '.join(self.key)}), got {key}"
            )
        match = np.ones(len(self), dtype=bool)
        for name, value in zip(self.key, key, strict=True):
            col = self.data[name]
            match &= np.array([v == value for v in col.tolist()], dtype=bool)
        hits = np.flatnonzero(match)
        if hits.size == 0:
            raise KeyError(f"no row with {dict(zip(self.key, key, strict=True))}")
        i = int(hits[0])
        return {k: v[i : i + 1].tolist()[0] for k, v in self.data.items()}

    # ------------------------------------------------------------- export
    def to_pandas(self) -> Any:
        """The table as a ``pandas.DataFrame`` (needs pandas)."""
        return to_frame(self.columns(), "pandas")

    def to_polars(self) -> Any:
        """The table as a ``polars.DataFrame`` (needs polars)."""
        return to_frame(self.columns(), "polars")

    def to_arrow(self) -> Any:
        """The table as a ``pyarrow.Table`` (needs pyarrow)."""
        return to_frame(self.columns(), "pyarrow")

    # ------------------------------------------------------------- display
    def _cells(self) -> tuple[list[str], list[list[str]], int]:
        names = list(self.data)
        n = len(self)
        shown = min(n, _MAX_ROWS)
        cols = []
        for name in names:
            why = self.reasons.get(name)
            cols.append(
                [
                    _cell(v, name in self.percent, None if why is None else why[i])
                    for i, v in enumerate(self.data[name][:shown].tolist())
                ]
            )
        rows = [[c[i] for c in cols] for i in range(shown)]
        return names, rows, n - shown

    def _headings(self) -> list[str]:
        """Column names, money columns with their currency."""
        cur = self.currency
        return [f"{h} ({cur})" if cur and h in MONEY_COLUMNS else h for h in self.data]

    def __repr__(self) -> str:
        _, rows, hidden = self._cells()
        names = self._headings()
        widths = [max([len(h)] + [len(r[j]) for r in rows]) for j, h in enumerate(names)]
        numeric = [self.data[h].dtype.kind in "biuf" for h in self.data]

        def line(cells: list[str], cols: list[int]) -> str:
            parts = [
                cells[j].rjust(widths[j]) if numeric[j] else cells[j].ljust(widths[j]) for j in cols
            ]
            return "  ".join(parts).rstrip()

        out = [self.title]
        for k, cols in enumerate(_blocks(widths, len(self.key), WIDTH)):
            if k:
                out.append("")
            out += [line(names, cols), *(line(r, cols) for r in rows)]
        if hidden:
            out.append(f"... {hidden} more rows")
        out += [_wrap(f"warning: {w}") for w in self.warnings]
        out += [_wrap(f"note: {note}") for note in self.notes]
        return "\n".join(out)

    def _repr_html_(self) -> str:
        _, rows, hidden = self._cells()
        names = self._headings()
        esc = html.escape
        head = "".join(f"<th>{esc(h)}</th>" for h in names)
        body = "".join("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in r) + "</tr>" for r in rows)
        extra = [f"... {hidden} more rows"] if hidden else []
        extra += [f"warning: {w}" for w in self.warnings] + [f"note: {n}" for n in self.notes]
        foot = "".join(f"<p>{esc(x)}</p>" for x in extra)
        return (
            f"<div><p><b>{esc(self.title)}</b></p><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>{foot}</div>"
        )


def _wrap(text: str) -> str:
    """A note wrapped to :data:`WIDTH` columns, continuation lines indented."""
    return textwrap.fill(text, WIDTH, subsequent_indent="  ", break_on_hyphens=False)


def _blocks(widths: list[int], n_key: int, width: int) -> list[list[int]]:
    """Column indices per printed block: the key columns, then as many others as fit.

    Examples
    --------
    >>> _blocks([6, 10, 10, 10], 1, 30)
    [[0, 1, 2], [0, 3]]
    """
    key = list(range(n_key))
    used = sum(widths[:n_key]) + 2 * max(n_key - 1, 0)
    blocks: list[list[int]] = []
    current: list[int] = []
    size = used
    for j in range(n_key, len(widths)):
        extra = widths[j] + 2
        if current and size + extra > width:
            blocks.append(key + current)
            current, size = [], used
        current.append(j)
        size += extra
    blocks.append(key + current)
    return blocks


def _show_key(key: Any) -> str:
    if isinstance(key, tuple):
        return " / ".join(_show_key(k) for k in key)
    return "(not recorded)" if key is None else str(key)


def _cell(value: Any, percent: bool, reason: str | None = None) -> str:
    if value is None:
        return "(not recorded)"
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, float):
        if math.isnan(value):
            return "n/a" if reason is None else f"n/a ({reason})"
        if percent:
            return f"{value:,.2%}"
        return f"{value:,.2f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, tuple):
        return _show_key(value)
    return shown_label(str(value))
