"""Fixtures shared by the whole test suite."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from touchcredit.models import isolated_registry


@pytest.fixture(autouse=True)
def _restore_model_registry() -> Iterator[None]:
    """Every test leaves the global model registry as it found it."""
    with isolated_registry():
        yield
