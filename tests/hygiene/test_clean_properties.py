"""clean()'s fast path: equal to a row-by-row reference, and blind to row order.

**Reference.** clean() is compared with a slow, obvious, row-by-row reference built from
the scalar functions.

The fast path factorizes every column once and works on distinct values and integer
codes; the reference reads one row at a time with the public scalar helpers
(``timestamps.parse`` of one value, ``utm.parse``, ``Catalog.lookup``, ``channel_group``,
``normalize_identifier``) and a dict union-find. Both must agree on messy, export-shaped
rows: leading-zero ids as text, mixed-case emails, blank values, None and NaN; with
pyarrow factorizing and without it.

**Row order.** Shuffling the rows of a raw table gives the same persons (as sets of
input rows), the same journeys (as multisets of touches), the same rejections and the
same report counts. Persons are numbered by their smallest identifier (first column
first, then text order), which no row order changes. With duplicates, which of two
equal touches is kept may follow the row order; the campaign (not part of the duplicate
key) is then left out.
"""

from __future__ import annotations

import math
from collections import Counter
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from touchcredit import clean
from touchcredit.hygiene import text_codes, timestamps, utm
from touchcredit.hygiene.catalog import PAID_GROUPS, Catalog
from touchcredit.hygiene.channels import channel_group
from touchcredit.hygiene.identity import normalize_identifier

NAN = float("nan")
POOLS: dict[str, list[Any]] = {
    "cookie": ["GA1.1.17.99", "GA1.1.18.99", " GA1.1.18.99", "ck-3", None, "", NAN],
    "user_id": ["0042", "42", " 0042 ", "007", None, "", NAN],
    "email": ["Ann@X.io", " ann@x.io", "BOB@y.org", "bob@y.org ", "no-at-sign", None, "", NAN],
    "ts": ["2024-03-01 09:00:00", "2024-03-01 09:10:00", "2024-03-01 09:04:00", "2024-03-02",
           "03/04/2024 10:00 AM", "2024-03-01T09:00:00Z", "soon", None, "", NAN],
    "url": [None, "https://x.io/?utm_source=LinkedIn&utm_medium=cpc&utm_campaign=Q2",
            "x.io/?UTM_SOURCE=newsletter&utm_medium=Email", "https://x.io/?gclid=abc",
            "https://x.io/p?fbclid=1&utm_campaign=spring", "", NAN, "not a url", 17],
    "source": [None, "LinkedIn", "linkedin ", "lnkd.in", "Trade Show", "Booth #4",
               "booth #4", "", "  ", NAN, 7, "https://m.facebook.com/x"],
    "referrer": [None, "https://www.google.de/", "", "news.ycombinator.com"],
}  # fmt: skip
KINDS = {"user_id": "id", "email": "email"}


def _missing(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def _text(v: Any) -> str | None:
    return v.strip() or None if isinstance(v, str) else None


def _reference(table: dict[str, list[Any]], window: int | None) -> dict[str, Any]:
    n = len(table["cookie"])
    cat = Catalog.default()
    reason: list[str | None] = [None] * n
    times: list[Any] = []
    for i, v in enumerate(table["ts"]):
        got = timestamps.parse([v], errors="report")
        times.append(got.values[0])
        if got.reasons:
            reason[i] = f"row {i + 1}: " + got.reasons[0].split(": ", 1)[1]
        elif np.isnat(got.values[0]):
            reason[i] = f"row {i + 1}: 'ts' is missing"
    for i, v in enumerate(table["source"]):
        if reason[i] is None and not _missing(v) and not isinstance(v, str):
            reason[i] = f"row {i + 1}: 'source' must hold text (or be empty)"
    # Identity: a dict union-find over (column, normalized key).
    parent: dict[Any, Any] = {}

    def find(x: Any) -> Any:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    row_keys = []
    for i in range(n):
        keys = []
        for col in ("cookie", "user_id", "email"):
            v = table[col][i]
            if not _missing(v):
                k = normalize_identifier(v, KINDS.get(col, "id"))
                if k is not None:
                    keys.append((col, k))
        for k in keys[1:]:
            parent[find(k)] = find(keys[0])
        row_keys.append(keys)
    # Persons are numbered by their smallest (column, key), columns in their given order.
    order = ("cookie", "user_id", "email")
    smallest: dict[Any, tuple[int, str]] = {}
    for keys in row_keys:
        for col, k in keys:
            root = find(keys[0])
            smallest[root] = min(smallest.get(root, (9, "")), (order.index(col), k))
    number = {root: k for k, root in enumerate(sorted(smallest, key=smallest.__getitem__))}
    person = [-1] * n
    for i, keys in enumerate(row_keys):
        if keys:
            person[i] = number[find(keys[0])]
        elif reason[i] is None:
            reason[i] = f"row {i + 1}: no identifier ('cookie', 'user_id', 'email' all missing)"
    rows: list[dict[str, Any]] = []
    unmapped: Counter[str] = Counter()
    for i in range(n):
        url = table["url"][i]
        tags = utm.parse(url) if isinstance(url, str) else utm.UTM()
        raw = _text(table["source"][i]) or tags.source
        name = cat.lookup(raw) if raw is not None else None
        if raw is not None and name is None:
            unmapped[raw] += 1
        source = name or raw
        channel = channel_group(
            source, tags.medium, click_ids=tags.click_ids, referrer=_text(table["referrer"][i])
        )
        site = cat.get(source)
        if site is not None and site.paid is not None and channel in PAID_GROUPS:
            source = site.paid  # a paid touch of the site is its ad platform's
        entry = cat.get(source)
        rows.append(
            {
                "source": source,
                "channel": channel,
                "method": entry.category if entry else None,
                "campaign": tags.campaign,
            }
        )
    duplicate_of = [-1] * n
    if window is not None:
        kept = [i for i in range(n) if reason[i] is None]
        order = sorted(
            kept,
            key=lambda i: (person[i], str(rows[i]["source"]), rows[i]["channel"], times[i], i),
        )
        head = -1
        for prev, i in zip([-1, *order], order, strict=False):
            same = prev >= 0 and (person[prev], rows[prev]["source"], rows[prev]["channel"]) == (
                person[i],
                rows[i]["source"],
                rows[i]["channel"],
            )
            gap = (times[i] - times[prev]) / np.timedelta64(1, "s") if prev >= 0 else None
            if same and gap is not None and gap <= window:
                duplicate_of[i] = head
            else:
                head = i
    return {
        "reason": reason,
        "person": [p if r is None else -1 for p, r in zip(person, reason, strict=True)],
        "times": times,
        "rows": rows,
        "duplicate_of": duplicate_of,
        "unmapped": dict(unmapped),
    }


def _clean(table: dict[str, list[Any]], window: int | None) -> Any:
    """clean() with this module's column mapping."""
    return clean(
        table,
        journey="cookie",
        timestamp="ts",
        url="url",
        source="source",
        referrer="referrer",
        identifiers=KINDS,
        dedupe_window=None if window is None else f"{window}s",
    )


@pytest.fixture(params=["arrow", "dict"])
def factorizer(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "arrow":
        pytest.importorskip("pyarrow")
        monkeypatch.setattr(text_codes, "ARROW_MIN_ROWS", 0)
    else:
        monkeypatch.setattr(text_codes, "_factorize_arrow", lambda arr: None)
    return str(request.param)


ROW = st.fixed_dictionaries({k: st.sampled_from(v) for k, v in POOLS.items()})


# The fixture only patches module constants, the same for every generated input.
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(ROW, min_size=1, max_size=30), st.sampled_from([None, 0, 600, 3600]))
def test_clean_equals_the_row_by_row_reference(
    factorizer: str, rows: list[dict[str, Any]], window: int | None
) -> None:
    table = {k: [r[k] for r in rows] for k in POOLS}
    js, rep = _clean(table, window)
    want = _reference(table, window)
    bad = [i for i, r in enumerate(want["reason"]) if r is not None]
    assert rep.rejected.rows.tolist() == bad
    assert list(rep.rejected.reasons) == [want["reason"][i] for i in bad]
    assert rep.person.tolist() == want["person"]
    assert rep.duplicate_of.tolist() == want["duplicate_of"]
    assert dict(rep.unmapped_sources) == want["unmapped"]
    assert rep.rows_in == rep.rows_out + rep.duplicates_removed + rep.rows_rejected
    labels = {name: js.dimension(name).labels() for name in ("source", "channel", "method")}
    labels["campaign"] = js.dimension("campaign").labels()
    for k, row in enumerate(js.touch_row.tolist()):
        assert js.timestamp[k] == want["times"][row]
        j = int(np.searchsorted(js.offsets, k, side="right") - 1)
        assert js.journey_ids[j] == want["person"][row]
        got = {name: labels[name][k] for name in labels}
        assert got == want["rows"][row], row


def _canonical(table: dict[str, list[Any]], rows: list[int], window: int | None) -> Any:
    """The cleaning of ``table``, described in terms of ``rows`` (original row ids)."""
    js, rep = _clean(table, window)
    persons: dict[int, set[int]] = {}
    for i, p in enumerate(rep.person.tolist()):
        if p >= 0:
            persons.setdefault(p, set()).add(rows[i])
    labels = {n: js.dimension(n).labels() for n in ("source", "channel", "method", "campaign")}
    journeys = []
    for j in range(js.n_journeys):
        lo, hi = int(js.offsets[j]), int(js.offsets[j + 1])
        touches = sorted(
            (
                str(js.timestamp[k]),
                *(str(labels[n][k]) for n in ("source", "channel", "method")),
                str(labels["campaign"][k]) if window is None else "",
            )
            for k in range(lo, hi)
        )
        journeys.append(tuple(touches))
    rejected = sorted(
        (rows[r], why.split(": ", 1)[1])
        for r, why in zip(rep.rejected.rows.tolist(), rep.rejected.reasons, strict=True)
    )
    counts = (rep.rows_in, rep.rows_out, rep.duplicates_removed, rep.rows_rejected)
    return {
        "persons": sorted(sorted(s) for s in persons.values()),
        "journeys": sorted(journeys),
        "rejected": rejected,
        "counts": counts,
        "n_persons": (rep.persons, rep.identities_merged, len(rep.merge_groups)),
        "joined_by": dict(rep.merge_groups.joined_by()),
        "unmapped": dict(rep.unmapped_sources),
    }


@settings(max_examples=60, deadline=None)
@given(
    st.lists(ROW, min_size=1, max_size=30),
    st.sampled_from([None, 0, 600]),
    st.data(),
)
def test_clean_does_not_depend_on_row_order(
    rows: list[dict[str, Any]], window: int | None, data: st.DataObject
) -> None:
    n = len(rows)
    perm = data.draw(st.permutations(list(range(n))))
    table = {k: [r[k] for r in rows] for k in POOLS}
    shuffled = {k: [table[k][i] for i in perm] for k in POOLS}
    assert _canonical(table, list(range(n)), window) == _canonical(shuffled, perm, window)


def test_shuffled_export_rows_clean_the_same() -> None:
    """A larger export-shaped table (the benchmark's generator), shuffled once."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
    from bench_hygiene import clean_export, make_export

    table = make_export(3000, seed=3)
    perm = np.random.default_rng(1).permutation(3000)
    shuffled = {k: v[perm] for k, v in table.items()}
    (ja, ra), (jb, rb) = clean_export(table), clean_export(shuffled)
    assert ja.n_touches == jb.n_touches
    for name in ("rows_out", "duplicates_removed", "rows_rejected", "persons"):
        assert getattr(ra, name) == getattr(rb, name), name
    assert ra.identities_merged == rb.identities_merged
    assert dict(ra.unmapped_sources) == dict(rb.unmapped_sources)
    part_a = {frozenset(np.flatnonzero(ra.person == p).tolist()) for p in range(ra.persons)}
    part_b = {frozenset(perm[np.flatnonzero(rb.person == p)].tolist()) for p in range(rb.persons)}
    assert part_a == part_b


def test_coded_frame_columns_clean_like_plain_values() -> None:
    """Columns a frame library coded (categoricals, Arrow/polars strings) are cleaned
    from their codes, with the same result as the plain values; a non-text category is
    rejected by row, as a non-text value is."""
    pd = pytest.importorskip("pandas")
    table = {
        "id": ["a", "b", "c", "a"],
        "ts": ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"],
        "src": ["google", 7, None, " Google "],
    }
    frame = pd.DataFrame(
        {
            "id": pd.Categorical(table["id"]),
            "ts": table["ts"],
            "src": pd.Categorical(table["src"], categories=["google", 7, " Google "]),
        }
    )
    kw = {"journey": "id", "timestamp": "ts", "source": "src"}
    js, rep = clean(frame, **kw)
    js2, rep2 = clean(table, **kw)
    assert (
        rep.rejected.reasons
        == rep2.rejected.reasons
        == ("row 2: 'src' must hold text (or be empty)",)
    )
    assert js.source.labels().tolist() == js2.source.labels().tolist() == ["Google", "Google", None]
    assert rep.person.tolist() == rep2.person.tolist()
    with pytest.raises(TypeError, match="'src' must hold text; row 2 is 7"):
        clean(frame, **kw, errors="raise")
