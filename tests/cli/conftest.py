"""The example exports (tests/connectors/exports.py) as a fixture, for the pipeline tests."""

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
