"""core.backends: the one door to pandas, polars and pyarrow."""

from __future__ import annotations

import sys

import pytest

from touchcredit.core import backends


@pytest.mark.parametrize(
    ("name", "extra"), [("polars", "polars"), ("pyarrow.compute", "arrow"), ("pandas", "pandas")]
)
def test_a_missing_library_names_its_extra(
    monkeypatch: pytest.MonkeyPatch, name: str, extra: str
) -> None:
    root = name.split(".")[0]
    for module in [m for m in sys.modules if m == root or m.startswith(root + ".")]:
        monkeypatch.setitem(sys.modules, module, None)  # importing it now raises ImportError
    monkeypatch.setitem(sys.modules, root, None)
    monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ImportError, match=rf'needs {root}, .*pip install "touchcredit\[{extra}\]"'):
        backends.require(name)
    assert backends.optional(name) is None
    assert not backends.loaded(root)


def test_installed_libraries_come_back_as_modules() -> None:
    assert backends.pyarrow().__name__ == "pyarrow"
    assert backends.pyarrow_compute().__name__ == "pyarrow.compute"
    assert backends.pyarrow_parquet().__name__ == "pyarrow.parquet"
    assert backends.pyarrow_csv().__name__ == "pyarrow.csv"
    assert backends.pyarrow_json().__name__ == "pyarrow.json"
    assert backends.pandas().__name__ == "pandas" and backends.polars().__name__ == "polars"
    assert backends.loaded("pyarrow")


def test_only_known_modules_open() -> None:
    with pytest.raises(ValueError, match="'os' is not a backend module"):
        backends.require("os")


def test_core_imports_no_dataframe_library_but_through_the_door() -> None:
    """The import-linter contract, checked here too: grimp sees every import (function
    level included) of the library areas."""
    import grimp

    graph = grimp.build_graph("touchcredit", include_external_packages=True)
    areas = ("core", "models", "attribution", "hygiene", "kpi")
    importers = {
        m
        for lib in ("pandas", "polars", "pyarrow")
        for m in graph.find_modules_that_directly_import(lib)
        if m.split(".")[1] in areas
    }
    assert importers == {"touchcredit.core.backends"}
