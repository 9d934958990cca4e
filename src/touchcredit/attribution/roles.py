"""Source roles of every lead: primary, secondary and trigger sources (seed framework).

For each conversion (a lead), over its eligible touches in time order:

- **primary**: the first touch whose label is recorded (the first identifiable touch);
- **trigger**: the last touch at or before the conversion (its label may be unrecorded);
- **secondary**: the touches strictly between the primary and the trigger touch
  (from the first touch when there is no primary).
"""

from __future__ import annotations

import datetime as dt

import attrs
import numpy as np

from touchcredit.core.arrays import CodeArray, IntArray
from touchcredit.core.store import JourneySet

__all__ = ["SourceRoles", "source_roles"]

Label = str | None


@attrs.frozen(eq=False)
class SourceRoles:
    """Primary, secondary and trigger labels per conversion (result of :func:`source_roles`).

    Attributes
    ----------
    dimension : str
        The label column.
    categories : tuple of str
        Labels behind the codes (code ``-1`` = not recorded or no touch).
    primary, trigger : int32 ndarray, length C
        Label code of each conversion's primary / trigger touch (-1 when none or
        not recorded).
    primary_touch, trigger_touch : int64 ndarray, length C
        Touch index of those touches (-1 when none).
    n_secondary : int64 ndarray, length C
        Number of secondary touches of each conversion.
    labels : tuple of str or None
        Labels of the count arrays: the categories, then None (not recorded).
    primary_counts, secondary_counts, trigger_counts : int64 ndarray
        How many conversions (touches, for secondary) have each label in each role.

    Examples
    --------
    >>> import touchcredit as tc
    >>> js = tc.JourneySet.from_arrays(
    ...     journey_id=[1, 1, 1, 1], timestamp=[1, 2, 3, 4], channel=["x"] * 4,
    ...     source=[None, "google", "newsletter", "partner"],
    ...     conversion_journey_id=[1], conversion_time=[9], unit="s")
    >>> r = tc.source_roles(js)
    >>> r.to_dict("primary"), r.to_dict("secondary"), r.to_dict("trigger")
    ({'google': 1}, {'newsletter': 1}, {'partner': 1})
    """

    dimension: str
    categories: tuple[str, ...]
    primary: CodeArray
    trigger: CodeArray
    primary_touch: IntArray
    trigger_touch: IntArray
    n_secondary: IntArray
    labels: tuple[Label, ...]
    primary_counts: IntArray
    secondary_counts: IntArray
    trigger_counts: IntArray

    def to_dict(self, role: str) -> dict[Label, int]:
        """Non-zero counts per label for ``role`` ("primary", "secondary" or "trigger").

        Raises
        ------
        ValueError
            For another role name.
        """
        if role not in ("primary", "secondary", "trigger"):
            raise ValueError(f"'role' must be primary, secondary or trigger; got {role!r}")
        counts: IntArray = getattr(self, f"{role}_counts")
        return {lab: int(c) for lab, c in zip(self.labels, counts, strict=True) if c}


def source_roles(
    journeys: JourneySet, dimension: str = "source", lookback: dt.timedelta | None = None
) -> SourceRoles:
    """Primary, secondary and trigger label of every conversion, and counts per label.

    Parameters
    ----------
    journeys : JourneySet
    dimension : str
        Label column: "source" (default), "channel", "campaign" or "method".
    lookback : datetime.timedelta, optional
        Only touches at most this long before each conversion are considered.

    Returns
    -------
    SourceRoles

    Raises
    ------
    ValueError
        For an unknown dimension or a negative lookback.

    Examples
    --------
    >>> import touchcredit as tc
    >>> js = tc.JourneySet.from_arrays(
    ...     journey_id=[1, 1, 2], timestamp=[1, 2, 3], channel=["seo", "email", "ads"],
    ...     conversion_journey_id=[1, 2], conversion_time=[5, 5], unit="s")
    >>> r = tc.source_roles(js, "channel")
    >>> r.primary.tolist(), r.trigger.tolist(), r.n_secondary.tolist()
    ([2, 0], [1, 0], [0, 0])
    """
    dim = journeys.dimension(dimension)
    p = journeys.pairs(lookback)
    k = len(dim.categories)
    nonempty = p.length > 0
    codes = dim.codes
    # first recorded touch inside [start, stop): next recorded touch at or after start
    recorded = np.flatnonzero(codes >= 0)
    nxt = np.searchsorted(recorded, p.start, side="left")
    cand = np.append(recorded, journeys.n_touches)[nxt]
    has_primary = cand < p.stop
    primary_touch = np.where(has_primary, cand, -1).astype(np.int64)
    trigger_touch = np.where(nonempty, p.stop - 1, -1).astype(np.int64)
    primary = np.where(has_primary, codes[np.maximum(primary_touch, 0)], -1).astype(np.int32)
    trigger = np.where(nonempty, codes[np.maximum(trigger_touch, 0)], -1).astype(np.int32)
    sec_from = np.where(has_primary, primary_touch + 1, p.start)
    sec_to = np.where(nonempty, p.stop - 1, p.start)
    n_secondary = np.maximum(sec_to - sec_from, 0).astype(np.int64)
    # secondary counts per label: a difference array over touch runs, then per touch
    cover = np.zeros(journeys.n_touches + 1, dtype=np.int64)
    live = n_secondary > 0
    np.add.at(cover, sec_from[live], 1)
    np.add.at(cover, sec_to[live], -1)
    times = np.cumsum(cover[:-1])
    bins = np.where(codes < 0, k, codes)
    secondary_counts = np.bincount(bins, weights=times, minlength=k + 1).astype(np.int64)
    primary_counts = np.bincount(
        np.where(primary < 0, k, primary)[has_primary], minlength=k + 1
    ).astype(np.int64)
    trig_bins = np.where(trigger < 0, k, trigger)[nonempty]
    trigger_counts = np.bincount(trig_bins, minlength=k + 1).astype(np.int64)
    labels: tuple[Label, ...] = (*dim.categories, None)
    return SourceRoles(
        dimension=dimension,
        categories=dim.categories,
        primary=primary,
        trigger=trigger,
        primary_touch=primary_touch,
        trigger_touch=trigger_touch,
        n_secondary=n_secondary,
        labels=labels,
        primary_counts=primary_counts,
        secondary_counts=secondary_counts,
        trigger_counts=trigger_counts,
    )
