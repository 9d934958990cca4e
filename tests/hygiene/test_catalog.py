"""Source catalog and normalization of messy values (tests/hygiene/test_sources.py renamed;
the channel grouping tests are in test_channels.py)."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit import sources
from touchcredit.sources import CATEGORIES, CHANNEL_GROUPS, Catalog

CAT = Catalog.default()


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("LinkedIn", "LinkedIn"),
        ("linkedin", "LinkedIn"),
        ("  LINKEDIN  ", "LinkedIn"),
        ("Linked_In", "LinkedIn"),
        ("linked-in", "LinkedIn"),
        ("lnkd.in", "LinkedIn"),
        ("https://www.linkedin.com/feed/update/123", "LinkedIn"),
        ("uk.linkedin.com", "LinkedIn"),
        ("LinkedIn Ads", "LinkedIn Ads"),
        ("linkedin   ads", "LinkedIn Ads"),
        ("t.co", "X (Twitter)"),
        ("https://t.co/AbC123", "X (Twitter)"),
        ("twitter", "X (Twitter)"),
        ("m.facebook.com", "Facebook"),
        ("l.facebook.com", "Facebook"),
        ("https://lm.facebook.com/l.php?u=x", "Facebook"),
        ("FB", "Facebook"),
        ("www.google.com", "Google"),
        ("https://www.google.co.uk/", "Google"),
        ("google.de", "Google"),
        ("news.google.com", "Google"),
        ("Google Ads", "Google Ads"),
        ("AdWords", "Google Ads"),
        ("bing.com", "Bing"),
        ("duckduckgo.com", "DuckDuckGo"),
        ("search.yahoo.co.jp", "Yahoo"),
        ("m.youtube.com", "YouTube"),
        ("youtu.be", "YouTube"),
        ("https://mail.google.com/mail/u/0/", "webmail"),
        ("G2", "G2"),
        ("www.g2.com/products/acme/reviews", "G2"),
        ("AppSumo", "AppSumo"),
        ("apps.shopify.com", "Shopify App Store"),
        ("Trade Show", "trade-show badge scan"),
        ("badge scan", "trade-show badge scan"),
        ("QR code", "event QR code"),
        ("Cold_Call", "cold call"),
        ("webinar", "webinar registration"),
        ("Word of Mouth", "word of mouth"),
        ("billboard", "traditional media"),
        ("manual", "manually defined"),
        ("Customer Referral", "customer referral"),
        ("ebook", "gated content"),
        ("SEO", "organic search"),
        ("newsletter", "newsletter"),
        ("chatgpt.com", "ChatGPT"),
        ("(direct)", "direct"),
    ],
)
def test_lookup_of_messy_values(raw: str, canonical: str) -> None:
    assert CAT.lookup(raw) == canonical


@pytest.mark.parametrize("raw", ["mystery", "Booth #4", "example.org", "", "   ", "x.y.z.example"])
def test_unknown_values_are_not_mapped(raw: str) -> None:
    assert CAT.lookup(raw) is None


def test_default_catalog_covers_the_design_sources() -> None:
    design = {
        "inbound": ["organic search", "blog post CTA", "gated content", "product-led",
                    "YouTube", "organic social", "content marketing", "guest post"],
        "outbound": ["cold email", "SDR LinkedIn message", "cold call", "contact-form outreach",
                     "direct mail", "personalized video", "list broker"],
        "partner/referral": ["customer referral", "co-marketing", "affiliate",
                             "agency introduction", "marketplace listing", "G2", "AppSumo",
                             "Shopify App Store"],
        "paid media & events": ["Google Ads", "LinkedIn Ads", "Facebook Lead Ads",
                                "sponsored newsletter", "sponsored podcast",
                                "webinar registration", "trade-show badge scan",
                                "event QR code", "paid social"],
        "other": ["word of mouth", "traditional media", "manually defined"],
    }  # fmt: skip
    for category, names in design.items():
        for name in names:
            assert CAT[name].category == category, name
    assert {s.category for s in CAT.sources} <= set(CATEGORIES)
    assert {s.channel for s in CAT.sources} <= set(CHANNEL_GROUPS)
    assert CAT["LinkedIn Ads"].channel == "paid social"
    assert CAT["Google"].kind == "search"


def test_normalize_reports_unmapped_with_counts_and_keeps_them() -> None:
    raw = np.array(
        ["LinkedIn", "linkedin ", "lnkd.in", "Booth #4", None, "  ", "Booth #4", "Zzz", np.nan],
        dtype=object,
    )
    out = sources.normalize(raw)
    assert out.values.tolist() == [
        "LinkedIn", "LinkedIn", "LinkedIn", "Booth #4", None, None, "Booth #4", "Zzz", None,
    ]  # fmt: skip
    assert out.mapped.tolist() == [True, True, True, False, False, False, False, False, False]
    assert list(out.unmapped.items()) == [("Booth #4", 2), ("Zzz", 1)]
    assert out.n_unmapped == 3
    assert out.n_missing == 3


def test_normalize_numpy_str_array_and_empty() -> None:
    out = sources.normalize(np.array(["G2", "g2.com", "unknown"]))
    assert out.values.tolist() == ["G2", "G2", "unknown"]
    empty = sources.normalize([])
    assert empty.values.size == 0
    assert dict(empty.unmapped) == {}


def test_normalize_rejects_non_text_naming_the_row() -> None:
    with pytest.raises(TypeError, match=r"'source' must hold strings \(or None\); row 1 is int 5"):
        sources.normalize(["a", 5])


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.sampled_from(["LinkedIn", "lnkd.in", " Google ", "m.facebook.com", "G2"]),
            st.text(max_size=20),
        ),
        max_size=30,
    )
)
def test_normalize_is_idempotent(values: list[str | None]) -> None:
    once = sources.normalize(values)
    twice = sources.normalize(once.values)
    assert twice.values.tolist() == once.values.tolist()
    # mapped values map to themselves; unmapped ones pass through unchanged
    for raw, got, hit in zip(values, once.values.tolist(), once.mapped.tolist(), strict=True):
        if raw is not None and raw.strip() and not hit:
            assert got == raw


def test_catalog_from_dict_extend_and_conflicts(tmp_path: pathlib.Path) -> None:
    own = Catalog.from_dict(
        {
            "Acme Expo": {"category": "paid media & events", "channel": "offline",
                          "aliases": ["acme expo 2024", "expo.acme.io"]},
        }
    )  # fmt: skip
    assert own.lookup("ACME-EXPO 2024") == "Acme Expo"
    assert own.lookup("https://expo.acme.io/register") == "Acme Expo"
    merged = CAT.extend(own)
    assert merged.lookup("acme expo 2024") == "Acme Expo"
    assert merged.lookup("linkedin") == "LinkedIn"
    assert len(merged) == len(CAT) + 1
    # the extension wins an alias it claims
    moved = CAT.extend({"Events": {"category": "other", "channel": "offline",
                                   "aliases": ["trade show", "lnkd.in"]}})  # fmt: skip
    assert moved.lookup("trade show") == "Events"
    assert moved.lookup("lnkd.in") == "Events"
    assert moved.lookup("badge scan") == "trade-show badge scan"
    with pytest.raises(ValueError, match="alias 'X' of source 'B' is already an alias of 'A'"):
        Catalog.from_dict(
            {
                "A": {"category": "other", "channel": "other", "aliases": ["x"]},
                "B": {"category": "other", "channel": "other", "aliases": ["X"]},
            }
        )
    with pytest.raises(ValueError, match="'channel' must be one of"):
        Catalog.from_dict({"A": {"category": "other", "channel": "tv"}})
    with pytest.raises(ValueError, match="unknown field"):
        Catalog.from_dict({"A": {"category": "other", "channel": "other", "alias": ["a"]}})
    path = tmp_path / "cat.toml"
    path.write_text(
        '[sources."Podcast X"]\ncategory = "paid media & events"\nchannel = "other"\n'
        'aliases = ["pcx", "podcastx.fm"]\n',
        encoding="utf-8",
    )
    from_file = Catalog.from_toml(path)
    assert from_file.lookup("www.podcastx.fm") == "Podcast X"
    assert Catalog.from_dict(from_file.to_dict()).to_dict() == from_file.to_dict()
    bad = tmp_path / "bad.toml"
    bad.write_text("[other]\na = 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"must hold a \[sources\] table"):
        Catalog.from_toml(bad)


def test_catalog_categories_vectorized() -> None:
    got = CAT.categories(["cold call", "G2", "nope", None, "LinkedIn Ads"]).tolist()
    assert got == ["outbound", "partner/referral", None, None, "paid media & events"]


def test_default_catalog_is_package_data() -> None:
    from importlib import resources

    text = resources.files("touchcredit").joinpath("data", "sources.toml").read_text("utf-8")
    assert '[sources."LinkedIn"]' in text
