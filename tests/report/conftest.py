"""Where the browser tests keep their screenshots, listed at the end of the run."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any


def artifacts_dir() -> Path:
    """``$TOUCHCREDIT_ARTIFACTS`` or ``tests/artifacts`` (ignored by git)."""
    env = os.environ.get("TOUCHCREDIT_ARTIFACTS")
    path = Path(env) if env else Path(__file__).resolve().parents[1] / "artifacts"
    path.mkdir(parents=True, exist_ok=True)
    return path


def pytest_terminal_summary(terminalreporter: Any) -> None:
    env = os.environ.get("TOUCHCREDIT_ARTIFACTS")
    path = Path(env) if env else Path(__file__).resolve().parents[1] / "artifacts"
    shots = sorted(path.glob("report-*.png")) if path.is_dir() else []
    if shots:
        terminalreporter.section("report screenshots")
        for shot in shots:
            terminalreporter.write_line(str(shot))
