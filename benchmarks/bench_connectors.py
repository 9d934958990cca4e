"""Benchmark: a GA4 BigQuery export in Parquet to a JourneySet (touchcredit.connectors.ga4).

Run ``python benchmarks/bench_connectors.py [n_events] [n_users]`` (default 10,000,000
events of 1,000,000 users). Seeded. Writes the export (nested ``event_params``,
``collected_traffic_source``, ``ecommerce``) to a temporary Parquet file, then times
``ga4.read`` from the file to the JourneySet, and prints the CPU time too (the machine
may be shared).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

#: Landing-page tags of tagged sessions: (source, medium, campaign).
TAGS = (
    ("google", "cpc", "brand"),
    ("google", "organic", None),
    ("facebook", "paid_social", "retargeting"),
    ("newsletter", "email", "march"),
    ("linkedin", "cpc", "abm"),
    ("bing", "cpc", "brand"),
)
EVENTS = ("page_view", "user_engagement", "scroll", "view_item", "add_to_cart")


def _strings(pa: Any, codes: np.ndarray, values: list[str | None]) -> Any:
    """A string Arrow array from codes into ``values`` (code -1 is null), via a dictionary."""
    dictionary = pa.array(values, type=pa.string())
    indices = pa.array(codes.astype(np.int32), mask=codes < 0)
    return pa.DictionaryArray.from_arrays(indices, dictionary).cast(pa.string())


def make_events(n_events: int, n_users: int, seed: int = 0) -> Any:
    """A GA4 export table: sessions of 1-9 events, ~30% of sessions tagged, ~3% buyers."""
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    n_sessions = n_events // 5
    session_user = np.sort(rng.integers(0, n_users, n_sessions))
    length = rng.integers(1, 10, n_sessions)
    length = np.maximum(1, np.round(length * n_events / length.sum()).astype(np.int64))
    n = int(length.sum())
    start = np.cumsum(length) - length
    session = np.repeat(np.arange(n_sessions), length)
    pos = np.arange(n) - start[session]
    t0 = 1_704_067_200_000_000 + rng.integers(0, 90 * 86_400_000_000, n_sessions)
    ts = t0[session] + pos * 15_000_000
    buyer = rng.random(n_sessions) < 0.03
    last = pos == length[session] - 1
    name_code = np.where(pos == 0, 0, 1 + rng.integers(0, len(EVENTS), n))
    name_code = np.where(last & buyer[session] & (pos > 0), len(EVENTS) + 1, name_code)
    names = _strings(pa, name_code, ["session_start", *EVENTS, "purchase"])
    user_ids = np.char.add(rng.integers(10**9, 2 * 10**9, n_users).astype(str), ".1704067200")
    pseudo = pa.array(user_ids[session_user[session]].astype(object), type=pa.string())
    tag = np.where(rng.random(n_sessions) < 0.3, rng.integers(0, len(TAGS), n_sessions), -1)
    urls = ["https://shop.example/"] + [
        f"https://shop.example/?utm_source={s}&utm_medium={m}" + (f"&utm_campaign={c}" if c else "")
        for s, m, c in TAGS
    ]
    url_code = np.where(pos == 0, tag[session] + 1, 0)
    # event_params: page_location, ga_session_id, engagement_time_msec per event
    keys = _strings(
        pa, np.tile(np.arange(3), n), ["page_location", "ga_session_id", "engagement_time_msec"]
    )
    sv = np.full(3 * n, -1)
    sv[0::3] = url_code
    iv = np.zeros(3 * n, dtype=np.int64)
    iv[1::3] = session
    iv[2::3] = rng.integers(0, 60_000, n)
    value = pa.StructArray.from_arrays(
        [
            _strings(pa, sv, urls),
            pa.array(iv, mask=sv >= 0),
            pa.nulls(3 * n, pa.float64()),
            pa.nulls(3 * n, pa.float64()),
        ],
        names=["string_value", "int_value", "float_value", "double_value"],
        mask=pa.array(np.zeros(3 * n, dtype=bool)),
    )
    params = pa.ListArray.from_arrays(
        pa.array(np.arange(0, 3 * n + 1, 3, dtype=np.int32)),
        pa.StructArray.from_arrays([keys, value], names=["key", "value"]),
    )
    tagged = (pos == 0) & (tag[session] >= 0)
    tcode = np.maximum(tag[session], 0)
    cts = pa.StructArray.from_arrays(
        [
            _strings(pa, tcode, [t[0] for t in TAGS]),
            _strings(pa, tcode, [t[1] for t in TAGS]),
            _strings(pa, tcode, [t[2] for t in TAGS]),
            pa.nulls(n, pa.string()),
        ],
        names=["manual_source", "manual_medium", "manual_campaign_name", "gclid"],
        mask=pa.array(~tagged),
    )
    is_purchase = name_code == len(EVENTS) + 1
    revenue = np.round(rng.gamma(2.0, 40.0, n), 2)
    ecommerce = pa.StructArray.from_arrays(
        [pa.array(revenue, mask=~is_purchase)],
        names=["purchase_revenue"],
        mask=pa.array(~is_purchase),
    )
    return pa.table(
        {
            "event_date": pa.nulls(n, pa.string()),
            "event_timestamp": pa.array(ts, type=pa.int64()),
            "event_name": names,
            "event_params": params,
            "user_pseudo_id": pseudo,
            "user_id": pa.nulls(n, pa.string()),
            "collected_traffic_source": cts,
            "ecommerce": ecommerce,
        }
    )


def main(argv: list[str] | None = None) -> None:
    args = sys.argv[1:] if argv is None else argv
    n_events = int(float(args[0])) if args else 10_000_000
    n_users = int(float(args[1])) if len(args) > 1 else max(n_events // 10, 1)
    import pyarrow.parquet as pq

    from touchcredit.connectors import ga4

    t = time.perf_counter()
    table = make_events(n_events, n_users)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events_20240101.parquet"
        pq.write_table(table, path, row_group_size=1 << 20)
        size = path.stat().st_size
        del table
        print(f"generate + write {n_events:,} events ({size / 1e6:,.0f} MB): "
              f"{time.perf_counter() - t:.1f} s")  # fmt: skip
        wall, cpu = time.perf_counter(), time.process_time()
        js, report = ga4.read(path)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"ga4.read: {wall:.1f} s wall, {cpu:.1f} s CPU -> {js!r}")
    print(report)


if __name__ == "__main__":
    main()
