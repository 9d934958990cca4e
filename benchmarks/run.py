"""touchcredit benchmark suite: one command, one Markdown table.

Run (from the repository root)::

    python -m pip install -e ".[all,benchmark]"
    python benchmarks/run.py --sizes 1e6,1e7 --out benchmarks/results.md

For every size the seeded generator (``benchmarks/_data.py``) makes one touch table and
one conversion table; every case then runs on those same arrays:

* ``build/*``: ``JourneySet.from_arrays`` on numpy arrays and ``JourneySet.from_frame``
  on a pandas DataFrame and an Arrow Table (input conversion to the frame excluded);
* ``model/<name>``: ``touchcredit.attribute(journeys, name).by("channel")`` for every
  registered model on a built JourneySet, as a first call (a new JourneySet object over
  the same arrays each run, so the eligible pairs are computed in the timing; a
  data-driven model is fitted in the timing); ``model/linear (warm)``: a later model on
  the same JourneySet, its pairs cached;
* ``e2e/<input>/<model>``: from numpy arrays, an Arrow Table or a polars DataFrame of
  the peers' columns to credit per channel, in one timed call;
* ``paths/top_paths``, ``identity/*`` when those modules exist.

Each time is the best of ``--repeat`` runs and is printed beside

(a) a plain numpy reference pass timed in the same run over the same arrays - a
    ``np.bincount`` of the channel codes (as ``intp``, cast outside the timing: the
    fastest weighted pass numpy allows) weighted by a float64 per touch - as
    ``x numpy`` = case time / reference time (how many numpy passes the case costs);
(b) the peers ``channelattribution`` and ``marketing-attribution-models`` (module
    ``mam``) on the same touch table, end to end, as ``peer time / our time``, where
    installed. End to end means from the touch arrays to per-channel totals: for
    touchcredit the ``e2e/*`` cases (building the JourneySet from the columns the peers
    read - journey, time, channel, conversions - and attributing); for channelattribution
    building its input (one aggregated path string per distinct path, made with pandas
    from the same arrays, as its users do) plus its model; for mam building its touch
    DataFrame plus its preprocessing plus its model. Answers are compared channel by
    channel (``same`` = equal to 1e-9 of the total; else the largest difference as a
    share of the total).

Peak memory per touch (``--memory rss``, the default on Linux): every case runs once
more in a fresh subprocess that loads the same arrays, prepares its input (e.g. builds
the JourneySet for a model case), resets the kernel's peak-RSS counter
(``/proc/self/clear_refs``), runs the case and reads ``VmHWM``. The figure is
(peak RSS - RSS before the case) / touches: everything the case allocated, whatever the
allocator (numpy, pandas, Arrow, C++), above its input. ``--memory tracemalloc`` uses
the peak of Python's tracemalloc instead (numpy allocations only; any platform).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import gc
import io
import json
import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import attrs
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import touchcredit
from _data import Touches, make_touches, parse_sizes
from _proc import reset_peak, status_kb
from touchcredit import JourneySet

HERE = Path(__file__).resolve().parent


# --------------------------------------------------------------------------- context
class Context:
    """The arrays of one size and what is derived from them (built lazily, once)."""

    def __init__(self, touches: Touches) -> None:
        self.t = touches
        self._cache: dict[str, Any] = {}

    def _get(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    @property
    def js(self) -> JourneySet:
        return self._get("js", lambda: build_numpy(self.t))  # type: ignore[no-any-return]

    @property
    def pandas(self) -> tuple[Any, Any]:
        return self._get("pandas", self.t.to_pandas)  # type: ignore[no-any-return]

    @property
    def arrow(self) -> tuple[Any, Any]:
        return self._get("arrow", self.t.to_arrow)  # type: ignore[no-any-return]

    @property
    def arrow_channel(self) -> tuple[Any, Any]:
        """The peers' columns as Arrow Tables (touches: journey_id, timestamp, channel)."""

        def make() -> tuple[Any, Any]:
            touches, conversions = self.arrow
            return touches.select(["journey_id", "timestamp", "channel"]), conversions

        return self._get("arrow_channel", make)  # type: ignore[no-any-return]

    @property
    def polars_channel(self) -> tuple[Any, Any]:
        """The peers' columns as polars DataFrames."""

        def make() -> tuple[Any, Any]:
            import polars as pl

            touches, conversions = self.arrow_channel
            return pl.from_arrow(touches), pl.from_arrow(conversions)

        return self._get("polars_channel", make)  # type: ignore[no-any-return]

    @property
    def parquet(self) -> tuple[str, Any]:
        """The touches as a Parquet file sorted by journey, and the conversions table."""

        def write() -> tuple[str, Any]:
            import pyarrow.parquet as pq

            touches, conversions = self.t.to_arrow()
            touches = touches.sort_by([("journey_id", "ascending"), ("timestamp", "ascending")])
            folder = tempfile.mkdtemp(prefix="touchcredit-bench-")
            atexit.register(shutil.rmtree, folder, True)
            path = os.path.join(folder, "t.parquet")
            pq.write_table(touches, path, row_group_size=1 << 20)
            return path, conversions

        return self._get("parquet", write)  # type: ignore[no-any-return]

    @property
    def weights(self) -> np.ndarray[Any, Any]:
        """A float64 per touch for the reference pass."""
        return self._get(  # type: ignore[no-any-return]
            "weights", lambda: np.linspace(0.0, 1.0, self.js.n_touches)
        )


def build_numpy(t: Touches) -> JourneySet:
    """JourneySet from the numpy arrays (touches and conversions)."""
    return JourneySet.from_arrays(
        t.journey_id,
        t.timestamp,
        t.channel,
        source=t.source,
        campaign=t.campaign,
        conversion_journey_id=t.conversion_journey_id,
        conversion_time=t.conversion_time,
        conversion_value=t.conversion_value,
    )


def build_channel_only(t: Touches) -> JourneySet:
    """JourneySet from the columns the peers read: journey, time, channel, conversions."""
    return JourneySet.from_arrays(
        t.journey_id,
        t.timestamp,
        t.channel,
        conversion_journey_id=t.conversion_journey_id,
        conversion_time=t.conversion_time,
        conversion_value=t.conversion_value,
    )


def build_frame(
    touches: Any, conversions: Any, labels: tuple[str, ...] = ("channel", "source", "campaign")
) -> JourneySet:
    """JourneySet from a pandas DataFrame / Arrow Table / polars DataFrame pair."""
    return JourneySet.from_frame(
        touches,
        journey="journey_id",
        timestamp="timestamp",
        **{name: name for name in labels},
        conversions=conversions,
        conversion_time="conversion_time",
        conversion_value="conversion_value",
    )


def reference_pass(ctx: Context) -> Callable[[], Any]:
    """The fastest single weighted pass numpy allows over the touches: a ``bincount`` of
    the channel codes as ``intp`` (cast outside the timing: ``bincount`` casts int32 codes
    to intp first, which doubled the reference's time) weighted by a float64 per touch."""
    codes, w = ctx.js.channel.codes.astype(np.intp), ctx.weights
    k = len(ctx.js.channel.categories)
    return lambda: np.bincount(codes, weights=w, minlength=k)


# ----------------------------------------------------------------------------- cases
@dataclass
class Case:
    """One timed operation: ``prepare(ctx)`` readies its input, ``run(ctx)`` is timed."""

    name: str
    run: Callable[[Context], Any]
    prepare: Callable[[Context], Any] = lambda ctx: None
    note: str = ""
    model: str | None = None  # registry name, for the peer comparison


def _attribute(name: str, *, fresh: bool = True) -> Callable[[Context], Any]:
    """The user's call, ``attribute(js, name).by("channel")``.

    ``fresh``: on a new JourneySet object over the same arrays (``attrs.evolve``, no
    copy), so every timed run pays what a user's first call pays (the eligible pairs,
    which a JourneySet caches for the next model), not a cache warmed by the warm-up.
    """
    attribute = getattr(touchcredit, "attribute", None)
    if attribute is not None:  # the user's path: credit per channel
        if fresh:
            return lambda ctx: attribute(attrs.evolve(ctx.js), name).by("channel")
        return lambda ctx: attribute(ctx.js, name).by("channel")

    def weights_only(ctx: Context) -> Any:
        model = touchcredit.models.get(name)
        return model.fit(ctx.js).weights(ctx.js)

    return weights_only


def _warm_pairs(ctx: Context) -> None:
    ctx.js.pairs()  # what a first model leaves cached on the JourneySet


#: Models the peers have: the end-to-end cases run these.
PEER_MODELS = ("first_touch", "last_touch", "linear", "position", "time_decay", "markov")


def _end_to_end_cases(notes: list[str]) -> list[Case]:
    """From the input a user has to credit per channel, timed as one call each.

    ``e2e/numpy``: the peers' columns as numpy arrays (journey, time, channel and the
    conversions); ``e2e/arrow`` and ``e2e/polars``: the same columns as an Arrow Table
    / polars DataFrame pair, through ``JourneySet.from_frame``.
    """
    available = set(touchcredit.models.available())
    sources: list[tuple[str, Callable[[Context], Any], Callable[[Context], Any]]] = [
        ("numpy", lambda ctx: None, lambda ctx: build_channel_only(ctx.t))
    ]
    if hasattr(JourneySet, "from_frame") and _importable("pyarrow"):
        sources.append(("arrow", lambda ctx: ctx.arrow_channel, _from_arrow))
        if _importable("polars"):
            sources.append(("polars", lambda ctx: ctx.polars_channel, _from_polars))
        else:
            notes.append("polars not installed: e2e/polars skipped")
    cases = []
    for source, prepare, build in sources:
        for name in PEER_MODELS:
            if name not in available:
                continue
            cases.append(
                Case(
                    f"e2e/{source}/{name}",
                    _end_to_end(build, name),
                    prepare=prepare,
                    model=name,
                    note="build + attribute(...).by('channel')",
                )
            )
    return cases


def _end_to_end(build: Callable[[Context], JourneySet], name: str) -> Callable[[Context], Any]:
    def run(ctx: Context) -> Any:
        return touchcredit.attribute(build(ctx), name).by("channel")

    return run


def _from_arrow(ctx: Context) -> JourneySet:
    return build_frame(*ctx.arrow_channel, labels=("channel",))


def _from_polars(ctx: Context) -> JourneySet:
    return build_frame(*ctx.polars_channel, labels=("channel",))


def collect_cases(notes: list[str]) -> list[Case]:
    """Every case whose code exists in this checkout; a note for each that does not."""
    cases = [
        Case("build/numpy", lambda ctx: build_numpy(ctx.t), note="from_arrays, 3 label columns"),
        Case(
            "build/numpy-channel",
            lambda ctx: build_channel_only(ctx.t),
            note="from_arrays, the peers' columns",
        ),
    ]
    if hasattr(JourneySet, "from_frame"):
        if _importable("pandas"):
            cases.append(
                Case(
                    "build/pandas",
                    lambda ctx: build_frame(*ctx.pandas),
                    prepare=lambda ctx: ctx.pandas,
                    note="from_frame",
                )
            )
        if _importable("pyarrow"):
            cases.append(
                Case(
                    "build/arrow",
                    lambda ctx: build_frame(*ctx.arrow),
                    prepare=lambda ctx: ctx.arrow,
                    note="from_frame",
                )
            )
    else:
        notes.append("JourneySet.from_frame not available: pandas/Arrow build skipped")
    if not hasattr(touchcredit, "attribute"):
        notes.append("touchcredit.attribute not available: model cases time fit + weights only")
    for name in touchcredit.models.available():
        if name.endswith("_doc") or name.startswith("_"):
            continue
        cases.append(
            Case(
                f"model/{name}",
                _attribute(name),
                prepare=lambda ctx: ctx.js,
                model=name,
                note="first call on a JourneySet (pairs computed)",
            )
        )
    cases.append(
        Case(
            "model/linear (warm)",
            _attribute("linear", fresh=False),
            prepare=_warm_pairs,
            note="a second model on one JourneySet (its pairs cached)",
        )
    )
    cases.extend(_end_to_end_cases(notes))
    try:
        from touchcredit.kpi.paths import top_paths
    except ImportError:
        notes.append("touchcredit.kpi.paths not available: paths skipped")
    else:
        cases.append(
            Case("paths/top_paths", lambda ctx: top_paths(ctx.js), prepare=lambda ctx: ctx.js)
        )
    cases.extend(_identity_cases(notes))
    cases.extend(_chunked_cases(notes))
    if hasattr(touchcredit, "bootstrap") and "markov" in touchcredit.models.available():
        cases.append(
            Case(
                "bootstrap/markov",
                lambda ctx: touchcredit.bootstrap(ctx.js, "markov", n=200, progress=False),
                prepare=lambda ctx: ctx.js,
                note="200 resamples, credit intervals per channel",
            )
        )
    return cases


def _chunked_cases(notes: list[str]) -> list[Case]:
    try:
        from touchcredit.io.chunked import attribute_parquet
    except ImportError:
        notes.append("touchcredit.io.chunked not available: out-of-core run skipped")
        return []
    if not _importable("pyarrow"):
        notes.append("pyarrow not installed: out-of-core run skipped")
        return []
    names = touchcredit.models.available()
    model = "markov" if "markov" in names else ("linear" if "linear" in names else None)
    if model is None:
        return []

    def run(ctx: Context) -> Any:
        touches, conversions = ctx.parquet
        return attribute_parquet(
            touches,
            model,
            source="source",
            campaign="campaign",
            conversions=conversions,
            conversion_value="conversion_value",
            batch_rows=1_000_000,
        )

    return [
        Case(
            f"chunked/{model}",
            run,
            prepare=lambda ctx: ctx.parquet,
            note="attribute_parquet, 1M-row chunks (+ fit pass)"
            if model == "markov"
            else "attribute_parquet, 1M-row chunks",
        )
    ]


def _identity_cases(notes: list[str]) -> list[Case]:
    try:
        from touchcredit.hygiene import identity
    except ImportError:
        notes.append("touchcredit.hygiene.identity not available: stitching skipped")
        return []
    stitch = getattr(identity, "stitch", None)
    if stitch is None:
        notes.append("touchcredit.hygiene.identity has no stitch(): stitching skipped")
        return []

    def prepare(ctx: Context) -> Any:
        # One row per touch: its journey id as a text cookie, and an email shared by
        # pairs of journeys (every second journey id's half), as a CRM export has them.
        def make() -> dict[str, Any]:
            jid = ctx.t.journey_id
            return {
                "cookie": np.char.add("c", jid.astype(str)).astype(object),
                "email": np.char.add(np.char.add("u", (jid // 2).astype(str)), "@x.io").astype(
                    object
                ),
            }

        return ctx._get("identifiers", make)

    def run(ctx: Context) -> Any:
        return stitch(prepare(ctx))

    return [
        Case(
            "identity/stitch",
            run,
            prepare=prepare,
            note="cookie + email per touch, pairs of journeys linked",
        )
    ]


def _importable(module: str) -> bool:
    try:
        __import__(module)
    except ImportError:
        return False
    return True


# ----------------------------------------------------------------------------- peers
HEURISTIC_CA = {
    "first_touch": "first_touch",
    "last_touch": "last_touch",
    "linear": "linear_touch",
}
MAM_RUN = {
    "first_touch": ("run_first_click", {}),
    "last_touch": ("run_last_click", {}),
    "linear": ("run_linear", {}),
    "position": ("run_position_based", {}),
    "time_decay": ("run_time_decay", {"half_life_hours": 168.0}),
    "markov": ("run_markov", {}),  # collapses repeated channels, as our default does
}


def ca_paths(t: Touches) -> Any:
    """channelattribution's input from the touch arrays: one row per distinct path."""
    import pandas as pd

    df = pd.DataFrame({"j": t.journey_id, "ts": t.timestamp, "c": t.channel})
    df = df.sort_values(["j", "ts"], kind="stable")
    paths = df.groupby("j", sort=True)["c"].agg(" > ".join)
    conv = pd.DataFrame({"j": t.conversion_journey_id, "v": t.conversion_value})
    per_j = conv.groupby("j").agg(conv=("v", "size"), value=("v", "sum"))
    table = pd.DataFrame({"path": paths}).join(per_j, how="left").fillna(0.0)
    table["null"] = (table["conv"] == 0).astype(np.int64)
    return table.groupby("path", as_index=False)[["conv", "value", "null"]].sum()


def mam_input(t: Touches) -> Any:
    """mam's "session" input from the touch arrays: the conversion on the last touch."""
    import pandas as pd

    df = pd.DataFrame({"user": t.journey_id, "ts": t.timestamp, "channel": t.channel})
    last = df.sort_values(["user", "ts"], kind="stable").groupby("user").tail(1).index
    conv = pd.Series(t.conversion_value).groupby(t.conversion_journey_id).sum()
    value = np.zeros(len(df))
    value[last] = conv.reindex(df.loc[last, "user"].to_numpy()).fillna(0.0).to_numpy()
    df["value"] = value
    df["has_conv"] = value > 0
    return df


@dataclass
class PeerTimes:
    """End-to-end seconds and per-channel value credit of a peer, per model."""

    seconds: dict[str, float] = field(default_factory=dict)
    credit: dict[str, dict[str, float]] = field(default_factory=dict)
    note: str = ""


def run_channelattribution(t: Touches, with_markov: bool) -> PeerTimes | None:
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            import ChannelAttribution as ca
    except ImportError:
        return None
    out = PeerTimes()
    t0 = time.perf_counter()
    table = ca_paths(t)
    t_paths = time.perf_counter() - t0
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(io.StringIO()):
        res = ca.heuristic_models(table, "path", "conv", var_value="value", flg_pro=False)
    t_h = time.perf_counter() - t0
    for ours, theirs in HEURISTIC_CA.items():
        out.seconds[ours] = t_paths + t_h  # one call computes the three
        out.credit[ours] = dict(
            zip(res["channel_name"], res[f"{theirs}_value"].astype(float), strict=True)
        )
    if with_markov:
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(io.StringIO()):
            res = ca.markov_model(
                table,
                "path",
                "conv",
                var_value="value",
                var_null="null",
                order=1,
                verbose=False,
                flg_pro=False,
            )
        out.seconds["markov"] = t_paths + time.perf_counter() - t0
        out.credit["markov"] = dict(
            zip(res["channel_name"], res["total_conversion_value"].astype(float), strict=True)
        )
    out.note = f"{len(table):,} distinct paths, {t_paths:.2f} s to build them"
    return out


def run_mam(t: Touches) -> PeerTimes | None:
    try:
        import mam
    except ImportError:
        return None
    out = PeerTimes()
    t0 = time.perf_counter()
    df = mam_input(t)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = mam.MAM(
            df,
            format_type="session",
            channels_colname="channel",
            journey_with_conv_colname="has_conv",
            datetime_colname="ts",
            user_id_colname="user",
            conversion_value_colname="value",
        )
        t_prep = time.perf_counter() - t0
        for ours, (method, kwargs) in MAM_RUN.items():
            t0 = time.perf_counter()
            res = getattr(m, method)(**kwargs).to_pandas()
            out.seconds[ours] = t_prep + time.perf_counter() - t0
            out.credit[ours] = dict(
                zip(res["channels"].astype(str), res["attribution"].astype(float), strict=True)
            )
    out.note = f"{t_prep:.2f} s to build its input and preprocess"
    return out


def our_credit(ctx: Context, name: str) -> dict[str, float]:
    """touchcredit's value credit per channel (from the model's weights without attribute)."""
    js = ctx.js
    attribute = getattr(touchcredit, "attribute", None)
    if attribute is not None:
        table = attribute(js, name).by("channel")
        return {str(k): float(v) for k, v in table.to_dict("value").items()}
    model = touchcredit.models.get(name).fit(js)
    pairs = model.pairs(js)
    w = model.weights(js) * js.conversion_value[pairs.conversion]
    codes = js.channel.codes[pairs.touch]
    sums = np.bincount(codes, weights=w, minlength=len(js.channel.categories))
    return dict(zip(js.channel.categories, sums.tolist(), strict=True))


def compare(ours: dict[str, float], theirs: dict[str, float]) -> str:
    if not ours:
        return "n/a"
    total = sum(ours.values()) or 1.0
    diff = max(abs(ours.get(k, 0.0) - theirs.get(k, 0.0)) for k in set(ours) | set(theirs))
    return "same" if diff <= 1e-9 * total else f"{diff / total:.1%} off"


# ---------------------------------------------------------------------------- timing
def best_of(fn: Callable[[], Any], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def child(case_name: str, data_path: str, method: str) -> None:
    """Subprocess body: prepare one case, measure its peak memory, print JSON."""
    ctx = Context(Touches.load(data_path))
    case = next(c for c in collect_cases([]) if c.name == case_name)
    case.prepare(ctx)
    gc.collect()
    n = ctx.t.n_touches
    if method == "rss" and reset_peak():
        before = status_kb("VmRSS")
        case.run(ctx)
        peak = status_kb("VmHWM")
        print(json.dumps({"bytes_per_touch": (peak - before) * 1024 / n, "method": "rss"}))
        return
    tracemalloc.start()
    case.run(ctx)
    _, peak_b = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(json.dumps({"bytes_per_touch": peak_b / n, "method": "tracemalloc"}))


def measure_memory(case: Case, data_path: str, method: str) -> float | None:
    cmd = [sys.executable, __file__, "--child", case.name, "--data", data_path]
    cmd += ["--memory", method]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        print(f"  memory of {case.name} failed: {proc.stderr.strip()[-300:]}", file=sys.stderr)
        return None
    last = proc.stdout.strip().splitlines()[-1]
    value: float = json.loads(last)["bytes_per_touch"]
    return value


# ---------------------------------------------------------------------------- output
@dataclass
class Row:
    size: int
    case: str
    seconds: float
    ratio_numpy: float
    vs: dict[str, str]
    bytes_per_touch: float | None
    note: str = ""


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        ram = f", {kb / 1024**2:.0f} GB RAM"
    return (
        f"{os.cpu_count()} cores ({cpu}){ram}; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}, numpy {np.__version__}, "
        f"touchcredit {touchcredit.__version__}"
    )


def markdown(rows: list[Row], peers: list[str], notes: list[str], command: str) -> str:
    head = ["touches", "case", "time (s)", "M touches/s", "x numpy pass"]
    head += [f"vs {p} (end to end)" for p in peers] + ["bytes/touch", "note"]
    lines = [
        "| " + " | ".join(head) + " |",
        "|"
        + "|".join("---:" if i != 1 and i != len(head) - 1 else "---" for i in range(len(head)))
        + "|",
    ]
    for r in rows:
        mem = "-" if r.bytes_per_touch is None else f"{r.bytes_per_touch:.0f}"
        cells = [
            f"{r.size:.0e}".replace("e+0", "e"),
            r.case,
            f"{r.seconds:.3f}",
            f"{r.size / r.seconds / 1e6:,.1f}",
            f"{r.ratio_numpy:,.1f}",
            *[r.vs.get(p, "-") for p in peers],
            mem,
            r.note,
        ]
        lines.append("| " + " | ".join(cells) + " |")
    out = [
        f"Machine: {machine()}",
        "",
        f"Command: `{command}`",
        "",
        *lines,
        "",
        "`x numpy pass`: case time / time of np.bincount(channel codes as intp, weights=float64 "
        "per touch) over the same touches in the same run. `model/*`: the first "
        "`attribute(js, model).by('channel')` on a built JourneySet (`(warm)`: a later model, "
        "the eligible pairs cached). `e2e/<input>/<model>`: from the input to credit per "
        "channel in one timed call (build + attribute + by). `vs peer`: peer end-to-end "
        "time (from numpy arrays, its cheapest input) / that e2e time, with whether the "
        "per-channel answers agree.",
    ]
    out += [f"- {n}" for n in notes]
    return "\n".join(out) + "\n"


# ------------------------------------------------------------------------------ main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1e4,1e5,1e6", help="touch counts, e.g. 1e6,1e7")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs per case (best kept)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--only", default="", help="regular expression on case names")
    ap.add_argument("--memory", choices=["rss", "tracemalloc", "none"], default="rss")
    ap.add_argument("--no-peers", action="store_true", help="skip the peer packages")
    ap.add_argument("--peer-max", type=float, default=1e7, help="largest size the peers are run on")
    ap.add_argument(
        "--out", help="also write the table to this file (reStructuredText when it ends in .rst)"
    )
    ap.add_argument("--json", help="also write the rows, machine and date to this JSON file")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--data", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args.child, args.data, args.memory)
        return 0

    notes: list[str] = []
    cases = [c for c in collect_cases(notes) if re.search(args.only, c.name)]
    peer_names: list[str] = []
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in parse_sizes(args.sizes):
            print(f"== {size:,} touches: generating", file=sys.stderr)
            t = make_touches(size, seed=args.seed)
            data_path = os.path.join(tmp, f"touches_{size}.npz")
            if args.memory != "none":
                t.save(data_path)
            ctx = Context(t)
            t_ref = best_of(reference_pass(ctx), max(args.repeat, 5))
            times: dict[str, float] = {}
            for case in cases:
                case.prepare(ctx)
                case.run(ctx)  # warm-up (imports, caches)
                times[case.name] = best_of(lambda c=case, x=ctx: c.run(x), args.repeat)
                mem = None
                if args.memory != "none":
                    mem = measure_memory(case, data_path, args.memory)
                rows.append(
                    Row(
                        size,
                        case.name,
                        times[case.name],
                        times[case.name] / t_ref,
                        {},
                        mem,
                        case.note,
                    )
                )
                print(f"   {case.name}: {times[case.name]:.3f} s", file=sys.stderr)
            rows.append(Row(size, "numpy reference pass", t_ref, 1.0, {}, None, "bincount"))
            if args.no_peers or size > args.peer_max:
                continue
            with_markov = any(c.model == "markov" for c in cases)
            peers: list[tuple[str, Callable[[], PeerTimes | None]]] = [
                ("channelattribution", lambda t=t, m=with_markov: run_channelattribution(t, m)),
                ("mam", lambda t=t: run_mam(t)),
            ]
            for peer_name, peer in peers:
                print(f"   peer {peer_name} ...", file=sys.stderr)
                res = peer()
                if res is None:
                    notes.append(f"{peer_name} not installed: skipped")
                    continue
                if peer_name not in peer_names:
                    peer_names.append(peer_name)
                notes.append(f"{peer_name} at {size:,} touches: {res.note}")
                for row in rows:
                    model = row.case.rsplit("/", 1)[-1]
                    if row.size != size or not row.case.startswith("e2e/"):
                        continue
                    if model not in res.seconds:
                        continue
                    ours = times[row.case]
                    agree = compare(our_credit(ctx, model), res.credit[model])
                    row.vs[peer_name] = f"{res.seconds[model] / ours:,.1f}x ({agree})"
            gc.collect()
    command = "python benchmarks/run.py " + shlex.join(argv if argv is not None else sys.argv[1:])
    text = markdown(rows, peer_names, notes, command)
    print(text)
    if args.out:
        out = Path(args.out)
        out.write_text(to_rst(text) if out.suffix == ".rst" else text)
    if args.json:
        Path(args.json).write_text(to_json(rows, notes, command) + "\n")
    return 0


def to_json(rows: list[Row], notes: list[str], command: str) -> str:
    """The run as JSON: machine, UTC date, command, notes and one object per row."""
    return json.dumps(
        {
            "machine": machine(),
            "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "command": command,
            "notes": notes,
            "rows": [
                {
                    "touches": r.size,
                    "case": r.case,
                    "seconds": r.seconds,
                    "x_numpy_pass": r.ratio_numpy,
                    "vs_peers": r.vs,
                    "bytes_per_touch": r.bytes_per_touch,
                    "note": r.note,
                }
                for r in rows
            ],
        },
        indent=1,
    )


def to_rst(markdown_text: str) -> str:
    """The Markdown report as reStructuredText (a list-table), for the docs page."""
    out: list[str] = []
    table: list[list[str]] = []
    for line in markdown_text.splitlines():
        if line.startswith("|"):
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not all(set(c) <= set("-:") for c in cells):
                table.append(cells)
            continue
        if table:
            out += [".. list-table::", "   :header-rows: 1", ""]
            for row in table:
                shown = [c if c not in ("", "-") else "\u2014" for c in row]  # a lone "-" is a list
                out.append("   * - " + shown[0])
                out += ["     - " + c for c in shown[1:]]
            out.append("")
            table = []
        out.append(line.replace("`", "``") if "`" in line else line)
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
