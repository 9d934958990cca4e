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


def test_build_parser_knows_every_command() -> None:
    from touchcredit.cli.app import build_parser

    parser = build_parser()
    argv = {"demo": [], "models": [], "attribute": ["t.csv", "--conversions", "c.csv"],
            "paths": ["t.csv", "--conversions", "c.csv"], "run": ["p.toml"]}  # fmt: skip
    for command, rest in argv.items():
        args = parser.parse_args([command, *rest])
        assert args.command == command and callable(args.func)


@pytest.mark.parametrize(
    ("error", "code"),
    [(ValueError("bad row 3"), 1), (TypeError("bad row 3"), 1), (FileNotFoundError("x"), 2)],
)
def test_main_turns_errors_into_exit_codes(
    error: Exception, code: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from touchcredit.cli import demo

    def fail(args: Any) -> int:
        raise error

    monkeypatch.setattr(demo, "run", fail)
    assert cli.main(["demo"]) == code
    assert capsys.readouterr().err == f"touchcredit: error: {error}\n"
