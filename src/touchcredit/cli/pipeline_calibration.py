"""The ``[calibration]`` table of a pipeline file: lift tests calibrate one model's credit.

::

    [calibration]
    experiments = "exports/lift_tests.csv"  # one row per tested channel
    measure = "conversions"                 # or "value" (incremental value, same currency)
    untested = "keep"                       # or "pooled"
    model = "markov"                        # default: the first data-driven model
    [calibration.columns]                   # optional; keys: channel, incremental,
    channel = "Channel"                     # lower, upper
    incremental = "Incremental conversions"

The experiments sheet (CSV, Parquet or JSON lines) has ``channel``, ``incremental`` and
optional ``lower``/``upper`` columns, or the columns ``[calibration.columns]`` names.
Channel names are compared as the journeys' channels are spelled (``Paid_Search`` meets
``paid search``). :meth:`Attribution.calibrate <touchcredit.Attribution.calibrate>` does
the calibration; the report shows it (:mod:`touchcredit.report.calibrated`) and
``[outputs] calibrated`` writes its table (:func:`calibrated_rows`). Errors name the
table, key or column of the file and the 1-based row of the sheet.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from touchcredit.cli.common import UsageError

__all__ = ["calibrate", "calibrated_rows", "options", "read_experiments"]

_KEYS = ("channel", "incremental", "lower", "upper")
_TABLE = {
    "experiments": str,
    "measure": Literal["conversions", "value"],
    "untested": Literal["keep", "pooled"],
    "model": str,
    "columns": Mapping[str, str],
}


def options(
    spec: Mapping[str, Any], base: Path, where: str, models: Sequence[Any]
) -> dict[str, Any] | None:
    """``[calibration]`` checked before anything runs (None without the table).

    Returns the options with ``experiments`` made a path and ``model`` the index of the
    calibrated model in ``models``: the one ``model`` names, else the first that learns
    from data (Markov, Shapley, ...), else the first.
    """
    from touchcredit.cli.pipeline_schema import check_table

    if "calibration" not in spec:
        return None
    at = f"{where} [calibration]"
    table = check_table(spec["calibration"], _TABLE, at)
    if not table.get("experiments"):
        raise UsageError(f"{at} experiments is required (a CSV, Parquet or JSON-lines file)")
    path = base / table["experiments"]
    if not path.is_file():
        raise UsageError(f"{at} experiments: no such file {str(path)!r}")
    names = [m.name or type(m).__name__ for m in models]
    if "model" in table:
        if table["model"] not in names:
            raise UsageError(
                f"{at} model: {table['model']!r} is not among [attribution] models "
                f"({', '.join(names)})"
            )
        index = names.index(table["model"])
    else:
        index = next((i for i, m in enumerate(models) if type(m).learns_from_data), 0)
    return {
        "experiments": path,
        "columns": table.get("columns", {}),
        "measure": table.get("measure", "conversions"),
        "untested": table.get("untested", "keep"),
        "model": index,
    }


def _channel_of(channels: Sequence[str]) -> Any:
    """A sheet's channel text -> the journeys' spelling of it (unknown text unchanged)."""
    from touchcredit.hygiene.canon import LabelCanon
    from touchcredit.hygiene.labels import label_key

    canon = LabelCanon("channel")
    known = {label_key(c): c for c in channels}

    def spell(text: str) -> str:
        name = canon(text)
        if name in channels:
            return str(name)
        return known.get(label_key(text), text)

    return spell


def _no_lost_bounds(
    found: Sequence[str], cols: Mapping[str, str], given: Mapping[str, Any], where: str
) -> None:
    """Stop when a bound would be lost: a sheet column looks like one not read (``low``)."""
    from touchcredit.attribution.experiments import near_misses

    absent = [k for k in ("lower", "upper") if k not in cols and k not in given]
    unread = [c for c in found if c not in cols.values()]
    meant = near_misses(unread, absent)
    if meant:
        maps = ", ".join(f"{k} = {c!r}" for c, k in meant.items())
        raise UsageError(
            f"{where} [calibration] experiments: the sheet's column(s) "
            f"{', '.join(map(repr, meant))} are not read; did you mean them as the bounds? "
            f"Map them in [calibration.columns] ({maps}), or rename them"
        )


def read_experiments(
    path: Path, columns: Mapping[str, Any], channels: Sequence[str], where: str
) -> dict[str, list[Any]]:
    """The experiments sheet as the columns ``Attribution.calibrate`` reads.

    ``channels`` are the journeys' channels; a sheet's channel is given their spelling.
    Empty ``lower``/``upper`` cells are bounds not given.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "lift.csv"
    >>> _ = p.write_text("\\ufeffChannel,Lift,CI low\\nPaid_Search,1200,800\\n EMAIL ,30,\\n")
    >>> read_experiments(p, {"channel": "Channel", "incremental": "Lift", "lower": "CI low"},
    ...                  ["email", "paid search"], "p.toml")
    {'channel': ['paid search', 'email'], 'incremental': [1200.0, 30.0], 'lower': [800.0, None]}

    Raises
    ------
    touchcredit.cli.common.UsageError
        On an unknown key in ``columns``, a column the sheet does not have, an empty
        channel, or a value that is not a number (naming the column and the row); and
        when a column looks like an unmapped bound (``low``, ``CI high``: did you mean).
    """
    from touchcredit.connectors import SchemaError, files
    from touchcredit.connectors.sheets import read_sheet, sheet_columns, sheet_labels

    key = f"{where} [calibration.columns]"
    try:
        found = files.column_names(path)
        defaults = {k: k for k in _KEYS if k in found or k in ("channel", "incremental")}
        cols = sheet_columns(columns, _KEYS, defaults, key)
        _no_lost_bounds(found, cols, columns, where)
        table = read_sheet(path, "experiments", cols, key, amounts=_KEYS[1:])
        shown = sheet_labels(table, cols["channel"], None)
        numbers = {
            k: files.numbers(table.column(c), table="experiments", column=c)
            for k, c in cols.items()
            if k != "channel"
        }
    except SchemaError as exc:  # "experiments: ...", naming the column and the row
        raise UsageError(f"{where} [calibration] {exc}") from None
    except ValueError as exc:  # an unknown key of [calibration.columns], named
        raise UsageError(str(exc)) from None
    assert shown is not None  # the channel column is always read
    spell = _channel_of(channels)
    out: dict[str, list[Any]] = {"channel": []}
    for row, text in enumerate(shown.tolist(), start=1):
        if text is None:
            raise UsageError(
                f"{where} [calibration] experiments: {cols['channel']!r} is empty (row {row})"
            )
        out["channel"].append(spell(text))
    for k, values in numbers.items():  # NaN: an empty cell (bounds: not given)
        out[k] = [None if np.isnan(v) else float(v) for v in values.tolist()]
    if None in out["incremental"]:
        row = out["incremental"].index(None) + 1
        raise UsageError(
            f"{where} [calibration] experiments: {cols['incremental']!r} is empty (row {row}); "
            "every experiment needs its measured incremental conversions or value"
        )
    return out


def calibrate(opts: Mapping[str, Any], where: str, journeys: Any, models: Sequence[Any]) -> Any:
    """The calibrated credit of ``models[opts["model"]]`` (fitted) on ``journeys``.

    What needs a second look (a tested channel the model credited nothing, a negative
    baseline: ``Calibration.notes``) is printed to stderr as ``<file> [calibration]:
    warning: ...``, not as a Python warning; the report shows it too.
    """
    from touchcredit.attribution import attribute
    from touchcredit.attribution.calibration import CalibrationWarning

    channels = [str(c) for c in journeys.channel.categories]
    data = read_experiments(opts["experiments"], opts["columns"], channels, where)
    att = attribute(journeys, models[opts["model"]])
    try:
        with warnings.catch_warnings():  # said below, in the file's terms
            warnings.simplefilter("ignore", CalibrationWarning)
            cal = att.calibrate(data, measure=opts["measure"], untested=opts["untested"])
    except ValueError as exc:  # the message names the row; name the user's columns too
        text = str(exc).replace("experiments: ", "", 1)
        for k, c in dict(opts["columns"]).items():
            if c and k != c:
                text = text.replace(f"{k!r}", f"{c!r} ([calibration.columns] {k})")
        raise UsageError(f"{where} [calibration] experiments: {text}") from None
    for note in cal.notes:
        print(f"{where} [calibration]: warning: {note}", file=sys.stderr)
    return cal


def _objects(values: Sequence[Any]) -> Any:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def calibrated_rows(calibration: Any, by: Sequence[str]) -> dict[str, Any]:
    """The calibrated credit per label of channel and of each other dimension of ``by``.

    Columns: model, measure, untested, dimension, label, credited, calibrated, factor
    (calibrated / credited; empty where nothing was credited), tested, lower, upper
    (the channel rows' intervals). The channel rows are the calibration's channel totals
    exactly (a tested channel the model credited nothing has its measurement there; the
    other dimensions, with no touch to carry it, leave it in their baseline). The
    ``(baseline)`` row of each dimension holds what no channel is credited with (its
    ``credited``: what no touch took).

    Examples
    --------
    >>> import touchcredit as tc
    >>> js = tc.JourneySet.from_arrays(journey_id=[1, 1, 2], timestamp=[0, 1, 0],
    ...     channel=["a", "b", "b"], conversion_journey_id=[1, 2], conversion_time=[1, 0],
    ...     unit="s")
    >>> cal = tc.attribute(js, "linear").calibrate({"channel": ["b"], "incremental": [0.5]})
    >>> rows = calibrated_rows(cal, ["channel"])
    >>> rows["label"].tolist(), rows["calibrated"].tolist()  # b: 1.5 credited, 0.5 measured
    (['a', 'b', '(baseline)'], [0.5, 0.5, 1.0])
    """
    from touchcredit.attribution.tables import model_label
    from touchcredit.core.dimension import DIMENSIONS

    cal = calibration
    names = ("dimension", "label", "credited", "calibrated", "tested", "lower", "upper")
    cols: dict[str, list[Any]] = {k: [] for k in names}
    channel = {c: i for i, c in enumerate(cal.channels)}
    base: list[bool] = []
    for dim in dict.fromkeys(["channel", *(d for d in by if d in DIMENSIONS)]):
        t = cal.by(dim)
        labels = t[dim].tolist()
        for i, label in enumerate(labels):
            last = i == len(labels) - 1
            base.append(last)
            slot = channel[label] if dim == "channel" and not last else None
            cols["dimension"].append(dim)
            cols["label"].append("(baseline)" if last else label or "(not recorded)")
            cols["credited"].append(float(t["credited"][i]))
            if dim == "channel":  # exactly the calibration's totals, as to_dict() has them
                exact = cal.baseline if last else float(cal.calibrated[slot])
                cols["calibrated"].append(exact)
            else:
                cols["calibrated"].append(float(t["calibrated"][i]))
            cols["tested"].append(slot is not None and bool(cal.tested[slot]))
            cols["lower"].append(np.nan if slot is None else float(cal.lower[slot]))
            cols["upper"].append(np.nan if slot is None else float(cal.upper[slot]))
    n = len(cols["label"])
    credited = np.asarray(cols["credited"], dtype=np.float64)
    calibrated = np.asarray(cols["calibrated"], dtype=np.float64)
    factor = np.full(n, np.nan)
    np.divide(calibrated, credited, out=factor, where=(credited > 0) & ~np.asarray(base, bool))
    name = model_label(cal.model) if cal.model is not None else ""
    return {
        "model": _objects([name] * n),
        "measure": _objects([cal.measure] * n),
        "untested": _objects([cal.untested] * n),
        "dimension": _objects(cols["dimension"]),
        "label": _objects(cols["label"]),
        "credited": credited,
        "calibrated": calibrated,
        "factor": factor,
        "tested": np.asarray(cols["tested"], dtype=bool),
        "lower": np.asarray(cols["lower"], dtype=np.float64),
        "upper": np.asarray(cols["upper"], dtype=np.float64),
    }
