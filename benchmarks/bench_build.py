"""Benchmark building a JourneySet, input by input, at 10M touches.

Run: ``python benchmarks/bench_build.py`` (``--touches`` to scale, ``--repeat``).

The DESIGN target (section 4): 10M rows to a JourneySet in <= 3 s, peak memory
<= 64 bytes per touch above the input. This script shows how the time depends on the
input, each on the same seeded table (``benchmarks/_data.py``):

* row order: event-log (sorted by time, journeys interleaved; the default table),
  already grouped by journey and time, or random;
* journey ids: integers, or strings;
* label columns: object arrays that share their label objects (what ``names[codes]`` or
  a pandas column built from one gives), object arrays with one string object per row
  (what ``pyarrow``'s ``to_numpy`` gives), or pandas Categoricals;
* containers: numpy arrays (``from_arrays``), pandas DataFrame and Arrow Table
  (``from_frame``).

Peak memory is read from the kernel (``VmHWM`` after resetting it through
``/proc/self/clear_refs``; Linux), as in ``run.py``; elsewhere it is shown as "-".
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _data import Touches, make_touches
from _proc import reset_peak, status_kb
from touchcredit import JourneySet


def peak_bytes(fn: Callable[[], Any]) -> float | None:
    """Peak RSS growth while ``fn`` runs (None when the kernel counter is unavailable)."""
    gc.collect()
    if not reset_peak():
        return None
    before = status_kb("VmRSS")
    out = fn()
    peak = status_kb("VmHWM")
    del out
    return (peak - before) * 1024.0


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def arrays(t: Touches, **labels: Any) -> dict[str, Any]:
    cols = {
        "journey_id": t.journey_id,
        "timestamp": t.timestamp,
        "channel": t.channel,
        "source": t.source,
        "campaign": t.campaign,
        "conversion_journey_id": t.conversion_journey_id,
        "conversion_time": t.conversion_time,
        "conversion_value": t.conversion_value,
    }
    cols.update(labels)
    return cols


def reorder(t: Touches, perm: np.ndarray[Any, Any]) -> Touches:
    return Touches(
        journey_id=t.journey_id[perm],
        timestamp=t.timestamp[perm],
        channel=t.channel[perm],
        source=t.source[perm],
        campaign=t.campaign[perm],
        conversion_journey_id=t.conversion_journey_id,
        conversion_time=t.conversion_time,
        conversion_value=t.conversion_value,
        n_journeys=t.n_journeys,
    )


def unshared(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """The same labels with one string object per row (as Arrow's to_numpy gives)."""
    out = np.empty(values.size, dtype=object)
    out[:] = [v[:1] + v[1:] for v in values.tolist()]  # a new str object per row
    return out


def frame_kwargs() -> dict[str, Any]:
    return {
        "journey": "journey_id",
        "timestamp": "timestamp",
        "channel": "channel",
        "source": "source",
        "campaign": "campaign",
        "conversion_time": "conversion_time",
        "conversion_value": "conversion_value",
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--touches", type=float, default=1e7)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    n = int(args.touches)

    t = make_touches(n, seed=args.seed)
    t_journey = make_touches(n, seed=args.seed, order="journey")
    rng = np.random.default_rng(args.seed)
    t_random = reorder(t, rng.permutation(n))
    cases: dict[str, Callable[[], Any]] = {
        "numpy, event-log order, int ids": lambda: JourneySet.from_arrays(**arrays(t)),
        "numpy, grouped by journey": lambda: JourneySet.from_arrays(**arrays(t_journey)),
        "numpy, random order": lambda: JourneySet.from_arrays(**arrays(t_random)),
    }
    distinct = np.unique(t.journey_id)
    str_ids = np.array([f"lead-{i}" for i in distinct.tolist()], dtype=object)
    t_str = Touches(
        journey_id=str_ids[np.searchsorted(distinct, t.journey_id)],
        timestamp=t.timestamp,
        channel=t.channel,
        source=t.source,
        campaign=t.campaign,
        conversion_journey_id=str_ids[np.searchsorted(distinct, t.conversion_journey_id)],
        conversion_time=t.conversion_time,
        conversion_value=t.conversion_value,
        n_journeys=t.n_journeys,
    )
    cases["numpy, string ids"] = lambda: JourneySet.from_arrays(**arrays(t_str))
    own = {k: unshared(getattr(t, k)) for k in ("channel", "source", "campaign")}
    cases["numpy, one string object per row"] = lambda: JourneySet.from_arrays(**arrays(t, **own))
    try:
        import pandas as pd
    except ImportError:
        print("pandas not installed: pandas cases skipped")
    else:
        cats = {k: pd.Categorical(getattr(t, k)) for k in ("channel", "source", "campaign")}
        cases["numpy ids + pandas Categorical labels"] = lambda: JourneySet.from_arrays(
            **arrays(t, **cats)
        )
        if hasattr(JourneySet, "from_frame"):
            touches, conversions = t.to_pandas()
            cases["pandas DataFrame (object labels)"] = lambda: JourneySet.from_frame(
                touches, conversions=conversions, **frame_kwargs()
            )
    if hasattr(JourneySet, "from_frame"):
        try:
            atouches, aconversions = t.to_arrow()
        except ImportError:
            print("pyarrow not installed: Arrow case skipped")
        else:
            cases["Arrow Table (string labels)"] = lambda: JourneySet.from_frame(
                atouches, conversions=aconversions, **frame_kwargs()
            )
            dict_touches = atouches
            for k in ("channel", "source", "campaign"):
                i = dict_touches.schema.get_field_index(k)
                dict_touches = dict_touches.set_column(
                    i, k, dict_touches.column(k).dictionary_encode()
                )
            cases["Arrow Table (dictionary labels)"] = lambda: JourneySet.from_frame(
                dict_touches, conversions=aconversions, **frame_kwargs()
            )

    # intp codes (cast here, outside the timing): bincount would cast int32 codes itself
    ref_codes = JourneySet.from_arrays(**arrays(t)).channel.codes.astype(np.intp)
    w = np.linspace(0.0, 1.0, n)
    t_ref = best_of(lambda: np.bincount(ref_codes, weights=w, minlength=12), 5)
    print(f"{n:,} touches, {t.n_journeys:,} journeys, {t.n_conversions:,} conversions")
    print(f"numpy reference pass (weighted bincount): {t_ref * 1e3:.1f} ms\n")
    print("| input | time (s) | M rows/s | x numpy pass | peak bytes/touch |")
    print("|---|---:|---:|---:|---:|")
    for name, fn in cases.items():
        fn()  # warm-up
        sec = best_of(fn, args.repeat)
        mem = peak_bytes(fn)
        shown = "-" if mem is None else f"{mem / n:.0f}"
        print(f"| {name} | {sec:.2f} | {n / sec / 1e6:.1f} | {sec / t_ref:.0f} | {shown} |")
    print("\ntarget: <= 3 s and <= 64 bytes/touch at 10M rows")


if __name__ == "__main__":
    main()
