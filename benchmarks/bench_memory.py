"""Peak memory of building a JourneySet and of the out-of-core run (issue 17, target 5).

Run (from the repository root)::

    python benchmarks/bench_memory.py                      # 10M build, 100M chunked
    python benchmarks/bench_memory.py --touches 1e6 --chunked-touches 5e6   # small

Every case runs in a fresh subprocess (``--child``), so no case inherits another's heap.
Peak RSS is the kernel's: the child resets its peak counter through
``/proc/self/clear_refs`` and reads ``VmHWM`` from ``/proc/self/status`` (Linux), as
``run.py --memory rss`` does.

Build cases (``build/numpy``: ``JourneySet.from_arrays`` on numpy arrays;
``build/arrow``: ``JourneySet.from_frame`` on an Arrow table) at ``--touches``, on the
seeded table of ``_data.py`` (channel, source and campaign; conversions). The child
imports everything, notes its RSS (``base``), makes the input and frees what the
generator left (``malloc_trim``), resets the peak and builds. Reported:

* ``input``: bytes of the input (numpy ``nbytes``; an object column costs its pointers:
  its label objects are shared; Arrow ``get_total_buffer_size``);
* ``set``: bytes of the finished set's arrays (per-touch arrays, label codes, offsets
  and journey ids, conversion arrays) and ``B/touch`` = set / touches;
* ``peak``: peak RSS - ``base`` (the input is resident during the build), and
  ``peak/(in+set)`` and ``extra/set`` = (peak RSS - RSS before the build) / set: the
  target is ``peak <= input + 2 x set`` (``extra/set <= 2``) and ``B/touch <= 48``.

Chunked cases (``chunked/linear``, ``chunked/markov``): ``touchcredit.io.chunked.
attribute_parquet`` on ``--chunked-touches`` touches in a Parquet file sorted by journey,
written under ``--tmp`` before the cases (in chunks of ``--gen-rows``, never the whole
table in memory; each chunk is ``_data.make_touches`` with its own seed, journeys grouped
and renumbered so the ids rise through the file; plain string label columns) and deleted
after. Reported: wall time and the child's whole peak RSS (``VmHWM`` of the process,
interpreter included); the target is < 2 GB.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import make_touches, parse_sizes
from _proc import reset_peak, status_kb

MB = 1024.0 * 1024.0
BUILD_CASES = ("build/numpy", "build/arrow")
CHUNKED_CASES = ("chunked/linear", "chunked/markov")


# ----------------------------------------------------------------- kernel counters
def release_free_memory() -> None:
    """Collect garbage and hand freed heap back to the kernel (glibc ``malloc_trim``)."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    if "pyarrow" in sys.modules:  # Arrow's own pool keeps freed pages too
        sys.modules["pyarrow"].default_memory_pool().release_unused()


# ----------------------------------------------------------------- build cases
def set_bytes(js: Any) -> dict[str, int]:
    """Bytes of a JourneySet's arrays, by group (every attrs field, so none is missed)."""
    import attrs

    from touchcredit.core.dimension import Dimension

    groups: dict[str, int] = {}
    for field in attrs.fields(type(js)):
        value = getattr(js, field.name)
        if isinstance(value, Dimension):
            groups[f"codes:{field.name}"] = int(value.codes.nbytes)
        elif isinstance(value, np.ndarray):
            group = "conversions" if value.shape[0] == js.n_conversions else "touch"
            if field.name in ("offsets", "journey_ids"):
                group = "journeys"
            elif field.name.startswith("conversion") or field.name.endswith("_at"):
                group = "conversions"
            groups[f"{group}:{field.name}:{value.dtype}"] = int(value.nbytes)
    return groups


def child_build(case: str, n: int, seed: int) -> dict[str, Any]:
    import pyarrow as pa

    from touchcredit import JourneySet

    base = status_kb("VmRSS")
    t = make_touches(n, seed=seed)
    if case == "build/numpy":
        cols = dict(t.touch_columns())
        conv = {
            "conversion_journey_id": t.conversion_journey_id,
            "conversion_time": t.conversion_time,
            "conversion_value": t.conversion_value,
        }
        input_bytes = sum(int(a.nbytes) for a in (*cols.values(), *conv.values()))

        def build() -> Any:
            return JourneySet.from_arrays(**cols, **conv)
    else:
        touches, conversions = t.to_arrow()
        input_bytes = int(touches.get_total_buffer_size() + conversions.get_total_buffer_size())

        def build() -> Any:
            return JourneySet.from_frame(
                touches, conversions, source="source", campaign="campaign",
                conversion_value="conversion_value",
            )  # fmt: skip

    del t
    release_free_memory()
    assert pa  # imported before ``base``: the library is no part of the peak
    if not reset_peak():
        raise OSError("peak RSS cannot be reset here (/proc/self/clear_refs, Linux)")
    before = status_kb("VmRSS")
    t0 = time.perf_counter()
    js = build()
    seconds = time.perf_counter() - t0
    peak = status_kb("VmHWM")
    parts = set_bytes(js)
    return {
        "case": case, "touches": n, "seconds": seconds, "input": input_bytes,
        "set": sum(parts.values()), "parts": parts, "base_kb": base,
        "before_kb": before, "peak_kb": peak,
    }  # fmt: skip


# ----------------------------------------------------------------- chunked cases
def write_parquet(directory: str, n: int, seed: int, gen_rows: int) -> tuple[str, str]:
    """Touches (sorted by journey) and conversions as Parquet, ``gen_rows`` at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    touches_path = os.path.join(directory, "touches.parquet")
    conv_path = os.path.join(directory, "conversions.parquet")
    writers: dict[str, Any] = {}
    next_id = 10_000_000
    done, k = 0, 0
    try:
        while done < n:
            rows = min(gen_rows, n - done)
            t = make_touches(rows, seed=seed * 1_000_003 + k, order="journey")
            # Journeys are grouped; renumber them so that ids rise through the file.
            starts = np.ones(rows, dtype=bool)
            starts[1:] = t.journey_id[1:] != t.journey_id[:-1]
            new_ids = next_id + 3 * (np.cumsum(starts) - 1)  # sparse, increasing
            old_sorted = np.sort(t.journey_id[starts])
            new_of_old = new_ids[starts][np.argsort(t.journey_id[starts])]
            conv_ids = new_of_old[np.searchsorted(old_sorted, t.conversion_journey_id)]
            next_id = int(new_ids[-1]) + 3
            tables = {
                "touches": pa.table({
                    "journey_id": new_ids,
                    "timestamp": t.timestamp,
                    "channel": pa.array(t.channel, pa.string()),
                    "source": pa.array(t.source, pa.string()),
                    "campaign": pa.array(t.campaign, pa.string()),
                }),
                "conversions": pa.table({
                    "journey_id": conv_ids,
                    "conversion_time": t.conversion_time,
                    "conversion_value": t.conversion_value,
                }),
            }  # fmt: skip
            del t
            for name, table in tables.items():
                if name not in writers:
                    path = touches_path if name == "touches" else conv_path
                    writers[name] = pq.ParquetWriter(path, table.schema)
                writers[name].write_table(table, row_group_size=1_000_000)
            done += rows
            k += 1
    finally:
        for writer in writers.values():
            writer.close()
    return touches_path, conv_path


def child_chunked(case: str, touches: str, conversions: str, batch_rows: int) -> dict[str, Any]:
    import pyarrow.parquet as pq

    from touchcredit.io.chunked import attribute_parquet

    model = case.split("/", 1)[1]
    n = int(pq.ParquetFile(touches).metadata.num_rows)
    base = status_kb("VmRSS")
    t0 = time.perf_counter()
    res = attribute_parquet(
        touches, model, conversions=conversions, source="source", campaign="campaign",
        conversion_value="conversion_value", batch_rows=batch_rows,
    )  # fmt: skip
    seconds = time.perf_counter() - t0
    peak = status_kb("VmHWM")
    return {
        "case": case, "touches": n, "seconds": seconds, "base_kb": base, "peak_kb": peak,
        "chunks": res.n_chunks, "total_value": res.total_value,
    }  # fmt: skip


# ----------------------------------------------------------------- parent
def run_child(args: list[str]) -> dict[str, Any] | None:
    cmd = [sys.executable, __file__, "--child", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(f"  {args[0]} failed: {proc.stderr.strip()[-600:]}", file=sys.stderr)
        return None
    out: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return out


def build_row(r: dict[str, Any]) -> str:
    n, inp, js = r["touches"], r["input"], r["set"]
    peak = (r["peak_kb"] - r["base_kb"]) * 1024
    extra = (r["peak_kb"] - r["before_kb"]) * 1024
    ok = "yes" if extra <= 2 * js and js / n <= 48 else "NO"
    return (
        f"| {r['case']} | {n:,} | {r['seconds']:.2f} | {inp / MB:,.0f} | {js / MB:,.0f} | "
        f"{js / n:.1f} | {peak / MB:,.0f} | {peak / (inp + js):.2f} | {extra / js:.2f} | {ok} |"
    )


def parts_lines(r: dict[str, Any]) -> list[str]:
    n = r["touches"]
    return [f"    {name:<45} {b / n:6.2f} B/touch" for name, b in r["parts"].items()]


def chunked_row(r: dict[str, Any]) -> str:
    peak = r["peak_kb"] * 1024
    ok = "yes" if peak < 2 * 1024**3 else "NO"
    return (
        f"| {r['case']} | {r['touches']:,} | {r['chunks']} | {r['seconds']:.1f} | "
        f"{r['touches'] / r['seconds'] / 1e6:.2f} | {peak / MB:,.0f} | {ok} |"
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--touches", default="1e7", help="touches of the build cases")
    ap.add_argument("--chunked-touches", default="1e8", help="touches of the Parquet file")
    ap.add_argument("--batch-rows", type=int, default=1_000_000, help="attribute_parquet's")
    ap.add_argument("--gen-rows", type=int, default=5_000_000, help="rows generated at a time")
    ap.add_argument("--only", default="", help="regex over case names")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tmp", default=tempfile.gettempdir(), help="where the Parquet file goes")
    ap.add_argument("--json", default=None, help="write the rows as JSON to this path")
    ap.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child:
        case = a.child[0]
        if case in BUILD_CASES:
            out = child_build(case, parse_sizes(a.touches)[0], a.seed)
        else:
            out = child_chunked(case, a.child[1], a.child[2], a.batch_rows)
        print(json.dumps(out))
        return
    pick = re.compile(a.only)
    print(f"$ python benchmarks/{Path(__file__).name} {shlex.join(sys.argv[1:])}")
    rows: list[dict[str, Any]] = []
    build = [c for c in BUILD_CASES if pick.search(c)]
    if build:
        print(
            "\n| case | touches | s | input MB | set MB | B/touch | peak MB | peak/(in+set) "
            "| extra/set | ok |\n|---|---|---|---|---|---|---|---|---|---|"
        )
    for case in build:
        r = run_child([case, "--touches", a.touches, "--seed", str(a.seed)])
        if r is not None:
            rows.append(r)
            print(build_row(r), flush=True)
    for r in rows[:1]:
        print("\n  finished set, by array:\n" + "\n".join(parts_lines(r)))
    chunked = [c for c in CHUNKED_CASES if pick.search(c)]
    if chunked:
        n = parse_sizes(a.chunked_touches)[0]
        directory = tempfile.mkdtemp(prefix="tc-bench-memory-", dir=a.tmp)
        try:
            t0 = time.perf_counter()
            paths = write_parquet(directory, n, a.seed, a.gen_rows)
            size = os.path.getsize(paths[0]) / MB
            print(f"\nwrote {n:,} touches ({size:,.0f} MB) in {time.perf_counter() - t0:.0f} s")
            print(
                "\n| case | touches | chunks | s | M touches/s | peak RSS MB | < 2 GB |"
                "\n|---|---|---|---|---|---|---|"
            )
            for case in chunked:
                r = run_child([case, *paths, "--batch-rows", str(a.batch_rows)])
                if r is not None:
                    rows.append(r)
                    print(chunked_row(r), flush=True)
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    if a.json:
        Path(a.json).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
