"""The one door to the optional dataframe libraries: pyarrow, pandas and polars.

As narwhals' ``dependencies.py`` does, one module owns access to the libraries a user
may not have installed. Every other module of the package asks here -- never imports
them itself (an import-linter contract keeps core to this one module) -- so that

- the libraries are imported lazily, when first needed, and only by name here;
- a missing library gives one clear error naming the extra that installs it
  (:func:`require`), or ``None`` where a caller has a numpy path (:func:`optional`);
- "is it already imported?" (a frame of that library exists, so importing is free)
  is one question, :func:`loaded`.

The functions return the module objects (typed ``Any``: pyarrow and polars ship no
type information mypy reads).

Examples
--------
>>> pc = pyarrow_compute()
>>> pc.sum(pyarrow().array([1, 2])).as_py()
3
>>> optional("pyarrow") is pyarrow()
True
"""

from __future__ import annotations

import sys
from typing import Any

__all__ = [
    "EXTRAS",
    "loaded",
    "optional",
    "pandas",
    "polars",
    "pyarrow",
    "pyarrow_compute",
    "pyarrow_csv",
    "pyarrow_json",
    "pyarrow_parquet",
    "require",
]

#: Library -> the touchcredit extra that installs it.
EXTRAS: dict[str, str] = {"pandas": "pandas", "polars": "polars", "pyarrow": "arrow"}


#: The modules this door opens.
_MODULES = (
    "pyarrow",
    "pyarrow.compute",
    "pyarrow.csv",
    "pyarrow.json",
    "pyarrow.parquet",
    "pyarrow.feather",
    "pandas",
    "polars",
)


def _import(name: str) -> Any:
    # each module spelled out, so import-linter and readers see exactly what is imported
    if name == "pyarrow":
        import pyarrow

        return pyarrow
    if name == "pyarrow.compute":
        import pyarrow.compute

        return pyarrow.compute
    if name == "pyarrow.csv":
        import pyarrow.csv

        return pyarrow.csv
    if name == "pyarrow.json":
        import pyarrow.json

        return pyarrow.json
    if name == "pyarrow.parquet":
        import pyarrow.parquet

        return pyarrow.parquet
    if name == "pyarrow.feather":
        import pyarrow.feather

        return pyarrow.feather
    if name == "pandas":
        import pandas

        return pandas
    if name == "polars":
        import polars

        return polars
    raise ValueError(f"{name!r} is not a backend module; known: {', '.join(_MODULES)}")


def require(name: str) -> Any:
    """The module ``name`` (``"pyarrow.compute"``, ``"pandas"``, ...), imported now.

    Raises
    ------
    ImportError
        When its library is not installed, naming the extra that installs it.

    Examples
    --------
    >>> require("pyarrow.parquet").__name__
    'pyarrow.parquet'
    """
    try:
        return _import(name)
    except ImportError:
        root = name.split(".")[0]
        raise ImportError(
            f"this needs {root}, which is not installed; install it with "
            f'pip install "touchcredit[{EXTRAS.get(root, root)}]"'
        ) from None


def optional(name: str) -> Any | None:
    """The module ``name``, or None when its library is not installed.

    Examples
    --------
    >>> optional("pandas").__name__
    'pandas'
    """
    try:
        return _import(name)
    except ImportError:
        return None


def loaded(name: str) -> bool:
    """Whether ``name`` is already imported (in this process, by anyone).

    Callers use it to keep a small input on the numpy path rather than pay for the
    first import of a library.

    Examples
    --------
    >>> _ = pyarrow()
    >>> loaded("pyarrow")
    True
    """
    return sys.modules.get(name) is not None


def pyarrow() -> Any:
    """``pyarrow`` (:func:`require`)."""
    return require("pyarrow")


def pyarrow_compute() -> Any:
    """``pyarrow.compute`` (:func:`require`)."""
    return require("pyarrow.compute")


def pyarrow_csv() -> Any:
    """``pyarrow.csv`` (:func:`require`)."""
    return require("pyarrow.csv")


def pyarrow_json() -> Any:
    """``pyarrow.json`` (:func:`require`)."""
    return require("pyarrow.json")


def pyarrow_parquet() -> Any:
    """``pyarrow.parquet`` (:func:`require`)."""
    return require("pyarrow.parquet")


def pandas() -> Any:
    """``pandas`` (:func:`require`)."""
    return require("pandas")


def polars() -> Any:
    """``polars`` (:func:`require`)."""
    return require("polars")
