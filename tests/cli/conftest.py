"""Fixtures of the CLI tests: the example exports (tests/connectors/exports.py) for the
pipeline tests, and a small touch CSV with its lead CSV for the command tests."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest


@pytest.fixture(scope="session")
def exports() -> ModuleType:
    """The module that writes the example exports."""
    path = Path(__file__).resolve().parents[1] / "connectors" / "exports.py"
    spec = importlib.util.spec_from_file_location("touchcredit_test_exports", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    """A touch CSV (a formula-like channel, a missing source) and its lead CSV."""
    touches = tmp_path / "touches.csv"
    touches.write_text(
        "person,ts,channel,source\n"
        "a,2024-01-01T10:00:00,seo,Google\n"
        "a,2024-01-02T10:00:00,=HYPERLINK(1),Newsletter\n"
        "b,2024-01-01T11:00:00,seo,\n"
    )
    conversions = tmp_path / "leads.csv"
    conversions.write_text("person,created,amount\na,2024-01-03T00:00:00,100\nb,2024-01-05,50\n")
    return touches, conversions
