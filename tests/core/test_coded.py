"""Coded columns and the one sorted table of touch and conversion ids."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from touchcredit.core.coded import Coded, coded_ids, found_in, same_objects


def _c(codes: list[int], cats: tuple[object, ...], **kw: object) -> Coded:
    return Coded(np.array(codes, dtype=np.int32), cats, **kw)  # type: ignore[arg-type]


def test_labels_keep_text_ids_with_leading_zeros() -> None:
    assert _c([1, -1, 0], ("007", "08")).labels().tolist() == ["08", None, "007"]


def test_coded_ids_with_conversion_ids_among_touch_ids() -> None:
    got = coded_ids(_c([2, 0, 1], ("0001", "0002", "0010")), _c([0, 1], ("0010", "0001")))
    assert got is not None
    codes, conv, table = got
    assert codes.tolist() == [2, 0, 1]
    assert conv.tolist() == [2, 0]
    assert table.tolist() == ["0001", "0002", "0010"]


def test_coded_ids_merges_conversion_only_ids_in_sorted_order() -> None:
    got = coded_ids(_c([0, 1], ("b", "d")), _c([1, 0, 2], ("a", "c", "d")))
    assert got is not None
    codes, conv, table = got
    assert table.tolist() == ["a", "b", "c", "d"]
    assert codes.tolist() == [1, 3]
    assert conv.tolist() == [2, 0, 3]


def test_coded_ids_without_conversions() -> None:
    got = coded_ids(_c([1, 1, 0], ("x", "y")), None)
    assert got is not None
    assert got[0].tolist() == [1, 1, 0] and got[1].size == 0 and got[2].tolist() == ["x", "y"]


def test_coded_ids_declines_what_the_builders_must_handle() -> None:
    assert coded_ids(_c([0, -1], ("a", "b")), None) is None  # a missing id
    assert coded_ids(_c([0], ("a",)), _c([-1], ("a",))) is None
    assert coded_ids(_c([0, 1], ("b", "a")), None) is None  # unsorted categories
    assert coded_ids(_c([0, 1], (1, 2)), None) is None  # not text
    assert coded_ids(np.array(["a"]), None) is None  # not coded
    assert coded_ids(_c([0], ("a",)), np.array(["a"])) is None


def test_text_sorted_flag_skips_the_sortedness_check() -> None:
    got = coded_ids(_c([0], ("a",), text_sorted=True), _c([0], ("b",), text_sorted=True))
    assert got is not None and got[2].tolist() == ["a", "b"]


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.text("0123ab", min_size=1, max_size=4), min_size=1, max_size=15),
    st.lists(st.text("0123ab", min_size=1, max_size=4), max_size=15),
)
def test_table_of_codes_gives_back_every_id(touch_ids: list[str], conv_ids: list[str]) -> None:
    tcats = tuple(sorted(set(touch_ids)))
    ccats = tuple(sorted(set(conv_ids)))
    touch = _c([tcats.index(x) for x in touch_ids], tcats)
    conv = _c([ccats.index(x) for x in conv_ids], ccats)
    got = coded_ids(touch, conv)
    assert got is not None
    codes, conv_codes, table = got
    assert table.tolist() == sorted(set(touch_ids) | set(conv_ids))
    assert table[codes].tolist() == touch_ids
    assert table[conv_codes].tolist() == conv_ids


def test_found_in_needs_arrow_categories() -> None:
    assert found_in(_c([0], ("a",)), _c([0], ("a",))) is None
    assert found_in(None, _c([0], ("a",))) is None


def test_found_in_with_arrow() -> None:
    import pytest

    pa = pytest.importorskip("pyarrow")
    touch = _c([0, 1, 2], ("a", "b", "c"), arrow_categories=pa.array(["a", "b", "c"]))
    conv = _c([0, 1], ("c", "a"), arrow_categories=pa.array(["c", "a"]))
    got = found_in(conv, touch)
    assert got is not None and got.tolist() == [2, 0]
    missing = _c([0], ("z",), arrow_categories=pa.array(["z"]))
    assert found_in(missing, touch) is None


def test_same_objects_shares_equal_strings_only() -> None:
    like = _c([0, 1], ("".join(["0", "42"]), "x"))
    got = same_objects(_c([1, 0], ("042", "y")), like)
    assert got.categories[0] is like.categories[0]
    assert got.categories[1] == "y"
    assert got.codes.tolist() == [1, 0]
