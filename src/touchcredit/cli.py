"""The ``touchcredit`` command line.

``touchcredit demo`` runs the main job on the bundled example data; ``touchcredit
attribute FILE --conversions FILE --model NAME --by channel`` attributes a user's
CSV/Parquet touch table; ``touchcredit models`` lists the registered models.
Exit codes: 0 success, 1 bad data (the message names the field and row), 2 usage
errors (unknown option or model, missing file or column).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
import time
from collections.abc import Iterator, Sequence
from typing import Any, TextIO

import numpy as np

__all__ = ["main"]

#: Models compared by ``touchcredit demo`` (those registered), in this order.
DEMO_MODELS = (
    "first_touch",
    "last_touch",
    "last_non_direct",
    "linear",
    "time_decay",
    "position",
    "j_shaped",
    "inverse_j",
    "w_shaped",
    "full_path",
    "markov",
    "shapley",
)


class UsageError(Exception):
    """A problem with how the command was called (exit code 2)."""


# ------------------------------------------------------------------ progress
class _Progress:
    """Steps of a long run: a bar on a terminal (tqdm when installed), nothing when piped."""

    def __init__(self, total: int, desc: str, stream: TextIO | None = None) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.total = total
        self.desc = desc
        self.done = 0
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self._tqdm: Any = None
        if self.enabled:
            try:
                tqdm = importlib.import_module("tqdm")
            except ImportError:
                self._draw("")
            else:
                self._tqdm = tqdm.tqdm(total=total, desc=desc, file=self.stream, leave=False)

    def _draw(self, label: str) -> None:
        width = 24
        fill = int(width * self.done / max(self.total, 1))
        bar = "#" * fill + "-" * (width - fill)
        self.stream.write(f"\r{self.desc} [{bar}] {self.done}/{self.total} {label:<20.20}")
        self.stream.flush()

    def step(self, label: str = "") -> None:
        """Mark one step done (``label``: what comes next)."""
        self.done += 1
        if not self.enabled:
            return
        if self._tqdm is not None:
            self._tqdm.set_postfix_str(label)
            self._tqdm.update(1)
        else:
            self._draw(label)

    def close(self) -> None:
        """Remove the bar."""
        if not self.enabled:
            return
        if self._tqdm is not None:
            self._tqdm.close()
        else:
            self.stream.write("\r" + " " * 70 + "\r")
            self.stream.flush()


@contextlib.contextmanager
def progress(total: int, desc: str) -> Iterator[_Progress]:
    """A :class:`_Progress` that is closed at the end of the block."""
    bar = _Progress(total, desc)
    try:
        yield bar
    finally:
        bar.close()


# ------------------------------------------------------------------ commands
def _model_names() -> list[str]:
    from touchcredit import models

    return models.available()


def _cmd_models(args: argparse.Namespace) -> int:
    from touchcredit import models

    names = models.available()
    width = max((len(n) for n in names), default=0)
    for name in names:
        model = models.get(name)
        doc = (type(model).__doc__ or "").strip().splitlines()
        print(f"{name:<{width}}  {doc[0] if doc else ''}")
    return 0


def _monthly_kpis(leads: Any, spend: Any) -> Any:
    """One row per month over all sources: leads, stages, spend, revenue, CPL, CAC, ROI."""
    from touchcredit.kpi.metrics import monthly_report
    from touchcredit.kpi.tables import MetricTable

    rep = monthly_report(leads, spend=spend, by="channel")
    months, code = np.unique(rep["month"].astype(str), return_inverse=True)
    sums = {
        name: np.bincount(code, weights=rep[name].astype(float), minlength=months.size)
        for name in ("leads", "mqls", "sqls", "opportunities", "customers", "spend", "revenue")
    }
    with np.errstate(divide="ignore", invalid="ignore"):
        cpl = np.where(sums["leads"] > 0, sums["spend"] / sums["leads"], np.nan)
        cac = np.where(sums["customers"] > 0, sums["spend"] / sums["customers"], np.nan)
        roi = np.where(sums["spend"] > 0, (sums["revenue"] - sums["spend"]) / sums["spend"], np.nan)
    data: dict[str, Any] = {"month": months.astype(object)}
    for name in ("leads", "mqls", "sqls", "opportunities", "customers"):
        data[name] = sums[name].astype(np.int64)
    data.update(
        spend=sums["spend"],
        revenue=sums["revenue"],
        cost_per_lead=cpl,
        customer_acquisition_cost=cac,
        roi=roi,
    )
    notes = ("revenue: won deals closed in the month; n/a where the denominator is 0",)
    return MetricTable(
        "Monthly KPIs (all sources)", data, key=("month",), percent=("roi",), notes=notes
    )


def _credit_by(journeys: Any, model: Any, by: str) -> tuple[Any, float]:
    """Value credit per label of ``by`` (last slot: label not recorded) and unattributed.

    Straight from the model contract (pairs and weights), for when
    :func:`touchcredit.compare` is not available.
    """
    pairs = model.pairs(journeys)
    weights = np.asarray(model.weights(journeys), dtype=np.float64)
    dim = journeys.dimension(by)
    k = len(dim.categories)
    codes = dim.codes[pairs.touch]
    value = weights * journeys.conversion_value[pairs.conversion]
    credit = np.bincount(np.where(codes < 0, k, codes), weights=value, minlength=k + 1)
    return credit, float(journeys.total_value - credit.sum())


def _credit_table(journeys: Any, model: Any, by: str) -> Any:
    """Credit per label as a MetricTable (when :func:`touchcredit.attribute` is absent)."""
    from touchcredit.kpi.tables import MetricTable

    credit, unattributed = _credit_by(journeys, model, by)
    dim = journeys.dimension(by)
    labels = np.empty(len(dim.categories) + 2, dtype=object)
    labels[:-2] = dim.categories
    labels[-2:] = [None, "(unattributed)"]
    value = np.append(credit, max(unattributed, 0.0))
    keep = np.ones(labels.size, dtype=bool)
    keep[-2] = value[-2] > 0
    return MetricTable(f"Credit by {by}", {by: labels[keep], "value": value[keep]}, key=(by,))


def _compare(journeys: Any, names: Sequence[str], by: str, bar: _Progress) -> Any:
    """Share of the total value per label (rows) and model (columns), as a MetricTable.

    Uses :func:`touchcredit.compare` when available, else the model contract directly.
    """
    import touchcredit as tc
    from touchcredit.kpi.tables import MetricTable

    fitted = []
    for name in names:
        model = tc.models.get(name)
        fitted.append(model.fit(journeys))
        bar.step(name)
    compare = getattr(tc, "compare", None)
    if compare is not None:
        cmp = compare(journeys, fitted, by=by)
        labels = list(cmp.labels)
        values = np.vstack([cmp.values, cmp.unattributed[None, :]])
    else:
        dim = journeys.dimension(by)
        labels = [*dim.categories, None]
        cols = []
        for model in fitted:
            credit, unattributed = _credit_by(journeys, model, by)
            cols.append(np.append(credit, max(unattributed, 0.0)))
        values = np.stack(cols, axis=1) if cols else np.zeros((len(labels) + 1, 0))
        if values[-2].sum() == 0:  # no touch without a label: drop the "not recorded" row
            values = np.delete(values, -2, axis=0)
            labels = labels[:-1]
    total = float(journeys.total_value)
    column = np.empty(len(labels) + 1, dtype=object)
    column[:] = [*labels, "(unattributed)"]
    data: dict[str, Any] = {by: column}
    for j, name in enumerate(names):
        data[name] = values[:, j] / total if total > 0 else np.full(values.shape[0], np.nan)
    return MetricTable(
        f"Share of the total by {by}, per model", data, key=(by,), percent=tuple(names)
    )


def _cmd_demo(args: argparse.Namespace) -> int:
    from touchcredit.datasets import load_example

    start = time.perf_counter()
    registered = set(_model_names())
    names = [n for n in DEMO_MODELS if n in registered]
    with progress(len(names) + 3, "touchcredit demo") as bar:
        data = load_example()
        journeys = data.journeys(args.target)
        bar.step("models")
        comparison = _compare(journeys, names, args.by, bar)
        leads = data.lead_set()
        spend = data.spend_table()
        bar.step("economics")
        from touchcredit.kpi.metrics import economics

        econ = economics(leads, spend=spend, by=args.by)
        kpis = _monthly_kpis(leads, spend)
        bar.step("done")
    if args.target == "revenue":
        what = f"won-deal revenue ({journeys.total_value:,.0f} {journeys.currency})"
    else:
        what = f"leads ({journeys.n_conversions:,})"
    print(f"touchcredit demo: example data, {journeys!r}\n")
    print(f"Credit for {what} by {args.by}: each model's split, as shares of the total")
    print(comparison)
    print()
    print(econ)
    print()
    print(kpis)
    print(f"\n(done in {time.perf_counter() - start:.1f} s)")
    return 0


def _default_column(found: list[str], given: str | None, name: str) -> str | None:
    if given is not None:
        return None if given == "" else given
    return name if name in found else None


def _credit_columns(table: Any) -> dict[str, Any]:
    cols = getattr(table, "columns", None)
    if callable(cols):
        out: dict[str, Any] = cols()
        return out
    labels = np.empty(len(table.labels) + 1, dtype=object)
    labels[:-1] = list(table.labels)
    labels[-1] = "(unattributed)"
    return {
        table.dimension: labels,
        "value": np.append(table.value, table.unattributed_value),
        "conversions": np.append(table.conversions, table.unattributed_conversions),
    }


def _cmd_attribute(args: argparse.Namespace) -> int:
    import touchcredit as tc
    from touchcredit.io import frames

    if args.model not in _model_names():
        raise UsageError(f"unknown model {args.model!r}; available: {', '.join(_model_names())}")
    if args.out and not args.out.lower().endswith((".csv", ".parquet", ".pq")):
        raise UsageError(f"--out must name a .csv or .parquet file, got {args.out!r}")
    with progress(5, "touchcredit attribute") as bar:
        try:
            touches = frames.read_table(args.file)
            conversions = frames.read_table(args.conversions)
        except ValueError as exc:  # unknown file format
            raise UsageError(str(exc)) from None
        bar.step("build journeys")
        found = frames.column_names(touches)
        journeys = frames.journeys_from_frame(
            touches,
            journey=args.journey,
            timestamp=args.timestamp,
            channel=args.channel,
            source=_default_column(found, args.source, "source"),
            campaign=_default_column(found, args.campaign, "campaign"),
            method=_default_column(found, args.method, "method"),
            conversions=conversions,
            conversion_journey=args.conversion_journey,
            conversion_time=args.conversion_time,
            conversion_value=args.conversion_value,
            default_tz=args.tz,
        )
        bar.step("fit")
        model = tc.models.get(args.model).fit(journeys)
        bar.step("attribute")
        attribute = getattr(tc, "attribute", None)
        if attribute is not None:
            table = attribute(journeys, model).by(args.by)
        else:
            table = _credit_table(journeys, model, args.by)
        bar.step("write")
        if args.out:
            frames.write_table(_credit_columns(table), args.out)
        bar.step("done")
    print(table)
    if args.out:
        print(f"written to {args.out}")
    return 0


# ------------------------------------------------------------------ parser
class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse exits with 2 itself; keep its text
        self.print_usage(sys.stderr)
        raise UsageError(message)


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="touchcredit", description="Where your leads and revenue come from.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    demo = sub.add_parser("demo", help="compare the models and show the KPIs on example data")
    demo.add_argument("--target", choices=("revenue", "leads"), default="revenue")
    demo.add_argument("--by", choices=("channel", "source"), default="channel")
    demo.set_defaults(func=_cmd_demo)

    sub.add_parser("models", help="list the available attribution models").set_defaults(
        func=_cmd_models
    )

    att = sub.add_parser(
        "attribute",
        help="attribute conversions in a CSV/Parquet touch table",
        description="Split the conversions of --conversions over the touches of FILE.",
    )
    att.add_argument("file", metavar="FILE", help="touches: CSV or Parquet, one row per touch")
    att.add_argument(
        "--conversions",
        metavar="FILE",
        required=True,
        help="conversions: CSV or Parquet, one row per lead or won deal",
    )
    att.add_argument("--model", default="linear", help="model name (see `touchcredit models`)")
    att.add_argument("--by", choices=("channel", "source", "campaign", "method"), default="channel")
    att.add_argument("--journey", default="journey_id", metavar="COL")
    att.add_argument("--timestamp", default="timestamp", metavar="COL")
    att.add_argument("--channel", default="channel", metavar="COL")
    for name in ("source", "campaign", "method"):
        att.add_argument(
            f"--{name}",
            default=None,
            metavar="COL",
            help=f"label column (default: '{name}' when present; '' for none)",
        )
    att.add_argument("--conversion-journey", default=None, metavar="COL")
    att.add_argument("--conversion-time", default="conversion_time", metavar="COL")
    att.add_argument("--conversion-value", default=None, metavar="COL")
    att.add_argument("--tz", default=None, help="time zone of naive times (default UTC)")
    att.add_argument("--out", default=None, metavar="FILE", help="write the table (.csv/.parquet)")
    att.set_defaults(func=_cmd_attribute)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``touchcredit`` command line.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    int
        Exit code: 0 success, 1 bad data, 2 usage error.

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()) as out:
    ...     code = main(["models"])
    >>> code, "markov" in out.getvalue()
    (0, True)
    """
    from touchcredit.io.frames import MissingColumnError

    parser = _parser()
    try:
        args = parser.parse_args(argv)
        if getattr(args, "func", None) is None:
            parser.print_help()
            return 2
        code: int = args.func(args)
        return code
    except BrokenPipeError:  # output piped into `head` or similar: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except UsageError as exc:
        print(f"touchcredit: error: {exc}", file=sys.stderr)
        return 2
    except (MissingColumnError, FileNotFoundError) as exc:
        print(f"touchcredit: error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:
        print(f"touchcredit: error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, TypeError) as exc:
        print(f"touchcredit: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
