"""One validation point for every model's weights, on every path (memory, chunked, Spark).

A model's weights must be finite, non-negative and sum to 1 over each conversion's
eligible touches; the error names the model and the conversion row.
"""

from __future__ import annotations

import numpy as np

from touchcredit.core.arrays import FloatArray
from touchcredit.core.pairs import Pairs
from touchcredit.core.store import JourneySet
from touchcredit.models.base import AttributionModel

__all__ = ["check_weights"]


def check_weights(m: AttributionModel, js: JourneySet, pairs: Pairs, w: FloatArray) -> None:
    if w.shape != (pairs.size,):
        raise ValueError(
            f"{m!r}.weights returned shape {w.shape}, expected ({pairs.size},) (one per pair)"
        )
    # fast path: NaN and negatives fail ``w >= 0``; an infinite weight makes its
    # conversion's sum infinite or NaN, which the sum check below rejects
    if w.size == 0 or bool((w >= 0).all()):
        nonempty = pairs.length > 0
        sums = np.add.reduceat(w, pairs.offsets[:-1][nonempty]) if w.size else w
        if bool((np.abs(sums - 1.0) <= 1e-9).all()):
            return
    _explain_bad_weights(m, js, pairs, w)


def _explain_bad_weights(m: AttributionModel, js: JourneySet, pairs: Pairs, w: FloatArray) -> None:
    """Raise the error that names the first bad weight (the error path only)."""
    bad = ~(w >= 0) | ~np.isfinite(w)
    if bad.any():
        k = int(np.flatnonzero(bad)[0])
        c = int(pairs.conversion[k])
        raise ValueError(
            f"{m!r}.weights must be finite and >= 0; got {w[k]!r} for conversion row "
            f"{int(js.conversion_row[c]) + 1}"
        )
    nonempty = pairs.length > 0
    if w.size:
        sums = np.add.reduceat(w, pairs.offsets[:-1][nonempty])
        off = np.abs(sums - 1.0) > 1e-9
        if off.any():
            c = int(np.flatnonzero(nonempty)[np.flatnonzero(off)[0]])
            raise ValueError(
                f"{m!r}.weights must sum to 1 per conversion; conversion row "
                f"{int(js.conversion_row[c]) + 1} sums to {float(sums[off][0])!r}"
            )
