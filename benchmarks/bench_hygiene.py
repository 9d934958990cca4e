"""Benchmark: lead-source hygiene at 1M touches (stitching, dedup, normalize, clean).

Run ``python benchmarks/bench_hygiene.py [n_touches]``. Seeded; prints seconds per step
and the ratio to a plain numpy pass (``np.unique`` of the cookie column) measured in the
same run.
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


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    n = int(args[0]) if args else 1_000_000
    from touchcredit import sources
    from touchcredit.hygiene import identity
    from touchcredit.hygiene.clean import clean

    table = _timed(f"generate {n:,} touches", lambda: make_table(n))
    t0 = time.perf_counter()
    np.unique(table["cookie"])
    base_s = time.perf_counter() - t0
    print(f"{'numpy pass: np.unique(cookie)':<44s} {base_s:8.3f} s")
    s = _timed(
        "stitch cookie+email (scipy, incl. import)",
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
        lambda: identity.deduplicate(s.person, table["timestamp"], [norm.values], window=3600),
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
            dedupe_window=3600,
        ),
        base_s,
    )
    print(f"  {report.rows_in:,} rows in, {report.rows_out:,} out, {js.n_journeys:,} journeys")


if __name__ == "__main__":
    main()
