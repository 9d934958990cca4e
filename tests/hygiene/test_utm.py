"""UTM parsing on real-world messy URLs, and the link builder."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit.hygiene import utm


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com/?utm_source=LinkedIn&UTM_SOURCE=linkedin", "LinkedIn"),
        ("https://example.com/?utm_source=&utm_source=google", "google"),
        ("https://example.com/?utm_source=%20LinkedIn%20Ads%20", "LinkedIn Ads"),
        ("https://example.com/?utm_source=Linked+In", "Linked In"),
        ("https://example.com/?utm_source=caf%C3%A9", "café"),
        ("example.com/landing?utm_source=bing", "bing"),
        ("  https://example.com/?utm_source=bing  ", "bing"),
        ("?utm_source=newsletter", "newsletter"),
        ("utm_source=newsletter&utm_medium=email", "newsletter"),
        ("https://app.example.com/#/signup?utm_source=webinar", "webinar"),
        ("https://example.com/?utm_source=a#utm_source=b", "a"),
        ("https://example.com/?Utm_Source=QR%20Code", "QR Code"),
        ("https://example.com/?utm_source=bad%zzescape", "bad%zzescape"),
        ("https://example.com/page", None),
        ("", None),
    ],
)
def test_source_of_messy_urls(url: str, expected: str | None) -> None:
    assert utm.parse(url).source == expected


def test_all_fields_and_click_ids() -> None:
    tags = utm.parse(
        "https://x.io/p?utm_source=google&utm_medium=cpc&utm_campaign=q2_demo_push"
        "&utm_term=crm+software&utm_content=ad_b&utm_id=123&li_fat_id=abc&GCLID=g1"
    )
    assert (tags.source, tags.medium, tags.campaign) == ("google", "cpc", "q2_demo_push")
    assert (tags.term, tags.content, tags.id) == ("crm software", "ad_b", "123")
    assert dict(tags.click_ids) == {"li_fat_id": "abc", "gclid": "g1"}
    assert tags.paid
    assert tags.platform == "linkedin"
    assert not tags.empty
    plain = utm.parse("https://x.io/p?utm_source=google")
    assert not plain.paid
    assert plain.platform is None


def test_non_string_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="url must be a str, got int"):
        utm.parse(3)  # type: ignore[arg-type]


def test_long_input_is_cut_to_max_length() -> None:
    url = "https://x.io/?utm_medium=email&utm_source=" + "a" * (2 * utm.MAX_LENGTH)
    tags = utm.parse(url)
    assert tags.medium == "email"
    assert tags.source is not None
    assert len(tags.source) < utm.MAX_LENGTH


def test_parse_many_matches_parse() -> None:
    urls = np.array(
        [
            "a.com/?utm_source=x&fbclid=1",
            None,
            "a.com/?utm_source=x&fbclid=1",
            "b.com",
            float("nan"),
        ],
        dtype=object,
    )
    cols = utm.parse_many(urls)
    assert cols["source"].tolist() == ["x", None, "x", None, None]
    assert cols["paid"].tolist() == [True, False, True, False, False]
    assert cols["platform"].tolist() == ["meta", None, "meta", None, None]
    assert set(cols) == {*utm.UTM_FIELDS, "paid", "platform"}
    assert utm.parse_many([])["source"].size == 0


def test_build_url_convention_and_round_trip() -> None:
    url = utm.build_url(
        "https://example.com/demo?ref=nav&utm_source=old#top",
        source=" LinkedIn ",
        medium="Paid  Social",
        campaign="Q2 Demo Push",
        content="Video A",
    )
    assert url == (
        "https://example.com/demo?ref=nav&utm_source=linkedin&utm_medium=paid_social"
        "&utm_campaign=q2_demo_push&utm_content=video_a#top"
    )
    back = utm.parse(url)
    assert (back.source, back.medium, back.campaign, back.content) == (
        "linkedin",
        "paid_social",
        "q2_demo_push",
        "video_a",
    )
    with pytest.raises(ValueError, match="'campaign' is required and must not be empty"):
        utm.build_url("https://example.com", source="a", medium="b", campaign="  ")


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_parse_never_raises_and_is_deterministic(text: str) -> None:
    assert utm.parse(text) == utm.parse(text)


@settings(max_examples=100, deadline=None)
@given(
    st.text(alphabet=st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40).filter(
        lambda s: s.strip() != ""
    )
)
def test_build_then_parse_round_trips_any_name(name: str) -> None:
    url = utm.build_url("https://example.com/", source=name, medium="email", campaign="c")
    assert utm.parse(url).source == "_".join(name.strip().lower().split())


def test_build_url_conventions() -> None:
    kebab = utm.build_url(
        "example.com/p", source="Google Ads", medium="CPC", campaign=" Spring  Launch ",
        term="crm software", convention="kebab",
    )  # fmt: skip
    assert kebab == (
        "example.com/p?utm_source=google-ads&utm_medium=cpc&utm_campaign=spring-launch"
        "&utm_term=crm-software"
    )
    lower = utm.build_url(
        "https://x.io", source="A B", medium="m", campaign="C", convention="lower"
    )
    assert utm.parse(lower).source == "a b"
    with pytest.raises(ValueError, match="'convention' must be one of 'snake', 'kebab', 'lower'"):
        utm.build_url("https://x.io", source="a", medium="b", campaign="c", convention="camel")


@pytest.mark.parametrize(
    ("url", "platform"),
    [
        ("https://x.io/?gclid=1", "google"),
        ("https://x.io/?gbraid=1", "google"),
        ("https://x.io/?wbraid=1", "google"),
        ("https://x.io/?dclid=1", "google"),
        ("https://x.io/?fbclid=1", "meta"),
        ("https://x.io/?MSCLKID=1", "microsoft"),
        ("https://x.io/?li_fat_id=1", "linkedin"),
        ("https://x.io/?ttclid=1", "tiktok"),
        ("https://x.io/?twclid=1", "x"),
        ("https://x.io/#gclid=1", "google"),
        ("https://x.io/?gclid=", None),
    ],
)
def test_click_id_platforms(url: str, platform: str | None) -> None:
    tags = utm.parse(url)
    assert tags.click_id_platform == platform
    assert tags.paid is (platform is not None)


@pytest.mark.parametrize(
    ("url", "medium", "campaign"),
    [
        ("https://x.io/?utm_medium=Paid%2BSocial&utm_campaign=Q2%2FDemo", "Paid+Social", "Q2/Demo"),
        ("https://x.io/?utm_medium=%E2%9C%93&utm_campaign=a%26b", "✓", "a&b"),
        ("https://x.io/?utm_medium=email&&&utm_campaign==x", "email", "=x"),
        ("\thttps://x.io/?utm_medium=email\n", "email", None),
    ],
)
def test_url_encoded_values(url: str, medium: str, campaign: str | None) -> None:
    tags = utm.parse(url)
    assert (tags.medium, tags.campaign) == (medium, campaign)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=60)), max_size=10))
def test_parse_many_equals_parse_row_by_row(urls: list[str | None]) -> None:
    cols = utm.parse_many(np.array(urls, dtype=object))
    for i, u in enumerate(urls):
        want = utm.parse(u) if u is not None else utm.UTM()
        assert cols["source"][i] == want.source
        assert cols["campaign"][i] == want.campaign
        assert bool(cols["paid"][i]) is want.paid


_URLS = st.one_of(
    st.none(),
    st.just(float("nan")),
    st.integers(0, 3),
    st.sampled_from(
        [
            "https://x.io/?utm_source=LinkedIn&utm_medium=cpc",
            "x.io/?UTM_SOURCE=news%20letter&utm_campaign=q2+demo&gclid=1",
            "utm_medium=email",
            "not a url",
            "",
        ]
    ),
    st.text(alphabet="utm_sourcemdi=&?#%+ab", max_size=30),
)


@pytest.mark.parametrize("hashed", [True, False])
@settings(max_examples=80, deadline=None)
@given(values=st.lists(_URLS, max_size=40))
def test_parse_many_equals_parsing_every_row(values: list[object], hashed: bool) -> None:
    # each distinct URL is parsed once (hashing the column when pandas is there, or
    # sorting it); the straightforward way parses every row that holds a str
    if hashed:
        pytest.importorskip("pandas")
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    with pytest.MonkeyPatch.context() as mp:
        if not hashed:
            mp.setattr(utm, "hash_factorize", lambda a: None)
        cols = utm.parse_many(arr)
    for i, v in enumerate(values):
        want = utm.parse(v) if isinstance(v, str) else None
        for name in (*utm.UTM_FIELDS, "platform"):
            assert cols[name][i] == (getattr(want, name) if want else None)
        assert cols["paid"][i] == (want.paid if want else False)


@settings(max_examples=300, deadline=None)
@given(query=st.text(alphabet="ab=&+%20ZF_é", max_size=40))
def test_query_pairs_equal_parse_qsl(query: str) -> None:
    from urllib.parse import parse_qsl

    assert utm.query_pairs(query) == parse_qsl(query, errors="replace")


def _parse_by_query_pairs(url: str) -> tuple[dict[str, str], dict[str, str]]:
    """The tags by the documented rules, through query_pairs (checked against parse_qsl)."""
    text = url.strip()[: utm.MAX_LENGTH]
    head, _, fragment = text.partition("#")
    if "?" in head:
        query = head[head.find("?") + 1 :]
    elif "=" in head and "/" not in head:
        query = head
    else:
        query = ""
    if "?" in fragment:
        fragment = fragment[fragment.find("?") + 1 :]
    found: dict[str, str] = {}
    clicks: dict[str, str] = {}
    for part in (query, fragment if "=" in fragment else ""):
        for key, value in utm.query_pairs(part):
            k, v = key.strip().lower(), value.strip()
            if v and k.startswith("utm_") and k[4:] in utm.UTM_FIELDS:
                found.setdefault(k[4:], v)
            elif v and k in utm.CLICK_IDS:
                clicks.setdefault(k, v)
    return found, clicks


_PARTS = st.sampled_from(
    ["utm_source=a", "UTM_Source=B", "utm_medium=%20cpc", "utm_campaign=q2+demo", "gclid=1",
     "FBCLID=%20", "utm%5Fsource=enc", "ref=x%zz", "utm_term=", "=v", "li_fat_id=z", "#", "?",
     " utm_content = c ", "msclkid=+"]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.builds(lambda p, s: p + "&".join(s), st.sampled_from(["", "x.io/?", "a#b?"]),
                      st.lists(_PARTS, max_size=6)),
            st.text(alphabet="utm_sourcegclid=&?#%+ab ", max_size=40),
        ),
        max_size=8,
    )
)  # fmt: skip
def test_parse_and_parse_fields_follow_the_rules(urls: list[str]) -> None:
    fields = utm.parse_fields([*urls, *urls])  # repeats read through the pair cache
    for i, url in enumerate([*urls, *urls]):
        found, clicks = _parse_by_query_pairs(url)
        tags = utm.parse(url)
        assert {f: getattr(tags, f) for f in utm.UTM_FIELDS if getattr(tags, f)} == found
        assert dict(tags.click_ids) == clicks
        for f in utm.UTM_FIELDS:
            assert fields[f][i] == found.get(f)
        assert fields["paid"][i] is bool(clicks)
        assert fields["platform"][i] == (utm.CLICK_IDS[next(iter(clicks))] if clicks else None)
