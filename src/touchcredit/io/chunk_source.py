"""The journeys of each chunk of an out-of-core run, with rows named as in the whole input.

:class:`ChunkSource` holds the checked inputs of one run (the dataset, the conversions
sorted by journey, the :class:`~touchcredit.ColumnMap`) and yields every chunk as a
:class:`~touchcredit.JourneySet` whose ``touch_row``/``conversion_row`` count in the
whole input. An error while building a chunk is restated with the 1-based input row.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.dimension import DIMENSIONS
from touchcredit.core.mapping import ColumnMap, require_columns
from touchcredit.core.store import JourneySet
from touchcredit.core.time import TimeRule
from touchcredit.io.chunks import (
    ROW,
    Chunker,
    as_conversion_table,
    id_kind,
    progress_bar,
    require_arrow,
    sorted_conversions,
)

__all__ = ["ChunkSource", "check_every_file", "located", "renumbered", "shifted_rows"]


@attrs.frozen(eq=False)
class ChunkSource:
    """The inputs of one out-of-core run, checked; reads them as chunks of journeys."""

    data: Any  # pyarrow.dataset.Dataset
    conversions: tuple[Any, npt.NDArray[Any]] | None  # sorted by journey, and their ids
    columns: ColumnMap
    batch_rows: int
    rule: TimeRule = attrs.field(factory=TimeRule)
    progress: bool | None = None

    @classmethod
    def open(
        cls,
        dataset: Any,
        conversions: Any,
        cols: ColumnMap,
        by: str,
        batch_rows: int,
        rule: TimeRule | None = None,
        progress: bool | None = None,
    ) -> ChunkSource:
        """Check the arguments, the columns, the ids and the conversion rows."""
        pa, ds, pq = require_arrow()
        if isinstance(batch_rows, bool) or not isinstance(batch_rows, int):
            raise ValueError(f"'batch_rows' must be a whole number, got {batch_rows!r}")
        if batch_rows < 1:
            raise ValueError(f"'batch_rows' must be >= 1, got {batch_rows!r}")
        if by not in DIMENSIONS:
            raise ValueError(f"'by' must be one of {', '.join(DIMENSIONS)}; got {by!r}")
        if getattr(cols, by) is None:
            raise ValueError(f"by={by!r} needs the {by!r} column name (e.g. {by}={by!r})")
        data = dataset if isinstance(dataset, ds.Dataset) else ds.dataset(dataset, format="parquet")
        cols.check_touches(data.schema.names, raw=False)
        check_every_file(data, cols)
        table = as_conversion_table(conversions, cols, pa, pq)
        rule = TimeRule() if rule is None else rule
        if table is None:
            return cls(data, None, cols, batch_rows, rule, progress)
        kind = id_kind(data.schema.field(cols.journey).type, pa)
        ordered = sorted_conversions(table, cols.conversion_journey or cols.journey, kind, pa)
        run = cls(data, ordered, cols, batch_rows, rule, progress)
        run.check_conversions(table)
        return run

    def check_conversions(self, table: Any) -> None:
        """Build the conversion rows up front, ``batch_rows`` at a time, as given.

        A bad conversion row is reported before any touch is read, naming its row in
        the table as given; memory stays bounded by a chunk (a whole-table build would
        hold every conversion's arrays, and their temporaries, at once).
        """
        touches = self.data.head(0, columns=self.read)
        for lo in range(0, max(table.num_rows, 1), self.batch_rows):
            try:
                self.build(touches, table.slice(lo, self.batch_rows))
            except (ValueError, TypeError) as exc:
                if lo == 0:
                    raise
                raise restated(exc, shifted_rows(str(exc), lo)) from exc

    @property
    def read(self) -> list[str]:
        """The touch columns to read."""
        return list(self.columns.touch_columns(raw=False).values())

    def build(self, touches: Any, conversions: Any) -> JourneySet:
        """The JourneySet of touch rows and their conversions (the table's own rows)."""
        return JourneySet.from_frame(
            touches,
            conversions,
            columns=self.columns,
            default_tz=self.rule.default_tz,
            unit=self.rule.unit,
        )

    def passes(self, desc: str) -> Iterator[tuple[JourneySet, Any, int]]:
        """``(journeys, touch rows, first input row)`` of every chunk, in input order."""
        c = self.columns
        chunker = Chunker(
            self.data,
            self.read,
            c.journey,
            self.conversions,
            self.batch_rows,
            labels=[name for d in DIMENSIONS if (name := getattr(c, d)) is not None],
        )
        bar = progress_bar(int(self.data.count_rows()), desc, self.progress)
        try:
            for touches, conv, first_row in chunker.chunks(bar):
                js = renumbered(self.buildlocated(touches, conv, first_row), conv, first_row)
                yield js, touches, first_row
                del js, touches, conv  # not kept alive while the next chunk is read
        finally:
            if bar is not None:
                bar.close()

    def buildlocated(self, touches: Any, conversions: Any, first_row: int) -> JourneySet:
        """:meth:`build`, with errors that name the 1-based row of the whole input."""
        try:
            return self.build(touches, conversions)
        except (ValueError, TypeError) as exc:
            raise located(exc, self, touches, first_row) from exc


def check_every_file(data: Any, cols: ColumnMap) -> None:
    """Every file of the dataset holds every mapped touch column.

    A dataset's schema is its first file's: a later file without the ``channel`` column
    would be read with every channel null (not recorded) and its credit moved to the
    ``None`` label, silently. Each file's own schema is read from its footer.

    Raises
    ------
    touchcredit.core.mapping.MissingColumnError
        Naming the file and every mapped column it lacks, with their roles.
    """
    _, ds, _ = require_arrow()
    wanted = cols.touch_columns(raw=False)
    for fragment in data.get_fragments():
        # a file's own columns and those its folder names (hive partitions)
        names = [*fragment.physical_schema.names,
                 *ds.get_partition_keys(fragment.partition_expression)]  # fmt: skip
        if any(c not in names for c in wanted.values()):
            where = getattr(fragment, "path", None) or "a fragment of the dataset"
            require_columns(f"touches file {where!r}", wanted, names)


def renumbered(js: JourneySet, conversions: Any, first_row: int) -> JourneySet:
    """The chunk's journeys with the row numbers of the whole input.

    ``touch_row`` counts from the dataset's first row and ``conversion_row`` is the row
    in the conversion table given, so every message that names a row (a model's bad
    weights, say) means the same row as an in-memory run on the whole input.
    """
    conv_row = js.conversion_row
    if conversions is not None and conversions.num_rows:
        given = conversions.column(ROW).to_numpy()
        conv_row = given[js.conversion_row].astype(np.int64, copy=False)
    return attrs.evolve(js, touch_row=js.touch_row + first_row, conversion_row=conv_row)


_ROW = re.compile(r"\brow \d+")
_ROW_NUMBER = re.compile(r"\b(row )(\d+)\b")


def shifted_rows(message: str, offset: int) -> str:
    """``message`` with every 1-based ``row N`` moved on by ``offset`` rows.

    Examples
    --------
    >>> shifted_rows("'conversion_value' must be >= 0; row 3 is -1.0", 1000)
    "'conversion_value' must be >= 0; row 1003 is -1.0"
    """
    return _ROW_NUMBER.sub(lambda m: f"{m.group(1)}{int(m.group(2)) + offset}", message)


def located(exc: Exception, run: ChunkSource, touches: Any, first_row: int) -> Exception:
    """The error of a chunk, restated with the row of the whole input.

    The first failing row is found by bisection over prefixes of the chunk (the
    error path only: about log2(rows) builds). The message of that row alone, whose
    row number can only mean that row, is restated with its input row.
    """

    def fails(n: int) -> Exception | None:
        try:
            run.build(touches.slice(0, n), None)
        except (ValueError, TypeError) as err:
            return err
        return None

    n = touches.num_rows
    if fails(n) is None:  # not a touch row: keep the message, say which rows
        last = first_row + n
        return restated(exc, f"{exc} (in the chunk of input rows {first_row + 1:,}-{last:,})")
    lo, hi = 0, n  # prefix lo passes, prefix hi fails
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if fails(mid) is not None else (mid, hi)
    row = first_row + hi  # 1-based input row of the first bad row
    try:
        run.build(touches.slice(hi - 1, 1), None)
    except (ValueError, TypeError) as alone:
        return restated(exc, _ROW.sub(f"input row {row:,}", str(alone), count=1))
    return restated(exc, f"input row {row:,} (with the rows before it): {fails(hi)}")


def restated(exc: Exception, message: str) -> Exception:
    """An error of the same class as ``exc`` with a new message (ValueError if it cannot)."""
    try:
        return type(exc)(message)
    except Exception:  # an error class whose constructor takes other arguments
        return ValueError(message) if isinstance(exc, ValueError) else TypeError(message)
