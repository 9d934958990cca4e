"""The tables ``touchcredit run`` writes: credit, KPIs per label, monthly totals; atomically.

Every output is written to a temporary file beside its destination and renamed into
place when complete (:func:`write_atomic`): a failed or killed run leaves the previous
file, never a truncated one.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from touchcredit.io.atomic import atomic_path

__all__ = [
    "credit_rows",
    "kpi_rows",
    "monthly_rows",
    "spend_by_label",
    "write_atomic",
    "write_columns",
]

Columns = dict[str, npt.NDArray[Any]]


def write_atomic(path: str | os.PathLike[str], write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a temporary path beside ``path``, then rename it to ``path``.

    The folder is created when missing; the rest is :func:`touchcredit.io.atomic.atomic_path`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "new" / "out.txt"
    >>> write_atomic(p, lambda tmp: tmp.write_text("done")).read_text()
    'done'
    """

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(target) as tmp:
        write(tmp)
    return target


def write_columns(columns: Mapping[str, Any], path: str | os.PathLike[str]) -> Path:
    """Write columns to ``.csv`` or ``.parquet`` (by extension), atomically."""
    from touchcredit.io import frames

    fmt = frames.table_format(path)  # the temporary name has no suffix
    return write_atomic(path, lambda tmp: frames.write_table(columns, tmp, format=fmt))


def _objects(values: Sequence[Any]) -> npt.NDArray[np.object_]:
    out = np.empty(len(values), dtype=object)
    out[:] = list(values)
    return out


def credit_rows(tables: Sequence[Any], total: float) -> Columns:
    """One long table of credit tables: model, dimension, label, value, conversions, share.

    The ``(unattributed)`` row of each (model, dimension) holds what no touch took.
    """
    cols: dict[str, list[Any]] = {k: [] for k in ("model", "dimension", "label", "value",
                                                  "conversions", "share")}  # fmt: skip
    for t in tables:
        name = getattr(t.model, "name", type(t.model).__name__)
        labels = [*t.labels, "(unattributed)"]
        value = [*t.value.tolist(), t.unattributed_value]
        conv = [*t.conversions.tolist(), float(t.unattributed_conversions)]
        for label, v, c in zip(labels, value, conv, strict=True):
            cols["model"].append(name)
            cols["dimension"].append(t.dimension)
            cols["label"].append("(not recorded)" if label is None else label)
            cols["value"].append(v)
            cols["conversions"].append(c)
            cols["share"].append(v / total if total > 0 else float("nan"))
    return {
        "model": _objects(cols["model"]),
        "dimension": _objects(cols["dimension"]),
        "label": _objects(cols["label"]),
        "value": np.asarray(cols["value"], dtype=np.float64),
        "conversions": np.asarray(cols["conversions"], dtype=np.float64),
        "share": np.asarray(cols["share"], dtype=np.float64),
    }


def spend_by_label(spend: Any, dimension: str) -> dict[str, float]:
    """Spend per label of ``dimension`` (``source`` names through the catalog)."""
    if spend is None or dimension not in ("source", "channel", "campaign"):
        return {}
    dim = getattr(spend, dimension)
    cats = list(dim.categories)
    if not cats:
        return {}
    if dimension == "source":
        from touchcredit.hygiene.catalog import normalize

        cats = [str(c) for c in normalize(_objects(cats)).values.tolist()]
    codes = np.asarray(dim.codes)
    ok = codes >= 0
    sums = np.bincount(codes[ok], weights=spend.amount[ok], minlength=len(cats))
    out: dict[str, float] = {}
    for label, amount in zip(cats, sums.tolist(), strict=True):
        key = str(label).lower() if dimension == "channel" else str(label)
        out[key] = out.get(key, 0.0) + float(amount)
    return out


def kpi_rows(tables: Sequence[Any], spend: Any) -> Columns:
    """Per model, dimension and label: credited conversions and value, spend, CPA, ROAS.

    Spend meets credit by label (sources through the catalog, channels without case);
    spend on a label no touch carries gets a row of its own. Ratios are NaN (n/a) where
    the denominator is 0, and the cost per conversion too where there is no spend.
    """
    rows: list[tuple[Any, ...]] = []
    spend_cur = getattr(spend, "currency", None)
    for t in tables:
        name = getattr(t.model, "name", type(t.model).__name__)
        cur = getattr(t, "currency", None)
        if spend_cur is not None and cur is not None and cur != spend_cur:
            raise ValueError(  # ROAS of USD revenue over EUR spend is no number at all
                f"kpis: the credited value is in {cur} and the spend in {spend_cur}; "
                "convert one of them so that both are in one currency"
            )
        by_label = spend_by_label(spend, t.dimension)
        seen = set()
        for label, v, c in zip(t.labels, t.value.tolist(), t.conversions.tolist(), strict=True):
            key = "(not recorded)" if label is None else str(label)
            match = key.lower() if t.dimension == "channel" else key
            seen.add(match)
            rows.append((name, t.dimension, key, c, v, by_label.get(match, 0.0)))
        rows += [(name, t.dimension, k, 0.0, 0.0, s) for k, s in by_label.items() if k not in seen]
    conv = np.array([r[3] for r in rows], dtype=np.float64)
    value = np.array([r[4] for r in rows], dtype=np.float64)
    cost = np.array([r[5] for r in rows], dtype=np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        cpa = np.where((conv > 0) & (cost > 0), cost / conv, np.nan)  # no spend line: n/a
        roas = np.where(cost > 0, value / cost, np.nan)
    return {
        "model": _objects([r[0] for r in rows]),
        "dimension": _objects([r[1] for r in rows]),
        "label": _objects([r[2] for r in rows]),
        "conversions": conv,
        "value": value,
        "spend": cost,
        "cost_per_conversion": cpa,
        "roas": roas,
    }


def monthly_rows(journeys: Any, spend: Any) -> Columns:
    """Per calendar month (UTC) of conversion: conversions, value and spend."""
    months = journeys.conversion_time.astype("datetime64[M]")
    spend_months = spend.month.astype("datetime64[M]") if spend is not None else months[:0]
    every = np.union1d(np.unique(months), np.unique(spend_months))
    idx = np.searchsorted(every, months)
    conv = np.bincount(idx, minlength=every.size).astype(np.float64)
    value = np.bincount(idx, weights=journeys.conversion_value, minlength=every.size)
    cost: npt.NDArray[Any] = np.zeros(every.size)
    if spend is not None and spend_months.size:
        cost = np.bincount(np.searchsorted(every, spend_months), weights=spend.amount,
                           minlength=every.size)  # fmt: skip
    return {"month": _objects(every.astype(str).tolist()), "conversions": conv,
            "value": value, "spend": cost}  # fmt: skip
