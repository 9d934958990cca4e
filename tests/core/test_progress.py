"""Progress bars: one switch, silent in pipes, tqdm optional, drawn only for long steps."""

from __future__ import annotations

import io
import sys
from typing import Any

import numpy as np
import pytest

import touchcredit as tc
from touchcredit.core import progress as prog
from touchcredit.datasets import load_example


class Terminal(io.StringIO):
    """A standard error that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def use_terminal(monkeypatch: pytest.MonkeyPatch) -> Terminal:
    """Standard error becomes a terminal (set in the test body: pytest's capture
    replaces ``sys.stderr`` again between a fixture's setup and the test call)."""
    pytest.importorskip("tqdm")
    term = Terminal()
    monkeypatch.setattr(sys, "stderr", term)
    monkeypatch.delenv(prog.ENV_VAR, raising=False)
    monkeypatch.setattr(prog, "DELAY", 0.0)  # draw at once: the tests are short
    return term


def test_a_pipe_gets_no_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    monkeypatch.delenv(prog.ENV_VAR, raising=False)
    assert not prog.progress_enabled()
    assert not prog.progress_bar(3, "x").shown


def test_a_terminal_gets_a_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = use_terminal(monkeypatch)
    with prog.progress_bar(3, "fitting") as bar:
        bar.update(label="markov")
    assert bar.shown is False  # closed
    assert "fitting" in terminal.getvalue()


@pytest.mark.parametrize("value", ["0", "false", "No", "off"])
def test_the_environment_switch_turns_bars_off(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    use_terminal(monkeypatch)
    monkeypatch.setenv(prog.ENV_VAR, value)
    assert not prog.progress_bar(3, "x").shown
    assert prog.progress_bar(3, "x", progress=True).shown  # an explicit request wins


def test_progress_false_wins_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    use_terminal(monkeypatch)
    assert not prog.progress_bar(3, "x", progress=False).shown


def test_without_tqdm_nothing_is_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = use_terminal(monkeypatch)
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import tqdm -> ImportError
    bar = prog.progress_bar(3, "x", progress=True)
    bar.update(3)
    bar.close()
    assert not bar.shown and bar.n == 3
    assert terminal.getvalue() == ""


def test_short_steps_draw_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = use_terminal(monkeypatch)
    monkeypatch.setattr(prog, "DELAY", 60.0)
    with prog.progress_bar(3, "quick") as bar:
        bar.update(3)
    assert "quick" not in terminal.getvalue()


def test_track_yields_every_item(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = use_terminal(monkeypatch)
    assert list(prog.track(range(4), "items")) == [0, 1, 2, 3]
    assert "items" in terminal.getvalue()


def _journeys() -> Any:
    return load_example().journeys("revenue")


@pytest.mark.parametrize(
    ("desc", "call"),
    [
        ("compare", lambda p: tc.compare(_journeys(), ["linear", "markov"], progress=p).values),
        ("bootstrap", lambda p: tc.bootstrap(_journeys(), "linear", n=5, progress=p).samples),
        (
            "clean",
            lambda p: (
                tc.clean(
                    load_example().touches,
                    journey="person_id",
                    timestamp="timestamp",
                    url="url",
                    progress=p,
                )[0].channel.codes
            ),
        ),
    ],
)
def test_long_work_shows_a_bar_and_the_same_result(
    desc: str, call: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    terminal = use_terminal(monkeypatch)
    shown = call(None)
    assert desc in terminal.getvalue()
    terminal.seek(0)
    terminal.truncate()
    quiet = call(False)
    assert terminal.getvalue() == ""
    np.testing.assert_array_equal(shown, quiet)


def test_from_frame_shows_a_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = use_terminal(monkeypatch)
    pytest.importorskip("pyarrow")
    from touchcredit.core.frame_output import to_frame

    touches = to_frame(
        {
            "journey_id": np.array(["a", "a", "b"], dtype=object),
            "timestamp": np.array(["2024-01-01", "2024-01-02", "2024-01-01"], "datetime64[us]"),
            "channel": np.array(["seo", "email", "seo"], dtype=object),
        },
        "pyarrow",
    )
    js = tc.JourneySet.from_frame(touches)
    assert js.n_touches == 3 and "from_frame" in terminal.getvalue()
    terminal.seek(0)
    terminal.truncate()
    tc.JourneySet.from_frame(touches, progress=False)
    assert terminal.getvalue() == ""


def test_chunked_bar_goes_through_the_one_helper(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = use_terminal(monkeypatch)
    from touchcredit.io import chunks

    monkeypatch.setenv(prog.ENV_VAR, "0")
    assert chunks.progress_bar(10, "chunked", None) is None
    monkeypatch.delenv(prog.ENV_VAR)
    bar = chunks.progress_bar(10, "chunked", None)
    assert bar is not None
    bar.update(5)
    bar.close()
    assert "chunked" in terminal.getvalue()


def test_report_shows_a_bar(monkeypatch: pytest.MonkeyPatch) -> None:
    terminal = use_terminal(monkeypatch)
    pytest.importorskip("jinja2")
    tc.Report(_journeys(), models=["linear"], by=["channel"])
    assert "report" in terminal.getvalue()
