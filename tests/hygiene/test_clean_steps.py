"""Tests of touchcredit.hygiene.clean_steps: the per-column steps of ``clean``."""

from __future__ import annotations

import numpy as np
import pytest

from touchcredit.hygiene.catalog import Catalog
from touchcredit.hygiene.clean_steps import (
    CleanConversions,
    canonical_sources,
    column_of,
    conversions_by_value,
    text_codes,
    tidy_channels,
    url_tags,
)
from touchcredit.hygiene.cleaning_report import no_rejections
from touchcredit.hygiene.text_codes import factorize_text


def test_column_of_checks_the_length() -> None:
    table = {"id": ["0001", "0002"]}
    assert column_of(table, "id", 2, "touch").tolist() == ["0001", "0002"]
    assert column_of(table, "id", None, "touch").tolist() == ["0001", "0002"]
    with pytest.raises(ValueError, match="touch column 'id' has 2 rows, expected 3"):
        column_of(table, "id", 3, "touch")


def test_text_codes_trims_and_flags_non_text() -> None:
    col, bad = text_codes(np.array([" 007 ", 7, None, "   ", "007", 1.5], dtype=object), "src")
    assert col.labels().tolist() == ["007", None, None, None, "007", None]
    assert bad.tolist() == [False, True, False, False, False, True]


def test_tidy_channels_spells_channel_groups() -> None:
    col = factorize_text(["Paid_Social", "paid-search", "Partner Webinar", None], field="channel")
    assert tidy_channels(col).labels().tolist() == [
        "paid social",
        "paid search",
        "Partner Webinar",
        None,
    ]


def test_url_tags_parse_utm_once_per_url() -> None:
    urls = [
        "https://x.example/?utm_source=LinkedIn&utm_medium=cpc&utm_campaign=0042",
        None,
        "https://x.example/plain?gclid=abc",
        "https://x.example/?utm_source=LinkedIn&utm_medium=cpc&utm_campaign=0042",
    ]
    tags = url_tags(np.array(urls, dtype=object), "url")
    assert tags["source"].labels().tolist() == ["LinkedIn", None, None, "LinkedIn"]
    assert tags["medium"].labels().tolist() == ["cpc", None, None, "cpc"]
    assert tags["campaign"].labels().tolist() == ["0042", None, None, "0042"]
    # a click id marks the touch as paid and names the ad platform; utm tags alone do not
    assert tags["paid"].tolist() == [False, False, True, False]
    assert tags["platform"].labels().tolist() == [None, None, "google", None]


def test_canonical_sources_counts_unknown_most_frequent_first() -> None:
    src = factorize_text(
        ["linkedin", "Booth #4", "mystery", "lnkd.in", "mystery", "Booth #4", None],
        field="source",
    )
    canon, unmapped, category = canonical_sources(src, Catalog.default())
    assert canon.labels().tolist() == [
        "LinkedIn",
        "Booth #4",
        "mystery",
        "LinkedIn",
        "mystery",
        "Booth #4",
        None,
    ]
    # ties (2 rows each) in first-row order
    assert dict(unmapped) == {"Booth #4": 2, "mystery": 2}
    assert list(unmapped) == ["Booth #4", "mystery"]
    cats = dict(zip(canon.values.tolist(), category.tolist(), strict=True))
    assert cats["mystery"] is None
    assert cats["LinkedIn"] is not None


def test_conversions_by_value_orders_by_person_time_value() -> None:
    t = np.array(["2024-01-02", "2024-01-01", "2024-01-01", "2024-01-01"], dtype="datetime64[us]")
    conv = CleanConversions(
        person=np.array([0, 1, 0, 0]),
        time=t,
        value=np.array([5.0, 1.0, 9.0, 3.0]),
        rows=np.array([10, 11, 12, 13]),
        n_in=4,
        rejected=no_rejections(),
        rejected_value=0.0,
    )
    out = conversions_by_value(conv)
    assert out.rows.tolist() == [13, 12, 10, 11]
    assert out.value.tolist() == [3.0, 9.0, 5.0, 1.0]
    assert out.person.tolist() == [0, 0, 0, 1]
    assert out.n_in == 4
