"""Tests of touchcredit.hygiene.groups: group_keys, matching_pairs and group_journeys,
each against a slow pure-Python reference."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit.hygiene.groups import Membership, group_journeys, group_keys, matching_pairs

KEYS = st.sampled_from(["006X", " 006X", "006X ", "0007", "7", "D2", "", "  ", None])


def _key(v: Any) -> str | None:
    return (v.strip() or None) if isinstance(v, str) else None


@given(st.lists(KEYS, max_size=12))
def test_group_keys_strip_and_empty_is_missing(values: list[Any]) -> None:
    codes = group_keys(values, field="deal")
    assert codes.labels().tolist() == [_key(v) for v in values]
    # equal keys share one code, distinct keys do not
    for i, a in enumerate(values):
        for j, b in enumerate(values):
            if _key(a) is not None and _key(b) is not None:
                assert (codes.codes[i] == codes.codes[j]) == (_key(a) == _key(b))
    assert (codes.codes == -1).tolist() == [_key(v) is None for v in values]


def test_group_keys_keep_leading_zeros() -> None:
    assert group_keys(["0007", "7", "0007 "], field="deal").labels().tolist() == [
        "0007",
        "7",
        "0007",
    ]


@given(st.lists(KEYS, max_size=10), st.lists(KEYS, max_size=10))
def test_matching_pairs_is_the_nested_loop_join(left: list[Any], right: list[Any]) -> None:
    li, ri = matching_pairs(left, right, field="account")
    expected = [
        (i, j)
        for i, a in enumerate(left)
        for j, b in enumerate(right)
        if _key(a) is not None and _key(a) == _key(b)
    ]
    assert list(zip(li.tolist(), ri.tolist(), strict=True)) == expected


def test_matching_pairs_example() -> None:
    li, ri = matching_pairs(["A", "B", None], ["B", "A ", "B", None], field="account")
    assert li.tolist() == [0, 1, 1]
    assert ri.tolist() == [1, 0, 2]


def _reference(
    person: list[int],
    member_person: list[int],
    group: list[Any],
    member: list[Any],
    role: list[Any] | None,
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], dict[str, int], dict[str, int]]:
    """Slow group_journeys: (grouped touches, lone touches, members, engaged)."""
    roles = [_key(r) for r in role] if role is not None else [None] * len(group)
    chosen: dict[tuple[int, str], int] = {}  # (person, group) -> membership row
    for r, (p, g) in enumerate(zip(member_person, group, strict=True)):
        if p < 0 or _key(g) is None:
            continue
        k = (p, str(_key(g)))
        rank = (roles[r] is None, roles[r] or "", r)
        old = chosen.get(k)
        if old is None or rank < (roles[old] is None, roles[old] or "", old):
            chosen[k] = r
    grouped = []
    lone = []
    for t, p in enumerate(person):
        rows = [r for (q, _), r in chosen.items() if q == p]
        for r in rows:
            grouped.append((t, _key(group[r]), member[r], roles[r]))
        if not rows:
            lone.append((t, f"(person {p})", None, None))
    names = sorted({k for k in (_key(g) for g in group) if k is not None})
    members = {
        g: len({m for gg, m in zip(group, member, strict=True) if _key(gg) == g and m is not None})
        for g in names
    }
    engaged = {g: sum(1 for (p, gg) in chosen if gg == g and p in person) for g in names}
    return sorted(grouped, key=repr), lone, members, engaged


ROWS = st.lists(
    st.tuples(
        st.sampled_from(["D1", " D1", "D2", "0042", "", None]),
        st.sampled_from(["003A", "003B", "003C", "0001"]),
        st.sampled_from(["Buyer", " Buyer", "User", "Decision Maker", "", None]),
        st.integers(-1, 3),
    ),
    max_size=8,
)


@settings(max_examples=150, deadline=None)
@given(ROWS, st.lists(st.integers(0, 4), min_size=1, max_size=10), st.booleans())
def test_group_journeys_matches_reference(
    rows: list[tuple[Any, str, Any, int]], person: list[int], with_roles: bool
) -> None:
    group = [r[0] for r in rows]
    member = [r[1] for r in rows]
    role = [r[2] for r in rows] if with_roles else None
    member_person = [r[3] for r in rows]
    m = Membership(group=group, member=member, identifier="contact", role=role)
    g = group_journeys(
        np.array(person, dtype=np.int64),
        np.array(member_person, dtype=np.int64),
        m,
        ["D1", " 0042", None],
        conversion_field="deal",
    )
    grouped, lone, members, engaged = _reference(person, member_person, group, member, role)
    got = list(
        zip(
            g.touch.tolist(),
            g.journey_id.tolist(),
            g.contact.labels().tolist(),
            g.role.labels().tolist(),
            strict=True,
        )
    )
    n = len(grouped)
    assert sorted(got[:n], key=repr) == grouped
    assert got[n:] == lone
    assert g.touch[:n].tolist() == sorted(g.touch[:n].tolist())
    assert g.conversion_journey_id.tolist() == ["D1", "0042", None]
    assert dict(g.members) == members
    assert dict(g.engaged) == engaged


def test_group_journeys_example() -> None:
    m = Membership(
        group=["D1", "D2", "D1"],
        member=["a", "a", "b"],
        identifier="id",
        role=["Buyer", None, "User"],
    )
    g = group_journeys(np.array([0, 1, 2]), np.array([0, 0, 1]), m, ["D1"], conversion_field="deal")
    assert g.touch.tolist() == [0, 0, 1, 2]
    assert g.journey_id.tolist() == ["D1", "D2", "D1", "(person 2)"]
    assert g.role.labels().tolist() == ["Buyer", None, "User", None]
    assert g.contact.labels().tolist() == ["a", "a", "b", None]
    assert dict(g.members) == {"D1": 2, "D2": 1}
    assert dict(g.engaged) == {"D1": 2, "D2": 1}


def test_group_key_that_looks_like_a_person_journey_is_rejected() -> None:
    m = Membership(group=["(person 1)"], member=["a"], identifier="id")
    with pytest.raises(ValueError, match="starts with '.person '"):
        group_journeys(np.array([0]), np.array([0]), m, [], conversion_field="deal")


def test_membership_columns_must_have_one_length() -> None:
    with pytest.raises(ValueError, match="membership columns differ in length"):
        Membership(group=["D1", "D2"], member=["a"], identifier="id")
