"""Zone suffixes such as ``GMT+1`` and ``UTC+05:30``, read with their civil meaning.

People, spreadsheets and JavaScript's ``Date.toString()`` write a zone as ``GMT+1``,
``UTC+05:30`` or ``GMT+0100 (Central European Standard Time)``, meaning UTC plus one
hour: ``2024-02-01 10:00 GMT+1`` is 09:00 UTC. python-dateutil reads such a suffix
the POSIX way (``GMT+1`` is one hour *behind* UTC), which moves every such time by
twice its offset. :func:`civil_offset` rewrites the suffix as the ISO 8601 offset it
means (``+01:00``) before the text is parsed, so a suffix reads exactly as its ISO
spelling. ``Etc/GMT+1``-style zone names (which do mean UTC-1) are not suffixes and are
left alone.
"""

from __future__ import annotations

import re

__all__ = ["civil_offset"]

# GMT/UTC/UT, then a signed offset of hours (1-2 digits) and optional minutes (":mm" or
# "mm"); not part of a longer word ("Etc/GMT+1" is a zone name, not a suffix).
_SUFFIX = re.compile(
    r"(?<![A-Za-z/])(?:GMT|UTC|UT)\s?([+-])(\d{1,2})(?::?(\d{2}))?(?!\d)", re.IGNORECASE
)
# JavaScript appends the zone's long name in parentheses after the offset.
_COMMENT = re.compile(r"\s*\([A-Za-z .'-]{1,60}\)\s*$")


def civil_offset(text: str) -> str:
    """``text`` with a ``GMT+h``/``UTC+hh:mm`` suffix written as the ISO offset it means.

    Examples
    --------
    >>> civil_offset("2024-02-01 10:00 GMT+1")
    '2024-02-01 10:00 +01:00'
    >>> civil_offset("2024-02-01 10:00 UTC-05:30")
    '2024-02-01 10:00 -05:30'
    >>> civil_offset("Thu Feb 01 2024 10:00:00 GMT+0100 (Central European Standard Time)")
    'Thu Feb 01 2024 10:00:00 +01:00'
    >>> civil_offset("2024-02-01 10:00 UTC")  # no offset: nothing to rewrite
    '2024-02-01 10:00 UTC'
    """
    if "+" not in text and "-" not in text:
        return text
    match = _SUFFIX.search(text)
    if match is None:
        return text
    sign, hours, minutes = match.group(1), int(match.group(2)), match.group(3) or "00"
    rest = _COMMENT.sub("", text[match.end() :])
    return f"{text[: match.start()].rstrip()} {sign}{hours:02d}:{minutes}{rest}"
