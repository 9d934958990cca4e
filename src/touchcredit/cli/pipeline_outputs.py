"""Where a pipeline's outputs go, and how they replace the previous run's: together.

Two promises of ``touchcredit run``:

- **Outputs stay inside the output directory.** Every name in ``[outputs]`` is a path
  relative to the directory (``credit.csv``, ``tables/credit.csv``); an absolute path, a
  ``..`` that leaves the directory, or a folder that is a link to elsewhere is an error
  before anything is read or written (:func:`plan`).
- **A run's outputs are replaced together or not at all.** Everything is first written
  into a staging folder inside the output directory (``.touchcredit-run.<random>.tmp``),
  which no ``*.csv`` or ``*.parquet`` glob matches; only when every output is complete
  are they moved into place, each with :func:`os.replace`. When a move fails, the moves
  already made are undone, so the previous credit, KPIs and report stay together
  (:class:`Staging`). A run killed while writing leaves the previous outputs and, at
  worst, its staging folder.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Mapping
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from touchcredit.cli.common import UsageError

__all__ = ["STAGING_PREFIX", "Staging", "plan"]

#: The staging folder's name starts with this (and ends in ``.tmp``).
STAGING_PREFIX = ".touchcredit-run."
_TABLES = ("credit", "kpis", "monthly", "leads", "paths", "calibrated")


def _inside(name: str, folder: Path, where: str) -> Path:
    """``folder / name`` when ``name`` is a relative path that stays inside ``folder``."""
    text = name.strip()
    posix, windows = PurePosixPath(text), PureWindowsPath(text)
    escapes = ".." in posix.parts or ".." in windows.parts
    absolute = posix.is_absolute() or windows.is_absolute() or bool(windows.drive)
    if not text or text.endswith(("/", "\\")) or posix.name in ("", ".", ".."):
        raise UsageError(f"{where}: {name!r} is not a file name")
    if absolute or escapes or "\0" in text:
        raise UsageError(
            f"{where}: {name!r} must be a file name inside the output directory "
            f"({str(folder)!r}); absolute paths and '..' are refused"
        )
    target = folder / posix
    root = folder.resolve()
    parent = target.parent.resolve()  # an existing sub-folder may be a link to elsewhere
    if parent != root and root not in parent.parents:
        raise UsageError(
            f"{where}: {name!r} leads outside the output directory ({str(folder)!r}): "
            f"its folder resolves to {str(parent)!r}"
        )
    return target


def plan(
    spec: Mapping[str, Any], base: Path, where: str, out_dir: str | None
) -> tuple[Path, dict[str, list[Path]]]:
    """The output directory and the paths of ``[outputs]`` (keys and types checked already).

    Parameters
    ----------
    spec : mapping
        The ``[outputs]`` table: ``directory`` and the outputs (a name or a list).
    base : pathlib.Path
        The pipeline file's folder (``directory`` is relative to it).
    where : str
        The pipeline file's name, for messages.
    out_dir : str, optional
        ``--out-dir``: replaces ``directory``.

    Raises
    ------
    touchcredit.cli.common.UsageError
        On a name outside the directory, a table name that is not ``.csv`` or
        ``.parquet``, one file named twice, or no output at all.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> base = pathlib.Path(tempfile.mkdtemp())
    >>> folder, targets = plan({"credit": ["credit.csv"]}, base, "p.toml", None)
    >>> folder == base, targets["credit"][0] == base / "credit.csv"
    (True, True)
    >>> plan({"cleaning": "../victim/keep.txt"}, base, "p.toml", None)
    Traceback (most recent call last):
    ...
    touchcredit.cli.common.UsageError: p.toml [outputs] cleaning: '../victim/keep.txt' must be ...
    """
    outputs = dict(spec)
    folder = Path(out_dir) if out_dir is not None else base / outputs.pop("directory", ".")
    outputs.pop("directory", None)
    targets: dict[str, list[Path]] = {}
    seen: dict[Path, str] = {}
    for key, value in outputs.items():
        names = [value] if isinstance(value, str) else list(value)
        at = f"{where} [outputs] {key}"
        targets[key] = [_inside(n, folder, at) for n in names]
        for name, target in zip(names, targets[key], strict=True):
            if key in _TABLES and not name.lower().endswith((".csv", ".parquet")):
                raise UsageError(f"{at}: {name!r} must end in .csv or .parquet")
            same = Path(os.path.normcase(os.path.normpath(target)))
            if same in seen:
                raise UsageError(f"{at}: {name!r} is also the {seen[same]} output")
            seen[same] = key
    if not targets:
        raise UsageError(
            f"{where} [outputs]: declare at least one output "
            "(credit, kpis, monthly, leads, cleaning, report, paths, calibrated)"
        )
    return folder, targets


class Staging:
    """A staging folder inside ``folder``: write there, then :meth:`publish` every file at once.

    Use it as a context manager; the staging folder is removed when the block ends,
    whether the run succeeded or not.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (out / "credit.csv").write_text("previous")
    >>> with Staging(out) as stage:
    ...     _ = stage.path(out / "credit.csv").write_text("new")
    ...     _ = stage.path(out / "kpis.csv").write_text("new kpis")
    ...     stage.publish()
    >>> sorted(p.name for p in out.iterdir()), (out / "credit.csv").read_text()
    (['credit.csv', 'kpis.csv'], 'new')
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.root = folder / f"{STAGING_PREFIX}{secrets.token_hex(6)}.tmp"
        self._staged: list[tuple[Path, Path]] = []

    def __enter__(self) -> Staging:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.root.mkdir()
        return self

    def __exit__(self, *exc: object) -> None:
        shutil.rmtree(self.root, ignore_errors=True)

    def path(self, target: Path) -> Path:
        """Where to write what will become ``target`` (a name ending in ``.tmp``)."""
        staged = self.root / f"{len(self._staged)}.tmp"
        self._staged.append((staged, target))
        return staged

    def publish(self) -> None:
        """Move every staged file over its target; on a failure, undo the moves made."""
        done: list[tuple[Path, Path | None]] = []  # (target, backup of what was there)
        try:
            for i, (staged, target) in enumerate(self._staged):
                target.parent.mkdir(parents=True, exist_ok=True)
                backup: Path | None = None
                if target.is_file():
                    backup = self.root / f"{i}.previous.tmp"
                    _keep(target, backup)
                os.replace(staged, target)
                done.append((target, backup))
        except BaseException:
            for target, backup in reversed(done):
                with contextlib.suppress(OSError):
                    if backup is None:
                        target.unlink()
                    else:
                        os.replace(backup, target)
            raise


def _keep(target: Path, backup: Path) -> None:
    """A second name for ``target`` (a hard link; a copy where links are not possible)."""
    try:
        os.link(target, backup)
    except OSError:
        shutil.copy2(target, backup)
