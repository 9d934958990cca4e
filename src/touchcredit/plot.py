"""Charts of the results, with matplotlib (optional: ``pip install "touchcredit[plot]"``).

Each function draws on the Axes given (a new figure when None) and returns the Axes,
for further styling. matplotlib is imported when a function is called, never by
``import touchcredit``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["plot_comparison", "plot_funnel", "plot_lead_value_vs_cpl", "plot_top_paths"]


def _axes(ax: Any) -> Any:
    if ax is not None:
        return ax
    try:
        import matplotlib.pyplot as plt
    except ImportError:
        raise ImportError(
            'plotting needs matplotlib; install it with pip install "touchcredit[plot]"'
        ) from None
    _, new = plt.subplots(figsize=(8, 4.5), layout="constrained")
    return new


def _text(label: Any) -> str:
    if label is None:
        return "(not recorded)"
    if isinstance(label, tuple):
        return " / ".join(_text(x) for x in label)
    # matplotlib reads $...$ as math; labels are data, show them literally
    return str(label).replace("$", r"\$")


def _model_name(model: Any) -> str:
    if isinstance(model, str):
        return model
    for attr in ("name", "name_"):
        value = getattr(model, attr, None)
        if isinstance(value, str):
            return value
    from touchcredit import models

    for name in models.available():  # the registry name of the model's class
        try:
            if type(models.get(name)) is type(model):
                return name
        except (TypeError, ValueError):  # a model that needs parameters
            continue
    return type(model).__name__


def _column(table: Any, name: str) -> npt.NDArray[Any]:
    try:
        return np.asarray(table[name])
    except KeyError:
        cols = ", ".join(getattr(table, "names", ()))
        raise ValueError(f"the table has no column {name!r} (columns: {cols})") from None


def plot_comparison(comparison: Any, ax: Any = None, *, top: int | None = 12) -> Any:
    """Credit per label (channel, source...) under each model, as grouped bars.

    Parameters
    ----------
    comparison : Comparison
        From :func:`touchcredit.compare` (``.labels``, ``.models`` and ``.values``,
        one row per label and one column per model).
    ax : matplotlib Axes, optional
        Where to draw (a new figure when None).
    top : int or None
        Show the labels with the most credit (over all models) only.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import types
    >>> cmp = types.SimpleNamespace(labels=("seo", "email"), models=("first", "last"),
    ...                             values=np.array([[3.0, 1.0], [1.0, 3.0]]))
    >>> ax = plot_comparison(cmp)
    >>> len(ax.patches)
    4
    """
    ax = _axes(ax)
    values = np.asarray(comparison.values, dtype=np.float64)
    labels = [_text(x) for x in comparison.labels]
    names = getattr(comparison, "names", None)
    models = [str(n) for n in names] if names else [_model_name(m) for m in comparison.models]
    order = np.argsort(-values.sum(axis=1), kind="stable")
    if top is not None:
        order = order[:top]
    k, m = order.size, len(models)
    width = 0.8 / max(m, 1)
    x = np.arange(k)
    handles = [  # one bar series per model (a handful)
        ax.bar(x + (j - (m - 1) / 2) * width, values[order, j], width) for j in range(m)
    ]
    ax.set_xticks(x, [labels[i] for i in order.tolist()], rotation=30, ha="right")
    dim = getattr(comparison, "by", None) or getattr(comparison, "dimension", None)
    ax.set_xlabel(str(dim) if dim else "")
    ax.set_ylabel("credit")
    ax.set_title("Credit per model")
    # labels passed explicitly: matplotlib drops collected labels that start with "_"
    ax.legend(handles, [_text(n) for n in models], fontsize="small", ncols=2 if m > 6 else 1)
    return ax


def plot_funnel(funnel: Any, ax: Any = None) -> Any:
    """Leads reaching each funnel stage, as horizontal bars with stage-to-stage rates.

    Parameters
    ----------
    funnel : MetricTable
        From :func:`touchcredit.kpi.funnel.stage_funnel` (columns ``stage``, ``reached`` and
        ``rate_from_previous``; a grouped funnel gives one bar series per group).
    ax : matplotlib Axes, optional
        Where to draw (a new figure when None).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> import types
    >>> f = {"stage": np.array(["lead", "mql", "sql"], dtype=object),
    ...      "reached": np.array([100, 40, 10]),
    ...      "rate_from_previous": np.array([1.0, 0.4, 0.25])}
    >>> ax = plot_funnel(f)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['lead', 'mql', 'sql']
    """
    ax = _axes(ax)
    stage = _column(funnel, "stage")
    reached = _column(funnel, "reached").astype(np.float64)
    rate = _column(funnel, "rate_from_previous").astype(np.float64)
    keys = [n for n in getattr(funnel, "key", ()) if n != "stage"]
    stages = list(dict.fromkeys(stage.tolist()))
    pos = {s: i for i, s in enumerate(stages)}
    y = np.array([pos[s] for s in stage.tolist()], dtype=np.float64)
    if keys:
        group = np.array([_text(g) for g in _column(funnel, keys[0]).tolist()], dtype=object)
        names = list(dict.fromkeys(group.tolist()))
        h = 0.8 / len(names)
        handles = []
        for j, g in enumerate(names):  # one series per group (a handful)
            sel = group == g
            handles.append(ax.barh(y[sel] + (j - (len(names) - 1) / 2) * h, reached[sel], h))
        # labels passed explicitly: matplotlib drops collected labels that start with "_"
        ax.legend(handles, names, fontsize="small")
    else:
        bars = ax.barh(y, reached, 0.7, color="tab:blue")
        text = [
            f"{int(n):,}" + ("" if i == 0 or np.isnan(r) else f"  ({r:.0%})")
            for i, (n, r) in enumerate(zip(reached.tolist(), rate.tolist(), strict=True))
        ]
        ax.bar_label(bars, text, padding=3, fontsize="small")
        ax.margins(x=0.15)  # room for the labels
    ax.set_yticks(np.arange(len(stages)), [_text(s) for s in stages])
    ax.invert_yaxis()
    ax.set_xlabel("leads reaching the stage")
    ax.set_title("Funnel")
    return ax


def plot_lead_value_vs_cpl(report: Any, ax: Any = None, *, label: str | None = None) -> Any:
    """Lead value against cost per lead per source: above the diagonal earns money.

    Parameters
    ----------
    report : MetricTable
        From :func:`touchcredit.kpi.metrics.economics` (columns ``lead_value`` and
        ``cost_per_lead``, plus a key column naming each point).
    ax : matplotlib Axes, optional
        Where to draw (a new figure when None).
    label : str, optional
        Column naming the points (default: the table's first key column).

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> t = {"source": np.array(["seo", "ads"], dtype=object),
    ...      "lead_value": np.array([900.0, 200.0]), "cost_per_lead": np.array([50.0, 400.0])}
    >>> ax = plot_lead_value_vs_cpl(t, label="source")
    >>> [t.get_text() for t in ax.texts]
    ['seo', 'ads']
    """
    ax = _axes(ax)
    value = _column(report, "lead_value").astype(np.float64)
    cpl = _column(report, "cost_per_lead").astype(np.float64)
    name = label or next(iter(getattr(report, "key", ())), None)
    names: Sequence[Any] = _column(report, name).tolist() if name is not None else [""] * value.size
    ok = np.isfinite(value) & np.isfinite(cpl)
    losing = ok & (cpl > value)
    ax.scatter(cpl[ok & ~losing], value[ok & ~losing], color="tab:green", label="earns")
    ax.scatter(cpl[losing], value[losing], color="tab:red", label="loses money per lead")
    for i in np.flatnonzero(ok).tolist():  # one annotation per point shown
        ax.annotate(_text(names[i]), (cpl[i], value[i]), fontsize="small",
                    xytext=(4, 4), textcoords="offset points")  # fmt: skip
    top = float(max(np.max(value[ok], initial=0.0), np.max(cpl[ok], initial=0.0), 1.0)) * 1.1
    ax.plot([0, top], [0, top], color="grey", linestyle="--", linewidth=1, label="break-even")
    ax.set_xlim(0, top)
    ax.set_ylim(0, top)
    ax.set_xlabel("cost per lead")
    ax.set_ylabel("lead value")
    ax.set_title("Lead value vs cost per lead")
    ax.legend(fontsize="small")
    return ax


def plot_top_paths(paths: Any, ax: Any = None, *, column: str = "journeys") -> Any:
    """The most common paths as horizontal bars (journeys, conversions or value).

    Parameters
    ----------
    paths : MetricTable
        From :func:`touchcredit.kpi.paths.top_paths` (columns ``path`` and ``column``).
    ax : matplotlib Axes, optional
        Where to draw (a new figure when None).
    column : str
        What the bar length shows: ``"journeys"``, ``"conversions"`` or ``"value"``.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> t = {"path": np.array(["seo > email", "ads"], dtype=object),
    ...      "journeys": np.array([20, 5])}
    >>> ax = plot_top_paths(t)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['seo > email', 'ads']
    """
    ax = _axes(ax)
    path = [_text(p) for p in _column(paths, "path").tolist()]
    size = _column(paths, column).astype(np.float64)
    y = np.arange(len(path))
    bars = ax.barh(y, size, 0.7, color="tab:purple")
    ax.bar_label(bars, [f"{v:,.0f}" for v in size.tolist()], padding=3, fontsize="small")
    ax.margins(x=0.1)  # room for the labels
    ax.set_yticks(y, path, fontsize="small")
    ax.invert_yaxis()
    ax.set_xlabel(column)
    ax.set_title("Top paths")
    return ax
