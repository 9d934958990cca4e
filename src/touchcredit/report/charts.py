"""Charts of the report as small inline SVG, drawn by hand.

Why not matplotlib: its SVG embeds glyph outlines (hundreds of kB per chart) or
depends on the reader's fonts anyway, it costs a second to import, and it would be
one more dependency of the report. These five chart kinds are a few rectangles and
labels each; drawn here they stay a few kB, scale with the page, print crisply,
take their colours from the page's CSS and escape every label themselves.
"""

from __future__ import annotations

import html
import itertools
import math
from collections.abc import Callable, Sequence

__all__ = [
    "PALETTE",
    "bars",
    "diverging",
    "funnel",
    "histogram",
    "nice_ticks",
    "paths",
    "stacked_columns",
    "text_width",
]

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

_CHAR = 6.6  # average glyph width at 12 px, for sizing label columns
#: Glyph widths at 12 px, a little above DejaVu Sans (the widest common sans-serif), so
#: that a label measured here never outgrows the room it is given in any browser font.
_GLYPH = {
    **dict.fromkeys("Wm…@", 12.2),
    **dict.fromkeys("MwOQGDHNUC%&", 10.8),
    **dict.fromkeys("ilj.,:;'!|I", 3.8),
    **dict.fromkeys("ftr()[] -/", 5.2),
    " ": 4.0,
}


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _svg(width: float, height: float, body: list[str], title: str) -> str:
    return (
        f'<svg class="chart" role="img" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="{width:.0f}" height="{height:.0f}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{_esc(title)}</title>{''.join(body)}</svg>"
    )


def _text(
    x: float, y: float, text: str, *, anchor: str = "start", cls: str = "", full: str = ""
) -> str:
    """A label; ``full`` (the untruncated text, when it was cut) shows on hover."""
    klass = f' class="{cls}"' if cls else ""
    tip = f"<title>{_esc(full)}</title>" if full and full != text else ""
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{klass}>{tip}{_esc(text)}</text>'


def text_width(text: str, size: float = 12.0) -> float:
    """An upper estimate of ``text``'s width in pixels at font ``size``.

    Examples
    --------
    >>> text_width("email") < text_width("EMAIL") < text_width("WWWWW")
    True
    """
    total = 0.0
    for ch in text:
        w = _GLYPH.get(ch)
        if w is None:
            w = 9.4 if ch.isupper() else 7.9 if ch.isdigit() else 7.6 if ch.isascii() else 12.2
        total += w
    return total * size / 12.0


def _fit(text: str, room: float, size: float = 12.0) -> str:
    """``text`` cut (with an ellipsis) to fit ``room`` pixels."""
    if text_width(text, size) <= room:
        return text
    n = len(text)
    while n > 1 and text_width(text[: n - 1] + "…", size) > room:
        n -= 1
    return text[: n - 1] + "…"


def nice_ticks(vmin: float, vmax: float, n: int = 4) -> list[float]:
    """Round tick values covering ``[vmin, vmax]`` (steps of 1, 2, 2.5 or 5 times a power of 10).

    Examples
    --------
    >>> nice_ticks(0, 870)
    [0.0, 250.0, 500.0, 750.0, 1000.0]
    >>> nice_ticks(-1, 0.5)
    [-1.0, -0.5, 0.0, 0.5]
    """
    span = max(vmax - vmin, 1e-12)
    raw = span / max(n, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    lo = math.floor(vmin / step + 1e-9) * step
    hi = math.ceil(vmax / step - 1e-9) * step
    count = round((hi - lo) / step)
    return [round(lo + i * step, 12) + 0.0 for i in range(count + 1)]


def _value_axis(
    ticks: Sequence[float],
    x_of: Callable[[float], float],
    top: float,
    bottom: float,
    fmt: Callable[[float], str],
) -> list[str]:
    """Vertical grid lines at ``ticks`` with their values under the plot (thinned to fit)."""
    out = []
    widths = [len(fmt(t)) * 6.2 + 8 for t in ticks]
    gap = min((x_of(b) - x_of(a) for a, b in itertools.pairwise(ticks)), default=1e9)
    every = max(1, math.ceil(max(widths, default=0) / max(gap, 1e-9)))
    for i, t in enumerate(ticks):
        x = x_of(t)
        out.append(f'<path class="grid" d="M{x:.1f} {top:.1f}V{bottom:.1f}"/>')
        if i % every == 0:
            out.append(_text(x, bottom + 13, fmt(t), anchor="middle", cls="small"))
    return out


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
        shown = _fit(name, 200)
        w = 18 + text_width(shown) + 10
        if cx + w > x + width and cx > x:
            cx, cy = x, cy + 18
        out.append(_rect(cx, cy - 10, 12, 12, colour))
        out.append(_text(cx + 16, cy, shown, full=name))
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

    A value axis (grid lines and round values) under the bars; the value of every bar
    is written beside it only when there is one series (one bar per row never crowds),
    and shows on hover always. Labels are cut to their column (full text on hover).
    ``intervals`` (per series, optional): lower and upper bounds drawn as whiskers.
    """
    label_w = min(_CHAR * max((len(s) for s in labels), default=4) + 16, 220)
    k = max(len(series), 1)
    bar_h = 9 if k > 2 else 12 if k == 2 else 16
    group_h = k * bar_h + 10
    legend, legend_h = _legend([s[0] for s in series], label_w, 14, width - label_w)
    top = legend_h + 8
    plot_w = width - label_w - (80 if k == 1 else 50)
    hi = [max(v) for _, v in series if len(v)]
    if intervals:
        hi += [max(iv[1]) for iv in intervals if iv is not None and len(iv[1])]
    ticks = nice_ticks(0.0, max([*hi, 1e-12]))
    vmax = ticks[-1] or 1e-12
    bottom = top + len(labels) * group_h
    body = _value_axis(ticks, lambda v: label_w + plot_w * v / vmax, top, bottom, fmt)
    body += legend
    for i, label in enumerate(labels):
        y0 = top + i * group_h
        shown = _fit(label, label_w - 12)
        body.append(_text(label_w - 8, y0 + group_h / 2 + 4, shown, anchor="end", full=label))
        for j, (name, values) in enumerate(series):
            v = float(values[i])
            y = y0 + 5 + j * bar_h
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
            if k == 1 and iv is None:
                body.append(_text(label_w + w + 4, y + bar_h - 4, fmt(v), cls="small"))
    body.append(f'<path class="axis" d="M{label_w:.1f} {top:.1f}V{bottom:.1f}"/>')
    return _svg(width, bottom + 20, body, title)


def diverging(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    title: str,
    limit: float = 3.0,
    width: float = 720,
) -> str:
    """Horizontal bars left or right of zero: relative changes (fractions), one per series.

    Values beyond ``limit`` (+300 % by default) are drawn to the edge with an arrow;
    NaN draws no bar. The axis is in percent; every value shows on hover.
    """
    label_w = min(_CHAR * max((len(s) for s in labels), default=4) + 16, 220)
    k = max(len(series), 1)
    bar_h = 9 if k > 2 else 12
    group_h = k * bar_h + 10
    legend, legend_h = _legend([s[0] for s in series], label_w, 14, width - label_w)
    top = legend_h + 8
    finite = [float(v) for _, vs in series for v in vs if math.isfinite(float(v))]
    lo = max(min([*finite, 0.0]), -1.0)
    hi = min(max([*finite, 0.0]), limit)
    ticks = nice_ticks(lo, hi if hi > lo else lo + 1)
    lo, hi = ticks[0], ticks[-1]
    plot_w = width - label_w - 40

    def x_of(v: float) -> float:
        return label_w + plot_w * (min(max(v, lo), hi) - lo) / (hi - lo)

    bottom = top + len(labels) * group_h
    body = _value_axis(ticks, x_of, top, bottom, lambda v: f"{v * 100:+,.0f}%")
    body += legend
    zero = x_of(0.0)
    for i, label in enumerate(labels):
        y0 = top + i * group_h
        shown = _fit(label, label_w - 12)
        body.append(_text(label_w - 8, y0 + group_h / 2 + 4, shown, anchor="end", full=label))
        for j, (name, values) in enumerate(series):
            v = float(values[i])
            if not math.isfinite(v):
                continue
            y = y0 + 5 + j * bar_h
            x1 = x_of(v)
            tip = f"{label} · {name}: {v * 100:+,.1f}%"
            colour = PALETTE[j % len(PALETTE)]
            body.append(_rect(min(zero, x1), y, abs(x1 - zero), bar_h - 1, colour, tip))
            if v > hi:
                body.append(
                    f'<path class="arrowhead" d="M{x1 + 6:.1f} {y + (bar_h - 1) / 2:.1f}'
                    f'l-6 -4v8z"/>'
                )
    body.append(f'<path class="axis" d="M{zero:.1f} {top:.1f}V{bottom:.1f}"/>')
    return _svg(width, bottom + 20, body, title)


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
    totals = [sum(float(v[i]) for _, v in series) for i in range(len(columns))]
    ticks = nice_ticks(0.0, max([*totals, 1e-12]))
    vmax = ticks[-1] or 1e-12
    left = max(50.0, 6.2 * max(len(fmt(t)) for t in ticks) + 14)
    legend, legend_h = _legend([s[0] for s in series], left, 14, width - left - 10)
    top, bottom = legend_h + 14, 24
    plot_h = height - top - bottom
    n = max(len(columns), 1)
    slot = (width - left - 10) / n
    every = max(1, math.ceil(max((len(c) for c in columns), default=1) * 6.2 / max(slot - 4, 1)))
    body = list(legend)
    step = max(1, math.ceil(16 / max(plot_h / max(len(ticks) - 1, 1), 1e-9)))
    for i, t in enumerate(ticks):
        y = top + plot_h * (1 - t / vmax)
        body.append(f'<path class="grid" d="M{left:.1f} {y:.1f}H{width - 10:.1f}"/>')
        if i % step == 0:
            body.append(_text(left - 6, y + 4, fmt(t), anchor="end", cls="small"))
    for i, name in enumerate(columns):
        x = left + i * slot + slot * 0.15
        y = top + plot_h
        for j, (sname, values) in enumerate(series):
            h = plot_h * max(float(values[i]), 0.0) / vmax
            y -= h
            tip = f"{name} · {sname}: {fmt(float(values[i]))}"
            colour = PALETTE[-1] if sname.startswith("other (") else PALETTE[j % len(PALETTE)]
            body.append(_rect(x, y, slot * 0.7, h, colour, tip))
        if i % every == 0:
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
        limit = width - right - 56  # room for "+N more" before the note
        for k, step in enumerate(path):
            name = _fit(step, 110, 11)
            w = text_width(name, 12) + 12  # bold 11 px is about as wide as 12 px
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
