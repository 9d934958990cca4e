"""Doctests of modules that need an optional extra skip when the extra is not installed.

``pytest --doctest-modules`` runs every docstring example; the plotting module needs
matplotlib and the SQL connector's examples query DuckDB. Without them these examples
are skipped (naming what is missing), not failed.
"""

from __future__ import annotations

import importlib.util

import pytest

#: Module -> the optional packages its doctests need.
DOCTEST_NEEDS: dict[str, tuple[str, ...]] = {
    "touchcredit.plot": ("matplotlib",),
    "touchcredit.connectors.sql": ("duckdb",),
}


def _installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # a module blocked with sys.modules[name] = None
        return False


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if not isinstance(item, pytest.DoctestItem):
            continue
        needs = [
            package
            for module, packages in DOCTEST_NEEDS.items()
            if item.name == module or item.name.startswith(module + ".")
            for package in packages
        ]
        missing = [m for m in needs if not _installed(m)]
        if missing:
            item.add_marker(pytest.mark.skip(reason=f"needs {', '.join(missing)}"))
