"""touchcredit attribute --from/--url/--identifier/--lookback/--half-life/--version."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("pyarrow")

from touchcredit import __version__
from touchcredit.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and capsys.readouterr().out.strip() == f"touchcredit {__version__}"
    with pytest.raises(SystemExit):
        main(["attribute", "--version"])
    assert __version__ in capsys.readouterr().out


def test_help_shows_defaults(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["attribute", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert "(default: linear)" in out and "(default: journey_id)" in out
    assert "--channel-groups" in out and "--lookback DURATION" in out


def test_from_ga4(tmp_path: Path, exports: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    exports.write_ga4(tmp_path)
    code, out, _ = run(capsys, "attribute", str(tmp_path / "events_*.parquet"), "--from", "ga4",
                       "--out", str(tmp_path / "credit.csv"))  # fmt: skip
    assert code == 0, out
    assert "paid search" in out and "events row 5: no identifier" in out
    text = (tmp_path / "credit.csv").read_text()
    assert "65.0" in text and "organic search" in text


def test_from_hubspot_and_salesforce(
    tmp_path: Path, exports: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    hs = exports.write_hubspot(tmp_path)
    code, out, _ = run(capsys, "attribute", str(hs["contacts"]), "--from", "hubspot",
                       "--conversions", str(hs["deals"]))  # fmt: skip
    assert code == 0 and "organic social" in out
    sf = tmp_path / "sf"
    sf.mkdir()
    exports.write_salesforce(sf)
    code, out, _ = run(capsys, "attribute", str(sf), "--from", "salesforce", "--by", "campaign")
    assert code == 0 and "Google Ads brand" in out
    code, _, err = run(capsys, "attribute", str(tmp_path), "--from", "salesforce")
    assert code == 2 and "--from salesforce: FILE must be a folder holding" in err


def test_crm_flags(tmp_path: Path, exports: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    crm = exports.write_crm(tmp_path)
    argv = ["attribute", str(crm["touches"]), "--conversions", str(crm["deals"]),
            "--journey", "customer", "--timestamp", "ts", "--url", "url",
            "--identifier", "email", "--conversion-time", "closed",
            "--conversion-value", "amount", "--out", str(tmp_path / "c.csv")]  # fmt: skip
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert "webinar" in out and "touches row 5: no identifier" in out
    code, _, err = run(capsys, *argv[:-2], "--timestamp", "when")
    assert code == 2 and "'when'" in err and "--timestamp" in err


def test_channel_groups_read_the_channel_column_as_medium(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    touches = tmp_path / "t.csv"
    touches.write_text("journey_id,timestamp,source,utm_medium\na,2024-01-01,google,cpc\n"
                       "b,2024-01-01,newsletter,email\n")  # fmt: skip
    convs = tmp_path / "c.csv"
    convs.write_text("journey_id,conversion_time\na,2024-01-02\nb,2024-01-02\n")
    code, out, _ = run(capsys, "attribute", str(touches), "--conversions", str(convs),
                       "--channel", "utm_medium", "--channel-groups")  # fmt: skip
    assert code == 0 and "paid search" in out and "email" in out and "cpc" not in out


def test_lookback_and_half_life_errors_name_the_flag(
    tmp_path: Path, exports: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    exports.write_ga4(tmp_path)
    events = str(tmp_path / "events_*.parquet")
    code, out, _ = run(capsys, "attribute", events, "--from", "ga4", "--lookback", "1h")
    unattributed = [line.split() for line in out.splitlines() if "unattributed" in line]
    assert code == 0 and unattributed[0][1] == "180.00"  # a day after the sessions
    code, _, err = run(capsys, "attribute", events, "--from", "ga4", "--lookback", "soon")
    assert code == 2 and "--lookback:" in err
    code, _, err = run(capsys, "attribute", events, "--from", "ga4", "--half-life", "7d")
    assert code == 2 and "--half-life: model 'linear' has no parameter 'half_life'" in err
    code, out, _ = run(capsys, "attribute", events, "--from", "ga4", "--model", "time_decay",
                       "--half-life", "7d")  # fmt: skip
    assert code == 0


def test_flags_that_do_not_apply_are_refused(
    tmp_path: Path, exports: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    exports.write_ga4(tmp_path)
    events = str(tmp_path / "events_*.parquet")
    code, _, err = run(capsys, "attribute", events, "--from", "ga4", "--conversions", "x.csv")
    assert code == 2 and "--conversions does not apply to --from ga4" in err
    crm = exports.write_crm(tmp_path)
    code, _, err = run(capsys, "attribute", str(crm["touches"]), "--from", "crm",
                       "--conversion-event", "purchase")  # fmt: skip
    assert code == 2 and "--conversion-event applies to --from ga4 only" in err
