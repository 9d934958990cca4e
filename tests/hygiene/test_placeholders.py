"""Placeholder and shared identifiers link nothing, and the cleaning report lists them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit.attribution import attribute
from touchcredit.hygiene.clean import clean
from touchcredit.hygiene.identity import stitch
from touchcredit.hygiene.placeholders import NO_VALUE, is_placeholder, placeholder_mask


def _leads_sharing_a_phone(path: Path, n: int = 1_000) -> None:
    """n unrelated leads (text ids with leading zeros) typed with the phone 000-000-0000,
    each with one touch from its own source and a $10 deal; a BOM on the header."""
    lines = ["lead_id,phone,ts,source,amount"]
    for i in range(n):
        lines.append(f"{i:06d},000-000-0000,2024-03-{1 + i % 28:02d},source{i % 10},10")
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")


def test_a_placeholder_phone_joins_no_one(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    from touchcredit.connectors import crm
    from touchcredit.core.mapping import ColumnMap

    path = tmp_path / "leads.csv"
    _leads_sharing_a_phone(path)
    cols = ColumnMap(journey="lead_id", timestamp="ts", channel=None, source="source",
                     identifiers={"phone": "phone"}, conversion_time="ts",
                     conversion_value="amount")  # fmt: skip
    js, report = crm.read(path, cols, path)
    assert js.n_journeys == 1_000 and report.persons == 1_000
    credit = attribute(js, "first_touch").by("source").to_dict()
    assert credit == {f"source{k}": 1_000.0 for k in range(10)}  # was 10,000 to one source
    ig = report.ignored_identifiers
    assert ig.columns == ("phone",) and ig.values == ("0000000000",)
    assert ig.reasons == ("placeholder",) and ig.rows.tolist() == [1_000]
    assert "identifiers not used for stitching: 1 ('phone' '0000000000': placeholder, " in str(
        report
    )


def test_test_emails_and_na_are_placeholders() -> None:
    table = {
        "cookie": ["c1", "c2", "c3", "c4", "N/A", "n/a"],
        "email": ["test@test.com", "TEST@test.com", "ann@x.io", "ann@x.io", None, "bob@x.io"],
        "ts": ["2024-03-01"] * 6,
    }
    _, rep = clean(table, journey="cookie", timestamp="ts", identifiers=["email"])
    # c1 and c2 stay apart; c3 and c4 are Ann; 'N/A' alone is no one; 'n/a' + bob is Bob
    assert rep.persons == 4 and rep.rows_rejected == 1
    assert rep.rejected.reasons == (
        "row 5: no usable identifier (only placeholder or shared values in 'cookie', 'email')",
    )
    assert set(zip(rep.ignored_identifiers.values, rep.ignored_identifiers.rows.tolist(),
                   strict=True)) == {("test@test.com", 2), ("N/A", 1), ("n/a", 1)}  # fmt: skip


def test_an_identifier_shared_by_many_journeys_is_not_a_person() -> None:
    n = 150
    table = {
        "lead": [f"L{i:04d}" for i in range(n)] + ["L0000"],
        "email": ["sales@acme.com"] * n + ["ann@acme.com"],
        "ts": ["2024-03-01"] * (n + 1),
    }
    _, rep = clean(table, journey="lead", timestamp="ts", identifiers=["email"])
    assert rep.persons == n
    assert rep.ignored_identifiers.reasons == ("shared by 150 journeys",)
    assert rep.ignored_identifiers.rows.tolist() == [n]
    _, rep = clean(table, journey="lead", timestamp="ts", identifiers=["email"],
                   max_journeys_per_identifier=None)  # fmt: skip
    assert rep.persons == 1 and not len(rep.ignored_identifiers)
    _, rep = clean(table, journey="lead", timestamp="ts", identifiers=["email"],
                   max_journeys_per_identifier=200, ignore_placeholders=False)  # fmt: skip
    assert rep.persons == 1


def test_the_journey_column_is_never_shared() -> None:
    s = stitch({"cookie": ["c1"] * 500, "user": [f"u{i}" for i in range(500)]}, max_journeys=10)
    assert s.n_persons == 1  # 500 user ids on one cookie: each user is on 1 journey


KEYS = st.one_of(
    st.sampled_from(sorted(NO_VALUE)),
    st.sampled_from(
        [
            "N/A",
            "Unknown",
            "NULL",
            "ann@x.io",
            "test@test.com",
            "n/a@x.io",
            "noreply@shop.io",
            "a@b.invalid",
            "0000000000",
            "1234567890",
            "15550109999",
            "0042",
            "bob@test.com",
        ]
    ),
    st.text(alphabet="an0@./1-", max_size=12),
)


@settings(max_examples=100, deadline=None)
@given(st.lists(KEYS, max_size=20, unique=True), st.sampled_from(["id", "email", "phone"]))
def test_the_mask_is_the_scalar_rule(keys: list[str], kind: str) -> None:
    want = [is_placeholder(k, kind) for k in keys]
    assert placeholder_mask(dict.fromkeys(keys), kind).tolist() == want
    assert placeholder_mask(keys, kind).dtype == np.bool_


def test_id_zero_is_a_person() -> None:
    """Sequential ids start at 0: user 0 is stitched and kept like any other."""
    import touchcredit as tc

    js, report = tc.clean(
        {
            "user": ["0", "0", "1"],
            "ts": ["2024-01-01", "2024-01-02", "2024-01-03"],
            "source": ["google", "bing", "google"],
        },
        journey="user",
        timestamp="ts",
        source="source",
    )
    assert report.rows_rejected == 0 and js.n_journeys == 2 and js.n_touches == 3
