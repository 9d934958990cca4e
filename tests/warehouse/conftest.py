"""A real PostgreSQL server for the warehouse tests, started once per test process.

The cluster (``pgcluster.py``) lives on a Unix socket in a temporary directory and is
stopped at the end of the session, also when a test fails (fixture finalizer, and
``atexit`` should the process end otherwise). Without PostgreSQL binaries the tests
skip with the reason; under ``CI=true`` they fail (``.ci/run`` installs PostgreSQL
through ``scripts/install-postgres.sh``).
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

_HERE = Path(__file__).parent


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("touchcredit_pgcluster", _HERE / "pgcluster.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


pgcluster = _load()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if _HERE in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.xdist_group("postgres"))  # one server per run


@pytest.fixture(scope="session")
def postgres() -> Iterator[Any]:
    """A running :class:`pgcluster.Cluster` (``.uri``, ``.psql(sql)``)."""
    pytest.importorskip("adbc_driver_postgresql")
    if pgcluster.binaries() is None:
        msg = "PostgreSQL is not installed (no initdb/pg_ctl/psql): the warehouse tests need it"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg + " (.ci/run installs it with scripts/install-postgres.sh)")
        pytest.skip(msg)
    cluster = pgcluster.start()
    try:
        yield cluster
    finally:
        cluster.stop()
