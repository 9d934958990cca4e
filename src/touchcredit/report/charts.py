"""Charts of the report as small inline SVG, drawn by hand.

Why not matplotlib: its SVG embeds glyph outlines (hundreds of kB per chart) or
depends on the reader's fonts anyway, it costs a second to import, and it would be
one more dependency of the report. These five chart kinds are a few rectangles and
labels each; drawn here they stay a few kB, scale with the page, print crisply,
take their colours from the page's CSS and escape every label themselves.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence

__all__ = ["PALETTE", "bars", "funnel", "histogram", "paths", "stacked_columns"]

#: Colour-blind safe categorical colours (Okabe–Ito, then Tableau).
PALETTE = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#76B7B2",
    "#4E79A7",
    "#9C755F",
    "#BAB0AC",
)

_FONT = 12
_CHAR = 6.6  # average glyph width at 12 px, for sizing label columns


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _svg(width: float, height: float, body: list[str], title: str) -> str:
    return (
        f'<svg class="chart" role="img" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{_esc(title)}</title>{''.join(body)}</svg>"
    )


def _text(x: float, y: float, text: str, *, anchor: str = "start", cls: str = "") -> str:
    klass = f' class="{cls}"' if cls else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{klass}>{_esc(text)}</text>'


def _rect(x: float, y: float, w: float, h: float, fill: str, tip: str = "") -> str:
    inner = f"<title>{_esc(tip)}</title>" if tip else ""
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0.0):.1f}" height="{h:.1f}" '
        f'fill="{fill}">{inner}</rect>'
    )


def _legend(names: Sequence[str], x: float, y: float, width: float) -> tuple[list[str], float]:
    """Legend items left to right, wrapping; returns the parts and the height used."""
    out, cx, cy = [], x, y
    for i, name in enumerate(names):
        colour = PALETTE[-1] if name.startswith("other (") else PALETTE[i % len(PALETTE)]
        w = 18 + _CHAR * len(_clip(name, 28)) + 14
        if cx + w > x + width and cx > x:
            cx, cy = x, cy + 18
        out.append(_rect(cx, cy - 10, 12, 12, colour))
        out.append(_text(cx + 16, cy, _clip(name, 28)))
        cx += w
    return out, cy - y + 18


def bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    fmt: Callable[[float], str],
    *,
    title: str,
    intervals: Sequence[tuple[Sequence[float], Sequence[float]] | None] | None = None,
    width: float = 720,
) -> str:
    """Horizontal grouped bars: one group per label, one bar per series (model).

    ``intervals`` (per series, optional): lower and upper bounds drawn as whiskers.
    """
    label_w = min(_CHAR * max((len(s) for s in labels), default=4) + 12, 220)
    k = max(len(series), 1)
    bar_h = 9 if k > 2 else 12
    group_h = k * bar_h + 10
    legend, legend_h = _legend([s[0] for s in series], label_w, 14, width - label_w)
    top = legend_h + 8
    plot_w = width - label_w - 90
    hi = [max(v) for _, v in series if len(v)]
    if intervals:
        hi += [max(iv[1]) for iv in intervals if iv is not None and len(iv[1])]
    vmax = max([*hi, 1e-12])
    body = list(legend)
    for i, label in enumerate(labels):
        y0 = top + i * group_h
        body.append(_text(label_w - 8, y0 + group_h / 2 + 2, _clip(label, 32), anchor="end"))
        for j, (name, values) in enumerate(series):
            v = float(values[i])
            y = y0 + 4 + j * bar_h
            w = plot_w * max(v, 0.0) / vmax
            tip = f"{label} · {name}: {fmt(v)}"
            body.append(_rect(label_w, y, w, bar_h - 1, PALETTE[j % len(PALETTE)], tip))
            iv = intervals[j] if intervals else None
            if iv is not None:
                lo_x = label_w + plot_w * max(float(iv[0][i]), 0.0) / vmax
                hi_x = label_w + plot_w * float(iv[1][i]) / vmax
                mid = y + (bar_h - 1) / 2
                body.append(
                    f'<path class="whisker" d="M{lo_x:.1f} {mid:.1f}H{hi_x:.1f}'
                    f'M{lo_x:.1f} {mid - 3:.1f}v6M{hi_x:.1f} {mid - 3:.1f}v6"/>'
                )
            if k <= 3:
                body.append(_text(label_w + w + 4, y + bar_h - 2, fmt(v), cls="small"))
    height = top + len(labels) * group_h + 6
    body.append(f'<path class="axis" d="M{label_w:.1f} {top:.1f}V{height - 4:.1f}"/>')
    return _svg(width, height, body, title)


def stacked_columns(
    columns: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    fmt: Callable[[float], str],
    *,
    title: str,
    width: float = 720,
    height: float = 300,
) -> str:
    """Vertical stacked columns: one column per period, one colour per series."""
    legend, legend_h = _legend([s[0] for s in series], 50, 14, width - 60)
    top, bottom, left = legend_h + 14, 24, 50
    plot_h = height - top - bottom
    n = max(len(columns), 1)
    slot = (width - left - 10) / n
    totals = [sum(float(v[i]) for _, v in series) for i in range(len(columns))]
    vmax = max([*totals, 1e-12])
    body = list(legend)
    for frac in (0.0, 0.5, 1.0):
        y = top + plot_h * (1 - frac)
        body.append(f'<path class="grid" d="M{left} {y:.1f}H{width - 10:.1f}"/>')
        body.append(_text(left - 6, y + 4, fmt(vmax * frac), anchor="end", cls="small"))
    for i, name in enumerate(columns):
        x = left + i * slot + slot * 0.15
        y = top + plot_h
        for j, (sname, values) in enumerate(series):
            h = plot_h * max(float(values[i]), 0.0) / vmax
            y -= h
            tip = f"{name} · {sname}: {fmt(float(values[i]))}"
            colour = PALETTE[-1] if sname.startswith("other (") else PALETTE[j % len(PALETTE)]
            body.append(_rect(x, y, slot * 0.7, h, colour, tip))
        body.append(_text(x + slot * 0.35, height - 8, name, anchor="middle", cls="small"))
    return _svg(width, height, body, title)


def funnel(
    stages: Sequence[str],
    reached: Sequence[int],
    rates: Sequence[str],
    *,
    title: str,
    width: float = 720,
) -> str:
    """Centred bars, one per stage, width ∝ leads reaching it, with the stage rate."""
    row_h, label_w, right_w = 34, 110, 150
    plot_w = width - label_w - right_w
    top = max([*reached, 1])
    body = []
    for i, (stage, n, rate) in enumerate(zip(stages, reached, rates, strict=True)):
        y = 6 + i * row_h
        w = plot_w * n / top
        x = label_w + (plot_w - w) / 2
        body.append(_text(label_w - 8, y + 18, stage, anchor="end"))
        body.append(_rect(x, y, w, row_h - 8, PALETTE[0], f"{stage}: {n:,}"))
        body.append(_text(label_w + plot_w / 2, y + 18, f"{n:,}", anchor="middle", cls="on-bar"))
        body.append(_text(label_w + plot_w + 10, y + 18, rate, cls="small"))
    return _svg(width, 6 + len(stages) * row_h, body, title)


def paths(
    steps: Sequence[Sequence[str]],
    counts: Sequence[int],
    notes: Sequence[str],
    colours: dict[str, str],
    *,
    title: str,
    width: float = 720,
) -> str:
    """A flow of chips per path (label → label → …) with a bar for its journeys."""
    row_h, chip_gap, bar_w, right = 30, 14, 110, 150
    top = max([*counts, 1])
    body = []
    for i, (path, n, note) in enumerate(zip(steps, counts, notes, strict=True)):
        y = 4 + i * row_h
        body.append(_rect(0, y + 4, bar_w * n / top, row_h - 12, "#c8d3df", f"{n:,} journeys"))
        body.append(_text(4, y + 18, f"{n:,}", cls="small"))
        x = bar_w + 10.0
        limit = width - right
        for k, step in enumerate(path):
            name = _clip(step, 16)
            w = _CHAR * len(name) + 12
            if x + w > limit:
                body.append(_text(x, y + 18, f"+{len(path) - k} more", cls="small"))
                break
            fill = colours.get(step, PALETTE[-1])
            body.append(
                f'<rect x="{x:.1f}" y="{y + 3:.1f}" width="{w:.1f}" height="{row_h - 8}" '
                f'rx="4" fill="{fill}"><title>{_esc(step)}</title></rect>'
            )
            body.append(_text(x + w / 2, y + 18, name, anchor="middle", cls="on-bar"))
            x += w
            if k < len(path) - 1:
                body.append(f'<path class="arrow" d="M{x + 2:.1f} {y + 15:.1f}h{chip_gap - 5}"/>')
                body.append(
                    f'<path class="arrowhead" d="M{x + chip_gap - 3:.1f} {y + 15:.1f}l-4 -3v6z"/>'
                )
                x += chip_gap
        body.append(_text(width - right + 8, y + 18, note, cls="small"))
    return _svg(width, 4 + len(steps) * row_h, body, title)


def histogram(
    bins: Sequence[str],
    counts: Sequence[int],
    *,
    title: str,
    width: float = 720,
    height: float = 240,
) -> str:
    """Vertical bars of counts over named bins (ordered), with the count on top."""
    top, bottom, left = 16, 36, 10
    plot_h = height - top - bottom
    n = max(len(bins), 1)
    slot = (width - 2 * left) / n
    vmax = max([*counts, 1])
    body = []
    for i, (name, c) in enumerate(zip(bins, counts, strict=True)):
        h = plot_h * c / vmax
        x = left + i * slot + slot * 0.12
        y = top + plot_h - h
        body.append(_rect(x, y, slot * 0.76, h, PALETTE[4], f"{name}: {c:,}"))
        body.append(_text(x + slot * 0.38, y - 4, f"{c:,}", anchor="middle", cls="small"))
        body.append(_text(x + slot * 0.38, height - 18, name, anchor="middle", cls="small"))
    body.append(f'<path class="axis" d="M{left} {top + plot_h:.1f}H{width - left:.1f}"/>')
    return _svg(width, height, body, title)
