"""Out-of-core attribution: a Parquet dataset larger than memory, in chunks of whole journeys.

The touches are read in batches of about ``batch_rows`` rows; every chunk holds whole
journeys (a journey is never split: the rows of the last journey of a batch wait for
the next one), becomes a :class:`~touchcredit.JourneySet` and is attributed on its own.
Per-label totals are summed over the chunks; per-touch credits can be streamed to a
Parquet file. Every heuristic model weighs a conversion from its own journey only, so
the chunked result equals the in-memory one. A data-driven model (Markov, Shapley) is
fitted first, in one more pass, by adding up its additive counts chunk by chunk
(``model.count`` / ``model.fit_counts``); its weights then depend only on the fitted
state, so the chunks again agree with the in-memory run.

Requirement: the rows must come sorted by journey id (non-decreasing; the order of a
journey's touches does not matter). This is checked as the data streams by, and
unsorted input raises a :class:`ValueError` that says so. Conversions are a separate
table, which is held in memory (one row per lead or won deal: far fewer than touches).

pyarrow is needed (``pip install touchcredit[arrow]``); tqdm draws the progress bar
when installed and stderr is a terminal.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.dimension import DIMENSIONS
from touchcredit.core.store import JourneySet
from touchcredit.core.time_rule import TimeZoneLike
from touchcredit.io.chunks import Chunker, as_conversion_table, progress_bar, require_arrow
from touchcredit.models.base import AttributionModel, get

__all__ = ["ChunkedAttribution", "attribute_parquet"]

FloatArray = npt.NDArray[np.float64]
Label = str | None


@attrs.frozen(eq=False)
class ChunkedAttribution:
    """Per-label credit totals of an out-of-core run.

    Attributes
    ----------
    dimension : str
        The label column the totals are grouped by (``"channel"``, ``"source"``, ...).
    labels : tuple of (str or None)
        Sorted labels, then None (touches whose label was not recorded) when present.
    value, conversions : float64 ndarray
        Value credit and conversion-count credit per label.
    unattributed_value, unattributed_conversions : float
        What no eligible touch could take (conversions without touches before them).
    total_value : float
        Sum of all conversion values: ``value.sum() + unattributed_value``.
    model : AttributionModel
        The model used (fitted, for data-driven models).
    n_touches, n_journeys, n_conversions, n_chunks : int
        Sizes of the run.

    Examples
    --------
    >>> r = ChunkedAttribution("channel", ("email", "seo"), np.array([30.0, 70.0]),
    ...     np.array([0.5, 1.5]), 0.0, 0.0, 100.0, get("markov"), 4, 2, 2, 1)
    >>> r.to_dict()
    {'email': 30.0, 'seo': 70.0}
    """

    dimension: str
    labels: tuple[Label, ...]
    value: FloatArray
    conversions: FloatArray
    unattributed_value: float
    unattributed_conversions: float
    total_value: float
    model: AttributionModel
    n_touches: int
    n_journeys: int
    n_conversions: int
    n_chunks: int

    def to_dict(self, what: str = "value") -> dict[Label, float]:
        """``{label: credit}`` for ``what`` = ``"value"`` or ``"conversions"``."""
        if what not in ("value", "conversions"):
            raise ValueError(f"what must be 'value' or 'conversions', got {what!r}")
        column = self.value if what == "value" else self.conversions
        return dict(zip(self.labels, column.tolist(), strict=True))


@attrs.define
class _Totals:
    """Running per-label sums over the chunks."""

    value: dict[Label, float] = attrs.field(factory=dict)
    conversions: dict[Label, float] = attrs.field(factory=dict)
    unattributed_value: float = 0.0
    unattributed_conversions: float = 0.0
    total_value: float = 0.0
    n_touches: int = 0
    n_journeys: int = 0
    n_conversions: int = 0
    n_chunks: int = 0

    def add(self, labels: tuple[Label, ...], value: FloatArray, conv: FloatArray) -> None:
        for label, v, c in zip(labels, value.tolist(), conv.tolist(), strict=True):
            self.value[label] = self.value.get(label, 0.0) + v
            self.conversions[label] = self.conversions.get(label, 0.0) + c


def _wsum(index: npt.NDArray[np.integer[Any]], weights: FloatArray, n: int) -> FloatArray:
    return np.bincount(index, weights=weights, minlength=n).astype(np.float64, copy=False)


def _chunk_credit(
    js: JourneySet, model: AttributionModel, by: str
) -> tuple[tuple[Label, ...], FloatArray, FloatArray, FloatArray, FloatArray, float, float]:
    """Credit of one chunk: per label, per touch, and the unattributed rest.

    Follows the model contract: weights of the pairs of every conversion with an
    eligible touch sum to 1; a conversion without one is unattributed.
    """
    pairs = model.pairs(js)
    w = model.weights(js)
    n = js.n_touches
    touch_value = _wsum(pairs.touch, w * js.conversion_value[pairs.conversion], n)
    touch_conv = _wsum(pairs.touch, w, n)
    dim = js.dimension(by)
    k = len(dim.categories)
    slot = np.where(dim.codes >= 0, dim.codes, k)  # slot k: label not recorded
    value = _wsum(slot, touch_value, k + 1)
    conv = _wsum(slot, touch_conv, k + 1)
    labels: tuple[Label, ...] = (*dim.categories, None)
    if conv[k] == 0 and not (dim.codes < 0).any():
        labels, value, conv = labels[:k], value[:k], conv[:k]
    none = pairs.length == 0
    return (
        labels,
        value,
        conv,
        touch_value,
        touch_conv,
        float(js.conversion_value[none].sum()),
        float(none.sum()),
    )


def attribute_parquet(
    dataset: Any,
    model: AttributionModel | str,
    *,
    journey: str = "journey_id",
    timestamp: str = "timestamp",
    channel: str = "channel",
    source: str | None = None,
    campaign: str | None = None,
    method: str | None = None,
    conversions: Any = None,
    conversion_journey: str | None = None,
    conversion_time: str = "conversion_time",
    conversion_value: str | None = None,
    lead_created_at: str | None = None,
    opportunity_created_at: str | None = None,
    closed_at: str | None = None,
    default_tz: TimeZoneLike = None,
    batch_rows: int = 1_000_000,
    by: str = "channel",
    fit: bool | None = None,
    touch_credit_path: str | os.PathLike[str] | None = None,
    progress: bool | None = None,
) -> ChunkedAttribution:
    """Attribute a Parquet dataset larger than memory, in chunks of whole journeys.

    Parameters
    ----------
    dataset : str, path, list of paths or pyarrow.dataset.Dataset
        The touches: one row per touch, **sorted by journey id** (the touches of one
        journey together, journeys in non-decreasing id order; time order inside a
        journey is not required). A directory of Parquet files is read in file-name
        order.
    model : AttributionModel or str
        The model, or its registry name.
    journey, timestamp, channel : str
        Column names of the journey id, touch time and channel.
    source, campaign, method : str, optional
        Further label columns to read (needed when ``by`` names them or the model
        excludes sources).
    conversions : pyarrow.Table, DataFrame, dict of columns or Parquet path, optional
        One row per conversion; held in memory. Without it there is nothing to
        attribute (every total is 0).
    conversion_journey : str, optional
        Journey-id column of ``conversions`` (default: ``journey``).
    conversion_time : str
        Conversion-time column of ``conversions``.
    conversion_value : str, optional
        Value column of ``conversions`` (1.0 each when None).
    lead_created_at, opportunity_created_at, closed_at : str, optional
        Milestone columns of ``conversions`` (W-shaped and full-path models).
    default_tz : str or tzinfo, optional
        Zone of naive times (UTC when None).
    batch_rows : int
        Rows per chunk (about; a chunk ends at a journey boundary). Memory use is a
        few hundred bytes per row of a chunk.
    by : {"channel", "source", "campaign", "method"}
        The label the totals are grouped by.
    fit : bool, optional
        Fit a data-driven model in a first pass over the data. Default: when the
        model learns from data and is not fitted yet.
    touch_credit_path : str or path, optional
        Write every touch's credit to this Parquet file: columns ``row`` (input row
        number), the journey id, ``value`` and ``conversions``, in input order.
    progress : bool, optional
        Show a progress bar (tqdm). Default: only when stderr is a terminal.

    Returns
    -------
    ChunkedAttribution

    Raises
    ------
    ValueError
        When the rows are not sorted by journey (naming the row), ``batch_rows`` < 1
        or ``by`` is not a label column.
    NotImplementedError
        For a data-driven model that cannot be fitted in chunks (no ``count`` /
        ``fit_counts``): fit it first on data that fits in memory and pass it fitted.
    ImportError
        When pyarrow is not installed.

    Examples
    --------
    >>> import pyarrow as pa, pyarrow.parquet as pq, tempfile, os
    >>> path = os.path.join(tempfile.mkdtemp(), "touches.parquet")
    >>> pq.write_table(pa.table({
    ...     "journey_id": [1, 1, 2, 2],
    ...     "timestamp": [0, 86_400, 0, 3_600],
    ...     "channel": ["seo", "email", "seo", "paid"]}), path)
    >>> conv = {"journey_id": [1, 2], "conversion_time": [90_000, 7_200],
    ...         "conversion_value": [100.0, 50.0]}
    >>> r = attribute_parquet(path, "markov", conversions=conv,
    ...                       conversion_value="conversion_value", batch_rows=3)
    >>> {label: round(v, 6) for label, v in r.to_dict().items()}, r.n_chunks
    ({'email': 37.5, 'paid': 37.5, 'seo': 75.0}, 2)
    """
    pa, ds, pq = require_arrow()
    if batch_rows < 1:
        raise ValueError(f"'batch_rows' must be >= 1, got {batch_rows!r}")
    if by not in DIMENSIONS:
        raise ValueError(f"'by' must be one of {', '.join(DIMENSIONS)}; got {by!r}")
    if isinstance(model, str):
        model = get(model)
    data = dataset if isinstance(dataset, ds.Dataset) else ds.dataset(dataset, format="parquet")
    labels_given = {"source": source, "campaign": campaign, "method": method}
    if by != "channel" and labels_given[by] is None:
        raise ValueError(f"by={by!r} needs the {by!r} column name (e.g. {by}={by!r})")
    columns = _read_columns(data, [journey, timestamp, channel, *labels_given.values()])
    conv_table = as_conversion_table(conversions, pa, pq)
    cj = conversion_journey or journey
    n_rows = int(data.count_rows())

    def build(touches: Any, conv: Any) -> JourneySet:
        return JourneySet.from_frame(
            touches,
            journey=journey,
            timestamp=timestamp,
            channel=channel,
            source=source,
            campaign=campaign,
            method=method,
            conversions=conv,
            conversion_journey=cj,
            conversion_time=conversion_time,
            conversion_value=conversion_value,
            lead_created_at=lead_created_at,
            opportunity_created_at=opportunity_created_at,
            closed_at=closed_at,
            default_tz=default_tz,
        )

    def passes(desc: str) -> Iterator[tuple[JourneySet, Any, int]]:
        chunker = Chunker(data, columns, journey, conv_table, cj, batch_rows)
        bar = progress_bar(n_rows, desc, progress)
        try:
            for touches, conv, first_row in chunker.chunks(pa, bar):
                yield build(touches, conv), touches, first_row
        finally:
            if bar is not None:
                bar.close()

    if fit is None:
        fit = not model.is_fitted
    if fit and model.learns_from_data:
        _fit_in_chunks(model, (js for js, _, _ in passes("fitting")))

    totals = _attribute_chunks(passes("attributing"), model, by, touch_credit_path, journey)
    return _result(totals, by, model)


def _read_columns(data: Any, names: list[str | None]) -> list[str]:
    """The columns to read (those given), checked against the dataset's schema."""
    columns = [c for c in names if c]
    missing = [c for c in columns if c not in data.schema.names]
    if missing:
        raise ValueError(
            f"column(s) {', '.join(map(repr, missing))} not found in the dataset; "
            f"it has {', '.join(data.schema.names)}"
        )
    return columns


def _attribute_chunks(
    chunks: Iterator[tuple[JourneySet, Any, int]],
    model: AttributionModel,
    by: str,
    touch_credit_path: str | os.PathLike[str] | None,
    journey: str,
) -> _Totals:
    """Attribute every chunk; sum the totals and stream per-touch credits when asked."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    totals = _Totals()
    writer: Any = None
    try:
        for js, touches, first_row in chunks:
            labels, value, conv, t_value, t_conv, un_v, un_c = _chunk_credit(js, model, by)
            totals.add(labels, value, conv)
            totals.unattributed_value += un_v
            totals.unattributed_conversions += un_c
            totals.total_value += js.total_value
            totals.n_touches += js.n_touches
            totals.n_journeys += js.n_journeys
            totals.n_conversions += js.n_conversions
            totals.n_chunks += 1
            if touch_credit_path is not None:
                out = _touch_table(pa, js, touches, journey, first_row, t_value, t_conv)
                if writer is None:
                    writer = pq.ParquetWriter(touch_credit_path, out.schema)
                writer.write_table(out)
    finally:
        if writer is not None:
            writer.close()
    return totals


def _fit_in_chunks(model: AttributionModel, chunks: Iterator[JourneySet]) -> None:
    count: Callable[[JourneySet], Any] | None = getattr(model, "count", None)
    fit_counts: Callable[[Any], Any] | None = getattr(model, "fit_counts", None)
    if count is None or fit_counts is None:
        raise NotImplementedError(
            f"{type(model).__name__} learns from data but cannot be fitted in chunks (it has "
            "no count()/fit_counts()); fit it on data that fits in memory and pass the "
            "fitted model"
        )
    total: Any = None
    for js in chunks:
        part = count(js)
        total = part if total is None else total + part
    if total is None:
        raise ValueError("the dataset has no rows to fit the model on")
    fit_counts(total)


def _touch_table(
    pa: Any,
    js: JourneySet,
    touches: Any,
    journey: str,
    first_row: int,
    t_value: FloatArray,
    t_conv: FloatArray,
) -> Any:
    """Per-touch credit of one chunk, back in input row order."""
    n = js.n_touches
    value = np.empty(n, dtype=np.float64)
    conv = np.empty(n, dtype=np.float64)
    value[js.touch_row] = t_value
    conv[js.touch_row] = t_conv
    return pa.table(
        {
            "row": np.arange(first_row, first_row + n, dtype=np.int64),
            journey: touches.column(journey),
            "value": value,
            "conversions": conv,
        }
    )


def _result(totals: _Totals, by: str, model: AttributionModel) -> ChunkedAttribution:
    named = sorted(k for k in totals.value if k is not None)
    labels: tuple[Label, ...] = (*named, None) if None in totals.value else tuple(named)
    return ChunkedAttribution(
        dimension=by,
        labels=labels,
        value=np.array([totals.value[k] for k in labels], dtype=np.float64),
        conversions=np.array([totals.conversions[k] for k in labels], dtype=np.float64),
        unattributed_value=totals.unattributed_value,
        unattributed_conversions=totals.unattributed_conversions,
        total_value=totals.total_value,
        model=model,
        n_touches=totals.n_touches,
        n_journeys=totals.n_journeys,
        n_conversions=totals.n_conversions,
        n_chunks=totals.n_chunks,
    )
