"""Every registered model (including ones added later) passes the conformance check."""

from __future__ import annotations

import pytest

from touchcredit.models import available, get
from touchcredit.testing import check_model


@pytest.mark.parametrize("name", available())
def test_registered_model_conforms(name: str) -> None:
    check_model(get(name), seeds=3)


def test_check_model_catches_a_broken_model() -> None:
    from touchcredit.models.positional import PositionalModel

    class Doubled(PositionalModel):
        def weights(self, journeys):  # type: ignore[no-untyped-def]
            return 2 * super().weights(journeys)

    with pytest.raises(AssertionError, match="sum to 1"):
        check_model(Doubled(first=1.0))


def test_check_model_catches_row_order_dependence() -> None:
    import numpy as np

    from touchcredit.models.base import AttributionModel

    class ByRow(AttributionModel):
        def weights(self, journeys):  # type: ignore[no-untyped-def]
            p = self.pairs(journeys)
            w = (journeys.touch_row[p.touch] + 1).astype(float)
            s = np.bincount(p.conversion, weights=w, minlength=p.start.size)
            return w / s[p.conversion]

    with pytest.raises(AssertionError, match="row order"):
        check_model(ByRow())
