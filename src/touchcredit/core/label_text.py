"""A label's text: one spelling at the door, a safe and bounded form on display.

Labels come from URLs, CRMs and spreadsheets. Two things about their text:

- **One spelling per label.** ``"Café"`` typed on a Mac (NFD: ``e`` + combining accent)
  and on Windows (NFC: ``é``) are one source; so are ``"seo"`` and ``"seo\\u200b"``
  with a zero-width space pasted from a web page. :func:`canonical_label` gives the
  spelling kept (Unicode NFC, invisible zero-width characters removed); every label
  column goes through it when it is factorized, so the catalog, the credit tables and
  the joins see one label.
- **A label shown is a label read.** On a screen, a right-to-left override (U+202E)
  reverses the text after it and a NUL or escape byte is invisible or worse; a label of
  a megabyte fills the terminal. :func:`shown_label` is the text used wherever a label
  is printed or put in the report: control and bidirectional formatting characters
  appear as ``\\u202e``-style escapes, and a long label is cut with an ellipsis.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["INVISIBLE", "SHOWN_LENGTH", "canonical_label", "shown_label"]

#: Characters removed from labels: zero-width space, word joiner, zero-width no-break
#: space (a stray byte-order mark) and soft hyphen. Zero-width (non-)joiners stay: they
#: change how scripts such as Persian and emoji sequences are written.
INVISIBLE = "\u200b\u2060\ufeff\u00ad"
#: Characters a label shows at most (:func:`shown_label`).
SHOWN_LENGTH = 80

_DROP = str.maketrans(dict.fromkeys(INVISIBLE))
# C0 and C1 controls, and the bidirectional formatting characters (embeddings,
# overrides, isolates and marks)
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def canonical_label(text: str) -> str:
    """The spelling a label is kept in: NFC, without invisible zero-width characters.

    Examples
    --------
    >>> canonical_label("Cafe\\u0301") == canonical_label("Caf\\u00e9") == "Caf\\u00e9"
    True
    >>> canonical_label("seo\\u200b"), canonical_label("LinkedIn")
    ('seo', 'LinkedIn')
    """
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", text.translate(_DROP))


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def shown_label(text: str, limit: int | None = SHOWN_LENGTH) -> str:
    """A label as printed: controls and direction overrides escaped, cut at ``limit``.

    Parameters
    ----------
    text : str
        The label.
    limit : int, optional
        Characters shown at most (the cut ones replaced by ``…``); None: all.

    Examples
    --------
    >>> shown_label("evil\\u202eexe.pdf"), shown_label("a\\x00b")
    ('evil\\\\u202eexe.pdf', 'a\\\\x00b')
    >>> shown_label("x" * 100, limit=10)
    'xxxxxxxxx…'
    """
    if not text.isprintable():
        text = _UNSAFE.sub(_escape, text)
    if limit is not None and len(text) > limit:
        return text[: max(limit - 1, 0)] + "…"
    return text
