"""The command line reads files by the library's rules (issue 14, items 2, 4, 5, low).

Ids are text (``007`` and ``7`` are two people), only empty cells are missing, epoch
times follow ``--time-unit`` or the one unit that fits, and bad times are an error
naming the row, never a traceback or a silent guess.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from touchcredit import cli
from touchcredit.io import frames


def _attribute(
    capsys: pytest.CaptureFixture[str], touches: Path, convs: Path, *extra: str
) -> tuple[int, str, str]:
    code = cli.main(
        ["attribute", str(touches), "--conversions", str(convs), "--model", "first_touch", *extra]
    )
    out, err = capsys.readouterr()
    return code, out, err


def _files(tmp_path: Path, touches: str, conversions: str) -> tuple[Path, Path]:
    t, c = tmp_path / "touches.csv", tmp_path / "conversions.csv"
    t.write_text(touches)
    c.write_text(conversions)
    return t, c


def test_ids_that_look_like_numbers_stay_distinct(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    t, c = _files(
        tmp_path,
        "journey_id,timestamp,channel\n"
        "007,2024-05-01,seo\n"
        "7,2024-05-01,email\n"
        "1234567890.1234567891,2024-05-01,ads\n"
        "1234567890.1234567892,2024-05-01,social\n",
        "journey_id,conversion_time\n7,2024-05-02\n1234567890.1234567892,2024-05-02\n",
    )
    code, out, err = _attribute(capsys, t, c)
    assert code == 0, err
    # before: 007 and 7 were one journey (seo took the credit), and the two GA4 ids one
    # float (ads took it); now each conversion goes to its own person's touch
    rows = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert "email" in rows and "social" in rows
    assert "seo" not in rows or " 0" in rows["seo"]
    table = frames.read_table(t, text=["journey_id"])
    assert table.column("journey_id").to_pylist()[:2] == ["007", "7"]


def test_only_empty_cells_are_missing(tmp_path: Path) -> None:
    p = tmp_path / "t.csv"
    p.write_text("journey_id,channel\na,NA\nb,N/A\nc,null\nd,nan\ne,\n")
    got = frames.read_table(p).column("channel").to_pylist()
    assert got == ["NA", "N/A", "null", "nan", None]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("14:30", "row 2: '14:30' does not hold a full date"),
        ("2024-05-01 10:00 EST", "names a time zone that is not known"),
        ("0001-01-01T00:00+01:00", "is outside years 1-9999 in UTC"),
        ("1" + "0" * 400, "(a number, read as an epoch time) is out of range for an epoch"),
    ],
)
def test_bad_times_exit_1_with_field_and_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, message: str
) -> None:
    t, c = _files(
        tmp_path,
        f"journey_id,timestamp,channel\na,2024-05-01,seo\nb,{value},email\n",
        "journey_id,conversion_time\na,2024-05-02\n",
    )
    code, _, err = _attribute(capsys, t, c)
    assert code == 1
    assert err.startswith("touchcredit: error: 'timestamp' could not be read: ")
    assert message in err
    assert "Traceback" not in err


def test_epoch_milliseconds_and_time_unit_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    t, c = _files(
        tmp_path,
        "journey_id,timestamp,channel\na,1714557600000,seo\na,1714557660000,email\n",
        "journey_id,conversion_time\na,1714561200000\n",
    )
    code, out, err = _attribute(capsys, t, c)  # milliseconds: the one unit that fits
    assert code == 0, err
    assert "seo" in out
    code, _, err = _attribute(capsys, t, c, "--time-unit", "s")
    assert code == 1
    assert "could not be read: row 1: 17145" in err
    assert "is outside years 1-9999 as epoch seconds" in err


def test_a_number_column_with_an_int_of_400_digits(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    t, c = _files(
        tmp_path,
        f"journey_id,timestamp,channel\na,1714557600,seo\nb,1{'0' * 400},email\n",
        "journey_id,conversion_time\na,2024-05-02\n",
    )
    code, _, err = _attribute(capsys, t, c)  # read as a float: inf
    assert code == 1
    assert "'timestamp' could not be read: row 2: inf is not a time in 1990-2100" in err
