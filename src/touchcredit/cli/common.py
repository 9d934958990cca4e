"""Helpers shared by the commands: the usage error, the parser class, progress, model names."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from typing import Any, TextIO

__all__ = [
    "DefaultsFormatter",
    "Parser",
    "Progress",
    "UsageError",
    "default_column",
    "model_names",
    "progress",
    "read_touch_files",
]


class UsageError(Exception):
    """A problem with how the command was called (exit code 2)."""


class Parser(argparse.ArgumentParser):
    """An argument parser that raises :class:`UsageError` instead of exiting."""

    def error(self, message: str) -> Any:  # argparse exits with 2 itself; keep its text
        self.print_usage(sys.stderr)
        raise UsageError(message)


class DefaultsFormatter(argparse.HelpFormatter):
    """Help that states each option's default, unless the text already does or it is unset."""

    def _get_help_string(self, action: argparse.Action) -> str | None:
        text = action.help or ""
        unset = action.default in (None, False, [], argparse.SUPPRESS)
        if "default" in text or unset or action.option_strings == []:
            return action.help
        return f"{text} (default: %(default)s)".lstrip()


class Progress:
    """Steps of a long run: a bar on a terminal (tqdm when installed), nothing when piped."""

    def __init__(self, total: int, desc: str, stream: TextIO | None = None) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.total = total
        self.desc = desc
        self.done = 0
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self._tqdm: Any = None
        if self.enabled:
            try:
                import tqdm
            except ImportError:
                self._draw("")
            else:
                self._tqdm = tqdm.tqdm(total=total, desc=desc, file=self.stream, leave=False)

    def _draw(self, label: str) -> None:
        width = 24
        fill = int(width * self.done / max(self.total, 1))
        bar = "#" * fill + "-" * (width - fill)
        self.stream.write(f"\r{self.desc} [{bar}] {self.done}/{self.total} {label:<20.20}")
        self.stream.flush()

    def step(self, label: str = "") -> None:
        """Mark one step done (``label``: what comes next)."""
        self.done += 1
        if not self.enabled:
            return
        if self._tqdm is not None:
            self._tqdm.set_postfix_str(label)
            self._tqdm.update(1)
        else:
            self._draw(label)

    def close(self) -> None:
        """Remove the bar."""
        if not self.enabled:
            return
        if self._tqdm is not None:
            self._tqdm.close()
        else:
            self.stream.write("\r" + " " * 70 + "\r")
            self.stream.flush()


@contextlib.contextmanager
def progress(total: int, desc: str) -> Iterator[Progress]:
    """A :class:`Progress` that is closed at the end of the block."""
    bar = Progress(total, desc)
    try:
        yield bar
    finally:
        bar.close()


def time_zone(text: str) -> str:
    """The ``--tz`` flag: a known IANA zone name (an argparse ``type``).

    Examples
    --------
    >>> time_zone("Europe/Paris")
    'Europe/Paris'
    >>> time_zone("Mars/Base")
    Traceback (most recent call last):
    ...
    argparse.ArgumentTypeError: time zone 'Mars/Base' is not known; expected an IANA name ...
    """
    from touchcredit.core.time import as_tzinfo

    try:
        as_tzinfo(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def model_names() -> list[str]:
    """The registered model names."""
    from touchcredit import models

    return models.available()


def default_column(found: list[str], given: str | None, name: str) -> str | None:
    """The column given on the command line ('' for none), else ``name`` when present."""
    if given is not None:
        return None if given == "" else given
    return name if name in found else None


def read_touch_files(args: argparse.Namespace, *, needs: str) -> tuple[Any, Any]:
    """FILE and --conversions as tables, with the journey id columns read as text.

    ``needs`` is the message when --conversions is missing. Ids are text: ``007`` and
    ``7`` are two people, and so are long GA4 ids that collide as floats.
    """
    from touchcredit.io import frames

    if not args.conversions:
        raise UsageError(needs)
    try:
        touches = frames.read_table(args.file, text=[args.journey])
        conversions = frames.read_table(
            args.conversions, text=[args.conversion_journey or args.journey]
        )
    except ValueError as exc:  # unknown file format
        raise UsageError(str(exc)) from None
    return touches, conversions
