"""Dimension: one label column as integer codes and a category table."""

from __future__ import annotations

import numpy as np
import pytest

from touchcredit.core.dimension import DIMENSIONS, GROUP_LABELS, Dimension


def _dim() -> Dimension:
    return Dimension(np.array([2, -1, 0, 2], dtype=np.int32), ("0042", "email", "seo"))


def test_labels_map_codes_and_missing_to_none() -> None:
    assert _dim().labels().tolist() == ["seo", None, "0042", "seo"]


def test_code_of_a_label_and_of_an_absent_one() -> None:
    d = _dim()
    assert d.code("email") == 1
    assert d.code("0042") == 0
    assert d.code("42") == -1  # text ids keep their leading zeros
    assert d.code("") == -1


def test_take_reorders_over_the_same_categories() -> None:
    d = _dim()
    t = d.take(np.array([3, 1, 1, 2], dtype=np.int64))
    assert t.categories == d.categories
    assert t.labels().tolist() == ["seo", None, None, "0042"]
    assert len(t) == 4 and len(d.take(np.zeros(0, dtype=np.int64))) == 0


def test_codes_are_read_only() -> None:
    d = _dim()
    with pytest.raises(ValueError):
        d.codes[0] = 1


def test_the_dimension_names() -> None:
    assert DIMENSIONS == ("source", "channel", "campaign", "method")
    assert not set(DIMENSIONS) & set(GROUP_LABELS)
