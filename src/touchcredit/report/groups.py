"""The report's "Buying group" section: credit by contact role, contacts per won deal.

Shown when the journeys are buying groups (a connector read with ``group="deal"`` or
``"account"``, :mod:`touchcredit.hygiene.groups`): every touch then records whose it
was and that contact's role on the deal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from touchcredit.attribution.results import attribute
from touchcredit.attribution.tables import model_label
from touchcredit.core.store import JourneySet
from touchcredit.models.base import AttributionModel
from touchcredit.report import charts
from touchcredit.report.html import Table, count, label_text, percent
from touchcredit.report.sections import Section, value_format

__all__ = ["buying_group_section", "engaged_contacts", "is_grouped"]


def is_grouped(journeys: JourneySet) -> bool:
    """Whether the journeys are buying groups (their touches record contacts and roles)."""
    return "contact" in journeys.touch_labels


def engaged_contacts(journeys: JourneySet) -> np.ndarray[Any, np.dtype[np.int64]]:
    """Per conversion, the distinct contacts with a touch on its journey.

    Examples
    --------
    >>> import touchcredit as tc
    >>> from touchcredit.hygiene.groups import Membership
    >>> js, _ = tc.clean(
    ...     {"who": ["a", "b"], "ts": ["2024-01-01", "2024-01-02"], "source": ["x", "y"]},
    ...     journey="who", timestamp="ts", source="source",
    ...     conversions={"deal": ["D"], "at": ["2024-01-05"]}, conversion_journey="deal",
    ...     conversion_time="at", groups=Membership(group=["D", "D"], member=["a", "b"],
    ...                                             identifier="who"))
    >>> engaged_contacts(js).tolist()
    [2]
    """
    contact = journeys.dimension("contact").codes.astype(np.int64)
    k = int(contact.max(initial=-1)) + 2
    key = journeys.touch_journey * k + (contact + 1)
    distinct = np.unique(key[contact >= 0])
    per_journey = np.bincount(distinct // k, minlength=journeys.n_journeys)
    return per_journey[journeys.conversion_journey].astype(np.int64)


def buying_group_section(
    journeys: JourneySet,
    models: Sequence[AttributionModel],
    *,
    members: dict[str, int] | None = None,
) -> Section:
    """Credit by the contact's role under each model, and how many people a deal takes.

    ``members`` (the cleaning report's ``group_members``): contacts listed per deal,
    engaged or not.
    """
    fmt, unit = value_format(journeys)
    results = [attribute(journeys, m) for m in models]
    tables = [r.by("role") for r in results]
    labels = list(dict.fromkeys(lab for t in tables for lab in t.labels))
    names = [model_label(m) for m in models]
    rows: list[list[Any]] = []
    for lab in labels:
        row: list[Any] = [label_text(lab)]
        for t in tables:
            i = t.labels.index(lab) if lab in t.labels else -1
            row.append(float(t.value[i]) if i >= 0 else 0.0)
        rows.append(row)
    total = journeys.total_value
    shares = [[*r, *(v / total if total else 0.0 for v in r[1:])] for r in rows]
    role_table = Table.build(
        f"Credit by contact role ({unit})",
        ["role", *names, *(f"share, {n}" for n in names)],
        shares,
        [str, *([fmt] * len(names)), *([percent] * len(names))],
        notes=(
            "A deal's journey holds the touches of every contact on it; each touch "
            "keeps its contact's role. '(not recorded)': a contact without a role on "
            "the deal (an account colleague, or a role left blank in the export).",
        ),
    )
    engaged = engaged_contacts(journeys)
    bins = ["1", "2", "3", "4+"]
    counts = [int(np.count_nonzero(engaged == n)) for n in (1, 2, 3)]
    counts.append(int(np.count_nonzero(engaged >= 4)))
    none = int(np.count_nonzero(engaged == 0))
    n = int(engaged.size)
    multi = int(np.count_nonzero(engaged > 1))
    size_rows: list[list[Any]] = [
        [b, c, c / n if n else 0.0] for b, c in zip(bins, counts, strict=True)
    ]
    if none:
        size_rows.insert(0, ["0 (no touch)", none, none / n if n else 0.0])
    notes = [
        f"{multi:,} of {n:,} conversions ({multi / n:.0%}) have more than one engaged contact."
        if n
        else "No conversions."
    ]
    if members:
        listed = np.array(list(members.values()), dtype=np.float64)
        notes.append(
            f"Contacts listed per deal in the export: {listed.mean():.1f} on average "
            f"(at most {int(listed.max())}), engaged or not."
        )
    size_table = Table.build(
        "Engaged contacts per conversion",
        ["contacts with a touch", "conversions", "share"],
        size_rows,
        [str, count, percent],
        notes=tuple(notes),
    )
    svg = charts.bars(
        [r[0] for r in rows],
        [(name, [float(r[1 + j]) for r in rows]) for j, name in enumerate(names)],
        fmt,
        title="Credit by contact role",
    )
    return Section(
        id="buying-group",
        title="Buying group",
        intro=(
            "Deals are decided by several people. Each deal's journey here is the touches "
            "of everyone on it (its contact roles, or its account), so every contact's "
            "channels share the credit; the table splits it by the contact's role."
        ),
        tables=(role_table, size_table),
        charts=(svg,),
    )
