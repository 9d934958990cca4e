"""Top paths: hand-computed tables and a reference grouping in plain Python."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit import JourneySet
from touchcredit.kpi.paths import _verified, path_index, top_paths


def journeys() -> JourneySet:
    #  p1: seo > email > email  (converts 2x: 100 + 50)
    #  p2: seo > email          (converts: 30)
    #  p3: seo > email > email  (no conversion)
    #  p4: ads                  (no conversion)
    #  p5: (no touches)         (converts: 20, unattributable)
    return JourneySet.from_arrays(
        journey_id=["p1", "p1", "p1", "p2", "p2", "p3", "p3", "p3", "p4"],
        timestamp=[0, 1, 2, 0, 1, 0, 1, 2, 0],
        channel=["seo", "email", "email", "seo", "email", "seo", "email", "email", "ads"],
        source=["g", "nl", None, "g", "nl", "g", "nl", "nl", "li"],
        conversion_journey_id=["p1", "p1", "p2", "p5"],
        conversion_time=[3, 4, 3, 1],
        conversion_value=[100.0, 50.0, 30.0, 20.0],
        unit="s",
    )


def test_top_paths_by_hand() -> None:
    t = top_paths(journeys())
    assert t["path"].tolist() == ["seo > email > email", "seo > email", "(no touches)", "ads"]
    assert t["journeys"].tolist() == [2, 1, 1, 1]
    assert t["converting"].tolist() == [1, 1, 1, 0]
    assert t["conversions"].tolist() == [2, 1, 1, 0]
    assert t["conversion_rate"].tolist() == [0.5, 1.0, 1.0, 0.0]
    assert t["value"].tolist() == [150.0, 30.0, 20.0, 0.0]
    assert t["value_per_journey"].tolist() == [75.0, 30.0, 20.0, 0.0]
    assert t["share"].tolist() == pytest.approx([0.4, 0.2, 0.2, 0.2])
    assert t["length"].tolist() == [3, 2, 0, 1]


def test_collapse_max_length_converting_only_and_k() -> None:
    js = journeys()
    c = top_paths(js, collapse_repeats=True)
    assert c.row("seo > email")["journeys"] == 3 and c.row("seo > email")["value"] == 180.0
    last = top_paths(js, max_length=1)
    assert last.row("email")["journeys"] == 3
    conv = top_paths(js, converting_only=True, k=2)
    assert conv["path"].tolist() == ["seo > email > email", "seo > email"]
    assert conv["journeys"].tolist() == [1, 1] and len(conv) == 2
    src = top_paths(js, by="source")
    assert src.row("g > nl > (not recorded)")["journeys"] == 1
    with pytest.raises(ValueError, match="'max_length' must be a positive int"):
        top_paths(js, max_length=0)


def test_verification_rejects_a_wrong_grouping() -> None:
    idx = path_index(journeys())
    lengths = np.diff(idx.offsets)
    tj = np.repeat(np.arange(lengths.size), lengths)
    pos = np.arange(tj.size) - np.repeat(idx.offsets[:-1], lengths)
    good = _verified(idx.symbols, pos, idx.offsets, lengths, idx.path, idx.representative, tj)
    assert good
    merged = np.zeros_like(idx.path)  # as if every key had collided
    assert not _verified(idx.symbols, pos, idx.offsets, lengths, merged, np.array([0]), tj)


def reference(paths: list[list[str]], collapse: bool, max_length: int | None) -> Counter[tuple]:
    out: Counter[tuple] = Counter()
    for p in paths:
        q = [x for i, x in enumerate(p) if not (collapse and i and p[i - 1] == x)]
        if max_length is not None:
            q = q[-max_length:] if q else q
        out[tuple(q)] += 1
    return out


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.sampled_from("abc"), max_size=6), min_size=1, max_size=25),
    st.booleans(),
    st.none() | st.integers(1, 4),
)
def test_grouping_matches_plain_python(
    paths: list[list[str]], collapse: bool, max_length: int | None
) -> None:
    jid = [j for j, p in enumerate(paths) for _ in p]
    ts = [t for p in paths for t in range(len(p))]
    ch = [x for p in paths for x in p]
    conv = list(range(len(paths)))  # every journey converts once, so empty ones are kept
    js = JourneySet.from_arrays(
        journey_id=np.array(jid, dtype=np.int64), timestamp=np.array(ts, dtype=np.float64),
        channel=np.array(ch, dtype=object), conversion_journey_id=np.array(conv),
        conversion_time=np.zeros(len(conv)), unit="s",
    )  # fmt: skip
    t = top_paths(js, k=None, collapse_repeats=collapse, max_length=max_length, separator="")
    got = {
        (p if p != "(no touches)" else ""): n for p, n in zip(t["path"], t["journeys"], strict=True)
    }
    want = {"".join(k): v for k, v in reference(paths, collapse, max_length).items()}
    assert got == want
    assert list(t["journeys"]) == sorted(t["journeys"], reverse=True)


def test_until_conversion_drops_touches_after_the_last_conversion() -> None:
    js = journeys()  # p1 converts at t=3 and 4 after all its touches; p2 at t=3
    same = top_paths(js, until_conversion=True)
    assert same["path"].tolist() == top_paths(js)["path"].tolist()
    js2 = JourneySet.from_arrays(
        journey_id=["a", "a", "a", "b"], timestamp=[0, 1, 5, 0],
        channel=["seo", "ads", "email", "seo"], conversion_journey_id=["a"], conversion_time=[2],
        unit="s",
    )  # fmt: skip
    t = top_paths(js2, until_conversion=True)
    assert t.row("seo > ads")["conversions"] == 1 and t.row("seo")["journeys"] == 1
    assert "until conversion" in t.title
