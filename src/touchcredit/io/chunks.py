"""Streaming a Parquet dataset as chunks of whole journeys, checking the journey order.

The out-of-core runner (:mod:`touchcredit.io.chunked`) reads its touches through a
:class:`Chunker`: row groups are read one at a time, rows are buffered until a chunk
boundary falls between two journeys, and each chunk comes with the conversions of
its journeys. pyarrow is imported by the caller and passed in (``pa``).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Collection, Iterator
from typing import Any

import numpy as np
import numpy.typing as npt

from touchcredit.core import progress as core_progress
from touchcredit.core.mapping import ColumnMap


def require_arrow() -> tuple[Any, Any, Any]:
    try:
        import pyarrow as pa
        import pyarrow.dataset as ds
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - exercised without pyarrow only
        raise ImportError(
            "attribute_parquet needs pyarrow; install it with `pip install touchcredit[arrow]`"
        ) from None
    return pa, ds, pq


def as_conversion_table(conversions: Any, columns: ColumnMap, pa: Any, pq: Any) -> Any:
    """The mapped columns of the conversions as a pyarrow Table, or None.

    From a Table, a polars or pandas DataFrame, a dict of columns or a Parquet path
    (a file or a directory). Only the columns ``columns`` maps are read or converted:
    the table is held in memory for the whole run, and a CRM export often has dozens
    of columns nobody asked for.

    Raises
    ------
    touchcredit.core.mapping.MissingColumnError
        Naming a mapped column the conversions lack, and the columns found.
    """
    if conversions is None:
        return None
    if isinstance(conversions, str | os.PathLike):
        import pyarrow.dataset as ds

        columns.check_conversions(ds.dataset(conversions, format="parquet").schema.names)
        return pq.read_table(conversions, columns=_wanted(columns))
    if isinstance(conversions, pa.Table):
        names = conversions.column_names
    elif isinstance(conversions, dict):
        names = list(conversions)
    else:  # polars or pandas
        names = [str(c) for c in conversions.columns]
    columns.check_conversions(names)
    wanted = _wanted(columns)
    if isinstance(conversions, pa.Table):
        return conversions.select(wanted)
    if isinstance(conversions, dict):
        return pa.table({name: conversions[name] for name in wanted})
    if hasattr(conversions, "to_arrow"):  # polars
        return conversions.select(wanted).to_arrow()
    return pa.Table.from_pandas(conversions[wanted], preserve_index=False)


def _wanted(columns: ColumnMap) -> list[str]:
    return list(dict.fromkeys(columns.conversion_columns().values()))


def progress_bar(total: int, desc: str, progress: bool | None) -> Any:
    """A bar counting touches (or None): see :func:`touchcredit.core.progress.progress_bar`."""
    bar = core_progress.progress_bar(total, desc, progress=progress, unit="touch", unit_scale=True)
    return bar if bar.shown else None


class LargeJourneyWarning(UserWarning):
    """One journey holds more touches than a chunk: memory grows with that journey.

    A journey is never split across chunks (every model weighs a conversion over its
    whole journey), so a chunk holds all touches of its largest journey at once. The
    warning names the journey id and its size; such journeys are often bots or ids
    that merge many people.

    Examples
    --------
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     warnings.warn(LargeJourneyWarning("journey 7 has 5 touches"), stacklevel=1)
    >>> caught[0].category.__name__
    'LargeJourneyWarning'
    """


#: Column added to the sorted conversions: each conversion's row in the table given.
ROW = "__tc_row"

#: Bytes a chunk takes per touch while it is built and attributed (peak RSS growth per
#: row of ``batch_rows``, ``benchmarks/bench_memory.py``: 110-135; used in the warning).
BYTES_PER_TOUCH = 130


def is_text(dtype: Any, pa: Any) -> bool:
    """Whether an Arrow type holds plain text (not yet a dictionary)."""
    return bool(pa.types.is_string(dtype) or pa.types.is_large_string(dtype))


def id_kind(dtype: Any, pa: Any) -> str:
    """``"integer"``, ``"text"`` or ``"binary"``: the kinds of journey id columns."""
    t = dtype.value_type if pa.types.is_dictionary(dtype) else dtype
    if pa.types.is_integer(t):
        return "integer"
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "text"
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return "binary"
    return str(t)


def journey_ids(
    column: Any, pa: Any, *, field: str, kind: str, first_row: int, table: str
) -> npt.NDArray[Any]:
    """The ids of one batch as numpy, after checking for nulls and the id kind.

    ``first_row`` is the 0-based input row of the batch's first row; errors name the
    1-based input row.
    """
    here = id_kind(column.type, pa)
    if here != kind:
        raise TypeError(
            f"{table}: column {field!r} (journey id) holds {here} ids from input row "
            f"{first_row + 1:,} on, but {kind} ids before; every file and table must use "
            f"one id type (cast the ids, e.g. to string, when writing the data)"
        )
    if column.null_count:
        k = int(np.flatnonzero(column.is_null().to_numpy(zero_copy_only=False))[0])
        raise ValueError(
            f"{table}: column {field!r} (journey id) is null in input row "
            f"{first_row + k + 1:,}; every row needs a journey id"
        )
    if pa.types.is_dictionary(column.type):
        column = column.dictionary_decode()
    return np.asarray(column.to_numpy(zero_copy_only=False))


def sorted_conversions(conversions: Any, field: str, kind: str, pa: Any) -> tuple[Any, Any]:
    """Conversions sorted by journey id, and those ids (checked like the touches' ids).

    The table gains a column :data:`ROW`: the 0-based row of each conversion in the
    table as given, so that chunks can name it.
    """
    column = conversions.column(field).combine_chunks()
    if id_kind(column.type, pa) != kind:
        raise TypeError(
            f"conversions: column {field!r} (journey id) holds "
            f"{id_kind(column.type, pa)} ids, but the touches' journey ids are {kind}; "
            "use one id type in both tables"
        )
    journey_ids(column, pa, field=field, kind=kind, first_row=0, table="conversions")
    rows = pa.array(np.arange(conversions.num_rows, dtype=np.int64))
    # One chunk per column: the ids below are then a view of the table's own column.
    conversions = conversions.append_column(ROW, rows).sort_by(field).combine_chunks()
    sorted_ids = conversions.column(field)
    ids = journey_ids(
        sorted_ids.chunk(0) if sorted_ids.num_chunks == 1 else sorted_ids.combine_chunks(),
        pa,
        field=field,
        kind=kind,
        first_row=0,
        table="conversions",
    )
    return conversions, ids


class _Buffer:
    """Touch rows read but not yet emitted, and where the journeys in it start and end."""

    def __init__(self) -> None:
        self.tables: list[Any] = []
        self.rows = 0
        self.run_start = 0  # buffer row where the last journey starts
        self.last_id: Any = None
        self.first_id: Any = None  # the first journey in the buffer...
        self.first_len: int | None = None  # ...and its length, once it has ended

    def add(self, table: Any, ids: npt.NDArray[Any]) -> None:
        if self.rows == 0:
            self.first_id = ids[0]
        if self.first_len is None:
            same = int(np.searchsorted(ids, self.first_id, side="right"))
            if ids[0] != self.first_id:
                same = 0
            if same < ids.size:
                self.first_len = self.rows + same
        pos = int(np.searchsorted(ids, ids[-1], side="left"))
        if self.rows == 0 or pos > 0 or ids[0] != self.last_id:
            self.run_start = self.rows + pos
        self.tables.append(table)
        self.rows += table.num_rows
        self.last_id = ids[-1]

    def keep_tail(self, table: Any) -> None:
        """Keep ``table`` (the rows of the last journey) as the new buffer."""
        self.tables = [table]
        self.rows = table.num_rows
        self.run_start = 0
        self.first_id, self.first_len = self.last_id, None


class Chunker:
    """Streams a dataset as chunks of whole journeys, checking the journey ids and order."""

    def __init__(
        self,
        dataset: Any,
        columns: list[str],
        journey: str,
        conversions: tuple[Any, npt.NDArray[Any]] | None,
        batch_rows: int,
        labels: Collection[str] = (),
    ) -> None:
        """``conversions``: the table and its ids from :func:`sorted_conversions`.

        ``labels``: the label columns; those holding text are read as dictionaries
        (codes plus each row group's distinct labels, as Parquet stores them): no string
        per row is decoded, and the JourneySet takes the codes as they are.
        """
        import pyarrow as pa

        self.dataset = dataset
        self.columns = columns
        self.journey = journey
        self.batch_rows = batch_rows
        self.dictionary = [
            c
            for c in labels
            if c != journey and is_text(dataset.schema.field(c).type, pa) and c in columns
        ]
        self.n_large = 0  # journeys longer than batch_rows, and the largest one
        self.largest: tuple[Any, int] = (None, 0)
        self.kind = id_kind(dataset.schema.field(journey).type, pa)
        self.conversions: Any = None
        self._conv_ids: npt.NDArray[Any] | None = None
        if conversions is not None:
            self.conversions, self._conv_ids = conversions

    def _batches(self) -> Iterator[Any]:
        """Record batches in file order, reading one row group at a time.

        Files are read one row group at a time (``ParquetFile.read_row_group``): memory
        stays bounded by a row group plus a chunk, whatever the size of the dataset. (A
        dataset scan buffers far ahead, and ``iter_batches`` keeps decoded pages until
        the file is done; both grow with the file.)
        """
        import pyarrow.parquet as pq

        get_fragments = getattr(self.dataset, "get_fragments", None)
        if get_fragments is None:  # not a file dataset
            batches = self.dataset.to_batches(columns=self.columns, batch_size=self.batch_rows)
            yield from map(self._encoded, batches)
            return
        for fragment in get_fragments():  # in file order
            names = fragment.physical_schema.names
            if not all(c in names for c in self.columns):
                # e.g. a partition column that lives in the path, not in the file
                batches = fragment.to_batches(
                    columns=self.columns, batch_size=self.batch_rows, schema=self.dataset.schema
                )
                yield from map(self._encoded, batches)
                continue
            with self.dataset.filesystem.open_input_file(fragment.path) as handle:
                reader = pq.ParquetFile(handle, read_dictionary=self.dictionary or None)
                for group in range(reader.metadata.num_row_groups):
                    table = reader.read_row_group(group, columns=self.columns)
                    yield from table.to_batches(max_chunksize=self.batch_rows)
                    del table

    def _encoded(self, batch: Any) -> Any:
        """``batch`` with its text label columns dictionary-encoded (one schema for all)."""
        import pyarrow as pa

        if not self.dictionary:
            return batch
        names = batch.schema.names
        arrays = [
            column.dictionary_encode() if name in self.dictionary and is_text(column.type, pa)
            else column
            for name, column in zip(names, batch.columns, strict=True)
        ]  # fmt: skip
        return pa.RecordBatch.from_arrays(arrays, names=names)

    def _conversions_upto(self, lo: int, last_id: Any, final: bool) -> tuple[Any, int]:
        """Conversions from row ``lo`` of the sorted table up to journey ``last_id``."""
        if self.conversions is None or self._conv_ids is None:
            return None, lo
        if final:
            hi = int(self._conv_ids.size)
        else:
            hi = int(np.searchsorted(self._conv_ids, last_id, side="right"))
        hi = max(hi, lo)
        return self.conversions.slice(lo, hi - lo), hi

    def chunks(self, bar: Any) -> Iterator[tuple[Any, Any, int]]:
        """Yield ``(touch table, conversion table, first input row)`` per chunk.

        The first input row is 0-based. A journey is never split: rows wait in the
        buffer until a later journey starts after ``batch_rows`` rows.
        """
        import pyarrow as pa

        buf = _Buffer()
        previous: Any = None  # last journey id seen
        start_row = 0
        conv_lo = 0
        for batch in self._batches():
            if batch.num_rows == 0:
                continue
            ids = journey_ids(
                batch.column(self.journey),
                pa,
                field=self.journey,
                kind=self.kind,
                first_row=start_row + buf.rows,
                table="touches",
            )
            previous = check_sorted(ids, previous, start_row + buf.rows, self.journey)
            buf.add(pa.Table.from_batches([batch]), ids)
            if buf.rows < self.batch_rows or buf.run_start == 0:
                continue  # one journey fills the whole buffer: keep reading
            table = pa.concat_tables(buf.tables)
            cut = buf.run_start
            head = table.slice(0, cut)
            last_id = head.column(self.journey)[cut - 1].as_py()
            conv, conv_lo = self._conversions_upto(conv_lo, last_id, final=False)
            self._note_size(buf)
            yield head, conv, start_row
            if bar is not None:
                bar.update(cut)
            start_row += cut
            # A copy of the tail (the rows of one journey), so that nothing keeps the
            # batches just emitted alive while the next row group is read.
            tail = table.slice(cut)
            buf.keep_tail(tail.take(np.arange(tail.num_rows)))
            del batch, table, head, tail, conv
        table = pa.concat_tables(buf.tables) if buf.tables else None
        conv, conv_lo = self._conversions_upto(conv_lo, None, final=True)
        if (table is not None and table.num_rows) or (conv is not None and conv.num_rows):
            if table is None:
                table = self.dataset.head(0, columns=self.columns)
            if buf.first_len is None:
                buf.first_len = buf.rows
            self._note_size(buf)
            yield table, conv, start_row
            if bar is not None:
                bar.update(table.num_rows)
        self._warn_if_large()

    def _note_size(self, buf: _Buffer) -> None:
        """Remember the largest journey longer than ``batch_rows`` (the first in ``buf``)."""
        size = buf.first_len or 0
        if size > self.batch_rows:
            self.n_large += 1
            if size > self.largest[1]:
                self.largest = (plain(buf.first_id), size)

    def _warn_if_large(self) -> None:
        """One warning per pass naming the largest journey longer than ``batch_rows``."""
        if not self.n_large:
            return
        journey, size = self.largest
        more = f" ({self.n_large:,} journeys are longer than that)" if self.n_large > 1 else ""
        warnings.warn(
            LargeJourneyWarning(
                f"journey {journey!r} has {size:,} touches, more than batch_rows="
                f"{self.batch_rows:,}{more}: a journey is never split, so its chunk holds "
                f"all of its touches at once (about {size * BYTES_PER_TOUCH / 1e6:,.0f} MB "
                "for this one). Check it for a bot or an id shared by many people, or drop "
                "it before the run"
            ),
            stacklevel=4,
        )


def check_sorted(ids: npt.NDArray[Any], previous: Any, first_row: int, field: str) -> Any:
    """Raise unless ``ids`` continue a non-decreasing journey order; return the last id."""
    if previous is not None and ids[0] < previous:
        raise unsorted_error(field, first_row, previous, ids[0])
    if ids.size > 1:
        down = ids[1:] < ids[:-1]
        if down.any():
            k = int(np.flatnonzero(down)[0])
            raise unsorted_error(field, first_row + k + 1, ids[k], ids[k + 1])
    return ids[-1]


def unsorted_error(field: str, row: int, before: Any, after: Any) -> ValueError:
    return ValueError(
        f"the dataset must be sorted by {field!r} (all rows of a journey together, journeys "
        f"in non-decreasing id order) so that no journey is split across chunks; input row "
        f"{row + 1:,} has {field}={plain(after)!r} after {plain(before)!r}. Sort it once (e.g. "
        f"ORDER BY {field} when exporting, or pyarrow's Table.sort_by) and write it again"
    )


def plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
