"""``touchcredit models``: list the registered attribution models."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    """Add the ``models`` command to the subparsers ``sub``."""
    sub.add_parser("models", help="list the available attribution models").set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """List each registered model: the first line of its docstring, then its parameters
    with their defaults (what ``--param NAME=VALUE`` sets)."""
    from touchcredit import models
    from touchcredit.cli.params import parameters

    names = models.available()
    width = max((len(n) for n in names), default=0)
    for name in names:
        model_class = type(models.get(name))
        doc = (model_class.__doc__ or "").strip().splitlines()
        print(f"{name:<{width}}  {doc[0] if doc else ''}")
        params = parameters(model_class)
        shown = ", ".join(f"{k}={_text(v)}" for k, v in params.items())
        print(f"{'':<{width}}  parameters: {shown}")
    return 0


def _text(value: Any) -> str:
    """A default as a user would type it after ``--param NAME=``."""
    import datetime as dt

    import attrs

    if isinstance(value, dt.timedelta):
        days, rest = divmod(value, dt.timedelta(days=1))
        return f"{days}d" if not rest else f"{value.total_seconds():g}s"
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, tuple):
        return "[" + ", ".join(f'"{v}"' for v in value) + "]"
    return "(required)" if value is attrs.NOTHING else str(value)
