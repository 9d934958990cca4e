"""What :func:`touchcredit.clean` did: the row accounting and the rows it rejected.

``rows_in == rows_out + duplicates_removed + rows_rejected`` always holds, and every
rejected row carries its reason, so nothing disappears silently.
"""

from __future__ import annotations

from collections.abc import Mapping

import attrs
import numpy as np

from touchcredit.core.arrays import IntArray
from touchcredit.core.display import html_table
from touchcredit.core.label_text import shown_label
from touchcredit.hygiene.identity import MergeGroups
from touchcredit.hygiene.placeholders import IgnoredIdentifiers, no_ignored

__all__ = ["CleaningReport", "Rejections", "no_rejections"]


@attrs.frozen(eq=False)
class Rejections:
    """Rows that were rejected, ascending, each with its reason."""

    rows: IntArray
    reasons: tuple[str, ...]

    def __len__(self) -> int:
        return int(self.rows.size)


@attrs.frozen(eq=False)
class CleaningReport:
    """What :func:`clean` did to the touch table (and the conversions).

    Attributes
    ----------
    rows_in, rows_out : int
        Touch rows read, and touches in the JourneySet.
    duplicates_removed : int
        Touches removed as duplicates (``dedupe_window``).
    rejected : Rejections
        Touch rows that could not be used, with reasons.
    unmapped_sources : mapping of str to int
        Source values the catalog did not know (kept as they were), with row counts.
    persons : int
        Persons (journeys) the identifiers stitched the touches into.
    identities_merged : int
        Identifier values folded into another person's identity.
    merge_groups : touchcredit.hygiene.identity.MergeGroups
        Persons made of more than one identifier value.
    person : int64 ndarray
        Person (journey id) of every input row; -1 for rejected rows.
    duplicate_of : int64 ndarray
        For every input row removed as a duplicate, the row it repeats; else -1.
    conversions_in, conversions_out : int
        Conversion rows read and kept.
    conversions_rejected : Rejections
        Conversion rows that could not be used, with reasons.
    rejected_conversion_value : float
        Sum of the readable values of rejected conversions (money that is not in the
        JourneySet, stated rather than dropped).
    ignored_identifiers : touchcredit.hygiene.placeholders.IgnoredIdentifiers
        Identifier values not used for stitching (placeholders such as ``n/a`` or
        ``000-000-0000``, and values shared by too many journeys), with row counts.
    group_members, group_engaged : mapping of str to int
        Buying groups only (``clean(groups=...)``): per group key (deal or account),
        its distinct members, and those with at least one touch.
    """

    rows_in: int
    rows_out: int
    duplicates_removed: int
    rejected: Rejections
    unmapped_sources: Mapping[str, int]
    persons: int
    identities_merged: int
    merge_groups: MergeGroups
    person: IntArray
    duplicate_of: IntArray
    conversions_in: int = 0
    conversions_out: int = 0
    conversions_rejected: Rejections = attrs.field(factory=lambda: no_rejections())
    rejected_conversion_value: float = 0.0
    ignored_identifiers: IgnoredIdentifiers = attrs.field(factory=no_ignored)
    group_members: Mapping[str, int] = attrs.field(factory=dict)
    group_engaged: Mapping[str, int] = attrs.field(factory=dict)

    @property
    def rows_rejected(self) -> int:
        """Number of rejected touch rows."""
        return len(self.rejected)

    def __str__(self) -> str:
        lines = [
            f"rows in: {self.rows_in:,}; out: {self.rows_out:,}; duplicates removed: "
            f"{self.duplicates_removed:,}; rejected: {self.rows_rejected:,}",
            f"persons: {self.persons:,} ({self.identities_merged:,} identities merged in "
            f"{len(self.merge_groups):,} groups)",
        ]
        if len(self.ignored_identifiers):
            ig = self.ignored_identifiers
            shown = "; ".join(str(ig).splitlines()[:5])
            lines.append(f"identifiers not used for stitching: {len(ig):,} ({shown})")
        if self.unmapped_sources:
            top = ", ".join(
                f"'{shown_label(k, 60)}' ({v:,})"
                for k, v in list(self.unmapped_sources.items())[:5]
            )
            lines.append(f"unmapped sources: {len(self.unmapped_sources):,} ({top})")
        if self.group_members:
            listed = sum(self.group_members.values())
            engaged = sum(self.group_engaged.values())
            multi = sum(1 for v in self.group_engaged.values() if v > 1)
            lines.append(
                f"buying groups: {len(self.group_members):,} ({listed:,} members listed, "
                f"{engaged:,} with a touch; {multi:,} groups with more than one engaged)"
            )
        if self.conversions_in:
            lines.append(
                f"conversions in: {self.conversions_in:,}; out: {self.conversions_out:,}; "
                f"rejected: {len(self.conversions_rejected):,} "
                f"(value {self.rejected_conversion_value:,.2f})"
            )
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """Notebook view: the row accounting and the unmapped sources (escaped)."""
        rows = [
            ("touch rows in", f"{self.rows_in:,}"),
            ("touch rows out", f"{self.rows_out:,}"),
            ("duplicates removed", f"{self.duplicates_removed:,}"),
            ("rows rejected", f"{self.rows_rejected:,}"),
            ("persons", f"{self.persons:,}"),
            ("identities merged", f"{self.identities_merged:,}"),
            ("identifier values not used for stitching", f"{len(self.ignored_identifiers):,}"),
        ]
        if self.conversions_in:
            rows += [
                ("conversion rows in", f"{self.conversions_in:,}"),
                ("conversion rows out", f"{self.conversions_out:,}"),
                ("conversion rows rejected", f"{len(self.conversions_rejected):,}"),
            ]
        out = html_table(("cleaning", "rows"), rows, numeric=(False, True))
        if self.unmapped_sources:
            top = sorted(self.unmapped_sources.items(), key=lambda kv: -kv[1])[:12]
            out += html_table(
                ("unmapped source", "rows"),
                [(k, f"{v:,}") for k, v in top],
                caption=f"{len(self.unmapped_sources):,} sources the catalog does not know",
                numeric=(False, True),
            )
        return f"<div>{out}</div>"


def no_rejections() -> Rejections:
    """An empty :class:`Rejections`."""
    return Rejections(np.zeros(0, np.int64), ())
