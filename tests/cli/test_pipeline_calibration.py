"""``[calibration]`` in a pipeline: lift tests calibrate a model's credit in the written
table and the report. Export-shaped files (BOMs, ids with leading zeros, channel names in
other spellings, mapped columns); hand-computed answers; errors naming key, column, row.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

pytest.importorskip("pyarrow")
pytest.importorskip("jinja2")

from touchcredit.cli import main

BOM = "\ufeff"
PIPELINE = """
[input]
connector = "crm"
touches = "touches.csv"
conversions = "conversions.csv"

[columns]
journey = "person"
timestamp = "ts"
channel = "channel"
conversion_journey = "person"
conversion_time = "created"

[attribution]
models = ["last_touch", "linear"]
by = ["channel"]
{calibration}
[outputs]
directory = "out"
credit = "credit.csv"
report = "report.html"
{calibrated}
"""
CALIBRATION = """
[calibration]
experiments = "lift.csv"
model = "linear"

[calibration.columns]
channel = "Channel"
incremental = "Lift"
lower = "Low"
upper = "High"
"""
LIFT = f"{BOM}Channel,Lift,Low,High\npaid_search,0.5,0.25,1\n EMAIL ,1,,\n"


def write(folder: Path, *, calibration: str = CALIBRATION, lift: str = LIFT) -> Path:
    """Four persons (ids with leading zeros), linear credit by hand:

    001: Paid Search, then Email -> its conversion split 0.5 / 0.5;
    002: Paid Search -> 1; 003: Email -> 1; 004: Email, no conversion;
    005: a conversion without a touch -> unattributed 1.
    Linear: email 1.5, paid search 1.5, unattributed 1 (total 4).
    """
    (folder / "touches.csv").write_text(
        f"{BOM}person,ts,channel\n001,2024-03-01,Paid Search\n001,2024-03-02,Email\n"
        "002,2024-03-01,Paid Search\n003,2024-03-03,Email\n004,2024-03-02,Email\n",
        encoding="utf-8",
    )
    (folder / "conversions.csv").write_text(
        "person,created\n001,2024-03-05\n002,2024-03-05\n003,2024-03-06\n005,2024-03-06\n"
    )
    (folder / "lift.csv").write_text(lift, encoding="utf-8")
    calibrated = 'calibrated = "calibrated.csv"' if calibration else ""
    path = folder / "p.toml"
    path.write_text(PIPELINE.format(calibration=calibration, calibrated=calibrated))
    return path


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def cells(html: str, caption: str) -> list[list[str]]:
    """The cell texts of the table with ``caption`` (sub-lines dropped)."""
    table = html.split(f"<caption>{caption}</caption>", 1)[1].split("</table>", 1)[0]
    head = re.findall(r'<th scope="col"[^>]*>([^<]*)</th>', table)
    body = [re.findall(r"<td [^>]*>([^<]*)", tr) for tr in table.split("<tr")[2:]]
    return [head, *body]


def test_hand_computed_calibration_in_the_table_and_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "run", str(write(tmp_path)))
    assert code == 0, err
    assert "calibrated.csv" in out
    got = {r["label"]: r for r in rows(tmp_path / "out" / "calibrated.csv")}
    assert list(got) == ["email", "paid search", "(baseline)"]
    # tested: paid search 1.5 -> 0.5 (factor 1/3), email 1.5 -> 1 (2/3); baseline 4 - 1.5
    assert {k: float(r["calibrated"]) for k, r in got.items()} == pytest.approx(
        {"email": 1.0, "paid search": 0.5, "(baseline)": 2.5}
    )
    assert {k: float(r["credited"]) for k, r in got.items()} == pytest.approx(
        {"email": 1.5, "paid search": 1.5, "(baseline)": 1.0}
    )
    assert float(got["paid search"]["factor"]) == pytest.approx(1 / 3)
    assert got["paid search"]["calibrated"] == "0.5"  # the measurement itself, not rescaled
    assert got["(baseline)"]["factor"] == ""
    assert (got["paid search"]["lower"], got["paid search"]["upper"]) == ("0.25", "1.0")
    assert got["email"]["lower"] == "" and got["email"]["tested"] == "True"
    assert {r["model"] for r in got.values()} == {"linear"}
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    table = cells(html, "Credit by channel, per model")
    assert table[0] == ["channel", "last_touch", "linear", "Calibrated"]
    by_label = {r[0]: r[1:] for r in table[1:]}
    assert by_label["email"] == ["2.0 (50.0%)", "1.5 (37.5%)", "1.0 (25.0%)"]
    assert by_label["paid search"][2] == "0.5 (12.5%)"
    assert by_label["unattributed"][2] == "—"
    assert by_label["baseline"] == ["—", "—", "2.5 (62.5%)"]
    experiments = cells(html, "Experiments")
    assert experiments[0] == [
        "channel",
        "measured incremental",
        "lower",
        "upper",
        "linear credit",
        "factor",
    ]
    assert experiments[1:] == [
        ["email", "1.0", "n/a", "n/a", "1.5", "0.667"],
        ["paid search", "0.5", "0.2", "1.0", "1.5", "0.333"],
    ]
    assert 'href="#calibration"' in html


def test_default_columns_pooled_and_the_first_data_driven_model(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    calibration = '\n[calibration]\nexperiments = "lift.csv"\nuntested = "pooled"\n'
    path = write(tmp_path, calibration=calibration, lift="channel,incremental\nEmail,0.75\n")
    text = path.read_text().replace('["last_touch", "linear"]', '["last_touch", "markov"]')
    path.write_text(text)
    code, _, err = run(capsys, "run", str(path))
    assert code == 0, err
    got = {r["label"]: r for r in rows(tmp_path / "out" / "calibrated.csv")}
    assert {r["model"] for r in got.values()} == {"markov"}
    # Markov by hand: start -> PS 2, -> E 2; PS -> E 1, -> conv 1; E -> conv 2, -> null 1.
    # P(conv) = 3/4; without PS 1/3 (RE 5/9), without E 1/4 (RE 2/3); the 3 touching
    # conversions: email 3 * (2/3) / (11/9) = 18/11, paid search 15/11.
    # email measured 0.75: pooled factor 0.75 / (18/11) = 11/24; paid search 15/11 * 11/24
    assert float(got["email"]["credited"]) == pytest.approx(18 / 11)
    assert float(got["paid search"]["credited"]) == pytest.approx(15 / 11)
    assert float(got["paid search"]["calibrated"]) == pytest.approx(15 / 24)
    assert float(got["(baseline)"]["calibrated"]) == pytest.approx(4 - 0.75 - 15 / 24)
    assert got["paid search"]["tested"] == "False"
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "pooled factor 0.458" in html


def test_no_calibration_leaves_tables_and_report_as_they_were(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plain, calibrated = tmp_path / "plain", tmp_path / "calibrated"
    plain.mkdir()
    calibrated.mkdir()
    assert run(capsys, "run", str(write(plain, calibration="")))[0] == 0
    assert run(capsys, "run", str(write(calibrated)))[0] == 0
    credit = [(p / "out" / "credit.csv").read_bytes() for p in (plain, calibrated)]
    assert credit[0] == credit[1]
    assert sorted(p.name for p in (plain / "out").iterdir()) == ["credit.csv", "report.html"]
    html = (plain / "out" / "report.html").read_text(encoding="utf-8")
    assert "Calibrated" not in html and 'id="calibration"' not in html
    assert cells(html, "Credit by channel, per model")[0] == ["channel", "last_touch", "linear"]


@pytest.mark.parametrize(
    ("lift", "message"),
    [
        (
            "Channel,Lift\nEmail,1\nTV,2\n",
            "experiments: channel 'TV' (row 2) is not a channel of these journeys; they have "
            "'email', 'paid search'",
        ),
        ("Channel,Lift\nEmail,-1\n", "'Lift' ([calibration.columns] incremental) must be finite"),
        ("Channel,Lift\nEmail,lots\n", "'Lift'"),
        ("Channel,Lift\nEmail,1\nEmail ads,\n", "'Lift' is empty (row 2)"),
        ("Channel,Lift\n,1\n", "'Channel' is empty (row 1)"),
        ("Channel,Lift\nEmail,1\nemail,2\n", "channel 'email' is tested twice (row 2)"),
        ("Channel,Lift,Low\nEmail,1,2\n", "lower <= incremental <= upper"),
        ("Chanel,Lift\nEmail,1\n", "'Channel' is p.toml [calibration.columns] channel"),
    ],
)
def test_errors_name_the_column_and_the_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lift: str, message: str
) -> None:
    mapped = '\n[calibration]\nexperiments = "lift.csv"\n[calibration.columns]\n'
    mapped += 'channel = "Channel"\nincremental = "Lift"\n'
    if "Low" in lift:
        mapped += 'lower = "Low"\n'
    code, _, err = run(capsys, "run", str(write(tmp_path, calibration=mapped, lift=lift)))
    assert code == 2, err
    assert "p.toml [calibration] experiments" in err or "[calibration.columns]" in err, err
    assert message in err, err
    assert not (tmp_path / "out").exists()  # nothing written


def test_a_non_number_names_the_users_column_and_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lift = "Channel,Lift,Low,High\nEmail,1,,\npaid search,lots,,\n"
    code, _, err = run(capsys, "run", str(write(tmp_path, lift=lift)))
    assert code == 2 and "'Lift'" in err and "row 2" in err and "'lots'" in err, err


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('model = "linear"', 'model = "markov"'), "[calibration] model: 'markov' is not among"),
        (
            ('model = "linear"', 'modle = "linear"'),
            "unknown key(s) 'modle' (did you mean 'model'?)",
        ),
        (('"lift.csv"', '"nope.csv"'), "[calibration] experiments: no such file"),
        (('model = "linear"', 'untested = "all"'), "[calibration] untested: expected one of"),
        (('upper = "High"', 'high = "High"'), "[calibration.columns]: unknown key 'high'"),
    ],
)
def test_table_errors_name_the_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: tuple[str, str], message: str
) -> None:
    path = write(tmp_path)
    path.write_text(path.read_text().replace(*change))
    code, _, err = run(capsys, "run", str(path))
    assert code == 2 and message in err, err


def test_calibrated_output_needs_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, calibration="")
    path.write_text(path.read_text() + 'calibrated = "calibrated.csv"\n')
    code, _, err = run(capsys, "run", str(path))
    assert code == 2 and "[outputs] calibrated needs a [calibration] table" in err, err


def test_value_measure_reads_amounts_by_the_columns_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Deal values: 001 2,000 (split 1,000 / 1,000), 002 1,000 (paid search), 003 500
    (email), 005 100 (no touch). Linear: paid search 2,000, email 1,500; total 3,600.
    The sheet's '1.200' is 1,200 by its column's rule (Arrow alone would read 1.2)."""
    calibration = '\n[calibration]\nexperiments = "lift.csv"\nmeasure = "value"\nmodel = "linear"\n'
    lift = f'{BOM}channel,incremental,upper\npaid search,1.200,\nEmail,600,"1,000"\n'
    path = write(tmp_path, calibration=calibration, lift=lift)
    text = path.read_text().replace(
        'conversion_time = "created"', 'conversion_time = "created"\nconversion_value = "amount"'
    )
    path.write_text(
        text.replace(
            'conversions = "conversions.csv"', 'conversions = "conversions.csv"\ncurrency = "USD"'
        )
    )
    (tmp_path / "conversions.csv").write_text(
        "person,created,amount\n001,2024-03-05,2000\n002,2024-03-05,1000\n"
        "003,2024-03-06,500\n005,2024-03-06,100\n"
    )
    code, _, err = run(capsys, "run", str(path))
    assert code == 0, err
    got = {r["label"]: r for r in rows(tmp_path / "out" / "calibrated.csv")}
    assert {k: float(r["calibrated"]) for k, r in got.items()} == pytest.approx(
        {"email": 600.0, "paid search": 1200.0, "(baseline)": 1800.0}
    )
    assert float(got["email"]["upper"]) == 1000.0 and got["paid search"]["upper"] == ""
    assert float(got["paid search"]["factor"]) == pytest.approx(0.6)
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    table = {r[0]: r[1:] for r in cells(html, "Credit by channel, per model")}
    assert table["channel"] == ["last_touch", "linear", "Calibrated"]
    assert table["paid search"][1:] == ["2,000 USD (55.6%)", "1,200 USD (33.3%)"]
    assert table["baseline"][2] == "1,800 USD (50.0%)"


def test_without_a_data_driven_model_the_first_is_calibrated(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    calibration = '\n[calibration]\nexperiments = "lift.csv"\n'
    path = write(tmp_path, calibration=calibration, lift="channel,incremental\nemail,1\n")
    code, _, err = run(capsys, "run", str(path))
    assert code == 0, err
    got = {r["label"]: r for r in rows(tmp_path / "out" / "calibrated.csv")}
    assert {r["model"] for r in got.values()} == {"last_touch"}
    assert float(got["email"]["credited"]) == 2.0  # last touch: 001 and 003 end on email


@pytest.mark.parametrize(
    ("lift", "message"),
    [
        ("channel,incremental,low,high\nemail,1,0.5,2\n", "lower = 'low', upper = 'high'"),
        (f"{BOM}channel,incremental,CI upper,notes\nemail,1,2,geo\n", "upper = 'CI upper'"),
    ],
)
def test_an_unmapped_bound_column_is_not_lost(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lift: str, message: str
) -> None:
    calibration = '\n[calibration]\nexperiments = "lift.csv"\nmodel = "linear"\n'
    code, _, err = run(capsys, "run", str(write(tmp_path, calibration=calibration, lift=lift)))
    assert code == 2 and "did you mean them as the bounds?" in err and message in err, err
    assert not (tmp_path / "out").exists()


def test_other_sheet_columns_and_text_numbers_still_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The sheet reader turns text into numbers by the column's rule (the API refuses text);
    a notes column is ignored; an empty upper is a bound not given. Linear: email 1.5,
    paid search 1.5; email measured 1 -> baseline 4 - 2.5 = 1.5."""
    calibration = '\n[calibration]\nexperiments = "lift.csv"\nmodel = "linear"\n'
    lift = f'{BOM}channel,incremental,lower,upper,notes\nEmail,"1.0",0.5,,geo holdout\n'
    code, _, err = run(capsys, "run", str(write(tmp_path, calibration=calibration, lift=lift)))
    assert code == 0, err
    got = {r["label"]: r for r in rows(tmp_path / "out" / "calibrated.csv")}
    assert {k: float(r["calibrated"]) for k, r in got.items()} == pytest.approx(
        {"email": 1.0, "paid search": 1.5, "(baseline)": 1.5}
    )
    assert (got["email"]["lower"], got["email"]["upper"]) == ("0.5", "")


def test_a_bound_left_out_on_purpose_is_not_asked_for(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    calibration = '\n[calibration]\nexperiments = "lift.csv"\nmodel = "linear"\n'
    calibration += '[calibration.columns]\nlower = ""\n'
    lift = "channel,incremental,low\nemail,1,0.5\n"
    code, _, err = run(capsys, "run", str(write(tmp_path, calibration=calibration, lift=lift)))
    assert code == 0, err
    got = {r["label"]: r for r in rows(tmp_path / "out" / "calibrated.csv")}
    assert got["email"]["lower"] == "" and float(got["email"]["calibrated"]) == 1.0


def test_what_needs_a_second_look_is_said_on_stderr_in_the_files_terms(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Linear: email 1.5, paid search 1.5, total 4; paid search measured 5 -> the
    calibrated credit 6.5 is more than the 4 conversions: baseline -2.5."""
    lift = f"{BOM}Channel,Lift,Low,High\npaid_search,5,,\n"
    code, _, err = run(capsys, "run", str(write(tmp_path, lift=lift)))
    assert code == 0, err
    assert "p.toml [calibration]: warning: the calibrated credit (6.5) is more than" in err
    assert "baseline is negative (-2.5)" in err and "CalibrationWarning" not in err, err
    got = {r["label"]: r for r in rows(tmp_path / "out" / "calibrated.csv")}
    assert float(got["(baseline)"]["calibrated"]) == -2.5
