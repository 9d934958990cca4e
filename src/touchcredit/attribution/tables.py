"""Result tables of attribution: credit by label, model comparisons, the unattributed bucket.

Immutable values with read-only numpy columns, text and notebook views, and
``to_pandas``/``to_polars``/``to_arrow`` through :func:`touchcredit.core.frame_output.to_frame`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.attribution.periods import change_against
from touchcredit.core.arrays import FloatArray
from touchcredit.core.display import html_table, quantity
from touchcredit.core.frame_output import to_frame
from touchcredit.core.label_text import shown_label
from touchcredit.core.metric_table import MetricTable
from touchcredit.core.warehouse import WriteMode, write_tables
from touchcredit.models.base import AttributionModel

__all__ = [
    "UNATTRIBUTED",
    "Comparison",
    "CreditTable",
    "Unattributed",
    "frozen_array",
    "model_label",
]

Label = str | None


def frozen_array(a: npt.NDArray[Any]) -> npt.NDArray[Any]:
    a.flags.writeable = False
    return a


#: How the row of value no touch took credit for is named, in every table.
UNATTRIBUTED = "unattributed"


def _text(label: Label) -> str:
    return "(not recorded)" if label is None else shown_label(str(label))


@attrs.frozen
class Unattributed:
    """Value and number of conversions no touch could take credit for.

    Examples
    --------
    >>> Unattributed(value=12.5, conversions=1)
    Unattributed(value=12.5, conversions=1)
    """

    value: float
    conversions: int


def model_label(model: AttributionModel) -> str:
    return model.name or type(model).__name__


@attrs.frozen(eq=False)
class CreditTable:
    """Credit per label of one dimension (result of :meth:`Attribution.by`).

    Attributes
    ----------
    dimension : str
        ``"source"``, ``"channel"``, ``"campaign"`` or ``"method"``.
    labels : tuple of str or None
        The labels, in category order; None (label not recorded) last when present.
    value, conversions : float64 ndarray
        Value credit and conversion-count credit of every label.
    unattributed_value : float
        Value no touch took credit for.
    unattributed_conversions : int
        Conversions with no eligible touch.
    model : AttributionModel
        The model that made the credit.
    currency : str or None
        Currency of the value credit (None: counts or unknown).

    Examples
    --------
    >>> import touchcredit as tc
    >>> js = tc.JourneySet.from_arrays(
    ...     journey_id=[1, 1], timestamp=[1, 2], channel=["seo", "email"],
    ...     conversion_journey_id=[1], conversion_time=[3], conversion_value=[100.0], unit="s")
    >>> tc.attribute(js, "linear").by("channel").to_dict()
    {'email': 50.0, 'seo': 50.0}
    """

    dimension: str
    labels: tuple[Label, ...]
    value: FloatArray
    unattributed_value: float
    unattributed_conversions: int
    model: AttributionModel
    # the conversion-count column is summed on first use (most callers read values)
    _count_conversions: Callable[[], FloatArray] = attrs.field(repr=False)
    currency: str | None = None
    _cache: dict[str, FloatArray] = attrs.field(factory=dict, init=False, repr=False)

    @property
    def conversions(self) -> FloatArray:
        """Conversion-count credit of every label."""
        if "conversions" not in self._cache:
            self._cache["conversions"] = self._count_conversions()
        return self._cache["conversions"]

    def to_dict(self, what: str = "value") -> dict[Label, float]:
        """Credit per label: ``"value"`` (default) or ``"conversions"``.

        Raises
        ------
        ValueError
            When ``what`` is neither.
        """
        if what not in ("value", "conversions"):
            raise ValueError(f"'what' must be 'value' or 'conversions', got {what!r}")
        col = self.value if what == "value" else self.conversions
        return {label: float(x) for label, x in zip(self.labels, col, strict=True)}

    def _columns(self) -> dict[str, npt.NDArray[Any]]:
        labels = np.empty(len(self.labels), dtype=object)
        labels[:] = list(self.labels)
        return {self.dimension: labels, "value": self.value, "conversions": self.conversions}

    def to_pandas(self) -> Any:
        """The table as a pandas DataFrame (needs pandas)."""
        return to_frame(self._columns(), "pandas")

    def to_polars(self) -> Any:
        """The table as a polars DataFrame (needs polars)."""
        return to_frame(self._columns(), "polars")

    def to_arrow(self) -> Any:
        """The table as a pyarrow Table (needs pyarrow)."""
        return to_frame(self._columns(), "pyarrow")

    def to_database(self, target: Any, table: str, *, mode: WriteMode = "replace") -> None:
        """Write the table into a database through ADBC bulk ingest, in one transaction.

        The columns of :meth:`to_arrow` (the dimension's labels, ``value``,
        ``conversions``) plus ``model`` and ``currency``, and a last row labelled
        ``(unattributed)`` holding what no touch took, so that ``value`` sums to the
        conversion value. See :func:`touchcredit.core.warehouse.write_tables`.

        Parameters
        ----------
        target : str or ADBC DB-API connection
            A ``postgresql://`` URI (needs ``adbc-driver-postgresql``) or an open ADBC
            connection (PostgreSQL, SQLite, ...).
        table : str
            ``"credit"`` or ``"schema.credit"``.
        mode : {"replace", "append"}
            Replace the table, or append rows to it (creating it when missing).

        Examples
        --------
        >>> import touchcredit as tc
        >>> from adbc_driver_sqlite import dbapi
        >>> js = tc.JourneySet.from_arrays(
        ...     journey_id=[1, 1], timestamp=[1, 2], channel=["seo", "email"],
        ...     conversion_journey_id=[1], conversion_time=[3], conversion_value=[100.0], unit="s")
        >>> conn = dbapi.connect()
        >>> tc.attribute(js, "linear").by("channel").to_database(conn, "credit")
        >>> cur = conn.cursor()
        >>> _ = cur.execute("SELECT channel, value, model FROM credit")
        >>> cur.fetchall()
        [('email', 50.0, 'linear'), ('seo', 50.0, 'linear'), ('(unattributed)', 0.0, 'linear')]
        >>> cur.close()
        >>> conn.close()
        """
        cols = self._columns()
        n = len(self.labels) + 1
        labels = np.empty(n, dtype=object)
        labels[:-1] = cols[self.dimension]
        labels[-1] = "(unattributed)"  # as in the pipeline's credit table
        rows = {
            self.dimension: labels,
            "value": np.append(self.value, self.unattributed_value),
            "conversions": np.append(self.conversions, float(self.unattributed_conversions)),
            "model": np.full(n, model_label(self.model), dtype=object),
            "currency": np.full(n, self.currency, dtype=object),
        }
        write_tables(target, {table: to_frame(rows, "pyarrow")}, mode)

    def _rows(self) -> list[tuple[str, str, str]]:
        """Label, value and conversions as text; unattributed last when not zero."""
        rows = [
            (_text(label), f"{v:,.2f}", quantity(c))
            for label, v, c in zip(self.labels, self.value, self.conversions, strict=True)
        ]
        if self.unattributed_value or self.unattributed_conversions:
            rows.append(
                (
                    UNATTRIBUTED,
                    f"{self.unattributed_value:,.2f}",
                    quantity(self.unattributed_conversions),
                )
            )
        return rows

    def _value_header(self) -> str:
        return f"value ({self.currency})" if self.currency else "value"

    def __repr__(self) -> str:
        rows = self._rows()
        head = (self.dimension, self._value_header(), "conversions")
        widths = [max([len(h), *(len(r[j]) for r in rows)]) for j, h in enumerate(head)]
        lines = [
            f"CreditTable({self.model!r}, by={self.dimension!r})",
            f"  {head[0]:<{widths[0]}}  {head[1]:>{widths[1]}}  {head[2]:>{widths[2]}}",
        ]
        lines += [f"  {a:<{widths[0]}}  {b:>{widths[1]}}  {c:>{widths[2]}}" for a, b, c in rows]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return html_table(
            (self.dimension, self._value_header(), "conversions"),
            self._rows(),
            caption=f"{self.model!r} by {self.dimension}",
            numeric=(False, True, True),
        )


@attrs.frozen(eq=False)
class Comparison:
    """Credit per label under several models (result of :func:`compare`).

    Attributes
    ----------
    by : str
        The dimension.
    labels : tuple of str or None
        Row labels.
    models : tuple of AttributionModel
        Column models (fitted when data-driven).
    values : float64 ndarray, shape (k, m)
        Value credit of label ``i`` under model ``j``.
    unattributed : float64 ndarray, shape (m,)
        Unattributed value per model.

    Examples
    --------
    >>> import touchcredit as tc
    >>> js = tc.JourneySet.from_arrays(
    ...     journey_id=[1, 1], timestamp=[1, 2], channel=["seo", "email"],
    ...     conversion_journey_id=[1], conversion_time=[3], unit="s")
    >>> tc.compare(js, ["first_touch", "linear"]).to_dict()
    {'first_touch': {'email': 0.0, 'seo': 1.0}, 'linear': {'email': 0.5, 'seo': 0.5}}
    """

    by: str
    labels: tuple[Label, ...]
    models: tuple[AttributionModel, ...]
    values: FloatArray
    unattributed: FloatArray

    @property
    def names(self) -> tuple[str, ...]:
        """Column names: the registry names, or reprs when names repeat."""
        names = tuple(model_label(m) for m in self.models)
        if len(set(names)) < len(names):
            names = tuple(repr(m) for m in self.models)
        return names

    def to_dict(self) -> dict[str, dict[Label, float]]:
        """``{model name: {label: value credit}}``."""
        return {
            name: {label: float(v) for label, v in zip(self.labels, self.values[:, j], strict=True)}
            for j, name in enumerate(self.names)
        }

    def change(self, baseline: str = "last_touch") -> MetricTable:
        """Per label and model, the relative change of credit against ``baseline``.

        ``(credit - baseline credit) / baseline credit``: -1.0 is -100 % (the model
        gives the label nothing), 0.5 is +50 %; n/a where the baseline gives the label
        no credit (the reason says whether the model does). Google Analytics' model
        comparison tool shows the same numbers.

        Parameters
        ----------
        baseline : str
            Name of a compared model (:attr:`names`); default ``"last_touch"``.

        Returns
        -------
        MetricTable
            The label, the baseline's credit, then one ``"<model> change"`` column per
            other model (fractions, shown as percentages).

        Raises
        ------
        ValueError
            When ``baseline`` was not compared.

        Examples
        --------
        >>> import touchcredit as tc
        >>> js = tc.JourneySet.from_arrays(
        ...     journey_id=[1, 1, 2], timestamp=[1, 2, 1], channel=["seo", "email", "email"],
        ...     conversion_journey_id=[1, 2], conversion_time=[3, 3], unit="s")
        >>> c = tc.compare(js, ["last_touch", "first_touch"]).change()
        >>> c["channel"].tolist(), c["first_touch change"].tolist()
        (['email', 'seo'], [-0.5, nan])
        """
        return change_against(self, baseline)

    def _columns(self) -> dict[str, npt.NDArray[Any]]:
        labels = np.empty(len(self.labels), dtype=object)
        labels[:] = list(self.labels)
        out: dict[str, npt.NDArray[Any]] = {self.by: labels}
        for j, name in enumerate(self.names):
            out[name] = self.values[:, j]
        return out

    def to_pandas(self) -> Any:
        """The comparison as a pandas DataFrame (one column per model)."""
        return to_frame(self._columns(), "pandas")

    def to_polars(self) -> Any:
        """The comparison as a polars DataFrame."""
        return to_frame(self._columns(), "polars")

    def to_arrow(self) -> Any:
        """The comparison as a pyarrow Table."""
        return to_frame(self._columns(), "pyarrow")

    def _rows(self) -> list[list[str]]:
        """Label and one value per model as text; unattributed last when not all zero."""
        rows = [
            [_text(label), *(f"{v:,.2f}" for v in self.values[i])]
            for i, label in enumerate(self.labels)
        ]
        if bool(np.any(self.unattributed != 0)):
            rows.append([UNATTRIBUTED, *(f"{v:,.2f}" for v in self.unattributed)])
        return rows

    def __repr__(self) -> str:
        head = [self.by, *self.names]
        rows = self._rows()
        widths = [max([len(h), *(len(r[j]) for r in rows)]) for j, h in enumerate(head)]

        def line(cells: Sequence[str]) -> str:
            first = f"{cells[0]:<{widths[0]}}"
            rest = (f"{c:>{w}}" for c, w in zip(cells[1:], widths[1:], strict=True))
            return "  " + "  ".join([first, *rest])

        return "\n".join([f"Comparison(by={self.by!r})", line(head), *map(line, rows)])

    def _repr_html_(self) -> str:
        return html_table(
            [self.by, *self.names],
            self._rows(),
            numeric=[False, *([True] * len(self.names))],
        )
