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
    half_life = "7d"                        # for the models that have one

    [attribution.params.position]           # any model's parameters, by name
    first = 0.6
    last = 0.2

    [leads]                                 # optional: the lead and deal sheets, and
    [deals]                                 # spend columns (touchcredit.cli.pipeline_inputs)

    [spend]                                 # optional: month, amount, source and/or channel
    path = "exports/spend.csv"
    currency = "USD"

    [calibration]                           # optional: lift tests calibrate one model
    experiments = "exports/lift_tests.csv"  # channel, incremental, lower, upper
    model = "markov"                        # (touchcredit.cli.pipeline_calibration)

    [outputs]
    directory = "out"
    credit = ["credit.csv", "credit.parquet"]
    kpis = "kpis.csv"
    monthly = "monthly.csv"
    leads = "leads.csv"                     # economics by the leads' recorded source
    cleaning = "cleaning.txt"
    report = "report.html"
    paths = "paths.csv"                     # assisted, path lengths, time lags: one table
    calibrated = "calibrated.csv"           # with [calibration]: the calibrated credit
    database = "postgresql://..."           # optional: tables back into PostgreSQL
    credit_table = "analytics.credit"       # (and kpis_table, leads_table, database_mode)

Paths are relative to the pipeline file; output names are relative to the output
directory and may not leave it (:mod:`touchcredit.cli.pipeline_outputs`). The outputs of
a run replace the previous run's together, or not at all; the database tables
(:mod:`touchcredit.cli.database`) are written in one transaction, committed before the
files are moved into place. Every table is checked before
anything runs (:mod:`touchcredit.cli.pipeline_schema`): unknown keys and values of the
wrong type are errors naming the table and key of the file (``[attribution] models``).
"""

from __future__ import annotations

import argparse
import time
import tomllib
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from touchcredit.cli import (
    database,
    outputs,
    pipeline_calibration,
    pipeline_inputs,
    pipeline_outputs,
)
from touchcredit.cli.common import UsageError
from touchcredit.cli.pipeline_schema import check_table, field_hints, signature_hints

__all__ = ["PATH_KEYS", "TABLES", "add_parser", "load", "read_input", "run"]

#: Input keys that hold paths (made relative to the pipeline file), per connector.
PATH_KEYS = {
    "ga4": ("events",),
    "hubspot": ("contacts", "deals"),
    "salesforce": ("campaign_members", "campaigns", "opportunities", "contact_roles", "contacts"),
    "crm": ("touches", "conversions"),
    "sql": ("connection", "allowed_directories"),
}
#: The tables a pipeline file may have.
TABLES = (
    "input",
    "cleaning",
    "columns",
    "leads",
    "deals",
    "attribution",
    "spend",
    "calibration",
    "outputs",
)
_DURATION = str | int | float
_ATTRIBUTION = {
    "models": Sequence[str],
    "by": str | Sequence[str],
    "lookback": _DURATION,
    "half_life": _DURATION,
    "params": Mapping[str, Any],
}
_NAMES = str | Sequence[str]
_OUTPUTS = {"directory": str, "credit": _NAMES, "kpis": _NAMES, "monthly": _NAMES,
            "leads": _NAMES, "cleaning": _NAMES, "report": _NAMES, "paths": _NAMES,
            "calibrated": _NAMES,
            **dict.fromkeys(database.KEYS, str)}  # fmt: skip


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
    for table, value in spec.items():
        if not isinstance(value, dict):
            check_table(value, {}, f"{path.name} [{table}]")  # the error: not a table
    if "input" not in spec or "connector" not in spec["input"]:
        raise UsageError(f"{path.name}: [input] connector is required (ga4, hubspot, ...)")
    return spec


def _cleaning(table: Mapping[str, Any], where: str) -> Any:
    from touchcredit.connectors import Cleaning

    opts = check_table(table, field_hints(Cleaning), f"{where} [cleaning]")
    if "dedupe_window" in opts:
        from touchcredit.cli.connect import duration

        opts["dedupe_window"] = duration(
            str(opts["dedupe_window"]), f"{where} [cleaning] dedupe_window"
        )
    try:
        return Cleaning(**opts)
    except (TypeError, ValueError) as exc:
        raise UsageError(f"{where} [cleaning]: {exc}") from None


def read_input(spec: Mapping[str, Any], base: Path, where: str) -> tuple[Any, Any]:
    """Run the connector of ``[input]`` (paths relative to ``base``): (journeys, report).

    With the crm connector and no ``[input] conversions``, the won deals of ``[deals]``
    are the conversions. A ``[columns]`` table without ``channel`` groups the sources
    into channels.
    """
    from touchcredit import connectors
    from touchcredit.core.mapping import ColumnMap

    inp = dict(spec["input"])
    kind = inp.pop("connector")
    if kind not in PATH_KEYS:
        raise UsageError(
            f"{where} [input] connector: {kind!r} is not one of {', '.join(PATH_KEYS)}"
        )
    reader = getattr(connectors, kind).read
    hints = signature_hints(reader, skip=("cleaning", "mapping"))
    hints.update(dict.fromkeys(PATH_KEYS[kind], _NAMES))
    check_table(inp, hints, f"{where} [input] ({kind})")
    for key in PATH_KEYS[kind]:
        value = inp.get(key)
        if isinstance(value, str) and value and "://" not in value:  # a URI stays as it is
            inp[key] = str(base / value)
        elif isinstance(value, list):
            inp[key] = [str(base / v) for v in value]
    kwargs: dict[str, Any] = {"cleaning": _cleaning(spec.get("cleaning", {}), where)}
    if kind in ("crm", "sql"):
        try:
            names: dict[str, Any] = dict.fromkeys(field_hints(ColumnMap), str)  # column names...
            names["identifiers"] = Sequence[str] | Mapping[str, str]  # ...or column: kind
            columns = check_table(spec.get("columns", {}), names, f"{where} [columns]")
            if "columns" in spec:
                columns.setdefault("channel", None)  # no channel column: channel groups
            kwargs["mapping"] = ColumnMap(**columns)
        except (TypeError, ValueError) as exc:
            raise UsageError(f"{where} [columns]: {exc}") from None
        if kind == "crm" and inp.get("conversions") is None and "deals" in spec:
            table, kwargs["mapping"], won = pipeline_inputs.deal_conversions(
                spec, base, where, kwargs["mapping"]
            )
            inp.update(conversions=table, **won)
            inp.setdefault("target", "revenue")
    try:
        result: tuple[Any, Any] = reader(**inp, **kwargs)
    except connectors.SchemaError as exc:
        raise UsageError(f"{where} [input] ({kind}): {exc}") from None
    return result


def _models(spec: Mapping[str, Any], where: str) -> tuple[list[Any], tuple[str, ...]]:
    from touchcredit import models
    from touchcredit.cli.params import model_with, parameters

    att = check_table(spec.get("attribution", {}), _ATTRIBUTION, f"{where} [attribution]")
    names = att.pop("models", ["last_touch", "linear", "markov"])
    by = att.pop("by", ["channel", "source"])
    by = (by,) if isinstance(by, str) else tuple(by)
    shared: dict[str, Any] = {k: att.pop(k) for k in ("lookback", "half_life") if k in att}
    tables = att.pop("params", {})
    unknown = [n for n in names if n not in models.available()]
    if unknown or not names:
        raise UsageError(f"{where} [attribution] models: unknown model(s) "
                         f"{', '.join(map(repr, unknown)) or '(none given)'}; "
                         f"available: {', '.join(models.available())}")  # fmt: skip
    stray = [n for n in tables if n not in names]
    if stray:
        raise UsageError(f"{where} [attribution.params.{stray[0]}]: {stray[0]!r} is not among "
                         f"[attribution] models ({', '.join(names)})")  # fmt: skip
    out = []
    for name in names:
        table = f"{where} [attribution.params.{name}]"
        own = check_table(tables.get(name, {}), dict.fromkeys(tables.get(name, {}), Any), table)
        declared = parameters(type(models.get(name)))
        # [attribution] lookback applies to every model, half_life to those that have one
        params = {k: v for k, v in shared.items() if k in declared}
        for key, value in params.items():
            model_with(name, {key: value}, f"{where} [attribution] {key}", keyed=False)
        params |= own
        out.append(model_with(name, params, table if own else f"{where} [attribution]"))
    return out, by


def _targets(
    spec: Mapping[str, Any], base: Path, where: str, out_dir: str | None
) -> tuple[Path, dict[str, list[Path]]]:
    out_spec = check_table(spec.get("outputs", {}), _OUTPUTS, f"{where} [outputs]")
    files = {k: v for k, v in out_spec.items() if k not in database.KEYS}
    if "database" in out_spec and not set(files) - {"directory"}:  # tables only, no file
        return (Path(out_dir) if out_dir else base / files.get("directory", ".")), {}
    return pipeline_outputs.plan(files, base, where, out_dir)


def _rows(journeys: Any, spend: Any, tables: list[Any], leads: Any) -> dict[str, Any]:
    """The table outputs' columns, each made when asked (for files and database tables)."""
    return {
        "credit": lambda: outputs.credit_rows(tables, float(journeys.total_value)),
        "kpis": lambda: outputs.kpi_rows(tables, spend),
        "leads": lambda: pipeline_inputs.lead_rows(leads, spend),
    }


Writer = Callable[[Path, Path], object]  # (staging path, final target) -> anything


def _writers(
    journeys: Any,
    cleaning: Any,
    spend: Any,
    fitted: list[Any],
    by: tuple[str, ...],
    tables: list[Any],
    leads: Any,
    text: str,
    calibration: Any,
) -> dict[str, Writer]:
    """How each output key writes its file to a staging path (the format from the target)."""
    from touchcredit.cli.paths import path_rows
    from touchcredit.io import frames

    def table(make: Callable[[], Any]) -> Writer:
        return lambda tmp, target: frames.write_table(
            make(), tmp, format=frames.table_format(target)
        )

    def report(tmp: Path, target: Path) -> Path:
        from touchcredit.report import Report

        options = {"leads": leads, "spend": spend, "cleaning": cleaning}
        made = Report(journeys, models=fitted, by=by, calibration=calibration, **options)
        return made.save(tmp)

    rows = _rows(journeys, spend, tables, leads)
    return {
        "credit": table(rows["credit"]),
        "kpis": table(rows["kpis"]),
        "monthly": table(lambda: outputs.monthly_rows(journeys, spend)),
        "leads": table(rows["leads"]),
        "cleaning": lambda tmp, target: tmp.write_text(f"{text}\n", encoding="utf-8"),
        "report": report,
        "paths": table(lambda: path_rows(journeys, by, getattr(fitted[0], "lookback", None))),
        "calibrated": table(lambda: pipeline_calibration.calibrated_rows(calibration, by)),
    }


def run(args: argparse.Namespace) -> int:
    """Run the pipeline: read, clean, attribute, write every declared output."""
    from touchcredit.attribution import attribute

    start = time.perf_counter()
    path = Path(args.pipeline)
    spec = load(path)
    where, base = path.name, path.resolve().parent
    folder, targets = _targets(spec, base, where, args.out_dir)
    db = database.spec(spec.get("outputs", {}), where)
    fitted, by = _models(spec, where)
    calibrating = pipeline_calibration.options(spec, base, where, fitted)
    if "calibrated" in targets and calibrating is None:
        raise UsageError(f"{where} [outputs] calibrated needs a [calibration] table")
    spend = pipeline_inputs.spend_table(spec, base, where)
    clean_table = dict(spec.get("cleaning", {}))
    leads, lead_report = pipeline_inputs.leads_and_deals(
        spec,
        base,
        where,
        _cleaning(clean_table, where),
        None,  # the unit of [cleaning] unit, in the Cleaning
    )
    if ("leads" in targets or (db is not None and "leads" in db.tables)) and leads is None:
        raise UsageError(f"{where} [outputs] leads needs a [leads] table (the lead sheet)")
    journeys, cleaning = read_input(spec, base, where)
    fitted = [m.fit(journeys) for m in fitted]
    tables = [attribute(journeys, m).by(d) for m in fitted for d in by]
    calibration = None
    if calibrating is not None:
        calibration = pipeline_calibration.calibrate(calibrating, where, journeys, fitted)
    text = f"{cleaning}" + ("" if lead_report is None else f"\n{lead_report}")
    writers = _writers(journeys, cleaning, spend, fitted, by, tables, leads, text, calibration)
    tables_written: list[str] = []
    with pipeline_outputs.Staging(folder) as stage:  # all replaced together, or none
        for key, paths in targets.items():
            for p in paths:
                writers[key](stage.path(p), p)
        if db is not None:  # one transaction, committed only when every file is ready
            tables_written = database.write(db, _rows(journeys, spend, tables, leads), where)
        stage.publish()
    written = [str(p) for paths in targets.values() for p in paths] + tables_written
    print(f"{where}: {journeys!r}")
    print(text)
    for line in written:
        print(f"written: {line}")
    print(f"(done in {time.perf_counter() - start:.1f} s)")
    return 0
