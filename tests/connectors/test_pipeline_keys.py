"""touchcredit run: unknown keys and values of the wrong type name the table and key (#21.6)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyarrow")

from touchcredit.cli import main

GA4 = """
[input]
connector = "ga4"
events = "events_*.parquet"
[cleaning]
dedupe_window = "30m"
[attribution]
models = ["linear"]
[spend]
path = "spend.csv"
currency = "USD"
[outputs]
directory = "out"
credit = "credit.csv"
"""
CRM = """
[input]
connector = "crm"
touches = "touches.csv"
[columns]
journey = "email"
[outputs]
credit = "credit.csv"
"""


def _run(tmp_path: Path, exports: Any, text: str, capsys: pytest.CaptureFixture[str]) -> str:
    exports.write_ga4(tmp_path)
    (tmp_path / "spend.csv").write_text("\ufeffmonth,amount,channel\n2024-01,100,email\n")
    (tmp_path / "touches.csv").write_text("\ufeffemail,timestamp,channel\n007,2024-01-02,seo\n")
    p = tmp_path / "p.toml"
    p.write_text(text, encoding="utf-8")
    code = main(["run", str(p)])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()  # refused before anything ran
    return err


@pytest.mark.parametrize(
    ("base", "change", "message"),
    [
        (GA4, ('currency = "USD"', 'currencey = "USD"'),
         "[spend]: unknown key(s) 'currencey' (did you mean 'currency'?); "
         "expected: path, currency"),
        (GA4, ('dedupe_window = "30m"', 'dedupe_windw = "30m"'),
         "[cleaning]: unknown key(s) 'dedupe_windw' (did you mean 'dedupe_window'?)"),
        (GA4, ('events = "events_*.parquet"', 'events = "events_*.parquet"\nconversion = ["x"]'),
         "[input] (ga4): unknown key(s) 'conversion' (did you mean 'conversions'?)"),
        (GA4, ('models = ["linear"]', 'model = ["linear"]'),
         "[attribution]: unknown key(s) 'model' (did you mean 'models'?)"),
        (GA4, ('credit = "credit.csv"', 'credits = "credit.csv"'),
         "[outputs]: unknown key(s) 'credits' (did you mean 'credit'?)"),
        (CRM, ('journey = "email"', 'journey = "email"\njourny_id = "x"'),
         "[columns]: unknown key(s) 'journy_id' (did you mean 'journey'?)"),
    ],
)  # fmt: skip
def test_an_unknown_key_names_the_table_and_suggests_the_close_one(
    tmp_path: Path, exports: Any, capsys: pytest.CaptureFixture[str],
    base: str, change: tuple[str, str], message: str,
) -> None:  # fmt: skip
    assert message in _run(tmp_path, exports, base.replace(*change), capsys)


@pytest.mark.parametrize(
    ("base", "change", "message"),
    [
        (GA4, ('models = ["linear"]', 'models = "linear"'),
         "[attribution] models: expected a list of text, got 'linear' (text)"),
        (GA4, ('models = ["linear"]', 'models = ["linear"]\nby = 3'),
         "[attribution] by: expected text or a list of text, got 3 (an integer)"),
        (GA4, ('credit = "credit.csv"', "credit = 3"),
         "[outputs] credit: expected text or a list of text, got 3 (an integer)"),
        (GA4, ('directory = "out"', "directory = true"),
         "[outputs] directory: expected text, got True (true/false)"),
        (GA4, ('path = "spend.csv"', "path = 3"), "[spend] path: expected text, got 3"),
        (GA4, ('events = "events_*.parquet"', "events = 20240101"),
         "[input] (ga4) events: expected text or a list of text, got 20240101 (an integer)"),
        (GA4, ('events = "events_*.parquet"', 'events = "events_*.parquet"\nbatch_rows = "big"'),
         "[input] (ga4) batch_rows: expected an integer, got 'big' (text)"),
        (GA4, ('events = "events_*.parquet"', 'events = "events_*.parquet"\ntouches = "clicks"'),
         "[input] (ga4) touches: expected one of 'sessions', 'campaign_events', got 'clicks'"),
        (GA4, ('dedupe_window = "30m"', 'dayfirst = "yes"'),
         "[cleaning] dayfirst: expected true or false, got 'yes' (text)"),
        (CRM, ("[input]", "spend = 3\n[input]"), "[spend]: expected a table"),
        (CRM, ('journey = "email"', 'identifiers = "email"'),
         "[columns] identifiers: expected a list of text or a table, got 'email' (text)"),
        (CRM, ('journey = "email"', "journey = 1"),
         "[columns] journey: expected text, got 1 (an integer)"),
    ],
)  # fmt: skip
def test_a_value_of_the_wrong_type_names_table_key_and_the_type_expected(
    tmp_path: Path, exports: Any, capsys: pytest.CaptureFixture[str],
    base: str, change: tuple[str, str], message: str,
) -> None:  # fmt: skip
    assert message in _run(tmp_path, exports, base.replace(*change), capsys)
