"""The command line, through main([...]) and capsys."""

from __future__ import annotations

from pathlib import Path

import pytest

import touchcredit as tc
from touchcredit import cli


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    touches = tmp_path / "touches.csv"
    touches.write_text(
        "person,ts,channel,source\n"
        "a,2024-01-01T10:00:00,seo,Google\n"
        "a,2024-01-02T10:00:00,=HYPERLINK(1),Newsletter\n"
        "b,2024-01-01T11:00:00,seo,\n"
    )
    conversions = tmp_path / "leads.csv"
    conversions.write_text("person,created,amount\na,2024-01-03T00:00:00,100\nb,2024-01-05,50\n")
    return touches, conversions


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_models_lists_registered_models(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "models")
    assert code == 0 and err == ""
    names = [line.split()[0] for line in out.splitlines() if not line.startswith(" ")]
    assert names == tc.models.available()
    assert out.count("parameters: lookback=none") == len(names)


def _value_case(tmp_path: Path, header: str) -> tuple[str, str]:
    touches = tmp_path / "t.csv"
    touches.write_text("journey_id,timestamp,channel\na,2024-01-01,seo\nb,2024-01-01,ads\n")
    conversions = tmp_path / "c.csv"
    conversions.write_text(
        f"journey_id,conversion_time,{header}\na,2024-01-02,900\nb,2024-01-02,100\n"
    )
    return str(touches), str(conversions)


def test_conversion_value_column_is_detected(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # issue 14, item 11: a conversion_value column without the flag counted every conversion as 1
    touches, conversions = _value_case(tmp_path, "conversion_value")
    code, out, err = run(capsys, "attribute", touches, "--conversions", conversions)
    assert code == 0, err
    assert "900.00" in out and "100.00" in out
    code, out, err = run(
        capsys, "attribute", touches, "--conversions", conversions, "--conversion-value", ""
    )
    assert code == 0, err
    assert "900.00" not in out and "1.00" in out


def test_value_like_column_without_the_flag_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    touches, conversions = _value_case(tmp_path, "Revenue")
    code, out, err = run(capsys, "attribute", touches, "--conversions", conversions)
    assert code == 2 and out == ""
    assert "column 'Revenue' that looks like the conversion value" in err
    assert "--conversion-value Revenue" in err and "--conversion-value ''" in err
    code, out, err = run(
        capsys, "attribute", touches, "--conversions", conversions, "--conversion-value", "Revenue"
    )
    assert code == 0 and "900.00" in out, err


def test_bad_data_exits_1_with_the_row(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    touches = tmp_path / "t.csv"
    touches.write_text("journey_id,timestamp,channel\na,2024-01-01,seo\n")
    conversions = tmp_path / "c.csv"
    conversions.write_text("journey_id,conversion_time,value\na,2024-01-02,-5\n")
    code, _, err = run(capsys, "attribute", str(touches), "--conversions", str(conversions),
                       "--model", "markov", "--conversion-value", "value")  # fmt: skip
    assert code == 1
    assert "'conversion_value' must be finite and >= 0; row 1 is -5.0" in err
