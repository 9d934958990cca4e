"""clean(): raw touch table -> JourneySet + CleaningReport."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import touchcredit as tc
from touchcredit import CleaningReport, ColumnMap, clean
from touchcredit.sources import Catalog


def _messy() -> dict[str, list[object]]:
    return {
        "cookie": ["ck1", "ck1", "ck2", "ck2", "ck3", "ck4", None, "ck5", "ck5", "ck6"],
        "email": [None, None, "Ann@Example.com ", None, None, "ann@example.com", None, None,
                  None, None],
        "ts": ["2024-03-01 09:00", "2024-03-01 09:02", "03/02/2024 10:00 AM", "2024-03-03",
               "2024-03-04T08:00:00Z", "05.03.2024 14:30", "2024-03-06", "not a date",
               "2024-03-07", "2024-03-08"],
        "url": [
            "https://acme.io/demo?utm_source=LinkedIn&UTM_SOURCE=linkedin&utm_medium=cpc"
            "&utm_campaign=Q2%20Demo",
            "https://acme.io/demo?utm_source=linkedin&utm_medium=cpc&utm_campaign=Q2%20Demo",
            "acme.io/?utm_source=newsletter&utm_medium=email#top",
            None,
            "https://acme.io/?gclid=abc",
            None,
            None,
            None,
            "https://acme.io/#/signup?utm_source=g2.com&utm_medium=referral",
            None,
        ],
        "lead_source": [None, None, None, "Trade Show ", None, "cold_call", None, None, None,
                        "Booth #4"],
        "referrer": [None, None, None, None, None, None, None, None, None,
                     "https://m.facebook.com/"],
    }  # fmt: skip


def test_messy_table_end_to_end() -> None:
    js, rep = clean(
        _messy(),
        journey="cookie",
        timestamp="ts",
        url="url",
        source="lead_source",
        referrer="referrer",
        identifiers=["email"],
        dedupe_window="10min",
    )
    assert isinstance(rep, CleaningReport)
    # row 6: no identifier; row 7: unreadable time; row 1: repeat of row 0 within 10 min
    assert rep.rows_in == 10
    assert rep.rows_rejected == 2
    assert rep.rejected.rows.tolist() == [6, 7]
    assert rep.rejected.reasons[0] == "row 7: no identifier ('cookie', 'email' all missing)"
    assert rep.rejected.reasons[1].startswith("row 8: 'not a date' is not a recognised date")
    assert rep.duplicates_removed == 1
    assert rep.duplicate_of.tolist() == [-1, 0] + [-1] * 8
    assert rep.rows_out == 7
    assert rep.rows_in == rep.rows_out + rep.duplicates_removed + rep.rows_rejected
    # persons: ck2 and ck4 share Ann's email -> one person; a rejected row still links
    # identities (ck5 is numbered at row 7) but is reported with person -1
    assert rep.person.tolist() == [0, 0, 1, 1, 2, 1, -1, -1, 3, 4]
    assert rep.persons == 5
    assert rep.identities_merged == 2  # ck2, ck4 and the email are one identity
    assert dict(rep.merge_groups.joined_by()) == {("cookie", "email"): 1}
    assert dict(rep.unmapped_sources) == {"Booth #4": 1}
    # each touch's labels, in input-row order
    by_row = {int(r): k for k, r in enumerate(js.touch_row.tolist())}
    assert sorted(by_row) == [0, 2, 3, 4, 5, 8, 9]
    src = js.source.labels()
    chan = js.channel.labels()
    meth = js.method.labels()
    camp = js.campaign.labels()
    want = {
        0: ("LinkedIn Ads", "paid social", "paid media & events", "Q2 Demo"),  # a paid click
        2: ("newsletter", "email", "inbound", None),
        3: ("trade-show badge scan", "offline", "paid media & events", None),
        4: (None, "paid search", None, None),
        5: ("cold call", "offline", "outbound", None),
        8: ("G2", "referral", "partner/referral", None),
        9: ("Booth #4", "other", None, None),
    }
    for row, (s, c, m, cp) in want.items():
        k = by_row[row]
        assert (src[k], chan[k], meth[k], camp[k]) == (s, c, m, cp), row
    # person 1's touches in time order: ck2 (Mar 2, Mar 3) and ck4 (Mar 5)
    j = int(np.flatnonzero(js.journey_ids == 1)[0])
    lo, hi = js.offsets[j], js.offsets[j + 1]
    assert js.touch_row[lo:hi].tolist() == [2, 3, 5]


def test_report_text_and_errors_raise() -> None:
    _, rep = clean(_messy(), journey="cookie", timestamp="ts", url="url", identifiers=["email"])
    text = str(rep)
    assert "rows in: 10; out: 8; duplicates removed: 0; rejected: 2" in text
    with pytest.raises(ValueError, match=r"'ts' could not be read: row 8: 'not a date'"):
        clean(_messy(), journey="cookie", timestamp="ts", errors="raise")
    table = _messy()
    table["ts"][7] = "2024-03-09"
    with pytest.raises(ValueError, match=r"row 7: no identifier"):
        clean(table, journey="cookie", timestamp="ts", errors="raise")


def test_missing_columns_are_named() -> None:
    with pytest.raises(
        ValueError,
        match=r"no column 'when' \(the timestamp column\), no column "
        r"'src' \(the source column\); columns are: 'cookie'",
    ):
        clean(_messy(), journey="cookie", timestamp="when", source="src")
    with pytest.raises(ValueError, match=r"timestamp column 'ts' has 2 rows, expected 3"):
        clean({"id": ["a", "b", "c"], "ts": ["2024-01-01"] * 2}, journey="id", timestamp="ts")


def test_non_text_labels_are_rejected_rows() -> None:
    table = {"id": ["a", "b", "c"], "ts": ["2024-01-01"] * 3, "src": ["google", 7, None]}
    js, rep = clean(table, journey="id", timestamp="ts", source="src")
    assert rep.rejected.rows.tolist() == [1]
    assert rep.rejected.reasons == ("row 2: 'src' must hold text (or be empty)",)
    assert js.source.labels().tolist() == ["Google", None]
    with pytest.raises(TypeError, match="'src' must hold text; row 2 is 7"):
        clean(table, journey="id", timestamp="ts", source="src", errors="raise")


def test_explicit_channel_column_wins_and_is_tidied() -> None:
    table = {
        "id": ["a", "a", "a"],
        "ts": ["2024-01-01", "2024-01-02", "2024-01-03"],
        "src": ["google", "google", "google"],
        "med": ["cpc", "cpc", "organic"],
        "chan": ["Paid_Search", "Partners", None],
    }
    js, _ = clean(table, journey="id", timestamp="ts", source="src", medium="med", channel="chan")
    assert js.channel.labels().tolist() == ["paid search", "Partners", "organic search"]


def test_manual_offline_sources_are_first_class() -> None:
    table = {
        "rep": ["crm-1", "crm-2", "crm-3"],
        "ts": ["2024-05-01", "2024-05-02", "2024-05-03"],
        "src": ["Event QR code", "cold call", "Told us at the bar"],
    }
    js, rep = clean(table, journey="rep", timestamp="ts", source="src")
    assert js.source.labels().tolist() == ["event QR code", "cold call", "Told us at the bar"]
    assert js.channel.labels().tolist() == ["offline", "offline", "other"]
    assert rep.rows_rejected == 0
    assert dict(rep.unmapped_sources) == {"Told us at the bar": 1}


def test_custom_catalog() -> None:
    cat = Catalog.default().extend(
        {"Acme Summit": {"category": "paid media & events", "channel": "offline",
                         "aliases": ["summit24"]}}
    )  # fmt: skip
    table = {"id": ["a"], "ts": ["2024-01-01"], "src": ["SUMMIT24"]}
    js, rep = clean(table, journey="id", timestamp="ts", source="src", catalog=cat)
    assert js.source.labels().tolist() == ["Acme Summit"]
    assert js.channel.labels().tolist() == ["offline"]
    assert dict(rep.unmapped_sources) == {}


def test_conversions_join_through_any_identifier_and_money_is_reported() -> None:
    touches = {
        "cookie": ["c1", "c1", "c2"],
        "email": [None, "ann@x.io", None],
        "ts": ["2024-01-01", "2024-01-02", "2024-01-03"],
        "src": ["google", "LinkedIn", "G2"],
    }
    deals = {
        "email": ["ANN@x.io ", "zed@x.io", None, "ann@x.io", "ann@x.io"],
        "closed": ["2024-02-01", "2024-02-02", "2024-02-03", "nope", "2024-02-05"],
        "amount": [1000, 50, 70, 30, -5],
    }
    js, rep = clean(
        touches,
        journey="cookie",
        timestamp="ts",
        source="src",
        identifiers=["email"],
        conversions=deals,
        conversion_journey="email",
        conversion_time="closed",
        conversion_value="amount",
        target="revenue",
        currency="USD",
    )
    assert rep.conversions_in == 5
    assert rep.conversions_out == 2
    assert rep.conversions_rejected.rows.tolist() == [2, 3, 4]
    assert rep.conversions_rejected.reasons[0] == "conversion row 3: 'email' is missing"
    assert rep.conversions_rejected.reasons[1].startswith("conversion row 4: 'nope'")
    assert rep.conversions_rejected.reasons[2] == (
        "conversion row 5: 'amount' must be a number >= 0, got -5"
    )
    assert rep.rejected_conversion_value == 100.0  # 70 + 30; -5 is not money
    assert js.total_value == 1050.0
    assert js.conversion_row.tolist() == [0, 1]
    # zed has no touches: a journey of its own, value unattributed, never dropped
    result = tc.attribute(js, "linear")
    assert result.unattributed.value == 50.0
    assert result.by("source").to_dict() == {"G2": 0.0, "Google": 500.0, "LinkedIn": 500.0}


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", None]),
            st.sampled_from(["x@y.io", "X@Y.io ", None, "z@y.io"]),
            st.sampled_from(["2024-01-01", "2024-01-01 00:05", "bad", None, "01/02/2024"]),
            st.sampled_from(["LinkedIn", "lnkd.in", "odd", None, "  "]),
        ),
        max_size=25,
    ),
    st.sampled_from([None, 0, 600]),
)
def test_rows_in_equals_out_plus_removed_plus_rejected(
    rows: list[tuple[str | None, ...]], window: int | None
) -> None:
    table = {
        "cookie": [r[0] for r in rows],
        "email": [r[1] for r in rows],
        "ts": [r[2] for r in rows],
        "src": [r[3] for r in rows],
    }
    js, rep = clean(
        table, journey="cookie", timestamp="ts", source="src", identifiers=["email"],
        dedupe_window=None if window is None else f"{window}s",
    )  # fmt: skip
    assert rep.rows_in == len(rows)
    assert rep.rows_in == rep.rows_out + rep.duplicates_removed + rep.rows_rejected
    assert js.n_touches == rep.rows_out
    # every input row is accounted for exactly once
    kept = set(js.touch_row.tolist())
    removed = set(np.flatnonzero(rep.duplicate_of >= 0).tolist())
    rejected = set(rep.rejected.rows.tolist())
    assert kept | removed | rejected == set(range(len(rows)))
    assert len(kept) + len(removed) + len(rejected) == len(rows)


MESSY_KW = {"journey": "cookie", "timestamp": "ts", "url": "url", "source": "lead_source",
            "referrer": "referrer", "identifiers": ["email"]}  # fmt: skip


def _same_cleaning(
    a: tuple[tc.JourneySet, CleaningReport], b: tuple[tc.JourneySet, CleaningReport]
) -> None:
    (ja, ra), (jb, rb) = a, b
    assert ja.journey_ids.tolist() == jb.journey_ids.tolist()
    np.testing.assert_array_equal(ja.timestamp, jb.timestamp)
    np.testing.assert_array_equal(ja.touch_row, jb.touch_row)
    for name in ("source", "channel", "campaign", "method"):
        assert ja.dimension(name).labels().tolist() == jb.dimension(name).labels().tolist()
    assert (ra.rows_in, ra.rows_out, ra.rows_rejected) == (
        rb.rows_in,
        rb.rows_out,
        rb.rows_rejected,
    )
    assert list(ra.rejected.reasons) == list(rb.rejected.reasons)


def test_a_column_map_cleans_like_the_keywords() -> None:
    cols = tc.ColumnMap(
        journey="cookie",
        timestamp="ts",
        channel=None,
        url="url",
        source="lead_source",
        referrer="referrer",
        identifiers=["email"],
    )
    _same_cleaning(clean(_messy(), columns=cols), clean(_messy(), **MESSY_KW))
    with pytest.raises(TypeError, match="not both; got columns= and journey="):
        clean(_messy(), columns=cols, journey="cookie")


@pytest.mark.parametrize("lib", ["pandas", "polars", "polars-lazy", "pyarrow", "duckdb"])
def test_any_narwhals_frame_cleans_like_a_dict(lib: str) -> None:
    table = _messy()
    conversions = {"email": ["ann@example.com"], "ts": ["2024-03-10"], "amount": [500.0]}
    pa = pytest.importorskip("pyarrow")
    frames = {"touches": pa.table(table), "conversions": pa.table(conversions)}
    if lib == "pandas":
        frames = {k: v.to_pandas() for k, v in frames.items()}
    elif lib.startswith("polars"):
        pl = pytest.importorskip("polars")
        frames = {k: pl.from_arrow(v) for k, v in frames.items()}
        if lib == "polars-lazy":
            frames = {k: v.lazy() for k, v in frames.items()}
    elif lib == "duckdb":
        duckdb = pytest.importorskip("duckdb")
        frames = {k: duckdb.from_arrow(v) for k, v in frames.items()}
    kw = {**MESSY_KW, "conversion_journey": "email", "conversion_value": "amount"}
    got = clean(frames["touches"], conversions=frames["conversions"], **kw)
    want = clean(table, conversions=conversions, **kw)
    _same_cleaning(got, want)
    assert got[0].total_value == want[0].total_value == 500.0


def _same_cleaning(a: tuple[Any, Any], b: tuple[Any, Any]) -> None:
    (js_a, rep_a), (js_b, rep_b) = a, b
    for name in ("journey_ids", "offsets", "timestamp", "touch_row", "conversion_value",
                 "conversion_time", "conversion_row"):  # fmt: skip
        assert np.array_equal(getattr(js_a, name), getattr(js_b, name)), name
    for dim in ("channel", "source", "campaign", "method"):
        assert js_a.dimension(dim).labels().tolist() == js_b.dimension(dim).labels().tolist()
    assert rep_a.rejected.reasons == rep_b.rejected.reasons
    assert rep_a.conversions_rejected.reasons == rep_b.conversions_rejected.reasons
    assert np.array_equal(rep_a.person, rep_b.person)


def test_keywords_and_a_column_map_are_one_door() -> None:
    """clean(t, journey=..., ...) is clean(t, columns=ColumnMap(<the same names>)): the
    keywords build the ColumnMap with its own defaults, as every other door does."""
    table = _messy()
    conversions = {"cookie": ["ck1", "ck5", "zz"], "ts": ["2024-03-05", "2024-03-09", "x"],
                   "amount": ["10", "2.5", "1"]}  # fmt: skip
    names: dict[str, Any] = {
        "journey": "cookie",
        "timestamp": "ts",
        "url": "url",
        "source": "lead_source",
        "referrer": "referrer",
        "identifiers": ["email"],
        "conversion_value": "amount",
    }
    by_keywords = clean(table, **names, conversions=conversions)
    by_map = clean(table, columns=ColumnMap(**names), conversions=conversions)
    _same_cleaning(by_keywords, by_map)
    # the two defaults that follow the tables do so for both doors
    assert by_map[0].channel.labels().tolist() == by_keywords[0].channel.labels().tolist()
    with_channel = dict(table, channel=["webinar"] + [None] * 9)
    _same_cleaning(
        clean(with_channel, **names, conversions=conversions),
        clean(with_channel, columns=ColumnMap(**names), conversions=conversions),
    )
    assert "webinar" in clean(with_channel, **names)[0].channel.labels().tolist()
