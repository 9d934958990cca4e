"""Streaming a Parquet dataset as chunks of whole journeys, checking the journey order.

The out-of-core runner (:mod:`touchcredit.io.chunked`) reads its touches through a
:class:`Chunker`: row groups are read one at a time, rows are buffered until a chunk
boundary falls between two journeys, and each chunk comes with the conversions of
its journeys. pyarrow is imported by the caller and passed in (``pa``).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from typing import Any

import numpy as np
import numpy.typing as npt


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


def as_conversion_table(conversions: Any, pa: Any, pq: Any) -> Any:
    """Conversions as a pyarrow Table (from a Table, DataFrame, dict or Parquet path)."""
    if conversions is None or isinstance(conversions, pa.Table):
        return conversions
    if isinstance(conversions, str | os.PathLike):
        return pq.read_table(conversions)
    if hasattr(conversions, "to_arrow"):  # polars
        return conversions.to_arrow()
    if isinstance(conversions, dict):
        return pa.table(conversions)
    return pa.Table.from_pandas(conversions, preserve_index=False)


def progress_bar(total: int, desc: str, progress: bool | None) -> Any:
    """A tqdm bar (or None): when asked, or by default when stderr is a terminal."""
    if progress is False or (progress is None and not sys.stderr.isatty()):
        return None
    try:
        from tqdm import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc=desc, unit="touch", unit_scale=True, file=sys.stderr)


class Chunker:
    """Streams a dataset as chunks of whole journeys, checking the journey order."""

    def __init__(
        self,
        dataset: Any,
        columns: list[str],
        journey: str,
        conversions: Any,
        conversion_journey: str,
        batch_rows: int,
    ) -> None:
        self.dataset = dataset
        self.columns = columns
        self.journey = journey
        self.conversions = conversions
        self.conversion_journey = conversion_journey
        self.batch_rows = batch_rows
        self._conv_ids: npt.NDArray[Any] | None = None
        if conversions is not None:
            conversions = conversions.sort_by(conversion_journey)
            self.conversions = conversions
            self._conv_ids = conversions.column(conversion_journey).to_numpy()

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
            yield from self.dataset.to_batches(columns=self.columns, batch_size=self.batch_rows)
            return
        for fragment in get_fragments():  # in file order
            names = fragment.physical_schema.names
            if not all(c in names for c in self.columns):
                # e.g. a partition column that lives in the path, not in the file
                yield from fragment.to_batches(
                    columns=self.columns, batch_size=self.batch_rows, schema=self.dataset.schema
                )
                continue
            with self.dataset.filesystem.open_input_file(fragment.path) as handle:
                reader = pq.ParquetFile(handle)
                for group in range(reader.metadata.num_row_groups):
                    table = reader.read_row_group(group, columns=self.columns)
                    yield from table.to_batches(max_chunksize=self.batch_rows)
                    del table

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

    def chunks(self, pa: Any, bar: Any) -> Iterator[tuple[Any, Any, int]]:
        """Yield ``(touch table, conversion table, first input row)`` per chunk."""
        pending: list[Any] = []
        pending_rows = 0
        previous: Any = None  # last journey id seen
        start_row = 0
        conv_lo = 0
        for batch in self._batches():
            if batch.num_rows == 0:
                continue
            ids = batch.column(self.journey).to_numpy(zero_copy_only=False)
            previous = check_sorted(ids, previous, start_row + pending_rows, self.journey)
            pending.append(pa.Table.from_batches([batch]))
            pending_rows += batch.num_rows
            if pending_rows < self.batch_rows:
                continue
            table = pa.concat_tables(pending)
            all_ids = table.column(self.journey).to_numpy()
            last_id = all_ids[-1]
            cut = int(np.searchsorted(all_ids, last_id, side="left"))
            if cut == 0:  # one journey fills the whole buffer: keep reading
                pending = [table]
                continue
            head = table.slice(0, cut)
            conv, conv_lo = self._conversions_upto(conv_lo, all_ids[cut - 1], final=False)
            yield head, conv, start_row
            if bar is not None:
                bar.update(cut)
            start_row += cut
            pending = [table.slice(cut)]
            pending_rows = table.num_rows - cut
        table = pa.concat_tables(pending) if pending else None
        conv, conv_lo = self._conversions_upto(conv_lo, None, final=True)
        if (table is not None and table.num_rows) or (conv is not None and conv.num_rows):
            if table is None:
                table = self.dataset.head(0, columns=self.columns)
            yield table, conv, start_row
            if bar is not None:
                bar.update(table.num_rows)


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
        f"in non-decreasing id order) so that no journey is split across chunks; row {row} "
        f"has {field}={plain(after)!r} after {plain(before)!r}. Sort it once (e.g. "
        f"ORDER BY {field} when exporting, or pyarrow's Table.sort_by) and write it again"
    )


def plain(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value
