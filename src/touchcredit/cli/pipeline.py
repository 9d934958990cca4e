"""``touchcredit run PIPELINE.toml``: export in, credit tables, KPIs and the report out.

A pipeline file says, in a few TOML tables, which connector reads which files, how to
clean them, which models to compare, where the spend is and what to write::

    [input]
    connector = "ga4"                       # ga4 | hubspot | salesforce | crm | sql
    events = "exports/events_*.parquet"     # the connector's inputs and options
    conversions = ["purchase"]

    [cleaning]                              # optional: default_tz, dedupe_window, dayfirst, errors
    dedupe_window = "30m"

    [columns]                               # crm and sql: the ColumnMap
    journey = "email"

    [attribution]
    models = ["last_touch", "linear", "markov"]
    by = ["channel", "source"]
    lookback = "90d"
    half_life = "7d"                        # time_decay's

    [spend]                                 # optional: month, amount, source and/or channel
    path = "exports/spend.csv"
    currency = "USD"

    [outputs]
    directory = "out"
    credit = ["credit.csv", "credit.parquet"]
    kpis = "kpis.csv"
    monthly = "monthly.csv"
    cleaning = "cleaning.txt"
    report = "report.html"

Paths are relative to the pipeline file. Every output is written atomically. Errors
name the table and key of the file (``[attribution] models``).
"""

from __future__ import annotations

import argparse
import inspect
import time
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from touchcredit.cli import outputs
from touchcredit.cli.common import UsageError

__all__ = ["PATH_KEYS", "TABLES", "add_parser", "load", "read_input", "run"]

#: Input keys that hold paths (made relative to the pipeline file), per connector.
PATH_KEYS = {
    "ga4": ("events",),
    "hubspot": ("contacts", "deals"),
    "salesforce": ("campaign_members", "campaigns", "opportunities", "contact_roles"),
    "crm": ("touches", "conversions"),
    "sql": ("connection",),
}
#: The tables a pipeline file may have.
TABLES = ("input", "cleaning", "columns", "attribution", "spend", "outputs")
_OUTPUTS = ("directory", "credit", "kpis", "monthly", "cleaning", "report")


def add_parser(sub: Any) -> None:
    """Add the ``run`` command to the subparsers ``sub``."""
    p = sub.add_parser(
        "run",
        help="run a pipeline file: read an export, attribute, write tables and the report",
        description="Run PIPELINE.toml (see the docs page 'From your data').",
    )
    p.add_argument("pipeline", metavar="PIPELINE.toml", help="the pipeline file")
    p.add_argument("--out-dir", metavar="DIR", default=None,
                   help="write the outputs here instead of [outputs] directory")  # fmt: skip
    p.set_defaults(func=run)


def load(path: Path) -> dict[str, Any]:
    """The pipeline file as a dict; unknown tables and a missing [input] are errors."""
    if not path.is_file():
        raise FileNotFoundError(f"no such pipeline file: {str(path)!r}")
    try:
        spec = tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{path.name}: not valid TOML ({exc})") from None
    unknown = [k for k in spec if k not in TABLES]
    if unknown:
        raise UsageError(f"{path.name}: unknown table(s) {', '.join(f'[{k}]' for k in unknown)};"
                         f" expected {', '.join(f'[{k}]' for k in TABLES)}")  # fmt: skip
    if "input" not in spec or "connector" not in spec["input"]:
        raise UsageError(f"{path.name}: [input] connector is required (ga4, hubspot, ...)")
    return spec


def _cleaning(table: Mapping[str, Any], where: str) -> Any:
    from touchcredit.connectors import Cleaning

    opts = dict(table)
    if "dedupe_window" in opts:
        from touchcredit.cli.connect import duration

        opts["dedupe_window"] = duration(
            str(opts["dedupe_window"]), f"{where} [cleaning] dedupe_window"
        )
    try:
        return Cleaning(**opts)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"{where} [cleaning]: {exc}") from None


def _check_keys(fn: Any, given: Mapping[str, Any], where: str, skip: tuple[str, ...]) -> None:
    params = inspect.signature(fn).parameters
    allowed = [p for p in params if p not in skip]
    unknown = [k for k in given if k not in allowed]
    if unknown:
        raise UsageError(f"{where}: unknown key(s) {', '.join(map(repr, unknown))}; "
                         f"expected: {', '.join(allowed)}")  # fmt: skip


def read_input(spec: Mapping[str, Any], base: Path, where: str) -> tuple[Any, Any]:
    """Run the connector of ``[input]`` (paths relative to ``base``): (journeys, report)."""
    from touchcredit import connectors
    from touchcredit.core.mapping import ColumnMap

    inp = dict(spec["input"])
    kind = inp.pop("connector")
    if kind not in PATH_KEYS:
        raise UsageError(
            f"{where} [input] connector: {kind!r} is not one of {', '.join(PATH_KEYS)}"
        )
    reader = getattr(connectors, kind).read
    for key in PATH_KEYS[kind]:
        value = inp.get(key)
        if isinstance(value, str) and value:
            inp[key] = str(base / value)
        elif isinstance(value, list):
            inp[key] = [str(base / v) for v in value]
    _check_keys(reader, inp, f"{where} [input] ({kind})", ("cleaning", "mapping"))
    kwargs: dict[str, Any] = {"cleaning": _cleaning(spec.get("cleaning", {}), where)}
    if kind in ("crm", "sql"):
        try:
            kwargs["mapping"] = ColumnMap(**spec.get("columns", {}))
        except (TypeError, ValueError) as exc:
            raise UsageError(f"{where} [columns]: {exc}") from None
    try:
        result: tuple[Any, Any] = reader(**inp, **kwargs)
    except connectors.SchemaError as exc:
        raise UsageError(f"{where} [input] ({kind}): {exc}") from None
    return result


def _models(spec: Mapping[str, Any], where: str) -> tuple[list[Any], tuple[str, ...]]:
    from touchcredit import models
    from touchcredit.cli.connect import duration

    att = dict(spec.get("attribution", {}))
    names = att.pop("models", ["last_touch", "linear", "markov"])
    by = att.pop("by", ["channel", "source"])
    by = (by,) if isinstance(by, str) else tuple(by)
    lookback = att.pop("lookback", None)
    half_life = att.pop("half_life", None)
    if att:
        raise UsageError(f"{where} [attribution]: unknown key(s) {', '.join(map(repr, att))}; "
                         "expected: models, by, lookback, half_life")  # fmt: skip
    unknown = [n for n in names if n not in models.available()]
    if unknown or not names:
        raise UsageError(f"{where} [attribution] models: unknown model(s) "
                         f"{', '.join(map(repr, unknown)) or '(none given)'}; "
                         f"available: {', '.join(models.available())}")  # fmt: skip
    out = []
    for name in names:
        params: dict[str, Any] = {}
        if lookback is not None:
            params["lookback"] = duration(str(lookback), f"{where} [attribution] lookback")
        if half_life is not None and name == "time_decay":
            params["half_life"] = duration(str(half_life), f"{where} [attribution] half_life")
        out.append(models.get(name, **params))
    return out, by


def _spend(spec: Mapping[str, Any], base: Path, where: str) -> Any:
    if "spend" not in spec:
        return None
    import numpy as np

    from touchcredit.cli.report import read_csv_columns
    from touchcredit.kpi.metrics import SpendTable

    table = spec["spend"]
    if "path" not in table:
        raise UsageError(f"{where} [spend] path is required (a CSV: month, amount, source/channel)")
    s = read_csv_columns(str(base / table["path"]), "spend", ("month", "amount"))
    return SpendTable.from_arrays(
        np.array([float(x or 0) for x in s["amount"]]),
        s["month"],
        source=s.get("source"),
        channel=s.get("channel"),
        currency=table.get("currency"),
    )


def _targets(
    spec: Mapping[str, Any], base: Path, where: str, out_dir: str | None
) -> dict[str, list[Path]]:
    out_spec = dict(spec.get("outputs", {}))
    unknown = [k for k in out_spec if k not in _OUTPUTS]
    if unknown:
        raise UsageError(f"{where} [outputs]: unknown key(s) {', '.join(map(repr, unknown))}; "
                         f"expected: {', '.join(_OUTPUTS)}")  # fmt: skip
    folder = base / out_spec.pop("directory", ".")
    if out_dir is not None:
        folder = Path(out_dir)
    targets = {}
    for key, value in out_spec.items():
        names = [value] if isinstance(value, str) else list(value)
        targets[key] = [folder / n for n in names]
        bad = [n for n in names if key in ("credit", "kpis", "monthly")
               and not n.lower().endswith((".csv", ".parquet"))]  # fmt: skip
        if bad:
            raise UsageError(f"{where} [outputs] {key}: {bad[0]!r} must end in .csv or .parquet")
    if not targets:
        raise UsageError(
            f"{where} [outputs]: declare at least one output ({', '.join(_OUTPUTS[1:])})"
        )
    return targets


def run(args: argparse.Namespace) -> int:
    """Run the pipeline: read, clean, attribute, write every declared output."""
    from touchcredit.attribution import attribute

    start = time.perf_counter()
    path = Path(args.pipeline)
    spec = load(path)
    where, base = path.name, path.resolve().parent
    targets = _targets(spec, base, where, args.out_dir)
    fitted, by = _models(spec, where)
    spend = _spend(spec, base, where)
    journeys, cleaning = read_input(spec, base, where)
    fitted = [m.fit(journeys) for m in fitted]
    tables = [attribute(journeys, m).by(d) for m in fitted for d in by]
    written: list[Path] = []
    makers = {
        "credit": lambda: outputs.credit_rows(tables, float(journeys.total_value)),
        "kpis": lambda: outputs.kpi_rows(tables, spend),
        "monthly": lambda: outputs.monthly_rows(journeys, spend),
    }
    for key, paths in targets.items():
        for p in paths:
            if key in makers:
                written.append(outputs.write_columns(makers[key](), p))
            elif key == "cleaning":
                written.append(outputs.write_atomic(p, lambda t: t.write_text(f"{cleaning}\n")))
            else:
                from touchcredit.report import Report

                report = Report(journeys, spend=spend, models=fitted, by=by, cleaning=cleaning)
                written.append(report.save(p))
    print(f"{where}: {journeys!r}")
    print(cleaning)
    for p in written:
        print(f"written: {p}")
    print(f"(done in {time.perf_counter() - start:.1f} s)")
    return 0
