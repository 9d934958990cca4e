"""Out-of-core attribution: a Parquet dataset larger than memory, in chunks of whole journeys.

The touches are read in batches of about ``batch_rows`` rows; every chunk holds whole
journeys (a journey is never split: the rows of the last journey of a batch wait for
the next one), becomes a :class:`~touchcredit.JourneySet` and is attributed on its own.
Per-label totals are summed over the chunks; per-touch credits can be streamed to a
Parquet file. Every heuristic model weighs a conversion from its own journey only, so
the chunked result equals the in-memory one. A data-driven model (Markov, Shapley) is
fitted first, in one more pass, by adding up its additive counts chunk by chunk
(``model.count`` / ``model.fit_counts``); its weights then depend only on the fitted
state, so the chunks again agree with the in-memory run. A Markov model passed fitted
takes one more pass, for its channel totals (:mod:`touchcredit.io.chunk_totals`).

Requirement: the rows must come sorted by journey id (non-decreasing; the order of a
journey's touches does not matter). This is checked as the data streams by, and
unsorted input raises a :class:`ValueError` that says so. Conversions are a separate
table, which is held in memory (one row per lead or won deal: far fewer than touches).

pyarrow is needed (``pip install touchcredit[arrow]``); tqdm draws the progress bar
when installed and stderr is a terminal.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any, Unpack

import attrs
import numpy as np

from touchcredit.attribution.results import attribute
from touchcredit.attribution.totals import Reading, Totals
from touchcredit.core.arrays import FloatArray
from touchcredit.core.mapping import ColumnKeywords, ColumnMap, column_map
from touchcredit.core.store import JourneySet
from touchcredit.core.time import TimeRule, TimeZoneLike
from touchcredit.io.atomic import atomic_path
from touchcredit.io.chunk_source import ChunkSource
from touchcredit.io.chunk_totals import choose_reading, factors_over_chunks, reading_notes
from touchcredit.io.chunks import (
    LargeJourneyWarning,
)
from touchcredit.models.base import AttributionModel, get
from touchcredit.models.channel_totals import ChannelTotalsModel
from touchcredit.models.counting import CountingModel, missing_counting_methods
from touchcredit.models.fitted import is_fitted

__all__ = ["ChunkedAttribution", "LargeJourneyWarning", "attribute_parquet"]

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
    notes : tuple of str
        What the reader should know about the totals (for Markov: whose channel
        totals they are, and how they were reached).

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
    notes: tuple[str, ...] = ()

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

    def add(self, js: JourneySet, credit: _ChunkCredit) -> None:
        for label, v, c in zip(
            credit.labels, credit.value.tolist(), credit.conversions.tolist(), strict=True
        ):
            self.value[label] = self.value.get(label, 0.0) + v
            self.conversions[label] = self.conversions.get(label, 0.0) + c
        self.unattributed_value += credit.unattributed_value
        self.unattributed_conversions += credit.unattributed_conversions
        self.total_value += js.total_value
        self.n_touches += js.n_touches
        self.n_journeys += js.n_journeys
        self.n_conversions += js.n_conversions
        self.n_chunks += 1


@attrs.frozen(eq=False)
class _ChunkCredit:
    """Credit of one chunk: per label, per touch (chunk order; None unless asked for),
    and the unattributed rest."""

    labels: tuple[Label, ...]
    value: FloatArray
    conversions: FloatArray
    touch_value: FloatArray | None
    touch_conversions: FloatArray | None
    unattributed_value: float
    unattributed_conversions: float


def _chunk_credit(
    js: JourneySet,
    model: AttributionModel,
    by: str,
    *,
    per_touch: bool = False,
    reading: Reading = "fitted",
) -> _ChunkCredit:
    """Credit of one chunk through :func:`touchcredit.attribute` (same checks, same rules).

    The model's weights are checked as in memory (finite, >= 0, summing to 1 per
    conversion with an eligible touch); a conversion without one is unattributed.
    The per-touch arrays (two floats per touch) are made only when ``per_touch``.
    """
    res = attribute(js, model, fit=False, totals=reading)
    table = res.by(by)
    return _ChunkCredit(
        labels=table.labels,
        value=np.asarray(table.value, dtype=np.float64),
        conversions=np.asarray(table.conversions, dtype=np.float64),
        touch_value=np.asarray(res.touch_credit, dtype=np.float64) if per_touch else None,
        touch_conversions=(
            np.asarray(res.touch_conversions, dtype=np.float64) if per_touch else None
        ),
        unattributed_value=res.unattributed.value,
        unattributed_conversions=float(res.unattributed.conversions),
    )


def attribute_parquet(
    dataset: Any,
    model: AttributionModel | str,
    *,
    conversions: Any = None,
    columns: ColumnMap | None = None,
    default_tz: TimeZoneLike = None,
    unit: str | None = None,
    batch_rows: int = 1_000_000,
    by: str = "channel",
    fit: bool | None = None,
    touch_credit_path: str | os.PathLike[str] | None = None,
    progress: bool | None = None,
    totals: Totals | None = None,
    **columns_kw: Unpack[ColumnKeywords],
) -> ChunkedAttribution:
    """Attribute a Parquet dataset larger than memory, in chunks of whole journeys.

    Parameters
    ----------
    dataset : str, path, list of paths or pyarrow.dataset.Dataset
        The touches: one row per touch, **sorted by journey id** (the touches of one
        journey together, journeys in non-decreasing id order; time order inside a
        journey is not required). A directory of Parquet files is read in file-name
        order. Journey ids are integers or text (one type in every file), never null.
    model : AttributionModel or str
        The model, or its registry name.
    conversions : pyarrow.Table, DataFrame, dict of columns or Parquet path, optional
        One row per conversion; held in memory. Without it there is nothing to
        attribute (every total is 0).
    columns : ColumnMap, optional
        Which columns hold what (:class:`touchcredit.ColumnMap`; its defaults when
        None). The label columns mapped are read (``by`` must be one of them).
    journey, timestamp, channel, source, campaign, method : str or None, optional
        Shorthand, as for :meth:`JourneySet.from_frame <touchcredit.JourneySet.from_frame>`:
        column names that build a :class:`~touchcredit.ColumnMap` (an error together
        with ``columns``); a label column of None is not recorded.
    conversion_journey, conversion_time, conversion_value : str or None, optional
        Shorthand, as above.
    lead_created_at, opportunity_created_at, closed_at : str or None, optional
        Shorthand, as above (milestones, used by the W-shaped and full-path models).
    default_tz : str or tzinfo, optional
        Zone of naive times (UTC when None).
    unit : {"s", "ms", "us", "ns"}, optional
        Unit of epoch-number times (None: the one unit putting a chunk's values in
        1990-2100).
    batch_rows : int
        Rows per chunk (about; a chunk ends at a journey boundary, so a journey longer
        than ``batch_rows`` makes its chunk that long, with a
        :class:`LargeJourneyWarning`). Peak memory grows by about 130 bytes per row of
        a chunk, above about 350 MB at the default (10M touches, 3 label columns; the
        conversions, held in memory, add about 32 bytes each).
    by : {"channel", "source", "campaign", "method"}
        The label the totals are grouped by.
    fit : bool, optional
        Fit a data-driven model in a first pass over the data. Default: when the
        model learns from data and is not fitted yet.
    touch_credit_path : str or path, optional
        Write every touch's credit to this Parquet file: columns ``row`` (0-based
        position of the touch in the input), the journey id, ``value`` and
        ``conversions``, in input order. The file appears only when the whole run
        succeeds (written beside it first, then renamed); on an error an existing
        file is left as it was.
    progress : bool, optional
        Show a progress bar (tqdm). Default: only when stderr is a terminal.
    totals : {"journeys", "fitted", "per_conversion"}, optional
        For models whose channel totals no split of each conversion reaches (Markov), as
        in :func:`touchcredit.attribute`: ``"journeys"`` makes the channel totals
        ``model.credit`` of all the journeys (one more pass when the model comes
        fitted), ``"fitted"`` uses the factors the model learned in ``fit``,
        ``"per_conversion"`` splits each conversion over its own touches. Default:
        ``"fitted"`` when the model is fitted in this run (the same numbers as
        ``"journeys"``, without the pass), ``"journeys"`` otherwise.
        :attr:`ChunkedAttribution.notes` says which.

    Returns
    -------
    ChunkedAttribution

    Raises
    ------
    ValueError
        When the rows are not sorted by journey, a journey id is null, a row is
        invalid (each naming the 1-based input row), ``batch_rows`` < 1, ``by`` is not
        a mapped label column, or a model's weights are not finite, >= 0 and summing
        to 1 per conversion.
    touchcredit.core.mapping.MissingColumnError
        When a mapped column is not in the dataset or the conversions.
    TypeError
        When journey ids are not one type (integers in one file, text in another).
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
    ...     "timestamp": [1_714_521_600, 1_714_608_000, 1_714_521_600, 1_714_525_200],
    ...     "channel": ["seo", "email", "seo", "paid"]}), path)
    >>> conv = {"journey_id": [1, 2], "conversion_time": [1_714_611_600, 1_714_528_800],
    ...         "conversion_value": [100.0, 50.0]}
    >>> r = attribute_parquet(path, "markov", conversions=conv,
    ...                       conversion_value="conversion_value", batch_rows=3)
    >>> {label: round(v, 6) for label, v in r.to_dict().items()}, r.n_chunks
    ({'email': 50.0, 'paid': 25.0, 'seo': 75.0}, 2)
    """
    cols = column_map(columns, **columns_kw)
    rule = TimeRule(default_tz, unit)  # checked before anything is read
    run = ChunkSource.open(dataset, conversions, cols, by, batch_rows, rule, progress)
    model = get(model) if isinstance(model, str) else model
    if fit is None:
        fit = not is_fitted(model)
    fitted_here = bool(fit and model.learns_from_data)
    chosen = choose_reading(model, totals, fitted_here)  # checked before anything is read
    if fitted_here:
        _fit_in_chunks(model, run.passes("fitting"))
    # a model fitted here learned its channel factors on all the chunks together; one
    # fitted elsewhere gets them from one more pass over the chunks
    reading: Reading = chosen
    if chosen == "journeys" and isinstance(model, ChannelTotalsModel):
        reading = "fitted" if fitted_here else factors_over_chunks(run.passes("totals"), model)
    if touch_credit_path is None:
        sums = _attribute_chunks(
            run.passes("attributing"), model, by, None, run.columns.journey, reading
        )
    else:
        with atomic_path(touch_credit_path) as tmp:
            sums = _attribute_chunks(
                run.passes("attributing"), model, by, tmp, run.columns.journey, reading
            )
    notes = reading_notes(model, reading, sums.n_chunks, fitted_here=fitted_here)
    return _result(sums, by, model, notes)


def _attribute_chunks(
    chunks: Iterator[tuple[JourneySet, Any, int]],
    model: AttributionModel,
    by: str,
    touch_credit_path: os.PathLike[str] | None,
    journey: str,
    reading: Reading,
) -> _Totals:
    """Attribute every chunk; sum the totals and stream per-touch credits when asked."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    totals = _Totals()
    writer: Any = None
    try:
        for js, touches, first_row in chunks:
            credit = _chunk_credit(
                js, model, by, per_touch=touch_credit_path is not None, reading=reading
            )
            totals.add(js, credit)
            if touch_credit_path is not None:
                out = _touch_table(pa, js, touches, journey, first_row, credit)
                if writer is None:
                    writer = pq.ParquetWriter(touch_credit_path, out.schema)
                writer.write_table(out)
                del out
            del js, touches, credit  # not kept alive while the next chunk is read
    finally:
        if writer is not None:
            writer.close()
    return totals


def _fit_in_chunks(model: AttributionModel, chunks: Iterator[tuple[JourneySet, Any, int]]) -> None:
    if not isinstance(model, CountingModel):
        missing = " / ".join(f"{m}()" for m in missing_counting_methods(model))
        raise NotImplementedError(
            f"{type(model).__name__} learns from data but cannot be fitted in chunks: it has "
            f"no {missing} method (the touchcredit.models.CountingModel protocol); fit it on "
            "data that fits in memory and pass the fitted model"
        )
    total: Any = None
    for js, _, _ in chunks:
        part = model.count(js)
        total = part if total is None else total + part
        del js, part  # not kept alive while the next chunk is read
    if total is None:
        raise ValueError("the dataset has no rows to fit the model on")
    model.fit_counts(total)


def _touch_table(
    pa: Any, js: JourneySet, touches: Any, journey: str, first_row: int, credit: _ChunkCredit
) -> Any:
    """Per-touch credit of one chunk, back in input row order."""
    assert credit.touch_value is not None and credit.touch_conversions is not None
    n = js.n_touches
    value = np.empty(n, dtype=np.float64)
    conv = np.empty(n, dtype=np.float64)
    value[js.touch_row - first_row] = credit.touch_value
    conv[js.touch_row - first_row] = credit.touch_conversions
    return pa.table(
        {
            "row": np.arange(first_row, first_row + n, dtype=np.int64),
            journey: touches.column(journey),
            "value": value,
            "conversions": conv,
        }
    )


def _result(
    totals: _Totals, by: str, model: AttributionModel, notes: tuple[str, ...]
) -> ChunkedAttribution:
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
        notes=notes,
    )
