"""How results show themselves in a notebook: escaped HTML tables and summaries.

:func:`html_table` is the one table builder every ``_repr_html_`` uses (labels come
from URLs and CRMs, so every cell is escaped here); :func:`html_summary` is the
JourneySet's view.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import numpy as np

from touchcredit.core.label_text import shown_label

if TYPE_CHECKING:
    from touchcredit.core.store import JourneySet

__all__ = ["html_summary", "html_table", "quantity", "text_summary"]


def quantity(x: float) -> str:
    """A count that may be fractional (credit): whole numbers bare, else two decimals.

    Examples
    --------
    >>> quantity(1.0), quantity(0.5), quantity(12345.678), quantity(3)
    ('1', '0.50', '12,345.68', '3')
    """
    if abs(x - round(x)) < 1e-9:
        return f"{round(x):,}"
    return f"{x:,.2f}"


def html_table(
    header: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    caption: str | None = None,
    numeric: Sequence[bool] | None = None,
) -> str:
    """A small table as HTML; every header, caption and cell is escaped.

    Cells are shown as ``str(cell)``; None is ``(not recorded)``. ``numeric`` columns
    are right-aligned.

    Examples
    --------
    >>> t = html_table(["source", "leads"], [["<b>", "1,200"]], numeric=[False, True])
    >>> "<td>&lt;b&gt;</td>" in t, '<td style="text-align:right">1,200</td>' in t
    (True, True)
    """
    esc = html.escape
    right = list(numeric) if numeric is not None else [False] * len(header)
    style = ["" if not r else ' style="text-align:right"' for r in right]
    head = "".join(f"<th{st}>{esc(h)}</th>" for h, st in zip(header, style, strict=True))
    body = "".join(
        "<tr>"
        + "".join(
            f"<td{st}>{esc('(not recorded)' if c is None else shown_label(str(c), None))}</td>"
            for c, st in zip(row, style, strict=True)
        )
        + "</tr>"
        for row in rows
    )
    cap = f"<caption>{esc(caption)}</caption>" if caption else ""
    return f"<table>{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def text_summary(journeys: JourneySet) -> str:
    """One line: sizes, total value and the first channels (the JourneySet's repr)."""
    cats = journeys.channel.categories
    chans = ", ".join(shown_label(c, 40) for c in cats[:8])  # a 1 MB label: 40 characters
    if len(cats) > 8:
        chans += f", ... ({len(cats)} in all)"
    cur = f" {journeys.currency}" if journeys.currency else ""
    return (
        f"JourneySet({journeys.n_journeys} journeys, {journeys.n_touches} touches, "
        f"{journeys.n_conversions} conversions, total value {journeys.total_value:,.6g}{cur}, "
        f"channels: {chans})"
    )


def html_summary(journeys: JourneySet, *, top: int = 12) -> str:
    """Sizes, target, total value and the ``top`` channels by touches, as escaped HTML.

    Examples
    --------
    >>> from touchcredit import JourneySet
    >>> js = JourneySet.from_arrays(journey_id=[1], timestamp=[0], channel=["<b>"], unit="s")
    >>> "&lt;b&gt;" in html_summary(js)
    True
    """
    esc = html.escape
    channel = journeys.channel
    counts = np.bincount(channel.codes[channel.codes >= 0], minlength=len(channel.categories))
    order = np.argsort(-counts, kind="stable")[:top]
    rows = "".join(
        f"<tr><td>{esc(shown_label(channel.categories[k]))}</td><td>{int(counts[k]):,}</td></tr>"
        for k in order.tolist()
    )
    more = len(channel.categories) - order.size
    extra = f"<p>... and {more} more channels</p>" if more > 0 else ""
    cur = f" {esc(journeys.currency)}" if journeys.currency else ""
    return (
        f"<div><p><b>JourneySet</b>: {journeys.n_journeys:,} journeys, {journeys.n_touches:,} "
        f"touches, {journeys.n_conversions:,} conversions ({esc(journeys.target)}), total value "
        f"{journeys.total_value:,.6g}{cur}</p><table><thead><tr><th>channel</th>"
        f"<th>touches</th></tr></thead><tbody>{rows}</tbody></table>{extra}</div>"
    )
