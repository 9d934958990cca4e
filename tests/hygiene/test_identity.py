"""Identity stitching (partition = connected components) and deduplication."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit.hygiene import identity
from touchcredit.hygiene.identity import normalize_email, normalize_phone, stitch


def _reference_partition(columns: dict[str, list[str | None]]) -> list[int]:
    """Slow, obvious stitching: grow each person by scanning rows until nothing changes."""
    names = list(columns)
    n = len(columns[names[0]])
    rows_ids = [{(c, columns[c][i]) for c in names if columns[c][i] is not None} for i in range(n)]
    person = [-1] * n
    next_id = 0
    for start in range(n):
        if person[start] >= 0 or not rows_ids[start]:
            continue
        person[start] = next_id
        seen = set(rows_ids[start])
        changed = True
        while changed:
            changed = False
            for i in range(n):
                if person[i] < 0 and rows_ids[i] & seen:
                    person[i] = next_id
                    seen |= rows_ids[i]
                    changed = True
        next_id += 1
    return person


def _same_partition(a: list[int], b: list[int]) -> bool:
    pairs = set(zip(a, b, strict=True))
    return len(pairs) == len(set(a)) == len(set(b))


@settings(max_examples=80, deadline=None)
@given(
    st.integers(1, 3).flatmap(
        lambda k: st.lists(
            st.tuples(*[st.one_of(st.none(), st.sampled_from("abcdef")) for _ in range(k)]),
            min_size=1,
            max_size=25,
        )
    ),
    st.booleans(),
)
def test_partition_is_the_connected_components(
    rows: list[tuple[str | None, ...]], sp: bool
) -> None:
    k = len(rows[0])
    columns = {f"id{j}": [r[j] for r in rows] for j in range(k)}
    got = stitch(columns, use_scipy=sp)
    ref = _reference_partition(columns)
    assert got.person.tolist().count(-1) == ref.count(-1)
    assert _same_partition(got.person.tolist(), ref)
    # numbered by each person's smallest (column, value): reversing the rows changes nothing
    smallest: dict[int, tuple[int, str]] = {}
    for p, row in zip(got.person.tolist(), rows, strict=True):
        for j, v in enumerate(row):
            if p >= 0 and v is not None:
                smallest[p] = min(smallest.get(p, (k, "")), (j, v))
    assert sorted(smallest, key=smallest.__getitem__) == list(range(got.n_persons))
    back = stitch({c: v[::-1] for c, v in columns.items()}, use_scipy=sp)
    assert back.person.tolist() == got.person.tolist()[::-1]
    distinct = sum(len({v for v in col if v is not None}) for col in columns.values())
    assert got.identities_merged == distinct - got.n_persons


def test_numpy_fallback_equals_scipy_on_long_chains() -> None:
    pytest.importorskip("scipy.sparse")  # stitch uses scipy only once it is imported
    rng = np.random.default_rng(3)
    n = 5000
    a = rng.integers(0, 800, n).astype(str).astype(object)
    b = rng.integers(0, 800, n).astype(str).astype(object)
    b[rng.random(n) < 0.5] = None
    # a long chain: row i links a=i and b=i+1
    chain_a = np.arange(300).astype(str).astype(object)
    chain_b = (np.arange(300) + 1).astype(str).astype(object)
    cols = {"a": np.concatenate([a, chain_a]), "b": np.concatenate([b, chain_b])}
    fast = stitch(cols, use_scipy=True)
    slow = stitch(cols, use_scipy=False)
    assert np.array_equal(fast.person, slow.person)
    assert fast.n_persons == slow.n_persons


def test_cookie_to_email_stitching_and_report() -> None:
    s = stitch(
        {
            "cookie_id": ["c1", "c1", "c2", "c3", "c4", None, None],
            "email": [None, " Ann@Example.com", "ann@example.com ", None, None, "bob@x.io", None],
            "phone": [None, None, None, "+1 (555) 010-9999", "15550109999", None, None],
        }
    )
    assert s.person.tolist() == [0, 0, 0, 1, 1, 2, -1]
    assert s.n_persons == 3
    # distinct values: c1 c2 c3 c4 ann bob phone = 7; persons 3
    assert s.identities_merged == 4
    assert s.kinds == ("id", "email", "phone")
    assert s.groups.person.tolist() == [0, 1]
    assert s.groups.rows.tolist() == [3, 2]
    assert s.groups.values.tolist() == [[2, 1, 0], [2, 0, 1]]
    assert dict(s.groups.joined_by()) == {("cookie_id", "email"): 1, ("cookie_id", "phone"): 1}
    assert s.lookup("email", ["ANN@example.com", "nobody@x.io", None]).tolist() == [0, -1, -1]
    assert s.lookup("phone", ["555-010-9999 (US) +1"]).tolist() == [-1]
    assert s.lookup("phone", ["1 555 010 9999"]).tolist() == [1]
    with pytest.raises(ValueError, match="unknown identifier column 'crm'"):
        s.lookup("crm", ["x"])


def test_integer_ids_and_text_lookup() -> None:
    s = stitch({"user_id": np.array([10, 10, 20]), "email": ["a@x.io", None, "a@x.io"]})
    assert s.person.tolist() == [0, 0, 0]
    assert s.lookup("user_id", [20, "10", " 20 ", "x", None, 99]).tolist() == [0, 0, 0, -1, -1, -1]


def test_email_and_phone_normalization() -> None:
    assert normalize_email("  Jane.Doe@Example.COM ") == "jane.doe@example.com"
    assert normalize_email("j.doe+news@gmail.com") == "j.doe+news@gmail.com"
    assert normalize_email("j.doe+news@gmail.com", gmail_dots=True) == "jdoe@gmail.com"
    assert normalize_email("J.Doe@googlemail.com", gmail_dots=True) == "jdoe@gmail.com"
    assert normalize_email("not an email") is None
    assert normalize_email("@x.io") is None
    assert normalize_phone("+44 20 7946 0958") == "442079460958"
    assert normalize_phone("ext 12") is None
    merged = stitch({"email": ["j.doe@gmail.com", "jdoe@gmail.com"]}, gmail_dots=True)
    apart = stitch({"email": ["j.doe@gmail.com", "jdoe@gmail.com"]})
    assert merged.n_persons == 1
    assert apart.n_persons == 2


def test_stitch_validation() -> None:
    with pytest.raises(ValueError, match="at least one identifier column"):
        stitch({})
    with pytest.raises(ValueError, match="identifier 'b' has 1 rows, expected 2"):
        stitch({"a": ["x", "y"], "b": ["z"]})
    with pytest.raises(ValueError, match="kind of 'a' must be one of"):
        stitch({"a": ["x"]}, kinds={"a": "fax"})


def test_blank_and_nan_link_nothing() -> None:
    s = stitch({"cookie": ["c1", "c2", "c3"], "email": ["  ", np.nan, ""]})
    assert s.person.tolist() == [0, 1, 2]
    assert s.identities_merged == 0
    assert len(s.groups) == 0


def test_module_exports() -> None:
    assert set(identity.__all__) >= {"stitch", "deduplicate", "Stitching", "MergeGroups"}
