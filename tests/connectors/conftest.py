"""The example exports (tests/connectors/exports.py) as a fixture."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "touchcredit_test_exports", Path(__file__).with_name("exports.py")
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def exports() -> ModuleType:
    """The module that writes the example exports."""
    return _load()
