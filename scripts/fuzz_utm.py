"""Coverage-guided fuzzing of the UTM/URL parser with atheris (not part of CI).

Feeds arbitrary text to :func:`touchcredit.hygiene.utm.parse` and fails on anything but a
clean result or a documented ``ValueError``: any other exception, a result that is
not bounded by its input, or one call that takes more than a second (a sign of
catastrophic regex backtracking).

Run for ten minutes::

    pip install -e ".[fuzz]"
    timeout 600 python scripts/fuzz_utm.py -max_total_time=600 -max_len=65536

libFuzzer options (``-max_total_time``, ``-max_len``, ``-jobs``, a corpus directory)
are passed through. A crash writes ``crash-<hash>`` with the input that caused it;
replay it with ``python scripts/fuzz_utm.py crash-<hash>``.
"""

from __future__ import annotations

import sys
import time
from typing import Any

import atheris

with atheris.instrument_imports():
    from touchcredit.hygiene import utm

SLOW_SECONDS = 1.0


def _size(value: Any, depth: int = 0) -> int:
    """Rough number of characters held by a parse result (strings, mappings, attrs)."""
    if depth > 6 or value is None:
        return 0
    if isinstance(value, str | bytes):
        return len(value)
    if isinstance(value, dict):
        return sum(_size(k, depth + 1) + _size(v, depth + 1) for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return sum(_size(v, depth + 1) for v in value)
    fields = getattr(value, "__attrs_attrs__", None)
    if fields is not None:
        return sum(_size(getattr(value, f.name), depth + 1) for f in fields)
    return len(repr(value))


def test_one_input(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    text = fdp.ConsumeUnicodeNoSurrogates(len(data))
    start = time.perf_counter()
    try:
        result = utm.parse(text)
    except ValueError:
        return  # a documented rejection of malformed input
    elapsed = time.perf_counter() - start
    if elapsed > SLOW_SECONDS:
        raise RuntimeError(f"utm.parse took {elapsed:.2f} s on {len(text)} characters")
    # Percent-decoding never makes text longer; allow generous slack for keys/labels.
    if _size(result) > 4 * len(text) + 256:
        raise RuntimeError(f"utm.parse returned {_size(result)} characters for {len(text)}")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
