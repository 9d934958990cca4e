"""Benchmark the data-driven models (Markov order 1, Shapley) at 10M touches / 1M journeys.

Run: ``python benchmarks/bench_data_driven.py`` (``--journeys`` / ``--touches`` to scale).
Targets (DESIGN.md section 4, 2 cores): Markov order 1 fit + credit <= 1 s; Shapley with
12 channels <= 2 s (15 channels reported too). Also times ``ChannelAttribution.markov_model``
on the same data aggregated to paths, when that package is installed, and prints ratios.
Throughput is quoted against a plain numpy pass over the touch arrays in the same run.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from touchcredit import JourneySet
from touchcredit.models import MarkovModel, ShapleyModel


def make_journeys(n_journeys: int, n_touches: int, n_channels: int, seed: int) -> JourneySet:
    """Seeded journeys: channel choice depends on the previous channel; conversion
    probability grows with the channels seen; one conversion at the last touch."""
    rng = np.random.default_rng(seed)
    lengths = 1 + rng.poisson(n_touches / n_journeys - 1, n_journeys)
    total = int(lengths.sum())
    offsets = np.zeros(n_journeys + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    popularity = rng.dirichlet(np.full(n_channels, 0.7))
    channel = rng.choice(n_channels, size=total, p=popularity).astype(np.int32)
    # a sticky second draw: with prob 0.3 repeat the previous touch's channel
    repeat = rng.random(total) < 0.3
    repeat[offsets[:-1]] = False
    channel[repeat] = channel[np.flatnonzero(repeat) - 1]
    journey = np.repeat(np.arange(n_journeys, dtype=np.int64), lengths)
    ts = (np.arange(total, dtype=np.int64) - np.repeat(offsets[:-1], lengths)) * 3600
    strength = rng.uniform(0.2, 1.0, n_channels)
    score = np.bincount(journey, weights=strength[channel], minlength=n_journeys)
    p_conv = 1 - np.exp(-0.15 * score)
    conv = np.flatnonzero(rng.random(n_journeys) < p_conv)
    names = np.array([f"ch{c:02d}" for c in range(n_channels)], dtype=object)
    ts_us = (ts * 1_000_000).astype("datetime64[us]")
    return JourneySet.from_arrays(
        journey_id=journey,
        timestamp=ts_us,
        channel=names[channel],
        conversion_journey_id=conv,
        conversion_time=ts_us[offsets[conv + 1] - 1],
        conversion_value=rng.gamma(2.0, 50.0, conv.size),
    )


def best_of(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def to_paths(js: JourneySet) -> Any:
    """Aggregate the JourneySet to the reference tool's path table (pandas)."""
    import pandas as pd

    labels = np.asarray(js.channel.categories, dtype=object)[js.channel.codes]
    jid = js.touch_journey
    conv = np.bincount(js.conversion_journey, minlength=js.n_journeys)
    value = np.bincount(js.conversion_journey, weights=js.conversion_value, minlength=js.n_journeys)
    df = pd.DataFrame({"j": jid, "c": labels})
    paths = df.groupby("j", sort=True)["c"].agg(" > ".join)
    table = pd.DataFrame(
        {"path": paths.to_numpy(), "conv": conv, "value": value, "null": (conv == 0).astype(int)}
    )
    return table.groupby("path", as_index=False).sum()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--journeys", type=int, default=1_000_000)
    ap.add_argument("--touches", type=int, default=10_000_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--no-reference", action="store_true")
    args = ap.parse_args(argv)

    results: dict[str, float] = {}
    for n_ch in (15, 12):
        t0 = time.perf_counter()
        js = make_journeys(args.journeys, args.touches, n_ch, args.seed)
        print(f"[{n_ch} channels] built {js!r} in {time.perf_counter() - t0:.1f} s")
        codes = js.channel.codes
        t_np, _ = best_of(lambda codes=codes, k=n_ch: np.bincount(codes, minlength=k))
        print(f"  numpy pass (bincount over touch codes): {t_np:.3f} s")

        def markov(js: JourneySet = js) -> Any:
            m = MarkovModel().fit(js)
            return m.credit(js)

        def markov_weights(js: JourneySet = js) -> Any:
            m = MarkovModel().fit(js)
            return m.weights(js)

        def shapley(js: JourneySet = js) -> Any:
            m = ShapleyModel(coalition_value="value").fit(js)
            return m.credit(js)

        if n_ch == 15:
            t, _ = best_of(markov)
            results["markov"] = t
            print(
                f"  Markov order 1 fit + channel credit: {t:.3f} s "
                f"({js.n_touches / t / 1e6:.1f} M touches/s; {t / t_np:.1f}x numpy pass)"
            )
            t, _ = best_of(markov_weights, repeat=1)
            print(f"  Markov order 1 fit + per-touch weights: {t:.3f} s")
        t, _ = best_of(shapley)
        results[f"shapley{n_ch}"] = t
        print(
            f"  Shapley exact ({n_ch} channels) fit + channel credit: {t:.3f} s "
            f"({t / t_np:.1f}x numpy pass)"
        )

        if n_ch == 15 and not args.no_reference:
            try:
                import ChannelAttribution as ca
            except ImportError:
                print("  ChannelAttribution not installed; reference timing skipped")
                continue
            t0 = time.perf_counter()
            table = to_paths(js)
            t_agg = time.perf_counter() - t0
            print(f"  aggregating the touches to {len(table)} paths (pandas): {t_agg:.2f} s")
            settings: list[tuple[str, dict[str, Any]]] = [
                ("default settings (1e5 simulations, 10 folds)", {}),
                (
                    "2e6 simulations in one fold (the accuracy the tests use)",
                    {"nsim_start": 2_000_000, "nfold": 1, "max_step": 1000},
                ),
            ]
            for label, extra in settings:
                t0 = time.perf_counter()
                ca.markov_model(
                    table,
                    "path",
                    "conv",
                    var_null="null",
                    order=1,
                    verbose=False,
                    flg_pro=False,
                    **extra,
                )
                t_ref = time.perf_counter() - t0
                ratio = t_ref / results["markov"]
                e2e = (t_ref + t_agg) / results["markov"]
                print(
                    f"  ChannelAttribution.markov_model, {label}: {t_ref:.2f} s; "
                    f"ratio to touchcredit {ratio:.1f}x (end to end from touches: {e2e:.1f}x)"
                )
    print(
        "targets: Markov <= 1 s:",
        "OK" if results["markov"] <= 1 else "MISSED",
        "| Shapley 12 <= 2 s:",
        "OK" if results["shapley12"] <= 2 else "MISSED",
    )


if __name__ == "__main__":
    main()
