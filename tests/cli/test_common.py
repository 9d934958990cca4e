"""touchcredit.cli.common: the progress bar and the shared helpers."""

from __future__ import annotations

import io
import sys

import pytest

from touchcredit.cli import common as cli_common


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_only_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    piped = io.StringIO()
    bar = cli_common.Progress(3, "work", stream=piped)
    bar.step("a")
    bar.close()
    assert piped.getvalue() == ""
    monkeypatch.setitem(sys.modules, "tqdm", None)  # the built-in bar
    term = FakeTerminal()
    bar = cli_common.Progress(2, "work", stream=term)
    bar.step("next")
    assert "work [############------------] 1/2 next" in term.getvalue()
    bar.close()
    assert term.getvalue().endswith("\r")


def test_progress_uses_tqdm_when_installed() -> None:
    pytest.importorskip("tqdm")
    term = FakeTerminal()
    bar = cli_common.Progress(2, "work", stream=term)
    bar.step("x")
    bar.step("y")
    bar.close()
    assert "work" in term.getvalue()


def test_time_zone_accepts_iana_names_and_refuses_others() -> None:
    import argparse

    assert cli_common.time_zone("Europe/Paris") == "Europe/Paris"
    assert cli_common.time_zone("UTC") == "UTC"
    with pytest.raises(argparse.ArgumentTypeError, match="Mars/Base"):
        cli_common.time_zone("Mars/Base")


@pytest.mark.parametrize(
    ("given", "expected"),
    [(None, "channel"), ("", None), ("medium", "medium")],
)
def test_default_column_given_empty_or_found(given: str | None, expected: str | None) -> None:
    assert cli_common.default_column(["journey_id", "channel"], given, "channel") == expected


def test_default_column_absent_name_is_none() -> None:
    assert cli_common.default_column(["journey_id", "source"], None, "channel") is None


def test_usage_error_from_the_parser_is_raised_not_exited() -> None:
    parser = cli_common.Parser(prog="touchcredit")
    parser.add_argument("--top", type=int)
    with pytest.raises(cli_common.UsageError):
        parser.parse_args(["--top", "x"])
