"""Benchmark: lead-source hygiene at 1M touches (stitching, dedup, normalize, clean).

Run ``python benchmarks/bench_hygiene.py [n_touches] [--export]``. Seeded; prints seconds
per step and the ratio to a plain numpy pass (``np.unique`` of the cookie column) measured
in the same run. ``--export`` runs only the issue-17 case: :func:`touchcredit.clean` on raw
rows shaped like a CRM/GA export (:func:`make_export`: URLs with UTM tags, source
spellings, emails, a cookie and two identifier columns, repeats), best of 3;
``--frame=pandas|pyarrow|polars`` gives those rows as a table of that library.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np


def _timed(label: str, fn: Callable[[], Any], base: float | None = None) -> Any:
    t0 = time.perf_counter()
    out = fn()
    dt = time.perf_counter() - t0
    ratio = f"  ({dt / base:.1f}x the numpy pass)" if base else ""
    print(f"{label:<44s} {dt:8.3f} s{ratio}")
    return out


def make_table(n: int, seed: int = 0) -> dict[str, Any]:
    """A messy touch table: cookies, emails on ~30% of rows, mixed-case sources."""
    rng = np.random.default_rng(seed)
    n_people = max(n // 10, 1)
    who = rng.integers(0, n_people, n)
    # Each person has up to three cookies; emails appear on some touches.
    cookie_no = rng.integers(0, 3, n)
    cookie = np.char.add(
        np.char.add("ck", who.astype(str)), np.char.add("_", cookie_no.astype(str))
    )
    emails = np.char.add(np.char.add("User", who.astype(str)), "@Example.com ")
    email = np.where(rng.random(n) < 0.3, emails, None).astype(object)
    spellings = np.array(
        [
            "LinkedIn",
            "linkedin ",
            "lnkd.in",
            "Google",
            "google.com",
            "newsletter",
            "G2",
            "Trade Show",
            "https://m.facebook.com/",
            "mystery source",
        ],
        dtype=object,
    )
    mediums = np.array(["cpc", "social", "organic", "email", None, "referral"], dtype=object)
    start = np.datetime64("2024-01-01T00:00:00", "s").astype(np.int64)
    ts = (start + rng.integers(0, 90 * 86400, n)).astype("datetime64[s]").astype("datetime64[us]")
    return {
        "cookie": cookie.astype(object),
        "email": email,
        "timestamp": ts,
        "source": spellings[rng.integers(0, spellings.size, n)],
        "medium": mediums[rng.integers(0, mediums.size, n)],
    }


def make_export(n: int, seed: int = 0) -> dict[str, Any]:
    """Raw rows shaped like a CRM/GA export, seeded: every column is text.

    * ``client_id``: GA-style cookies (``GA1.1.<10 digits>.<10 digits>``), one to three
      per person;
    * ``user_id``: CRM ids as text with leading zeros (``"0004711"``) on ~40% of rows,
      blank (``""``) or None elsewhere;
    * ``email``: on ~30% of rows, mixed case and stray spaces; blank, None or NaN else;
    * ``event_time``: text as CRMs export it (``"2024-03-01 09:00:00"``, UTC), rows in
      time order;
    * ``page_url``: landing URLs with UTM tags in several spellings, ~10% with a click id
      (``gclid``/``fbclid``, unique per click), some without tags;
    * ``lead_source``: the CRM source field in many spellings on ~40% of rows;
    * ~5% of rows are repeats of another row a few seconds later (tracker double fires);
      ~0.1% have a blank or unreadable time and ~0.2% no identifier (both rejected).
    """
    rng = np.random.default_rng(seed)
    n_base = n - n // 20
    n_people = max(n_base // 8, 1)
    who = rng.integers(0, n_people, n_base)
    cookie_ix = rng.integers(0, 3, n_base)
    cookie_a = rng.integers(10**9, 10**10, (n_people, 3))
    cookie_b = rng.integers(1_600_000_000, 1_730_000_000, (n_people, 3))
    cookie = np.char.add(
        np.char.add("GA1.1.", cookie_a[who, cookie_ix].astype(str)),
        np.char.add(".", cookie_b[who, cookie_ix].astype(str)),
    ).astype(object)
    r = rng.random(n_base)
    uid_text = np.char.zfill((who * 7 + 11).astype(str), 7).astype(object)
    user_id = np.where(r < 0.4, uid_text, np.where(r < 0.45, "", None)).astype(object)
    first = np.array(["Ann", "bob", "CHEN", "Dana", "eve", "Li"], dtype=object)
    emails = np.char.add(
        np.char.add(first[who % first.size].astype(str), who.astype(str)),
        np.where(who % 3 == 0, "@Example.COM", "@mail.example.org "),
    ).astype(object)
    r = rng.random(n_base)
    email = np.where(r < 0.3, emails, np.where(r < 0.33, " ", None)).astype(object)
    email[(r >= 0.33) & (r < 0.35)] = float("nan")
    sources = ["LinkedIn", "linkedin", "google", "Google", "bing", "facebook", "newsletter",
               "g2", "capterra", "partner-acme"]  # fmt: skip
    mediums = ["cpc", "CPC", "paid_social", "social", "email", "organic", "referral"]
    pages = [
        "https://www.example.com/",
        "https://www.example.com/pricing",
        "https://example.com/demo?ref=nav",
        "www.example.com/blog/attribution-101",
    ]
    urls = []
    for p in pages:
        for s in sources:
            for m in mediums:
                for c in ("q2_demo", "Spring Launch", None):
                    tag = f"utm_source={s}&utm_medium={m}" + (f"&utm_campaign={c}" if c else "")
                    urls.append(f"{p}{'&' if '?' in p else '?'}{tag}")
                    urls.append(f"{p}{'&' if '?' in p else '?'}{tag.upper()}")
    urls.extend(pages)
    url_table = np.array(urls, dtype=object)
    url = url_table[rng.integers(0, url_table.size, n_base)]
    clicked = np.flatnonzero(rng.random(n_base) < 0.1)
    click = np.where(rng.random(clicked.size) < 0.6, "&gclid=", "&fbclid=")
    url[clicked] = np.char.add(
        np.char.add(url[clicked].astype(str), click),
        rng.integers(0, 2**62, clicked.size).astype(str),
    ).astype(object)
    url[rng.random(n_base) < 0.15] = None
    spellings = np.array(["LinkedIn", "linkedin ", "lnkd.in", "Google Ads", "google.com",
                          "Trade Show", "trade-show badge scan", "https://m.facebook.com/",
                          "Webinar", "Cold Call", "G2 Crowd", "referral - partner", "",
                          "mystery source"], dtype=object)  # fmt: skip
    source = spellings[rng.integers(0, spellings.size, n_base)]
    source[rng.random(n_base) < 0.6] = None
    start = np.datetime64("2024-01-01T00:00:00", "s").astype(np.int64)
    secs = np.sort(start + rng.integers(0, 180 * 86400, n_base))
    # Repeats: a copy of a random row a few seconds later.
    dup_of = np.sort(rng.integers(0, n_base, n - n_base))
    rows = np.concatenate([np.arange(n_base), dup_of])
    secs = np.concatenate([secs, secs[dup_of] + rng.integers(0, 30, dup_of.size)])
    order = np.argsort(secs, kind="stable")
    rows, secs = rows[order], secs[order]
    times = np.char.replace(np.datetime_as_string(secs.astype("datetime64[s]"), unit="s"), "T", " ")
    times = times.astype(object)
    times[rng.random(n) < 0.001] = rng.choice(np.array(["", "n/a", None], dtype=object))
    out = {
        "client_id": cookie[rows],
        "user_id": user_id[rows],
        "email": email[rows],
        "event_time": times,
        "page_url": url[rows],
        "lead_source": source[rows],
    }
    anonymous = rng.random(n) < 0.002  # consent banners: rows without any identifier
    for name in ("client_id", "user_id", "email"):
        out[name][anonymous] = None
    return out


def clean_export(table: Any) -> Any:
    """:func:`touchcredit.clean` on :func:`make_export` rows (30-minute duplicate window)."""
    from touchcredit.hygiene.clean import clean

    return clean(
        table,
        journey="client_id",
        timestamp="event_time",
        url="page_url",
        source="lead_source",
        identifiers=["user_id", "email"],
        dedupe_window="30min",
    )


def best_of(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, float, Any]:
    """Best wall and CPU seconds of ``repeat`` calls, and the last result."""
    wall, cpu, out = float("inf"), float("inf"), None
    for _ in range(repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        out = fn()
        wall = min(wall, time.perf_counter() - t0)
        cpu = min(cpu, time.process_time() - c0)
    return wall, cpu, out


def as_frame(table: dict[str, Any], kind: str) -> Any:
    """The export rows as a pandas, pyarrow or polars table (text columns as strings)."""
    if kind == "pandas":
        import pandas as pd

        return pd.DataFrame(table)
    import pyarrow as pa

    arrow = pa.table({k: pa.array(v, from_pandas=True) for k, v in table.items()})
    if kind == "polars":
        import polars as pl

        return pl.from_arrow(arrow)
    return arrow


def export_case(n: int, repeat: int = 3, frame: str | None = None) -> None:
    """The issue-17 case: clean() on ``n`` raw export rows, best of ``repeat``.

    ``frame``: give the rows as a pandas/pyarrow/polars table instead of a dict of arrays.
    """
    table = _timed(f"generate {n:,} export rows", lambda: make_export(n))
    given = table if frame is None else as_frame(table, frame)
    ids = table["client_id"]
    t0 = time.perf_counter()
    np.unique(ids[np.not_equal(ids, None)])
    base_s = time.perf_counter() - t0
    print(f"{'numpy pass: np.unique(client_id)':<44s} {base_s:8.3f} s")
    first = time.perf_counter()
    clean_export(given)  # the first call pays the imports
    what = f"clean() raw export{'' if frame is None else ' (' + frame + ')'}"
    print(f"{what + ', first call':<44s} {time.perf_counter() - first:8.3f} s")
    wall, cpu, (js, report) = best_of(lambda: clean_export(given), repeat)
    print(
        f"{what + ', best of ' + str(repeat):<44s} {wall:8.3f} s"
        f"  (cpu {cpu:.3f} s; {wall / base_s:.1f}x the numpy pass)"
    )
    print(
        f"  {report.rows_in:,} rows in, {report.rows_out:,} out, "
        f"{report.duplicates_removed:,} duplicates, {report.rows_rejected:,} rejected, "
        f"{report.persons:,} persons, {js.n_journeys:,} journeys"
    )


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    sizes = [a for a in args if not a.startswith("--")]
    n = int(float(sizes[0])) if sizes else 1_000_000
    if "--export" in args:  # only the raw-export clean case
        frames = [a.split("=", 1)[1] for a in args if a.startswith("--frame=")]
        export_case(n, frame=frames[0] if frames else None)
        return
    from touchcredit import sources
    from touchcredit.hygiene import identity
    from touchcredit.hygiene.clean import clean

    table = _timed(f"generate {n:,} touches", lambda: make_table(n))
    t0 = time.perf_counter()
    np.unique(table["cookie"])
    base_s = time.perf_counter() - t0
    print(f"{'numpy pass: np.unique(cookie)':<44s} {base_s:8.3f} s")
    s = _timed(
        "stitch cookie+email (scipy once imported)",
        lambda: identity.stitch({"cookie": table["cookie"], "email": table["email"]}),
        base_s,
    )
    _timed(
        "stitch cookie+email (numpy fallback)",
        lambda: identity.stitch(
            {"cookie": table["cookie"], "email": table["email"]}, use_scipy=False
        ),
        base_s,
    )
    print(f"  persons: {s.n_persons:,}, identities merged: {s.identities_merged:,}")
    norm = _timed("sources.normalize", lambda: sources.normalize(table["source"]), base_s)
    _timed(
        "sources.channel_groups",
        lambda: sources.channel_groups(norm.values, table["medium"]),
        base_s,
    )
    d = _timed(
        "identity.deduplicate (1 h window)",
        lambda: identity.deduplicate(s.person, table["timestamp"], [norm.values], window="1h"),
        base_s,
    )
    print(f"  removed: {d.n_removed:,}")
    js, report = _timed(
        "clean() end to end",
        lambda: clean(
            table,
            journey="cookie",
            timestamp="timestamp",
            source="source",
            medium="medium",
            identifiers=["email"],
            dedupe_window="1h",
        ),
        base_s,
    )
    print(f"  {report.rows_in:,} rows in, {report.rows_out:,} out, {js.n_journeys:,} journeys")
    export_case(n)


if __name__ == "__main__":
    main()
