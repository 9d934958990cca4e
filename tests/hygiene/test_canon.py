"""Tests of touchcredit.hygiene.canon.LabelCanon."""

from __future__ import annotations

from touchcredit.hygiene.canon import LabelCanon


def test_source_labels_fold_onto_catalog_names() -> None:
    canon = LabelCanon("source")
    assert canon("linkedin") == "LinkedIn"
    assert canon("LinkedIn ") == "LinkedIn"
    assert canon("lnkd.in") == "LinkedIn"


def test_unknown_labels_fold_onto_first_spelling_seen() -> None:
    canon = LabelCanon("other")
    assert canon("Booth #4") == "Booth #4"
    assert canon("booth  #4") == "Booth #4"
    assert canon("BOOTH_#4") == "Booth #4"
    assert canon("booth-#4") == "Booth #4"
    assert canon("Booth #5") == "Booth #5"


def test_first_spelling_depends_on_order_per_instance() -> None:
    a, b = LabelCanon("other"), LabelCanon("other")
    assert [a(x) for x in ["x Y", "X y"]] == ["x Y", "x Y"]
    assert [b(x) for x in ["X y", "x Y"]] == ["X y", "X y"]


def test_channel_groups_in_other_spellings() -> None:
    canon = LabelCanon("channel")
    assert canon("Paid_Search") == "paid search"
    assert canon("PAID-SEARCH") == "paid search"
    assert canon("Partner Webinar") == "Partner Webinar"
    assert canon("partner webinar") == "Partner Webinar"


def test_channel_kind_does_not_use_the_source_catalog() -> None:
    assert LabelCanon("channel")("linkedin") == "linkedin"
    assert LabelCanon("other")("lnkd.in") == "lnkd.in"


def test_non_strings_and_blank_labels_are_unchanged() -> None:
    canon = LabelCanon("other")
    assert canon(None) is None
    assert canon(7) == 7
    assert canon("   ") == "   "
    assert canon("") == ""


def test_leading_zero_ids_are_kept_as_text() -> None:
    canon = LabelCanon("other")
    assert canon("007") == "007"
    assert canon("7") == "7"
