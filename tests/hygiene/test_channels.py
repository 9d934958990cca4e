"""Channel grouping of source/medium/referrer/click ids (moved from test_sources.py)."""

from __future__ import annotations

import pytest

from touchcredit.hygiene.channels import channel_group, channel_groups


@pytest.mark.parametrize(
    ("kwargs", "group"),
    [
        ({}, "direct"),
        ({"source": "(direct)", "medium": "(none)"}, "direct"),
        ({"source": "google", "medium": "cpc"}, "paid search"),
        ({"source": "Google", "medium": "PPC"}, "paid search"),
        ({"source": "bing", "medium": "paidsearch"}, "paid search"),
        ({"source": "google", "medium": "organic"}, "organic search"),
        ({"source": "duckduckgo.com"}, "organic search"),
        ({"source": "LinkedIn", "medium": "cpc"}, "paid social"),
        ({"source": "facebook", "medium": "paid"}, "paid social"),
        ({"source": "linkedin", "medium": "social"}, "organic social"),
        ({"source": "lnkd.in"}, "organic social"),
        ({"source": "YouTube", "medium": "cpc"}, "display"),
        ({"source": "youtube"}, "organic social"),
        ({"source": "anything", "medium": "display"}, "display"),
        ({"source": "anything", "medium": "banner"}, "display"),
        ({"source": "newsletter", "medium": "email"}, "email"),
        ({"source": "e-mail"}, "email"),
        ({"source": "partnerco", "medium": "affiliate"}, "affiliates"),
        ({"source": "partnerco", "medium": "referral"}, "referral"),
        ({"source": "partnerco", "medium": "Paid_Social"}, "paid social"),
        ({"source": "capterra", "medium": "cpc"}, "other"),
        ({"source": "LinkedIn Ads"}, "paid social"),
        ({"source": "Google Ads", "medium": "cpc"}, "paid search"),
        ({"source": "trade show"}, "offline"),
        ({"source": "Booth #4", "medium": "event"}, "offline"),
        ({"source": "cold call"}, "offline"),
        ({"source": "G2"}, "referral"),
        ({"source": "mystery"}, "other"),
        ({"click_ids": {"gclid": "x"}}, "paid search"),
        ({"click_ids": {"li_fat_id": "x"}}, "paid social"),
        ({"click_ids": {"fbclid": "x"}, "referrer": "https://m.facebook.com/"}, "paid social"),
        ({"referrer": "https://www.google.de/"}, "organic search"),
        ({"referrer": "https://l.facebook.com/l.php"}, "organic social"),
        ({"referrer": "https://someblog.example/post"}, "referral"),
        ({"referrer": "https://mail.google.com/"}, "email"),
        ({"source": "spring_promo", "referrer": "https://www.google.com/"}, "other"),
    ],
)
def test_channel_group_rules(kwargs: dict[str, object], group: str) -> None:
    assert channel_group(**kwargs) == group  # type: ignore[arg-type]


def test_channel_groups_vectorized_matches_scalar() -> None:
    src = ["google", "google", None, "LinkedIn", "trade show", "mystery", None, "G2"]
    med = ["cpc", "organic", None, None, None, "display", None, "email"]
    paid = [False, False, False, True, False, False, True, False]
    plat = [None, None, None, "linkedin", None, None, "google", None]
    ref = [None, None, None, None, None, None, None, "https://g2.com"]
    got = channel_groups(src, med, paid=paid, platform=plat, referrer=ref)
    want = [
        channel_group(s, m, paid=p, click_ids={"gclid": "1"} if pl == "google" else None,
                      referrer=r)
        for s, m, p, pl, r in zip(src, med, paid, plat, ref, strict=True)
    ]  # fmt: skip
    assert got.tolist() == want
    assert got.tolist() == [
        "paid search", "organic search", "direct", "paid social", "offline", "display",
        "paid search", "email",
    ]  # fmt: skip
    assert channel_groups([]).size == 0
