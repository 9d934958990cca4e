"""Credit tables straight from the model contract, and their columns for writing."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["credit_by", "credit_columns", "credit_table"]


def credit_by(journeys: Any, model: Any, by: str) -> tuple[Any, float]:
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


def credit_table(journeys: Any, model: Any, by: str) -> Any:
    """Credit per label as a MetricTable (when :func:`touchcredit.attribute` is absent)."""
    from touchcredit.kpi.tables import MetricTable

    credit, unattributed = credit_by(journeys, model, by)
    dim = journeys.dimension(by)
    labels = np.empty(len(dim.categories) + 2, dtype=object)
    labels[:-2] = dim.categories
    labels[-2:] = [None, "unattributed"]
    value = np.append(credit, max(unattributed, 0.0))
    keep = np.ones(labels.size, dtype=bool)
    keep[-2] = value[-2] > 0
    keep[-1] = value[-1] > 0  # an all-zero unattributed row says nothing
    return MetricTable(f"Credit by {by}", {by: labels[keep], "value": value[keep]}, key=(by,))


def credit_columns(table: Any, *, text: bool = False) -> dict[str, Any]:
    """The columns of a credit table (its ``columns()`` when it has one), unattributed last.

    The unattributed row is left out when it is zero. ``text``: labels that were not
    recorded are written ``(not recorded)`` (for CSV, where an empty cell reads as
    missing data) instead of null.
    """
    cols = getattr(table, "columns", None)
    if callable(cols):
        out: dict[str, Any] = cols()
    else:
        labels = np.empty(len(table.labels) + 1, dtype=object)
        labels[:-1] = list(table.labels)
        labels[-1] = "unattributed"
        out = {
            table.dimension: labels,
            "value": np.append(table.value, table.unattributed_value),
            "conversions": np.append(table.conversions, table.unattributed_conversions),
        }
        if not (table.unattributed_value or table.unattributed_conversions):
            out = {k: v[:-1] for k, v in out.items()}
    if text:
        key = next(iter(out))
        labels = out[key].astype(object)
        labels[np.array([x is None for x in labels], dtype=bool)] = "(not recorded)"
        out[key] = labels
    return out
