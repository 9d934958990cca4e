"""Files that are complete or absent: write beside the destination, rename on success.

Every file the library writes goes through :func:`atomic_path`: the content is written
to a hidden temporary file in the destination's folder and moved over the destination
with :func:`os.replace` (atomic on POSIX and Windows) only when writing finished. On an
error or ``KeyboardInterrupt`` the temporary file is removed and an existing
destination is left as it was, so a partial output never looks like a complete one.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path

__all__ = ["atomic_path"]


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Give a temporary path to write to; move it to ``path`` when the block succeeds.

    The temporary file sits in the same folder (so the final rename never crosses a
    file system), is named ``.<name>.<random>.tmp``, and is created empty with the
    permissions a new file gets (the umask applies). The name ends in ``.tmp``, never in
    the destination's suffix, so that a ``*.parquet`` or ``*.csv`` glob (DuckDB's,
    Spark's, a shell's) never reads a half-written or abandoned file: writers that
    choose a format by extension must take it from the destination, not from the
    temporary path.

    Parameters
    ----------
    path : str or path-like
        The destination. Its folder must exist.

    Yields
    ------
    pathlib.Path
        Where to write. Writers may replace the empty file that is there.

    Raises
    ------
    FileNotFoundError
        When the destination's folder does not exist.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> dest = pathlib.Path(tempfile.mkdtemp()) / "out.csv"
    >>> with atomic_path(dest) as tmp:
    ...     _ = tmp.write_text("a,b\\n")
    >>> dest.read_text()
    'a,b\\n'
    >>> try:
    ...     with atomic_path(dest) as tmp:
    ...         _ = tmp.write_text("half")
    ...         raise RuntimeError("bad row")
    ... except RuntimeError:
    ...     pass
    >>> dest.read_text(), sorted(p.name for p in dest.parent.iterdir())
    ('a,b\\n', ['out.csv'])
    """
    dest = Path(path)
    tmp = dest.with_name(f".{dest.name}.{secrets.token_hex(6)}.tmp")
    os.close(os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    try:
        yield tmp
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
    try:
        os.replace(tmp, dest)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise
