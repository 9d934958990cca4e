"""touchcredit.cli.app: the parser and main([...]) dispatch, and python -m touchcredit."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import pytest

from touchcredit import cli


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_no_command_and_unknown_command_are_usage_errors(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = run(capsys)
    assert code == 2 and "demo" in out
    code, _, err = run(capsys, "frobnicate")
    assert code == 2 and "invalid choice: 'frobnicate'" in err


def test_python_dash_m_runs_the_cli() -> None:
    proc: Any = subprocess.run(
        [sys.executable, "-m", "touchcredit", "models"], capture_output=True, text=True,
        check=False, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0
    assert "markov" in proc.stdout
