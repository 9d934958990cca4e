"""The ``touchcredit`` parser (one subcommand per module) and :func:`main`."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from touchcredit.cli import attribute, demo, models, paths, pipeline, report
from touchcredit.cli.common import Parser, UsageError

__all__ = ["build_parser", "main"]


def build_parser() -> argparse.ArgumentParser:
    """The parser of every ``touchcredit`` command."""
    p = Parser(prog="touchcredit", description="Where your leads and revenue come from.")
    p.add_argument("--version", action="version", version=attribute.version())
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    demo.add_parser(sub)
    models.add_parser(sub)
    attribute.add_parser(sub)
    paths.add_parser(sub)
    report.add_parser(sub)
    pipeline.add_parser(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``touchcredit`` command line.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (``sys.argv[1:]`` when None).

    Returns
    -------
    int
        Exit code: 0 success, 1 bad data, 2 usage error.

    Examples
    --------
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()) as out:
    ...     code = main(["models"])
    >>> code, "markov" in out.getvalue()
    (0, True)
    """
    from touchcredit.core.mapping import MissingColumnError

    parser = build_parser()
    try:
        args = parser.parse_args(argv)
        if getattr(args, "func", None) is None:
            parser.print_help()
            return 2
        code: int = args.func(args)
        return code
    except BrokenPipeError:  # output piped into `head` or similar: stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    except (UsageError, MissingColumnError, FileNotFoundError, ImportError) as exc:
        print(f"touchcredit: error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, TypeError) as exc:
        print(f"touchcredit: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
