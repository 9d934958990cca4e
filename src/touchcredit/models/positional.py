"""Positional models: one vectorized kernel for first/last/linear/U/J/W/Z shapes.

A positional model gives fixed shares to *anchor* touches -- the first touch, the
last touch and *milestone touches* (the last touch at or before a milestone time such
as ``lead_created_at``) -- and spreads the remaining *middle* share equally over the
other touches. Rules (DESIGN.md section 2):

- anchors that fall on the same touch add their shares;
- a missing milestone (NaT, or no eligible touch at or before it) gives its share
  equally to the remaining anchors with a positive share;
- when no other touch is left, the middle share is spread equally over the anchor
  touches (``empty_middle="equal"``) or the anchor shares are renormalised to sum to 1
  (``empty_middle="proportional"``, used by the asymmetric J shapes: a two-touch
  J-shaped journey gets 0.25/0.75).

Every model here is a parametrization of :class:`PositionalModel`; all share
:func:`positional_weights`, which costs one pass over the pairs plus a few passes over
the conversions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from touchcredit.core.arrays import FloatArray, IntArray
from touchcredit.core.domain import MILESTONES
from touchcredit.core.store import JourneySet
from touchcredit.models.base import AttributionModel, register
from touchcredit.models.eligibility import EligiblePairs
from touchcredit.models.endpoints import endpoint_weights
from touchcredit.models.parameters import choice, labels, share, shares

__all__ = [
    "MILESTONES",
    "FirstTouchModel",
    "FullPathModel",
    "InverseJShapedModel",
    "JShapedModel",
    "LastNonDirectModel",
    "LastTouchModel",
    "LinearModel",
    "PositionalModel",
    "UShapedModel",
    "WShapedModel",
    "positional_weights",
]


_NAT = np.iinfo(np.int64).min


def positional_weights(
    offsets: IntArray,
    starts: IntArray,
    times: IntArray,
    first: float,
    last: float,
    milestones: list[tuple[float, IntArray]],
    empty_middle: str = "equal",
) -> FloatArray:
    """Positional weights of pairs laid out in CSR segments (one per conversion).

    Parameters
    ----------
    offsets : int64 ndarray, length C + 1
        Pair offsets: conversion ``c`` owns pairs ``offsets[c]:offsets[c + 1]``.
    starts : int64 ndarray, length C
        Index into ``times`` of each conversion's first pair's time (the times of one
        conversion's pairs are ``times[starts[c]:starts[c] + length[c]]``, sorted).
    times : int64 ndarray
        Times (any monotone integer unit) the ``starts`` index into.
    first, last : float
        Shares of the first and last touch.
    milestones : list of (share, int64 ndarray of length C)
        Share and time of every milestone per conversion (``int64`` minimum = NaT).
    empty_middle : {"equal", "proportional"}
        What happens to the middle share when every touch is an anchor.

    Returns
    -------
    float64 ndarray
        One weight per pair, summing to 1 over every non-empty conversion.

    Examples
    --------
    >>> off = np.array([0, 1, 3, 7])
    >>> t = np.arange(7)
    >>> positional_weights(off, off[:-1], t, 0.4, 0.4, []).round(3).tolist()
    [1.0, 0.5, 0.5, 0.4, 0.1, 0.1, 0.4]
    """
    n = np.diff(offsets)
    n_conv = int(n.size)
    nonempty = n > 0
    middle = 1.0 - first - last - sum(s for s, _ in milestones)
    # Anchor roles: (share, pair index per conversion, present per conversion).
    pair_start = offsets[:-1]
    roles: list[tuple[float, IntArray, npt.NDArray[np.bool_]]] = []
    if first > 0:
        roles.append((first, pair_start, nonempty))
    if last > 0:
        roles.append((last, offsets[1:] - 1, nonempty))
    for mark_share, when in milestones:
        if mark_share <= 0:
            continue
        at, present = _milestone_pairs(times, starts, n, when)
        roles.append((mark_share, pair_start + np.maximum(at, 0), present))

    missing = np.zeros(n_conv, dtype=np.float64)
    receivers = np.zeros(n_conv, dtype=np.int64)
    for role_share, _, present in roles:
        missing += np.where(present, 0.0, role_share)
        receivers += present
    mid = np.full(n_conv, middle, dtype=np.float64)
    none_left = receivers == 0
    mid[none_left] += missing[none_left]  # no anchor left: the middle takes it
    extra = np.divide(missing, receivers, out=np.zeros(n_conv), where=receivers > 0)

    # Anchor roles landing on the same touch add up: per role, the summed share of every
    # role on its touch (roles are few, so R x R conversion-sized comparisons).
    n_roles = len(roles)
    eff = [np.where(pr, role_share + extra, 0.0) for role_share, _, pr in roles]
    same = [
        [(roles[r][1] == roles[q][1]) & roles[q][2] for q in range(n_roles)] for r in range(n_roles)
    ]
    distinct = np.zeros(n_conv, dtype=np.int64)
    for r in range(n_roles):
        new_touch = roles[r][2].copy()
        for q in range(r):
            new_touch &= ~same[r][q]
        distinct += new_touch
    others = n - distinct
    each = np.divide(mid, others, out=np.zeros(n_conv), where=others > 0)
    w = np.repeat(each, n)
    if not roles:
        return w
    empty = (others == 0) & nonempty
    if empty_middle == "proportional":
        # over the anchors' own shares (not 1 - mid, which rounds to 0 beside a subnormal
        # share), so the path's weights add up to 1
        placed = sum(eff, start=np.zeros(n_conv))
        divisor: FloatArray | None = np.where(empty & (placed > 0), placed, 1.0)
        add = np.zeros(n_conv)
    else:
        divisor = None
        add = np.divide(mid, distinct, out=np.zeros(n_conv), where=empty & (distinct > 0))
    for r in range(n_roles):
        total = eff[r] + sum(
            (np.where(same[r][q], eff[q], 0.0) for q in range(n_roles) if q != r),
            start=np.zeros(n_conv),
        )
        if divisor is not None:
            total /= divisor
        total += add
        present = roles[r][2]
        if present.all():
            w[roles[r][1]] = total
        else:
            w[roles[r][1][present]] = total[present]
    return w


def _milestone_pairs(
    times: IntArray, starts: IntArray, n: IntArray, when: IntArray
) -> tuple[IntArray, npt.NDArray[np.bool_]]:
    """Per conversion, the position of the milestone touch (the last pair at or before
    the milestone time) and whether there is one. Searched only for the conversions
    that have pairs and the milestone."""
    has = (n > 0) & (when != _NAT)
    if has.all():
        at = _count_at_or_before(times, starts, n, when) - 1  # -1 when none
    else:
        at = np.full(n.size, -1, dtype=np.int64)
        if has.any():
            at[has] = _count_at_or_before(times, starts[has], n[has], when[has]) - 1
    return at, has & (at >= 0)


def _count_at_or_before(times: IntArray, starts: IntArray, n: IntArray, when: IntArray) -> IntArray:
    """How many of ``times[starts[c]:starts[c] + n[c]]`` (sorted) are <= ``when[c]``.

    A bisection of all runs at once with a fixed number of steps (log2 of the longest
    run), without compacting the active runs: cheaper than gathering indices when the
    runs are short, as journeys are.
    """
    lo = starts.copy()
    hi = starts + n
    longest = int(n.max()) if n.size else 0
    last = max(int(times.size) - 1, 0)
    # preallocated buffers: fresh conversion-sized arrays would page-fault every step
    mid = np.empty_like(lo)
    probe = np.empty(lo.size, dtype=times.dtype)
    go = np.empty(lo.size, dtype=bool)
    active = np.empty(lo.size, dtype=bool)
    for _ in range(longest.bit_length()):
        np.add(lo, hi, out=mid)
        mid >>= 1
        np.less(lo, hi, out=active)
        np.minimum(mid, last, out=mid)
        np.take(times, mid, out=probe)
        np.less_equal(probe, when, out=go)
        go &= active
        np.logical_xor(active, go, out=active)  # active and not go
        mid += 1
        np.copyto(lo, mid, where=go)
        mid -= 1
        np.copyto(hi, mid, where=active)
    return lo - starts


def _positional_shares(model: PositionalModel) -> None:
    """The shares of ``model`` add up to at most 1 (checked after the fields)."""
    total = model.first + model.last + sum((model.milestones or {}).values())
    if total > 1.0 + 1e-12:
        raise ValueError(f"shares must add to at most 1, got {total!r}")


def _milestone_shares(value: Mapping[str, float] | None) -> dict[str, float] | None:
    return None if value is None else shares(value, field="milestones", keys=MILESTONES)


def _first(value: Any) -> float:
    return share(value, field="first")


def _last(value: Any) -> float:
    return share(value, field="last")


def _empty_middle(value: Any) -> str:
    return choice(value, field="empty_middle", options=("equal", "proportional"))


def _exclude_channels(value: Any) -> tuple[str, ...]:
    return labels(value, field="exclude_channels")


@attrs.define(frozen=True, kw_only=True, slots=False, repr=False)
class PositionalModel(AttributionModel):
    """Fixed shares for the first, last and milestone touches; the rest shared equally.

    Build your own U/J/W/Z-like model without writing numpy.

    Parameters
    ----------
    first, last : float
        Shares of the first and the last eligible touch.
    milestones : mapping of str to float, optional
        Share of the milestone touch of each milestone column
        (``"lead_created_at"``, ``"opportunity_created_at"``, ``"closed_at"``): the
        last eligible touch at or before that time.
    empty_middle : {"equal", "proportional"}
        When every touch is an anchor, spread the middle share equally over the
        anchor touches, or renormalise the anchor shares.
    lookback, exclude_channels, exclude_sources
        As for :class:`~touchcredit.models.AttributionModel`.

    Raises
    ------
    ValueError
        When a share is outside [0, 1], the shares add to more than 1, or a milestone
        name is unknown.

    Examples
    --------
    >>> js = JourneySet.from_arrays(
    ...     journey_id=[1, 1, 1, 1], timestamp=[1, 2, 3, 4], channel=["a", "b", "c", "d"],
    ...     conversion_journey_id=[1], conversion_time=[10], lead_created_at=[2], unit="s")
    >>> model = PositionalModel(first=0.5, last=0.2, milestones={"lead_created_at": 0.2})
    >>> model.weights(js).round(3).tolist()
    [0.5, 0.2, 0.1, 0.2]
    """

    first: float = attrs.field(default=0.0, converter=_first)
    last: float = attrs.field(default=0.0, converter=_last)
    milestones: dict[str, float] | None = attrs.field(
        default=None, converter=_milestone_shares, hash=False
    )
    empty_middle: str = attrs.field(
        default="equal",
        converter=_empty_middle,
    )

    def __attrs_post_init__(self) -> None:
        _positional_shares(self)

    def weights(self, journeys: JourneySet) -> FloatArray:
        """Weight of every pair of ``self.pairs(journeys)`` (see the module rules)."""
        first, last, empty_middle = self.first, self.last, self.empty_middle
        marks = dict(self.milestones or {})
        p = self.pairs(journeys)
        if not any(v > 0 for v in marks.values()):  # the common shapes: fewer passes
            return endpoint_weights(p.offsets, first, last, empty_middle)
        conv_ms = [(v, getattr(journeys, key).view(np.int64)) for key, v in marks.items()]
        if not isinstance(p, EligiblePairs):
            # contiguous runs: the kernel reads the touch times in place
            return positional_weights(
                p.offsets, p.start, journeys.timestamp_us, first, last, conv_ms, empty_middle
            )
        times = journeys.timestamp_us[p.touch] if conv_ms else np.zeros(0, np.int64)
        return positional_weights(
            p.offsets, p.offsets[:-1], times, first, last, conv_ms, empty_middle
        )


@register(name="first_touch")
@attrs.define(frozen=True, kw_only=True, slots=False, repr=False)
class FirstTouchModel(PositionalModel):
    """All credit to the first eligible touch.

    Examples
    --------
    >>> FirstTouchModel()
    FirstTouchModel()
    """

    first: float = attrs.field(default=1.0, init=False)
    last: float = attrs.field(default=0.0, init=False)
    milestones: dict[str, float] | None = attrs.field(default=None, init=False)
    empty_middle: str = attrs.field(default="equal", init=False)


@register(name="last_touch")
@attrs.define(frozen=True, kw_only=True, slots=False, repr=False)
class LastTouchModel(PositionalModel):
    """All credit to the last eligible touch (the one at or just before the conversion).

    Examples
    --------
    >>> LastTouchModel(exclude_channels=["direct"]).exclude_channels
    ('direct',)
    """

    first: float = attrs.field(default=0.0, init=False)
    last: float = attrs.field(default=1.0, init=False)
    milestones: dict[str, float] | None = attrs.field(default=None, init=False)
    empty_middle: str = attrs.field(default="equal", init=False)


@register(name="last_non_direct")
@attrs.define(frozen=True, kw_only=True, slots=False, repr=False)
class LastNonDirectModel(LastTouchModel):
    """Last touch, ignoring ``direct`` touches (falls back to the last touch when all are).

    Just :class:`LastTouchModel` with ``exclude_channels=("direct",)`` by default.

    Examples
    --------
    >>> LastNonDirectModel()
    LastNonDirectModel()
    >>> LastNonDirectModel().exclude_channels
    ('direct',)
    """

    exclude_channels: tuple[str, ...] = attrs.field(
        default=("direct",), converter=_exclude_channels
    )


@register(name="linear")
@attrs.define(frozen=True, kw_only=True, slots=False, repr=False)
class LinearModel(PositionalModel):
    """Equal credit to every eligible touch.

    Examples
    --------
    >>> LinearModel()
    LinearModel()
    """

    first: float = attrs.field(default=0.0, init=False)
    last: float = attrs.field(default=0.0, init=False)
    milestones: dict[str, float] | None = attrs.field(default=None, init=False)
    empty_middle: str = attrs.field(default="equal", init=False)


@register(name="position")
@attrs.define(frozen=True, kw_only=True, slots=False, repr=False)
class UShapedModel(PositionalModel):
    """Position-based (U-shaped): ``first`` and ``last`` (0.4 each), the middle shared.

    A two-touch journey gets 0.5/0.5 (the middle share is spread over both).

    Examples
    --------
    >>> UShapedModel(first=0.3, last=0.3)
    UShapedModel(first=0.3, last=0.3)
    """

    first: float = attrs.field(default=0.4, converter=_first)
    last: float = attrs.field(default=0.4, converter=_last)
    milestones: dict[str, float] | None = attrs.field(default=None, init=False)
    empty_middle: str = attrs.field(default="equal", init=False)


@register(name="j_shaped")
@attrs.define(frozen=True, kw_only=True, slots=False, repr=False)
class JShapedModel(PositionalModel):
    """J-shaped: 0.2 to the first touch, 0.6 to the last, 0.2 shared by the middle.

    With only two touches the first/last shares are renormalised (0.25/0.75).

    Examples
    --------
    >>> JShapedModel().first, JShapedModel().last
    (0.2, 0.6)
    """

    first: float = attrs.field(default=0.2, init=False)
    last: float = attrs.field(default=0.6, init=False)
    milestones: dict[str, float] | None = attrs.field(default=None, init=False)
    empty_middle: str = attrs.field(default="proportional", init=False)


@register(name="inverse_j")
@attrs.define(frozen=True, kw_only=True, slots=False, repr=False)
class InverseJShapedModel(PositionalModel):
    """Inverse J: 0.6 to the first touch, 0.2 to the last, 0.2 shared by the middle.

    With only two touches the first/last shares are renormalised (0.75/0.25).

    Examples
    --------
    >>> InverseJShapedModel().first
    0.6
    """

    first: float = attrs.field(default=0.6, init=False)
    last: float = attrs.field(default=0.2, init=False)
    milestones: dict[str, float] | None = attrs.field(default=None, init=False)
    empty_middle: str = attrs.field(default="proportional", init=False)


@register(name="w_shaped")
@attrs.define(frozen=True, kw_only=True, slots=False, repr=False)
class WShapedModel(PositionalModel):
    """W-shaped: 0.3 each to the first, lead-creation and opportunity-creation touches.

    The other touches share 0.1 equally.

    Examples
    --------
    >>> WShapedModel().milestones
    {'lead_created_at': 0.3, 'opportunity_created_at': 0.3}
    """

    first: float = attrs.field(default=0.3, init=False)
    last: float = attrs.field(default=0.0, init=False)
    milestones: dict[str, float] | None = attrs.field(
        init=False,
        factory=lambda: {"lead_created_at": 0.3, "opportunity_created_at": 0.3},
        hash=False,
    )
    empty_middle: str = attrs.field(default="equal", init=False)


@register(name="full_path")
@attrs.define(frozen=True, kw_only=True, slots=False, repr=False)
class FullPathModel(PositionalModel):
    """Full path (Z-shaped): 0.225 each to first, lead, opportunity and closed-won touches.

    The other touches share 0.1 equally.

    Examples
    --------
    >>> FullPathModel().milestones["closed_at"]
    0.225
    """

    first: float = attrs.field(default=0.225, init=False)
    last: float = attrs.field(default=0.0, init=False)
    milestones: dict[str, float] | None = attrs.field(
        init=False,
        factory=lambda: dict.fromkeys(MILESTONES, 0.225),
        hash=False,
    )
    empty_middle: str = attrs.field(default="equal", init=False)
