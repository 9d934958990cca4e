"""``touchcredit models``: list the registered attribution models."""

from __future__ import annotations

import argparse
from typing import Any

__all__ = ["add_parser", "run"]


def add_parser(sub: Any) -> None:
    """Add the ``models`` command to the subparsers ``sub``."""
    sub.add_parser("models", help="list the available attribution models").set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """List each registered model with the first line of its docstring."""
    from touchcredit import models

    names = models.available()
    width = max((len(n) for n in names), default=0)
    for name in names:
        model = models.get(name)
        doc = (type(model).__doc__ or "").strip().splitlines()
        print(f"{name:<{width}}  {doc[0] if doc else ''}")
    return 0
