"""models.fitted_shares: Markov and Shapley weigh touches by one rule, written once."""

from __future__ import annotations

import numpy as np
import pytest

from touchcredit.models import MarkovModel, NotFittedError, ShapleyModel
from touchcredit.models.fitted_shares import FittedShareModel
from touchcredit.testing import random_journeys


@pytest.mark.parametrize("cls", [MarkovModel, ShapleyModel])
def test_both_models_share_the_weighting(cls: type[FittedShareModel]) -> None:
    assert issubclass(cls, FittedShareModel)
    assert "weights" not in cls.__dict__ and "conversion_weights" not in cls.__dict__
    js = random_journeys(3)
    with pytest.raises(NotFittedError):
        cls().weights(js)
    m = cls().fit(js)
    p = m.pairs(js)
    for w in (m.weights(js), m.conversion_weights(js)):
        assert w.shape == (p.size,) and (w >= 0).all()
        sums = np.add.reduceat(w, p.offsets[:-1][p.length > 0])
        np.testing.assert_allclose(sums, 1.0, atol=1e-12)
