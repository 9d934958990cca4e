"""Numbers as text, tables as values, and the page: the HTML layer of the report.

Every number leaves here with thousands separators, and money with its currency.
A :class:`Table` holds display text *and* a sort key per cell, so the inline script
can sort a column by its true value (not by its formatted text). The page is one
Jinja2 template with autoescaping on: labels (sources, channels, campaigns come
from URLs) are escaped; only our own CSS, script and SVG charts are marked safe.
"""

from __future__ import annotations

import base64
import hashlib
import math
from collections.abc import Iterable, Sequence
from importlib import resources
from typing import Any

import attrs

from touchcredit.core.label_text import shown_label

__all__ = [
    "Cell",
    "Table",
    "cell",
    "clip_note",
    "count",
    "days",
    "label_text",
    "money",
    "number",
    "percent",
    "render_page",
]

NA = "n/a"


def label_text(label: Any) -> str:
    """A label as shown: None is ``(not recorded)``, tuples are joined with `` / ``.

    Examples
    --------
    >>> label_text(None), label_text(("seo", "2024-01"))
    ('(not recorded)', 'seo / 2024-01')
    """
    if label is None:
        return "(not recorded)"
    if isinstance(label, tuple):
        return " / ".join(label_text(x) for x in label)
    return shown_label(str(label), limit=None)  # no direction override, no raw NUL


def _finite(x: Any) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def number(x: Any, decimals: int = 2) -> str:
    """A number with thousands separators (``n/a`` for NaN or None).

    Examples
    --------
    >>> number(1234567.891), number(float("nan")), number(3, 0)
    ('1,234,567.89', 'n/a', '3')
    """
    if not _finite(x):
        return NA
    return f"{float(x):,.{decimals}f}"


def count(x: Any) -> str:
    """A whole count with thousands separators.

    Examples
    --------
    >>> count(12896)
    '12,896'
    """
    return NA if not _finite(x) else f"{round(float(x)):,}"


def money(x: Any, currency: str | None, decimals: int = 0) -> str:
    """An amount with thousands separators and its currency code after it.

    Examples
    --------
    >>> money(1151800, "USD"), money(488.333, "EUR", 2), money(5, None)
    ('1,151,800 USD', '488.33 EUR', '5')
    """
    text = number(x, decimals)
    return text if currency is None or text == NA else f"{text} {currency}"


def percent(x: Any, decimals: int = 1) -> str:
    """A fraction as a percentage.

    Examples
    --------
    >>> percent(0.18361), percent(float("nan"))
    ('18.4%', 'n/a')
    """
    return NA if not _finite(x) else f"{float(x) * 100:,.{decimals}f}%"


def days(x: Any) -> str:
    """A duration in days (one decimal below 10 days).

    Examples
    --------
    >>> days(3.25), days(41.6), days(1.0)
    ('3.2 days', '42 days', '1.0 day')
    """
    if not _finite(x):
        return NA
    v = float(x)
    text = f"{v:,.1f}" if abs(v) < 10 else f"{v:,.0f}"
    return f"{text} day" if text == "1.0" else f"{text} days"


@attrs.frozen
class Cell:
    """One table cell: the text shown and the key it sorts by (a number or text)."""

    text: str
    sort: float | str = ""
    flag: bool = False
    sub: str = ""

    @property
    def sort_key(self) -> str:
        """The sort key as the ``data-v`` attribute text (NaN sorts last as empty)."""
        if isinstance(self.sort, float):
            return "" if math.isnan(self.sort) else repr(self.sort)
        return self.sort


def cell(text: str, sort: Any = None, *, flag: bool = False) -> Cell:
    """A :class:`Cell`; numbers sort numerically, everything else by its text."""
    if isinstance(sort, int | float) and not isinstance(sort, bool):
        return Cell(text, float(sort), flag)
    return Cell(text, text.lower(), flag)


def clip_note(note: str, limit: int = 320) -> str:
    """A note cut to ``limit`` characters (long lists of undefined rows say little).

    Examples
    --------
    >>> clip_note("x" * 400, 10)
    'xxxxxxxxx…'
    """
    return note if len(note) <= limit else note[: limit - 1] + "…"


@attrs.frozen
class Table:
    """A sortable table: caption, column names, numeric-column flags and rows of cells.

    Examples
    --------
    >>> t = Table.build("Leads", ["source", "leads"], [["seo", 1200], ["ads", 30]],
    ...                 [str, count])
    >>> [c.text for c in t.rows[0]], t.numeric
    (['seo', '1,200'], (False, True))
    """

    caption: str
    columns: tuple[str, ...]
    numeric: tuple[bool, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...] = ()

    @classmethod
    def build(
        cls,
        caption: str,
        columns: Sequence[str],
        rows: Iterable[Sequence[Any]],
        formats: Sequence[Any],
        *,
        notes: Sequence[str] = (),
        flags: Sequence[bool] | None = None,
    ) -> Table:
        """Format raw rows with one formatter per column (``str`` for labels)."""
        out = []
        numeric = [f is not str and f is not label_text for f in formats]
        for i, row in enumerate(rows):
            flag = bool(flags[i]) if flags is not None else False
            cells = []
            for value, fmt, num in zip(row, formats, numeric, strict=True):
                text = label_text(value) if fmt is str else fmt(value)
                key = float(value) if num and _finite(value) else (math.nan if num else None)
                cells.append(cell(text, key, flag=flag))
            out.append(tuple(cells))
        kept = tuple(clip_note(n) for n in notes)
        return cls(caption, tuple(columns), tuple(numeric), tuple(out), kept)


# ----------------------------------------------------------------- the page
def _asset(name: str) -> str:
    return resources.files("touchcredit.report").joinpath("templates", name).read_text("utf-8")


def _jinja() -> Any:
    try:
        import jinja2

        return jinja2
    except ImportError:
        raise ImportError(
            'the HTML report needs Jinja2; install it with pip install "touchcredit[report]"'
        ) from None


def script_hash(script: str) -> str:
    """The CSP source (``'sha256-…'``) that allows exactly this inline script."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def render_page(context: dict[str, Any]) -> str:
    """The whole report as one HTML document (CSS, script and charts inline).

    ``context`` holds the template's values; strings in it are escaped by the
    template, except ``svg`` charts built by :mod:`touchcredit.report.charts`
    (which escape their own text).
    """
    jinja2 = _jinja()
    env = jinja2.Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters["svg"] = jinja2.utils.markupsafe.Markup
    template = env.from_string(_asset("report.html.j2"))
    script = _asset("report.js")
    css = _asset("report.css")
    return str(
        template.render(
            **context,
            css=jinja2.utils.markupsafe.Markup(css),
            script=jinja2.utils.markupsafe.Markup(script),
            script_hash=jinja2.utils.markupsafe.Markup(script_hash(script)),
        )
    )
