"""How sure is the credit? Bootstrap intervals by resampling journeys.

Each resample draws as many journeys as there are, with replacement (seeded), refits a
data-driven model on it and recomputes every label's credit; the spread of those
credits gives percentile intervals. For the Markov and Shapley models, whose counts are
additive over journeys, a resample is a multiplicity per journey and its counts and
credit are weighted sums of per-journey terms extracted once
(:mod:`touchcredit.models.resample`); other models get a resampled JourneySet each.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Literal

import attrs
import numpy as np

from touchcredit.attribution.results import attribute
from touchcredit.core.arrays import FloatArray, IntArray
from touchcredit.core.dimension import DIMENSIONS, GROUP_LABELS
from touchcredit.core.display import html_table
from touchcredit.core.progress import progress_bar
from touchcredit.core.store import JourneySet
from touchcredit.models.base import AttributionModel, get
from touchcredit.models.resample import resample_terms, supports_resampling

__all__ = ["Bootstrap", "bootstrap"]


@attrs.frozen(eq=False)
class Bootstrap:
    """Bootstrap credit intervals per label (result of :func:`bootstrap`).

    Attributes
    ----------
    dimension : str
        The label column (``"channel"``, ``"source"``, ...).
    what : str
        ``"value"`` or ``"conversions"``.
    labels : tuple of str or None
        The labels (None = not recorded), in category order.
    estimate : float64 ndarray
        Credit of every label on the journeys given (the point estimate).
    lower, upper : float64 ndarray
        Percentile interval bounds at level ``ci``.
    std : float64 ndarray
        Standard deviation over the resamples.
    samples : float64 ndarray, shape (n, k)
        Credit of every label in every resample.
    ci : float
        The interval level.
    seed : int
        The seed of the resampling.
    """

    dimension: str
    what: str
    labels: tuple[str | None, ...]
    estimate: FloatArray
    lower: FloatArray
    upper: FloatArray
    std: FloatArray
    samples: FloatArray
    ci: float
    seed: int

    @property
    def n(self) -> int:
        """Number of resamples."""
        return int(self.samples.shape[0])

    def to_dict(self) -> dict[str | None, dict[str, float]]:
        """``{label: {"estimate", "lower", "upper", "std"}}``.

        Examples
        --------
        >>> js = JourneySet.from_arrays(journey_id=[1, 2], timestamp=[0, 0],
        ...     channel=["a", "b"], conversion_journey_id=[1, 2], conversion_time=[0, 0], unit="s")
        >>> bootstrap(js, "markov", n=20, seed=1).to_dict()["a"]["estimate"]
        1.0
        """
        return {
            label: {
                "estimate": float(self.estimate[k]),
                "lower": float(self.lower[k]),
                "upper": float(self.upper[k]),
                "std": float(self.std[k]),
            }
            for k, label in enumerate(self.labels)
        }

    def __repr__(self) -> str:
        pct = f"{self.ci:.0%}"
        rows = ", ".join(
            f"{lab}: {e:.4g} [{lo:.4g}, {hi:.4g}]"
            for lab, e, lo, hi in zip(
                self.labels, self.estimate, self.lower, self.upper, strict=True
            )
        )
        return f"Bootstrap({self.n} resamples, {pct} intervals by {self.dimension}: {rows})"

    def _repr_html_(self) -> str:
        """Notebook view: estimate and interval of every label (labels escaped)."""
        rows = [
            (lab, f"{e:,.2f}", f"{lo:,.2f}", f"{hi:,.2f}", f"{sd:,.2f}")
            for lab, e, lo, hi, sd in zip(
                self.labels, self.estimate, self.lower, self.upper, self.std, strict=True
            )
        ]
        return html_table(
            (self.dimension, f"{self.what}", "lower", "upper", "std"),
            rows,
            caption=f"Bootstrap: {self.n:,} resamples, {self.ci:.0%} intervals (seed {self.seed})",
            numeric=(False, True, True, True, True),
        )


def _credit_by(
    js: JourneySet, model: AttributionModel, codes_width: int, dimension: str, what: str
) -> FloatArray:
    """Credit per label code (the last slot is 'not recorded') for one JourneySet, as
    :func:`~touchcredit.attribute` gives it: the conversion weights for conversions, the
    value weights for value, each with the model's channel factors."""
    res = attribute(js, model, fit=False)
    per_pair = res.pair_credit if what == "value" else res.pair_conversions
    codes = js.dimension(dimension).codes[res.pairs.touch].astype(np.int64) % codes_width
    return np.bincount(codes, weights=per_pair, minlength=codes_width).astype(np.float64)


def _fitted(proto: AttributionModel, js: JourneySet) -> AttributionModel:
    return proto.clone().fit(js) if proto.learns_from_data else proto


def _draws(n: int, seed: int, n_journeys: int) -> Iterator[IntArray]:
    """The journey indices of every resample (the one seeded stream both paths use)."""
    rng = np.random.default_rng(seed)
    for _ in range(n):
        yield rng.integers(0, n_journeys, n_journeys) if n_journeys else np.zeros(0, np.int64)


def _resample_journeys(
    journeys: JourneySet,
    proto: AttributionModel,
    n: int,
    seed: int,
    width: int,
    by: str,
    what: str,
    tick: Callable[[], object] = lambda: None,
) -> FloatArray:
    """Credit per label of every resample, building each resampled JourneySet (any model)."""
    samples = np.empty((n, width), dtype=np.float64)
    for r, drawn in enumerate(_draws(n, seed, journeys.n_journeys)):
        sub = journeys.select(drawn)
        samples[r] = _credit_by(sub, _fitted(proto, sub), width, by, what)
        tick()
    return samples


def _resample_counts(
    journeys: JourneySet,
    proto: AttributionModel,
    n: int,
    seed: int,
    width: int,
    by: str,
    what: str,
    tick: Callable[[], object] = lambda: None,
) -> FloatArray:
    """The same samples as :func:`_resample_journeys` for models with additive counts:
    each resample is a multiplicity per journey, and its counts and label credit are
    sums of per-journey terms extracted once (:mod:`touchcredit.models.resample`)."""
    labels = journeys.dimension(by).codes.astype(np.int64) % width
    amount = journeys.conversion_value if what == "value" else np.ones(journeys.n_conversions)
    measure: Literal["value", "conversions"] = "value" if what == "value" else "conversions"
    terms = resample_terms(proto, journeys, labels, width, amount, what=measure)
    samples = np.empty((n, width), dtype=np.float64)
    n_j = journeys.n_journeys
    for r, drawn in enumerate(_draws(n, seed, n_j)):
        multiplicity = np.bincount(drawn, minlength=n_j)
        samples[r] = terms.credit(terms.fit(multiplicity), multiplicity)
        tick()
    return samples


def bootstrap(
    journeys: JourneySet,
    model: AttributionModel | str,
    n: int = 200,
    seed: int = 0,
    by: str = "channel",
    ci: float = 0.95,
    *,
    what: Literal["value", "conversions"] = "value",
    progress: bool | None = None,
) -> Bootstrap:
    """Credit intervals per label by resampling journeys with replacement.

    Every resample draws ``journeys.n_journeys`` journey indices at random (seeded,
    repeated journeys count repeatedly), fits a data-driven model anew on it (a fresh
    clone, the given model is left alone) and credits the labels of ``by``. Markov and
    Shapley resamples are computed from per-journey count terms, without building the
    resampled journeys (the same numbers up to the order of floating-point sums). The
    point estimate is the credit on ``journeys`` itself; the interval
    is the ``(1 - ci) / 2`` and ``(1 + ci) / 2`` percentiles of the resamples.

    Parameters
    ----------
    journeys : JourneySet
    model : AttributionModel or str
        A model or a registry name. Works for every model.
    n : int
        Number of resamples.
    seed : int
        Seed of the resampling (same input, same output).
    by : str
        Label column: "channel", "source", "campaign" or "method".
    ci : float
        Interval level in (0, 1).
    what : {"value", "conversions"}
        Credit in conversion value or in conversion counts.
    progress : bool, optional
        A bar over the resamples when the run is long (see
        :func:`touchcredit.core.progress.progress_bar`).

    Returns
    -------
    Bootstrap

    Raises
    ------
    ValueError
        On a bad ``n``, ``ci``, ``by`` or ``what``.

    Examples
    --------
    >>> js = JourneySet.from_arrays(
    ...     journey_id=[1, 1, 2, 3], timestamp=[0, 1, 0, 0], channel=["a", "b", "b", "a"],
    ...     conversion_journey_id=[1, 2], conversion_time=[1, 0], unit="s")
    >>> b = bootstrap(js, "shapley", n=50, seed=7)
    >>> b.labels, b.estimate.tolist()
    (('a', 'b'), [0.5, 1.5])
    >>> bool((b.lower <= b.upper).all())
    True
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 2:
        raise ValueError(f"'n' must be an integer >= 2, got {n!r}")
    if not 0.0 < ci < 1.0:
        raise ValueError(f"'ci' must be in (0, 1), got {ci!r}")
    known = dict.fromkeys((*DIMENSIONS, *GROUP_LABELS, *journeys.touch_labels))
    if by not in known:
        raise ValueError(f"'by' must be one of {', '.join(known)}; got {by!r}")
    if what not in ("value", "conversions"):
        raise ValueError(f"'what' must be 'value' or 'conversions', got {what!r}")
    proto: AttributionModel = get(model) if isinstance(model, str) else model
    categories = journeys.dimension(by).categories
    width = len(categories) + 1

    estimate = _credit_by(journeys, _fitted(proto, journeys), width, by, what)
    resample = _resample_counts if supports_resampling(proto) else _resample_journeys
    with progress_bar(n, "bootstrap", progress=progress, unit="resample") as bar:
        samples = resample(journeys, proto, n, seed, width, by, what, bar.update)
    # keep the 'not recorded' slot only when some touch lacks the label
    has_missing = bool((journeys.dimension(by).codes < 0).any())
    cols = width if has_missing else width - 1
    labels: tuple[Any, ...] = (*categories, None)[:cols]
    samples = samples[:, :cols]
    alpha = (1.0 - ci) / 2.0
    lower, upper = np.quantile(samples, [alpha, 1.0 - alpha], axis=0)
    return Bootstrap(
        dimension=by,
        what=what,
        labels=labels,
        estimate=estimate[:cols],
        lower=np.asarray(lower, dtype=np.float64),
        upper=np.asarray(upper, dtype=np.float64),
        std=samples.std(axis=0, ddof=1),
        samples=samples,
        ci=float(ci),
        seed=seed,
    )
