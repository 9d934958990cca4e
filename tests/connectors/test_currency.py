"""Money in one currency at the connectors (issue 21 item 2)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import pytest

pytest.importorskip("pyarrow")

from touchcredit.connectors import salesforce


def _with_currencies(paths: dict[str, Path]) -> None:
    """The Salesforce opportunities of a multi-currency org: 006A in USD, 006B in JPY."""
    opp = paths["opportunities"]
    lines = opp.read_text().splitlines()
    lines[0] += ",CurrencyIsoCode"
    codes = {"006A": "USD", "006B": "JPY", "006C": "USD", "006D": "USD"}
    lines[1:] = [f"{line},{codes[line.split(',')[0]]}" for line in lines[1:]]
    opp.write_text("\n".join(lines) + "\n")


def test_usd_and_jpy_are_never_added(tmp_path: Path, exports: ModuleType) -> None:
    paths = exports.write_salesforce(tmp_path)
    _with_currencies(paths)
    with pytest.raises(
        ValueError, match=r"'CurrencyIsoCode' holds USD \(row 1\) and JPY \(row 2\)"
    ):
        salesforce.read(**paths)  # 900 USD + 300 JPY is not 1200 of anything
    with pytest.raises(ValueError, match=r"pass currency='USD' and rates=\{'JPY': ...\}"):
        salesforce.read(**paths, currency="USD")
    js, report = salesforce.read(**paths, currency="USD", rates={"JPY": 0.0067})
    assert js.currency == "USD" and js.total_value == pytest.approx(900 + 300 * 0.0067)
    assert report.rates == {"JPY": 0.0067}
    assert "converted: 1 JPY = 0.0067" in str(report)


def test_one_currency_is_the_journeys_currency(tmp_path: Path, exports: ModuleType) -> None:
    paths = exports.write_salesforce(tmp_path)
    _with_currencies(paths)
    opp = paths["opportunities"]
    opp.write_text(opp.read_text().replace(",JPY", ",EUR").replace(",USD", ",EUR"))
    js, report = salesforce.read(**paths)
    assert js.currency == "EUR" and js.total_value == 1200.0 and report.rates == {}
    with pytest.raises(ValueError, match=r"holds USD \(currency=\) and EUR \(row 1\)"):
        salesforce.read(**paths, currency="USD")


def test_ga4_local_revenue_and_usd_are_chosen_not_mixed(exports: ModuleType) -> None:
    import pyarrow as pa

    from touchcredit.connectors import ga4

    rows = exports.ga4_rows()
    for row in rows:
        if row["event_name"] == "purchase" and row["user_pseudo_id"] == exports.B:
            row["ecommerce"] = None  # B's purchase: only event_value_in_usd (50)
    table = pa.Table.from_pylist(rows, schema=exports.ga4_table().schema)
    with pytest.raises(ValueError, match="mix the local currency .* choose value='local' or"):
        ga4.read(table)  # 100 EUR + 50 USD + 30 EUR is not 180 of anything
    js, report = ga4.read(table, value="local", currency="EUR")
    assert js.total_value == 130.0 and js.currency == "EUR"
    assert report.conversions_rejected.reasons[-1].endswith(
        "only event_value_in_usd, no local-currency value (value='usd' reads it)"
    )
    js, report = ga4.read(table, value="usd")
    assert js.total_value == 50.0 and js.currency == "USD"
    assert len(report.conversions_rejected) == 2  # A and C have no USD value
    with pytest.raises(ValueError, match="currency is USD, not 'EUR'"):
        ga4.read(table, value="usd", currency="EUR")


def test_kpis_never_divide_one_currency_by_another() -> None:
    import numpy as np

    import touchcredit as tc
    from touchcredit.attribution import attribute
    from touchcredit.cli.outputs import kpi_rows
    from touchcredit.kpi.metrics import SpendTable

    js = tc.JourneySet.from_arrays(journey_id=["a"], timestamp=[0], channel=["seo"],
                                   conversion_journey_id=["a"], conversion_time=[5],
                                   conversion_value=[100.0], currency="USD", unit="s")  # fmt: skip
    table = attribute(js, "linear").by("channel")
    eur = SpendTable.from_arrays(np.array([50.0]), ["2024-01"], channel=["seo"], currency="EUR")
    with pytest.raises(ValueError, match="credited value is in USD and the spend in EUR"):
        kpi_rows([table], eur)
    usd = SpendTable.from_arrays(np.array([50.0]), ["2024-01"], channel=["seo"], currency="USD")
    assert kpi_rows([table], usd)["roas"].tolist() == [2.0]
