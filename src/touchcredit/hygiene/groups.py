"""Buying groups: the journey of a deal (or an account) is the touches of all its people.

In business-to-business sales a deal is decided by several people, each with their
own touches. A :class:`Membership` table says who belongs to which group (a deal id,
or an account id) and in which role; :func:`group_journeys` then turns the stitched
persons' touches into group journeys:

- every touch of a member enters the journey of each of the member's groups (a person
  on two deals contributes their touches to both, and each deal is credited in full,
  as every conversion is);
- a person in no group keeps a journey of their own (its touches still count as a
  non-converting path for the data-driven models);
- each group touch records whose it was (``"contact"``, the member's identifier) and
  the member's role on the group (``"role"``), so credit can be read by role.

Touch ``t`` of person ``p`` becomes one touch per membership row of ``p``: the memory
of a group JourneySet grows with the (touch, group) pairs, about 50 bytes per pair.

Examples
--------
>>> import touchcredit as tc
>>> from touchcredit.hygiene.groups import Membership
>>> touches = {"contact": ["003A", "003B", "003C"],
...            "ts": ["2024-02-01", "2024-02-03", "2024-02-05"],
...            "source": ["Webinar", "Google Ads", "Email"]}
>>> deals = {"deal": ["006X"], "closed": ["2024-03-01"], "amount": [900.0]}
>>> roles = Membership(group=["006X", "006X"], member=["003A", "003B"],
...                    identifier="contact", role=["Decision Maker", "Influencer"])
>>> js, report = tc.clean(touches, journey="contact", timestamp="ts", source="source",
...                       conversions=deals, conversion_journey="deal",
...                       conversion_time="closed", conversion_value="amount", groups=roles)
>>> js.journey_ids.tolist()
['(person 2)', '006X']
>>> tc.attribute(js, "linear").by("role").to_dict()
{'Decision Maker': 450.0, 'Influencer': 450.0, None: 0.0}
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import numpy as np

from touchcredit.core.arrays import IntArray, ObjectArray
from touchcredit.core.columns import as_object_array
from touchcredit.core.dimension import Dimension
from touchcredit.core.segments import gather_segments
from touchcredit.hygiene import identity
from touchcredit.hygiene.clean_steps import CleanConversions, column_of
from touchcredit.hygiene.cleaning_report import CleaningReport
from touchcredit.hygiene.text_codes import TextCodes, factorize_text

__all__ = [
    "GroupJourneys",
    "Grouping",
    "Membership",
    "group_journeys",
    "group_keys",
    "matching_pairs",
]


#: Prefix of the journey id of a person who belongs to no group.
PERSON_PREFIX = "(person "


def _groups(values: Any) -> ObjectArray:
    return as_object_array(values, field="group")


def _members(values: Any) -> ObjectArray:
    return as_object_array(values, field="member")


def _roles(values: Any) -> ObjectArray | None:
    return None if values is None else as_object_array(values, field="role")


@attrs.frozen(kw_only=True, eq=False)
class Membership:
    """Who belongs to which group: one row per (group, member), with the member's role.

    Parameters
    ----------
    group : array-like
        Group key of every row: the deal (opportunity) id, or the account id, that the
        conversions name in their journey column.
    member : array-like
        The member's identifier, a value of the touch identifier column ``identifier``
        (a contact id, an email...). Members without touches are fine: they add
        nothing but are counted.
    identifier : str
        Which identifier column of the touch table the members are values of.
    role : array-like, optional
        The member's role on the group ("Decision Maker", "Influencer"...); missing
        values are "not recorded".

    Examples
    --------
    >>> m = Membership(group=["D1", "D1"], member=["c1", "c2"], identifier="contact")
    >>> m.n_rows
    2
    """

    group: ObjectArray = attrs.field(converter=_groups)
    member: ObjectArray = attrs.field(converter=_members)
    identifier: str = attrs.field(validator=attrs.validators.instance_of(str))
    role: ObjectArray | None = attrs.field(default=None, converter=_roles)

    def __attrs_post_init__(self) -> None:
        n = self.group.shape[0]
        lengths = {"group": n, "member": self.member.shape[0]}
        if self.role is not None:
            lengths["role"] = self.role.shape[0]
        if len(set(lengths.values())) > 1:
            raise ValueError(f"membership columns differ in length: {lengths}")

    @property
    def n_rows(self) -> int:
        """Number of (group, member) rows."""
        return int(self.group.shape[0])


def group_keys(values: Any, *, field: str) -> TextCodes:
    """Group keys as text codes: surrounding spaces ignored, empty text missing.

    Examples
    --------
    >>> group_keys(["006X ", "006X", None, ""], field="deal").labels().tolist()
    ['006X', '006X', None, None]
    """
    return factorize_text(values, field=field).map(
        lambda v: (str(v).strip() or None) if v is not None else None
    )


def matching_pairs(left: Any, right: Any, *, field: str) -> tuple[IntArray, IntArray]:
    """Every (left row, right row) pair whose text keys are equal: a many-to-many join.

    Keys compare as :func:`group_keys` reads them; a missing key matches nothing.

    Examples
    --------
    >>> rows = matching_pairs(["A", "B", None], ["B", "A ", "B", None], field="account")
    >>> [r.tolist() for r in rows]
    [[0, 1, 1], [1, 0, 2]]
    """
    left = as_object_array(left, field=field)
    n = left.shape[0]
    keys = group_keys(np.concatenate([left, as_object_array(right, field=field)]), field=field)
    left_key, right_key = keys.codes[:n], keys.codes[n:]
    has = np.flatnonzero(right_key >= 0)
    by_key = has[np.argsort(right_key[has], kind="stable")]
    k = keys.values.shape[0]
    off = np.zeros(k + 2, dtype=np.int64)  # segment 0: the missing key, which holds nothing
    np.cumsum(np.bincount(right_key[by_key] + 1, minlength=k + 1), out=off[1:])
    idx, seg = gather_segments(off, left_key + 1)
    return np.repeat(np.arange(n, dtype=np.int64), np.diff(seg)), by_key[idx]


@attrs.frozen(eq=False)
class GroupJourneys:
    """The touches of :func:`group_journeys`, one per (touch, journey), as arrays.

    Attributes
    ----------
    touch : int64 ndarray
        Index (into the caller's kept touches) of every output touch; a touch repeats
        once per group of its person.
    journey_id : object ndarray
        Journey id of every output touch: the group key, or ``"(person N)"`` for a
        person in no group.
    contact, role : Dimension
        Per output touch, the member identifier it came through and the member's role
        (not recorded on a person's own journey).
    conversion_journey_id : object ndarray
        The group key of every conversion (as given, tidied).
    members, engaged : Mapping[str, int]
        Per group key, its distinct members, and those with at least one touch.
    """

    touch: IntArray
    journey_id: ObjectArray
    contact: Dimension
    role: Dimension
    conversion_journey_id: ObjectArray
    members: Mapping[str, int]
    engaged: Mapping[str, int]


def _dimension(labels: TextCodes, take: IntArray) -> Dimension:
    used = labels.take(take).sorted_used()
    return Dimension(used.codes.astype(np.int32), tuple(str(v) for v in used.values.tolist()))


def group_journeys(
    person: IntArray,
    member_person: IntArray,
    membership: Membership,
    conversion_groups: Any,
    *,
    conversion_field: str,
) -> GroupJourneys:
    """Expand each touch into the journeys of its person's groups.

    Parameters
    ----------
    person : int64 ndarray
        Stitched person of every kept touch (>= 0).
    member_person : int64 ndarray
        Stitched person of every membership row (-1: a member without touches).
    membership : Membership
    conversion_groups : array-like
        Group key of every conversion.
    conversion_field : str
        The conversions' column name, for error messages.

    Returns
    -------
    GroupJourneys

    Examples
    --------
    >>> m = Membership(group=["D1", "D2", "D1"], member=["a", "a", "b"], identifier="id",
    ...                role=["Buyer", None, "User"])
    >>> g = group_journeys(np.array([0, 1, 2]), np.array([0, 0, 1]), m, ["D1"],
    ...                    conversion_field="deal")
    >>> g.touch.tolist(), g.journey_id.tolist()
    ([0, 0, 1, 2], ['D1', 'D2', 'D1', '(person 2)'])
    >>> g.role.labels().tolist()
    ['Buyer', None, 'User', None]
    """
    groups = group_keys(membership.group, field="group")
    convs = group_keys(conversion_groups, field=conversion_field)
    keys = (*groups.values.tolist(), *convs.values.tolist())
    clash = [v for v in keys if str(v).startswith(PERSON_PREFIX)]
    if clash:
        raise ValueError(
            f"group key {clash[0]!r} starts with {PERSON_PREFIX!r}, which names the "
            "journey of a person in no group; rename it"
        )
    member = factorize_text(membership.member, field="member")
    role = (
        factorize_text(membership.role, field="role").map(
            lambda v: (str(v).strip() or None) if v is not None else None
        )
        if membership.role is not None
        else TextCodes(np.full(membership.n_rows, -1, dtype=np.int64), np.empty(0, dtype=object))
    )
    # Membership rows that link a person with touches to a named group; one row per
    # (group, person) pair, so a contact listed twice on a deal is not counted twice.
    # A person listed twice on a group keeps the role first in text order (a recorded role
    # before none): the same one for any row order.
    role = role.sorted_used()
    usable = np.flatnonzero((member_person >= 0) & (groups.codes >= 0))
    pair = member_person[usable] * (groups.values.shape[0] + 1) + groups.codes[usable]
    rank = np.where(role.codes[usable] >= 0, role.codes[usable], role.values.shape[0])
    usable = usable[np.lexsort((rank, pair))]
    _, first = np.unique(pair[np.lexsort((rank, pair))], return_index=True)
    usable = usable[first]
    # CSR of the usable rows by person: the groups of person p are rows[off[p]:off[p+1]].
    n_persons = int(max(person.max(initial=-1), member_person.max(initial=-1))) + 1
    by_person = usable[np.argsort(member_person[usable], kind="stable")]
    counts = np.bincount(member_person[by_person], minlength=n_persons)
    off = np.zeros(n_persons + 1, dtype=np.int64)
    np.cumsum(counts, out=off[1:])
    per_touch = counts[person]
    rows, _ = gather_segments(off, person)
    alone = np.flatnonzero(per_touch == 0)
    touch = np.concatenate([np.repeat(np.arange(person.size, dtype=np.int64), per_touch), alone])
    membership_row = np.concatenate([by_person[rows], np.full(alone.size, -1, dtype=np.int64)])
    journey_id = np.empty(touch.size, dtype=object)
    journey_id[: rows.size] = groups.values[groups.codes[by_person[rows]]]
    lone, at = np.unique(person[alone], return_inverse=True)  # one label per person
    names = np.array([f"{PERSON_PREFIX}{p})" for p in lone.tolist()], dtype=object)
    journey_id[rows.size :] = names[at.reshape(-1)] if lone.size else names
    member_of_row = np.append(member.codes, -1)[membership_row]
    role_of_row = np.append(role.codes, -1)[membership_row]
    n_groups = groups.values.shape[0]
    # distinct (group, member) pairs, and the pairs whose member has a touch
    named = np.flatnonzero((groups.codes >= 0) & (member.codes >= 0))
    distinct = np.unique(groups.codes[named] * (member.values.shape[0] + 1) + member.codes[named])
    n_members = np.bincount(distinct // (member.values.shape[0] + 1), minlength=n_groups)
    has_touch = np.bincount(person, minlength=n_persons) > 0
    engaged = usable[has_touch[member_person[usable]]]
    n_engaged = np.bincount(groups.codes[engaged], minlength=n_groups)
    names = groups.values.tolist()
    return GroupJourneys(
        touch=touch,
        journey_id=journey_id,
        contact=_dimension(TextCodes(member_of_row, member.values), np.arange(touch.size)),
        role=_dimension(TextCodes(role_of_row, role.values), np.arange(touch.size)),
        conversion_journey_id=convs.labels(),
        members=dict(zip(names, n_members.tolist(), strict=True)),
        engaged=dict(zip(names, n_engaged.tolist(), strict=True)),
    )


class Grouping:
    """Buying groups in :func:`~touchcredit.clean`: conversions keyed by group, touches
    expanded into the groups' journeys, and the counts for the cleaning report."""

    def __init__(
        self, groups: Membership, stitched: identity.Stitching, conversions: Any, column: str
    ) -> None:
        self.groups = groups
        self.column = column
        self.member_person = stitched.lookup(groups.identifier, groups.member)
        named = [groups.group]
        if conversions is not None:
            named.append(
                as_object_array(column_of(conversions, column, None, column), field=column)
            )
        # every key a membership row or a conversion names, in text order
        self.keys = group_keys(np.concatenate(named), field=column).sorted_used().values
        self.result: GroupJourneys | None = None

    def journey_of(self, ids: Any) -> IntArray:
        """Group number of each conversion's key (-1 where missing)."""
        codes = group_keys(ids, field=self.column)
        found = np.searchsorted(self.keys, codes.values).astype(np.int64)
        return codes.per_row(found, -1)

    def expand(self, person: IntArray, conv: CleanConversions | None) -> GroupJourneys:
        """One touch per (touch, group of its person); remembered for the report."""
        keys = self.keys[conv.person] if conv is not None else np.empty(0, dtype=object)
        self.result = group_journeys(
            person, self.member_person, self.groups, keys, conversion_field=self.column
        )
        return self.result

    def reported(self, report: CleaningReport) -> CleaningReport:
        """The cleaning report with the members (and engaged members) per group."""
        if self.result is None:
            return report
        return attrs.evolve(
            report, group_members=self.result.members, group_engaged=self.result.engaged
        )
