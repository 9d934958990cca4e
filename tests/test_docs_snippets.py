"""Doc snippets can be copied: every page imports the aliases its snippets use.

Sphinx's doctest once ran with ``import touchcredit as tc`` (and numpy, datetime) set up
globally, so pages used ``tc.`` without importing it and a reader's copy failed with a
NameError. The global setup is gone; this test also covers the ``code-block:: python``
snippets that doctest never runs.
"""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [*sorted((ROOT / "docs").glob("*.rst")), ROOT / "README.md"]
ALIASES = {
    "tc": "import touchcredit as tc",
    "np": "import numpy as np",
    "dt": "import datetime as dt",
    "pd": "import pandas as pd",
    "pl": "import polars as pl",
    "pa": "import pyarrow as pa",
}


def _snippet_lines(text: str) -> list[tuple[int, str]]:
    """(line number, code) of doctest lines and of python code-block bodies, in order."""
    out: list[tuple[int, str]] = []
    in_block = False
    for i, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith((">>> ", "... ")):
            out.append((i, line[4:]))
            continue
        if line.startswith((".. code-block:: python", ".. testcode::", "```python")):
            in_block = True
            continue
        if in_block:
            if (raw and not raw.startswith((" ", "\t"))) or line == "```":
                in_block = False
            elif line:
                out.append((i, line))
    return out


def _uses(code: str, alias: str) -> bool:
    at = code.find(alias + ".")
    while at >= 0:
        if at == 0 or not (code[at - 1].isalnum() or code[at - 1] in "_."):
            return True
        at = code.find(alias + ".", at + 1)
    return False


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_snippets_import_what_they_use(page: Path) -> None:
    lines = _snippet_lines(page.read_text("utf-8"))
    missing = []
    for alias, statement in ALIASES.items():
        first_use = next((i for i, code in lines if _uses(code, alias)), None)
        first_import = next((i for i, code in lines if code.startswith(statement)), None)
        if first_use is not None and (first_import is None or first_import > first_use):
            missing.append(f"line {first_use} uses '{alias}.' before '{statement}'")
    assert not missing, f"{page.name}: " + "; ".join(missing)


def test_the_check_sees_a_missing_import() -> None:
    page = ".. doctest::\n\n   >>> js = tc.JourneySet.from_arrays()\n"
    lines = _snippet_lines(page)
    assert lines == [(3, "js = tc.JourneySet.from_arrays()")]
    assert _uses(lines[0][1], "tc") and not _uses("etc.x = 1", "tc")
