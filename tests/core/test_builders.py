"""The fast JourneySet build paths give exactly what the plain numpy paths give.

The builder picks among several strategies by input (integer ids sorted with one int64
key; hashed factorization of object/str columns through pandas, and through object
pointers when a column shares its label objects; a worker thread on large inputs).
Each must be indistinguishable from the slow, obvious path.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit import JourneySet
from touchcredit.core import builders
from touchcredit.core import factorize as _factorize
from touchcredit.core import segments as _segments

pd = pytest.importorskip("pandas")

N = 6_000  # above the pointer-sampling threshold


def reference_order(major: np.ndarray, minor: np.ndarray) -> np.ndarray:
    return np.lexsort((minor, major))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.integers(-3, 3), st.integers(0, 4)), min_size=0, max_size=40),
    st.booleans(),
)
def test_sort_order_is_a_stable_lexsort(rows: list[tuple[int, int]], time_sorted: bool) -> None:
    if time_sorted:
        rows = sorted(rows, key=lambda r: r[1])
    major = np.array([r[0] for r in rows], dtype=np.int64)
    minor = np.array([r[1] for r in rows], dtype=np.int64)
    order, keys = _segments.sort_order(major, minor)
    expected = reference_order(major, minor)
    got = np.arange(major.size) if order is None else order
    assert got.tolist() == expected.tolist()
    assert keys.tolist() == major[expected].tolist()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(-3, 3), st.integers(1, 3)), min_size=0, max_size=12))
def test_sort_order_of_rows_grouped_by_key(runs: list[tuple[int, int]]) -> None:
    # one run per distinct key, times sorted (with ties) inside each run
    seen: set[int] = set()
    major_l: list[int] = []
    minor_l: list[int] = []
    for key, size in runs:
        if key in seen:
            continue
        seen.add(key)
        major_l += [key] * size
        minor_l += sorted(np.random.default_rng(key + 10).integers(0, 3, size).tolist())
    major, minor = np.array(major_l, dtype=np.int64), np.array(minor_l, dtype=np.int64)
    order, keys = _segments.sort_order(major, minor)
    expected = reference_order(major, minor)
    got = np.arange(major.size) if order is None else order
    assert got.tolist() == expected.tolist()
    assert keys.tolist() == major[expected].tolist()


def test_sort_order_two_thread_sort_equals_lexsort(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_segments, "_PARALLEL_MIN", 1)
    rng = np.random.default_rng(3)
    for n in (3, 1_001, 5_000):
        major = rng.integers(0, 7, n)
        minor = rng.integers(0, 5, n)
        for m in (minor, np.sort(minor)):
            order, _ = _segments.sort_order(major, m)
            got = np.arange(n) if order is None else order
            assert got.tolist() == reference_order(major, m).tolist()


def test_two_thread_stable_argsort_equals_numpy(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_segments, "_PARALLEL_MIN", 1)
    rng = np.random.default_rng(5)
    for n in (2, 3, 1_000, 4_097):
        values = rng.integers(0, 9, n)  # many ties
        got = _segments._stable_argsort(values)
        assert got.tolist() == np.argsort(values, kind="stable").tolist()


def test_sort_order_huge_key_range_falls_back_to_lexsort() -> None:
    major = np.array([2**62, -(2**62), 0, 2**62], dtype=np.int64)
    minor = np.array([3, 1, 2, 0], dtype=np.int64)
    order, keys = _segments.sort_order(major, minor)
    assert order is not None
    assert order.tolist() == reference_order(major, minor).tolist()
    assert keys.tolist() == sorted(major.tolist())


def _numpy_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_factorize, "hash_factorize", lambda arr: None)
    monkeypatch.setattr(builders, "index_int_journeys", lambda *a: None)


def assert_same_set(a: JourneySet, b: JourneySet) -> None:
    assert a.journey_ids.dtype == b.journey_ids.dtype
    assert a.journey_ids.tolist() == b.journey_ids.tolist()
    for name in (
        "offsets",
        "timestamp",
        "touch_row",
        "conversion_journey",
        "conversion_time",
        "conversion_value",
        "conversion_row",
    ):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    for dim in ("source", "channel", "campaign", "method"):
        da, db = a.dimension(dim), b.dimension(dim)
        assert da.categories == db.categories, dim
        assert np.array_equal(da.codes, db.codes), dim
        assert da.codes.dtype == np.int32


def make(rng: np.random.Generator, ids: Any, order: str) -> dict[str, Any]:
    n = N
    jid = ids[rng.integers(0, ids.size, n)]
    ts = rng.integers(0, 50, n) * 1_000_000  # many ties
    if order == "time":
        perm = np.argsort(ts, kind="stable")
    elif order == "journey":
        perm = np.lexsort((ts, jid)) if jid.dtype.kind != "O" else np.argsort(jid, kind="stable")
    else:
        perm = np.arange(n)
    names = np.array(["seo", "email", "paid", "direct"], dtype=object)
    channel = names[rng.integers(0, 4, n)]
    channel[rng.random(n) < 0.1] = None
    source = np.array([f"s{k}" for k in rng.integers(0, 9, n)], dtype=object)  # unshared
    campaign = np.array(["a", "b", "c"])[rng.integers(0, 3, n)]  # <U1
    conv = np.concatenate([ids[: ids.size // 2], ids[:3]])
    return {
        "journey_id": jid[perm],
        "timestamp": ts[perm].astype("datetime64[us]"),
        "channel": channel[perm],
        "source": source[perm],
        "campaign": campaign[perm],
        "conversion_journey_id": conv,
        "conversion_time": rng.integers(0, 60, conv.size).astype("datetime64[s]"),
        "conversion_value": rng.random(conv.size),
    }


ID_KINDS = {
    "int64": lambda rng: rng.choice(10**6, 500, replace=False).astype(np.int64),
    "int32": lambda rng: rng.choice(10**6, 500, replace=False).astype(np.int32),
    "uint64": lambda rng: rng.choice(10**6, 500, replace=False).astype(np.uint64),
    "sparse64": lambda rng: rng.integers(-(2**62), 2**62, 500),
    "str": lambda rng: np.array([f"lead-{k}" for k in rng.choice(10**6, 500, replace=False)]),
    "object": lambda rng: np.array(
        [f"lead-{k}" for k in rng.choice(10**6, 500, replace=False)], dtype=object
    ),
}


@pytest.mark.parametrize("kind", list(ID_KINDS))
@pytest.mark.parametrize("order", ["time", "journey", "random"])
def test_fast_paths_equal_numpy_paths(
    kind: str, order: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = np.random.default_rng(len(kind) * 7 + len(order))
    cols = make(rng, ID_KINDS[kind](rng), order)
    fast = JourneySet.from_arrays(**cols, unit="s")
    with monkeypatch.context() as mp:
        _numpy_only(mp)
        slow = JourneySet.from_arrays(**cols, unit="s")
    assert_same_set(fast, slow)


def test_conversion_only_journeys_are_kept_on_the_integer_path() -> None:
    js = JourneySet.from_arrays(
        journey_id=np.array([5, 9, 5], dtype=np.int64),
        timestamp=[3, 1, 2],
        channel=["a", "b", "c"],
        conversion_journey_id=np.array([7, 9, 1], dtype=np.int64),
        conversion_time=[9, 9, 9],
        unit="s",
    )
    assert js.journey_ids.tolist() == [1, 5, 7, 9]
    assert js.offsets.tolist() == [0, 0, 2, 2, 3]
    assert js.touch_row.tolist() == [2, 0, 1]
    assert js.conversion_journey.tolist() == [0, 2, 3]


def test_uint64_ids_beyond_int64_take_the_general_path() -> None:
    ids = np.array([2**64 - 1, 3, 2**64 - 1], dtype=np.uint64)
    js = JourneySet.from_arrays(
        journey_id=ids, timestamp=[2, 1, 1], channel=["a", "b", "c"], unit="s"
    )
    assert js.journey_ids.tolist() == [3, 2**64 - 1]
    assert js.touch_row.tolist() == [1, 2, 0]


def test_shared_label_objects_and_equal_strings_in_other_objects_merge() -> None:
    names = np.array(["paid", "seo", None], dtype=object)
    rng = np.random.default_rng(1)
    col = names[rng.integers(0, 3, N)]
    col[7] = "".join(["s", "eo"])  # equal value, another object
    col[8] = float("nan")  # another spelling of "not recorded"
    fast = _factorize.factorize_labels(col, field="channel", n=N)
    assert fast[1] == ("paid", "seo")
    expected = np.array([{"paid": 0, "seo": 1}.get(v, -1) for v in col.tolist()])
    np.testing.assert_array_equal(fast[0], expected)


@pytest.mark.parametrize(
    ("bad", "exc", "pattern"),
    [
        (3, TypeError, r"^'channel' must hold strings \(or None for 'not recorded'\); row 12 "),
        ("  ", ValueError, r"^'channel' must not be empty; .*row 12 is '  '$"),
        ([1], TypeError, r"^'channel' must hold strings .*row 12 is list \[1\]$"),
    ],
)
def test_large_label_columns_report_bad_values_like_small_ones(
    bad: Any, exc: type[Exception], pattern: str
) -> None:
    col = np.array(["paid", "seo"], dtype=object)[np.arange(N) % 2]
    col[11] = bad
    with pytest.raises(exc, match=pattern):
        _factorize.factorize_labels(col, field="channel", n=N)


def test_large_object_ids_report_missing_and_mixed_ids() -> None:
    ids = np.array([f"id{k}" for k in range(N)], dtype=object)
    ids[17] = None
    with pytest.raises(ValueError, match=r"^'journey_id' must not be missing; row 18 is None$"):
        _factorize.factorize_ids(ids, field="journey_id")
    ids[17] = 17
    with pytest.raises(TypeError, match=r"^'journey_id' mixes value types: row 1 is str 'id0'"):
        _factorize.factorize_ids(ids, field="journey_id")


def test_worker_thread_path_equals_the_serial_path(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = np.random.default_rng(4)
    cols = make(rng, ID_KINDS["int64"](rng), "time")
    monkeypatch.setattr(builders, "THREAD_MIN_ROWS", 1)
    monkeypatch.setattr(_segments, "_PARALLEL_MIN", 1)
    threaded = JourneySet.from_arrays(**cols, unit="s")
    monkeypatch.setattr(builders, "THREAD_MIN_ROWS", 10**12)
    assert_same_set(threaded, JourneySet.from_arrays(**cols, unit="s"))


@pytest.mark.parametrize("shared", [True, False])
def test_many_string_ids_hashed_by_pointer_or_value_equal_np_unique(shared: bool) -> None:
    rng = np.random.default_rng(9)
    pool = np.array([f"id-{k:05d}" for k in rng.permutation(3_000)], dtype=object)
    ids = pool[rng.integers(0, pool.size, 20_000)]
    if not shared:
        ids = np.array([s[:2] + s[2:] for s in ids.tolist()], dtype=object)
    uniq, codes = _factorize.factorize_ids(ids, field="journey_id")
    expected_uniq, expected_codes = np.unique(ids, return_inverse=True)
    assert uniq.tolist() == expected_uniq.tolist()
    np.testing.assert_array_equal(codes, expected_codes)


@pytest.mark.parametrize("odd", ["x" * 80, "id\x00", "\x00"])
def test_argsort_of_many_strings_matches_python_order(odd: str) -> None:
    values = [f"k{k}" for k in np.random.default_rng(2).permutation(1_500)] + [odd, "k1\x00"]
    uniques = np.array(values, dtype=object)
    order = _factorize._argsort_values(uniques)
    assert uniques[order].tolist() == sorted(values)
    plain = np.array(values[:1_500], dtype=object)
    assert plain[_factorize._argsort_values(plain)].tolist() == sorted(values[:1_500])


def test_sorted_datetime64_input_is_copied_not_aliased() -> None:
    ts = np.array([0, 5, 9], dtype="datetime64[us]")
    view = ts[:]
    for given_ts in (ts, view):
        js = JourneySet.from_arrays(
            journey_id=[1, 1, 2], timestamp=given_ts, channel=["a"] * 3, unit="s"
        )
        assert not np.may_share_memory(js.timestamp, ts)
    series = pd.Series(ts)
    js = JourneySet.from_arrays(journey_id=[1, 1, 2], timestamp=series, channel=["a"] * 3, unit="s")
    ts[0] = np.datetime64(7, "us")
    assert js.timestamp[0] == np.datetime64(0, "us")
