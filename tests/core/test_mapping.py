"""ColumnMap: one spelling of which columns hold what, validated once."""

from __future__ import annotations

import pytest

from touchcredit.core.mapping import (
    UNSET,
    ColumnMap,
    MissingColumnError,
    column_map,
    identifier_kind,
    require_columns,
)


@pytest.mark.parametrize(
    ("column", "kind"),
    [
        ("Email", "email"),
        ("e_mail_address", "email"),
        ("Hubspot_Mail", "email"),
        ("mobile", "phone"),
        ("Phone Number", "phone"),
        ("tel", "phone"),
        ("tel-no", "phone"),
        ("hotel_id", "id"),
        ("telemetry_id", "id"),
        ("contact_id", "id"),
    ],
)
def test_identifier_kind_from_the_name(column: str, kind: str) -> None:
    assert identifier_kind(column) == kind


def test_defaults_and_role_dicts() -> None:
    cols = ColumnMap()
    assert cols.touch_columns() == {
        "journey": "journey_id",
        "timestamp": "timestamp",
        "channel": "channel",
    }
    assert cols.conversion_columns() == {
        "conversion_journey": "journey_id",
        "conversion_time": "conversion_time",
    }
    assert cols.milestones() == {}


def test_raw_columns_identifiers_and_milestones() -> None:
    cols = ColumnMap(
        journey="Contact ID",
        timestamp="Created",
        url="page",
        identifiers={"work email": "email", "crm_id": "id"},
        conversion_journey="contact",
        conversion_value="amount",
        closed_at="Close Date",
        lead_created_at="Lead Date",
    )
    touch = cols.touch_columns()
    assert touch["url"] == "page"
    assert touch["identifier:work email"] == "work email" and touch["identifier:crm_id"] == "crm_id"
    assert set(cols.touch_columns(raw=False)) == {"journey", "timestamp", "channel"}
    conv = cols.conversion_columns()
    assert conv["conversion_journey"] == "contact" and conv["conversion_value"] == "amount"
    assert cols.milestones() == {"lead_created_at": "Lead Date", "closed_at": "Close Date"}


def test_identifiers_are_inferred_from_a_sequence_and_survive_replace() -> None:
    cols = ColumnMap(identifiers=["Email", "phone_1", "user_id"])
    want = (("Email", "email"), ("phone_1", "phone"), ("user_id", "id"))
    assert cols.identifiers == want
    assert cols.replace(journey="j").identifiers == want


@pytest.mark.parametrize(
    ("kw", "exc", "pattern"),
    [
        ({"journey": ""}, TypeError, "a column name must be a non-empty str, got ''"),
        ({"journey": None}, TypeError, "a column name must be a non-empty str, got None"),
        ({"channel": 3}, TypeError, "must be a non-empty str or None, got 3"),
        ({"identifiers": "email"}, TypeError, "got the str 'email'"),
        ({"identifiers": {"x": "fax"}}, ValueError, "identifier column 'x': kind must be"),
    ],
)
def test_bad_names_are_rejected(kw: dict[str, object], exc: type, pattern: str) -> None:
    with pytest.raises(exc, match=pattern):
        ColumnMap(**kw)  # type: ignore[arg-type]
    with pytest.raises(exc, match=pattern):
        ColumnMap().replace(**kw)


def test_check_touches_names_every_missing_column_from_a_bom_header() -> None:
    header = ["\ufeffContact ID", "Created", "Source"]  # BOM left on the first name
    cols = ColumnMap(journey="Contact ID", timestamp="Created", channel="Channel")
    with pytest.raises(MissingColumnError) as info:
        cols.check_touches(header)
    err = info.value
    assert err.table == "touches" and err.column == "Contact ID" and err.role == "journey"
    assert err.missing == [("Contact ID", "journey"), ("Channel", "channel")]
    assert str(err) == (
        "touches: no column 'Contact ID' (the journey column), no column 'Channel' "
        "(the channel column); columns are: '\\ufeffContact ID', 'Created', 'Source'"
    )
    cols.check_touches(["Contact ID", "Created", "Channel"])


def test_check_conversions_and_require_columns() -> None:
    cols = ColumnMap(conversion_value="amount")
    with pytest.raises(MissingColumnError, match="conversions: no column 'amount'"):
        cols.check_conversions(["journey_id", "conversion_time"])
    cols.check_conversions(["journey_id", "conversion_time", "amount"])
    with pytest.raises(MissingColumnError, match=r"leads: no column 'x' \(the email column\)"):
        require_columns("leads", {"identifier:email": "x"}, [])
    err = MissingColumnError("t", "a", [])
    assert str(err) == "t: no column 'a'; columns are: (none)"


def test_column_map_from_keywords_or_a_map_never_both() -> None:
    assert column_map(None, journey="person", channel=UNSET, source="src") == ColumnMap(
        journey="person", source="src"
    )
    given = ColumnMap(journey="p")
    assert column_map(given, journey=UNSET) is given
    with pytest.raises(TypeError, match="got columns= and journey=, source="):
        column_map(given, journey="p", source=None)
    with pytest.raises(TypeError, match="'columns' must be a ColumnMap, got dict"):
        column_map({"journey": "p"})  # type: ignore[arg-type]
