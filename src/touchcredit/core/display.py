"""How a JourneySet shows itself in a notebook: sizes and its channel table."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from touchcredit.core.store import JourneySet

__all__ = ["html_summary"]


def html_summary(journeys: JourneySet, *, top: int = 12) -> str:
    """Sizes, target, total value and the ``top`` channels by touches, as escaped HTML.

    Examples
    --------
    >>> from touchcredit import JourneySet
    >>> js = JourneySet.from_arrays(journey_id=[1], timestamp=[0], channel=["<b>"])
    >>> "&lt;b&gt;" in html_summary(js)
    True
    """
    esc = html.escape
    channel = journeys.channel
    counts = np.bincount(channel.codes[channel.codes >= 0], minlength=len(channel.categories))
    order = np.argsort(-counts, kind="stable")[:top]
    rows = "".join(
        f"<tr><td>{esc(channel.categories[k])}</td><td>{int(counts[k]):,}</td></tr>"
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
