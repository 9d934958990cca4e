"""The guarantees page names, for every promise, tests that exist.

``docs/guarantees.rst`` lists each promise with pytest node ids. This test parses the
page and checks that every section names at least one test and that every node id
points at a test function (or test module) that exists in the repository.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "guarantees.rst"
NODE = re.compile(r"``(tests/[\w/]+\.py)(?:::(\w+))?``")


def _sections() -> dict[str, str]:
    text = PAGE.read_text(encoding="utf-8")
    parts = re.split(r"\n([^\n]+)\n-{3,}\n", text)
    # parts: [intro, title1, body1, title2, body2, ...]
    return {parts[i].strip(): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def _test_functions(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    }


def test_page_has_the_promised_sections() -> None:
    titles = set(_sections())
    for needed in (
        "Conservation: no value is lost or created",
        "No silent drops",
        "Determinism and order independence",
        "Exact cents",
        "Errors name the field, the row and what was expected",
        "Formula-injection-safe export",
        "Escaped HTML",
        "No eval, no pickle",
    ):
        assert needed in titles, f"missing section {needed!r}; found {sorted(titles)}"


def test_every_promise_names_at_least_one_test() -> None:
    for title, body in _sections().items():
        assert NODE.search(body), f"section {title!r} names no test"


def test_every_named_test_exists() -> None:
    missing = []
    for title, body in _sections().items():
        for file, func in NODE.findall(body):
            path = ROOT / file
            if not path.is_file():
                missing.append(f"{title}: {file} does not exist")
            elif func and func not in _test_functions(path):
                missing.append(f"{title}: {file}::{func} does not exist")
    assert not missing, "\n".join(missing)


def test_page_gives_the_fuzz_command() -> None:
    assert "python scripts/fuzz_utm.py -max_total_time=600" in PAGE.read_text(encoding="utf-8")
