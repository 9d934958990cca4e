"""Shared local Spark session for the Spark tests (marked ``spark``).

One session per test process (starting one takes seconds). Tests here that use the
``spark`` fixture (and every test of test_driver.py) are marked ``spark``; deselect
them locally with ``-m 'not spark'``; CI (``CI=true``) fails instead of skipping when
Java is missing. Tests of the executor function and the codec need no session.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

_HERE = Path(__file__).parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        path = Path(str(item.fspath))
        if _HERE not in path.parents:
            continue
        if "spark" in getattr(item, "fixturenames", ()) or path.name == "test_driver.py":
            item.add_marker(pytest.mark.spark)
            item.add_marker(pytest.mark.xdist_group("spark"))


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        msg = "Java is not installed: the Spark tests need a JRE (17) on PATH or JAVA_HOME"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(msg + " (.ci/run installs it)")
        pytest.skip(msg)
    pyspark_sql = pytest.importorskip("pyspark.sql")
    session = (
        pyspark_sql.SparkSession.builder.master("local[2]")
        .appName("touchcredit-tests")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.default.parallelism", "2")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
