"""Counts and credit of a journey resample, as weighted sums of per-journey terms.

The Markov and Shapley counts are additive over journeys, and so is the credit that a
fitted model's per-touch weights give to every label. A resample of journeys drawn
with replacement is a multiplicity per journey (how often it was drawn), so its counts
and its label credit are sums of per-journey terms weighted by those multiplicities.
:func:`resample_terms` extracts the terms once; every resample then costs a few
weighted ``np.bincount`` calls over the terms (no new JourneySet, no new paths) plus
the model's ``fit_counts``. The result equals what counting and weighting the
resampled JourneySet gives (up to the order of floating-point sums).
"""

from __future__ import annotations

from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core import segments
from touchcredit.core.arrays import BoolArray, FloatArray, IntArray
from touchcredit.core.store import JourneySet
from touchcredit.models._credit import Label, Paths, ShapleyCounts, extract_paths
from touchcredit.models.base import AttributionModel
from touchcredit.models.channel_sets import distinct_members, group_sets, set_groups
from touchcredit.models.markov import MarkovModel
from touchcredit.models.markov_counts import (
    CONVERSION,
    NULL,
    START,
    MarkovCounts,
    _decode,
    path_state_ids,
)
from touchcredit.models.shapley import ShapleyModel

__all__ = ["ResampleTerms", "resample_terms", "supports_resampling"]


def supports_resampling(model: AttributionModel) -> bool:
    """Whether :func:`resample_terms` handles ``model`` (the built-in Markov and Shapley).

    Examples
    --------
    >>> from touchcredit.models import LinearModel
    >>> supports_resampling(MarkovModel()), supports_resampling(LinearModel())
    (True, False)
    """
    return type(model) in (MarkovModel, ShapleyModel)


def _weigh(index: IntArray, weights: FloatArray, n: int) -> FloatArray:
    return np.bincount(index, weights=weights, minlength=n).astype(np.float64, copy=False)


def _factorize(keys: IntArray, space: int) -> tuple[IntArray, IntArray]:
    """Sorted distinct ``keys`` (all in ``[0, space)``) and the index of every key in
    them: by counting when the key space is small, by sorting otherwise."""
    if space <= 4 * keys.size + 65_536:  # counting beats sorting
        present = np.bincount(keys, minlength=space) > 0
        lut = np.cumsum(present) - 1
        return np.flatnonzero(present).astype(np.int64), lut[keys].astype(np.int64)
    uniq, inv = np.unique(keys, return_inverse=True)
    return uniq.astype(np.int64), inv.reshape(-1).astype(np.int64)


@attrs.frozen(eq=False)
class _Transitions:
    """Markov transitions over the full state table, split by journey."""

    order: int
    collapse: bool
    states: IntArray  # (S, order) channel indices, -1 padding, sorted
    source: IntArray  # (K,) state index or START/CONVERSION/NULL
    target: IntArray
    journey: IntArray  # one term per distinct (journey, transition)
    key: IntArray
    count: FloatArray
    conv_state: IntArray  # last state of every converting path (for state_value)


@attrs.frozen(eq=False)
class ResampleTerms:
    """Per-journey terms of a data-driven model's counts and label credit.

    Built by :func:`resample_terms`. Channel indices refer to ``channels`` (every
    channel on a path of the full journeys); labels are the codes given to
    :func:`resample_terms`.
    """

    model: AttributionModel
    n_journeys: int
    width: int
    what: Literal["value", "conversions"]
    channels: tuple[Label, ...]
    set_offsets: IntArray  # the distinct channel sets of the paths, CSR (any order)
    set_codes: IntArray
    conv_journey: IntArray  # converting paths: journey, set, conversion value
    conv_set: IntArray
    conv_value: FloatArray
    null_journey: IntArray  # paths without a conversion: journey, set
    null_set: IntArray
    transitions: _Transitions | None
    # credit terms: one per distinct (set, channel, label), fed by per-conversion entries
    entry_journey: IntArray
    entry_amount: FloatArray
    entry_key: IntArray
    key_set: IntArray
    key_channel: IntArray
    key_label: IntArray

    def counts(self, multiplicity: npt.NDArray[Any]) -> MarkovCounts | ShapleyCounts:
        """The model's counts of the resample that holds journey ``j`` ``multiplicity[j]``
        times (what ``model.count(journeys.select(drawn))`` gives)."""
        m = np.asarray(multiplicity, dtype=np.float64)
        n_sets = self.set_offsets.size - 1
        conv_m = m[self.conv_journey]
        conv = _weigh(self.conv_set, conv_m, n_sets)
        value = _weigh(self.conv_set, conv_m * self.conv_value, n_sets)
        nulls = _weigh(self.null_set, m[self.null_journey], n_sets)
        rows = (conv + nulls) > 0
        t = self.transitions
        if t is None:
            used = np.zeros(len(self.channels), dtype=bool)
            used[self.set_codes[rows[self._set_owner]]] = True
            return self._sets(used, rows, conv, value, nulls)
        tw = _weigh(t.key, m[t.journey] * t.count, t.source.size)
        keep = tw > 0
        src, dst = t.source[keep], t.target[keep]
        live = np.zeros(t.states.shape[0], dtype=bool)
        live[src[src >= 0]] = True
        live[dst[dst >= 0]] = True
        cols = t.states[live]
        used = np.zeros(len(self.channels), dtype=bool)
        used[cols[cols >= 0]] = True
        # dropping unused channels and states keeps every table in its sorted order
        ch_map = np.cumsum(used) - 1
        st_map = np.cumsum(live) - 1
        return MarkovCounts(
            order=t.order,
            collapse=t.collapse,
            channels=tuple(c for c, u in zip(self.channels, used, strict=True) if u),
            states=np.where(cols >= 0, ch_map[np.maximum(cols, 0)], -1).astype(np.int64),
            source=np.where(src >= 0, st_map[np.maximum(src, 0)], src).astype(np.int64),
            target=np.where(dst >= 0, st_map[np.maximum(dst, 0)], dst).astype(np.int64),
            count=tw[keep],
            sets=self._sets(used, rows, conv, value, nulls),
            state_value=_weigh(t.conv_state, conv_m * self.conv_value, t.states.shape[0])[live],
        )

    def fit(self, multiplicity: npt.NDArray[Any]) -> MarkovModel | ShapleyModel:
        """A fresh clone of the model fitted on the resample's :meth:`counts`."""
        counts = self.counts(multiplicity)
        model = self.model.clone()
        if isinstance(model, MarkovModel) and isinstance(counts, MarkovCounts):
            return model.fit_counts(counts)
        if isinstance(model, ShapleyModel) and isinstance(counts, ShapleyCounts):
            return model.fit_counts(counts)
        raise TypeError(f"cannot fit {model!r} on {type(counts).__name__}")  # pragma: no cover

    @property
    def _set_owner(self) -> IntArray:
        """The set of every entry of ``set_codes``."""
        return segments.segment_ids(self.set_offsets)

    def _sets(
        self,
        used: BoolArray,
        rows: BoolArray,
        conv: FloatArray,
        value: FloatArray,
        nulls: FloatArray,
    ) -> ShapleyCounts:
        """The table of the sets in ``rows`` over the channels in ``used``, in the
        canonical order of :func:`~touchcredit.models.channel_sets.group_sets`."""
        keep = rows[self._set_owner]
        ch_map = (np.cumsum(used) - 1).astype(np.int32)
        codes = ch_map[self.set_codes[keep]]
        offsets = np.zeros(int(rows.sum()) + 1, dtype=np.int64)
        np.cumsum(np.diff(self.set_offsets)[rows], out=offsets[1:])
        codes, offsets, (c, v, u) = group_sets(
            codes, offsets, int(used.sum()), conv[rows], value[rows], nulls[rows]
        )
        return ShapleyCounts(
            channels=tuple(c for c, u in zip(self.channels, used, strict=True) if u),
            offsets=offsets,
            codes=codes,
            conversions=c,
            value=v,
            nulls=u,
        )

    def credit(self, fitted: AttributionModel, multiplicity: npt.NDArray[Any]) -> FloatArray:
        """Credit of every label (length ``width``) in the resample, as
        :func:`touchcredit.attribute` credits the resampled journeys: a conversion shares
        its amount over the distinct channels on its path in proportion to the fitted
        scales of the measure (``credit_scale_`` for value, ``conversion_scale_`` for
        conversions; equally when they all have scale 0), each channel's share equally
        over its touches, times the channel's factor (Markov's ``credit_factor_`` or
        ``conversion_factor_``, learned on the resample)."""
        if not isinstance(fitted, MarkovModel | ShapleyModel):
            raise TypeError(f"credit needs a fitted MarkovModel or ShapleyModel, not {fitted!r}")
        pos = {c: i for i, c in enumerate(fitted.channels_)}
        value = self.what == "value"
        fitted_scale = fitted.credit_scale_ if value else fitted.conversion_scale_
        scale = np.array(
            [fitted_scale[pos[c]] if c in pos else 0.0 for c in self.channels], dtype=np.float64
        )
        factor = np.ones(len(self.channels))
        if isinstance(fitted, MarkovModel):
            f = fitted.credit_factor_ if value else fitted.conversion_factor_
            factor = np.array([f[pos[c]] if c in pos else 1.0 for c in self.channels])
        n_sets = self.set_offsets.size - 1
        denom = _weigh(self._set_owner, scale[self.set_codes], n_sets)
        size = np.diff(self.set_offsets)
        d = denom[self.key_set]
        share = np.where(
            d > 0, scale[self.key_channel] / np.where(d > 0, d, 1.0), 1.0 / size[self.key_set]
        )
        m = np.asarray(multiplicity, dtype=np.float64)
        per_key = _weigh(self.entry_key, m[self.entry_journey] * self.entry_amount, share.size)
        return _weigh(self.key_label, per_key * share * factor[self.key_channel], self.width)


def _channel_sets(paths: Paths) -> tuple[IntArray, IntArray, IntArray]:
    """The distinct channel sets of the paths (CSR ``offsets``, ``codes``; members
    sorted, sets in no particular order) and the set of every path."""
    n = len(paths.channels)
    codes, offsets = distinct_members(paths.codes, paths.offsets, n)
    set_codes, set_off, group = set_groups(codes, offsets, n)
    return set_off, set_codes.astype(np.int64), group


def _transitions(paths: Paths, order: int, collapse: bool) -> _Transitions:
    """Every path's transitions (as :func:`~touchcredit.models.markov` counts them), as
    distinct (journey, transition) terms over the full state table."""
    n = len(paths.channels)
    ids, w_off = path_state_ids(paths.codes, paths.offsets, order, n, collapse)
    uniq, state = _factorize(ids.astype(np.int64), (n + 1) ** order if ids.size else 1)
    step_path = segments.segment_ids(w_off)
    first = np.zeros(state.size, dtype=bool)
    first[w_off[:-1][np.diff(w_off) > 0]] = True
    prev = np.empty_like(state)
    prev[1:] = state[:-1]
    prev[first] = START
    last = state[w_off[1:] - 1]  # every path has a step
    ends = np.where(paths.converted, CONVERSION, NULL)
    span = uniq.size + 3
    tkeys, key = _factorize(
        np.concatenate([(prev + 3) * span + state + 3, (last + 3) * span + ends + 3]), span * span
    )
    journey = np.concatenate([paths.journey[step_path], paths.journey])
    n_keys = tkeys.size
    n_j = int(journey.max()) + 1 if journey.size else 1
    terms, inv = _factorize(journey * n_keys + key, n_j * n_keys)
    return _Transitions(
        order=order,
        collapse=collapse,
        states=_decode(uniq, order, n),
        source=tkeys // span - 3,
        target=tkeys % span - 3,
        journey=terms // n_keys,
        key=terms % n_keys,
        count=np.bincount(inv, minlength=terms.size).astype(np.float64),
        conv_state=last[paths.converted].astype(np.int64),
    )


def resample_terms(
    model: AttributionModel,
    journeys: JourneySet,
    labels: npt.NDArray[np.integer[Any]],
    width: int,
    amount: FloatArray,
    *,
    what: Literal["value", "conversions"] = "value",
) -> ResampleTerms:
    """Per-journey terms of ``model``'s counts and of its credit to ``labels``.

    Parameters
    ----------
    model : MarkovModel or ShapleyModel
        The model (its parameters and filters; it need not be fitted).
    journeys : JourneySet
    labels : int ndarray
        Label code of every touch, in ``[0, width)``.
    width : int
        Number of labels.
    amount : float64 ndarray
        Amount of every conversion to share (its value, or 1 to count conversions).
    what : {"value", "conversions"}
        Which of the model's per-touch splits (and channel factors) to credit with.

    Returns
    -------
    ResampleTerms

    Raises
    ------
    TypeError
        For a model :func:`supports_resampling` rejects.

    Examples
    --------
    >>> js = JourneySet.from_arrays(journey_id=[1, 1, 2], timestamp=[0, 1, 0],
    ...     channel=["a", "b", "b"], conversion_journey_id=[1], conversion_time=[1], unit="s")
    >>> m = MarkovModel()
    >>> terms = resample_terms(m, js, js.channel.codes, 2, np.ones(1))
    >>> twice = np.array([2, 0])  # journey 1 drawn twice, journey 2 not at all
    >>> c = terms.counts(twice)
    >>> c.count.tolist() == m.count(js.select([0, 0])).count.tolist()
    True
    >>> terms.credit(m.clone().fit_counts(c), twice).tolist()
    [1.0, 1.0]
    """
    if not supports_resampling(model):
        raise TypeError(f"resample_terms supports MarkovModel and ShapleyModel, not {model!r}")
    paths = extract_paths(model, journeys)
    set_offsets, set_codes, path_set = _channel_sets(paths)
    trans = None
    if isinstance(model, MarkovModel):
        trans = _transitions(paths, model.order, model.collapse)
    entries = _credit_entries(model, journeys, paths, path_set, labels, width, amount)
    return ResampleTerms(
        model=model,
        n_journeys=journeys.n_journeys,
        width=width,
        what=what,
        channels=paths.channels,
        set_offsets=set_offsets,
        set_codes=set_codes,
        conv_journey=paths.journey[paths.converted],
        conv_set=path_set[paths.converted],
        conv_value=paths.value[paths.converted],
        null_journey=paths.journey[~paths.converted],
        null_set=path_set[~paths.converted],
        transitions=trans,
        **entries,
    )


def _credit_entries(
    model: AttributionModel,
    js: JourneySet,
    paths: Paths,
    path_set: IntArray,
    labels: npt.NDArray[np.integer[Any]],
    width: int,
    amount: FloatArray,
) -> dict[str, Any]:
    """One entry per distinct (conversion, channel, label) of the eligible pairs: the
    conversion's amount times the share of the channel's touches with that label."""
    p = model.pairs(js)  # the eligible pairs
    touch, conv = p.touch, p.conversion
    n_cat = len(js.channel.categories)
    all_labels: list[Label] = [*js.channel.categories, None]
    pos = {c: i for i, c in enumerate(paths.channels)}
    lut = np.array([pos.get(c, -1) for c in all_labels], dtype=np.int64)
    ch = lut[js.channel.codes[touch].astype(np.int64) % (n_cat + 1)]
    n = max(len(paths.channels), 1)
    conv_channel = conv * n + ch
    cc, cc_inv = _factorize(conv_channel, js.n_conversions * n)
    frac = 1.0 / np.bincount(cc_inv, minlength=cc.size)[cc_inv]
    key, kinv = _factorize(conv_channel * width + labels[touch], js.n_conversions * n * width)
    frac = _weigh(kinv, frac, key.size)
    e_conv = key // (n * width)
    e_channel = (key // width) % n
    e_label = key % width
    # converting paths come first in `paths`, one per conversion with an eligible touch
    converting = np.flatnonzero(np.bincount(conv, minlength=js.n_conversions) > 0)
    conv_set = np.full(js.n_conversions, -1, dtype=np.int64)
    conv_set[converting] = path_set[: converting.size]
    n_sets = int(path_set.max()) + 1 if path_set.size else 1
    skey, sinv = _factorize(
        (conv_set[e_conv] * n + e_channel) * width + e_label, n_sets * n * width
    )
    return {
        "entry_journey": js.conversion_journey[e_conv].astype(np.int64),
        "entry_amount": amount[e_conv] * frac,
        "entry_key": sinv,
        "key_set": skey // (n * width),
        "key_channel": (skey // width) % n,
        "key_label": skey % width,
    }
