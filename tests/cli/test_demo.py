"""touchcredit demo: the comparison of models and the KPI tables on the example data."""

from __future__ import annotations

import pytest

import touchcredit as tc
from touchcredit import cli


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_demo_prints_comparison_and_kpis(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "demo")
    assert code == 0
    assert err == ""  # captured stderr is not a terminal: no progress bar
    assert "per model" in out and "Monthly KPIs (all sources)" in out
    for name in ("first_touch", "linear", "markov"):
        if name in tc.models.available():
            assert name in out
    assert "2024-12" in out and "paid social" in out
    # the two meanings of revenue, each named in its table's title
    assert "Lead economics (revenue: won deals, by the lead's recorded channel)" in out
    assert "Lead economics (revenue: attributed ('linear'): the model's credit" in out
