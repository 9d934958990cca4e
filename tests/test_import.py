"""`import touchcredit` stays light: no optional dependency is imported."""

from __future__ import annotations

import json
import subprocess
import sys

import touchcredit


def test_import_does_not_pull_optional_dependencies() -> None:
    code = (
        "import sys, json, touchcredit; "
        "print(json.dumps(sorted(m for m in ('pandas', 'polars', 'pyarrow', 'matplotlib', "
        "'pyspark', 'scipy', 'tqdm') if m in sys.modules)))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == []


def test_public_names_resolve() -> None:
    for name in touchcredit.__all__:
        assert hasattr(touchcredit, name), name
    from touchcredit import Deal, Journey, JourneySet, Lead, Touchpoint  # noqa: F401


def test_package_is_typed() -> None:
    from importlib import resources

    assert resources.files("touchcredit").joinpath("py.typed").is_file()
