"""The ``touchcredit`` command line.

``touchcredit demo`` runs the main job on the bundled example data; ``touchcredit
attribute FILE --conversions FILE --model NAME --by channel`` attributes a user's
CSV/Parquet touch table; ``touchcredit models`` lists the registered models;
``touchcredit report`` writes the HTML report (example data or your tables).
Exit codes: 0 success, 1 bad data (the message names the field and row), 2 usage
errors (unknown option or model, missing file or column).

One module per command (:mod:`~touchcredit.cli.demo`,
:mod:`~touchcredit.cli.attribute`, :mod:`~touchcredit.cli.models`,
:mod:`~touchcredit.cli.report`), each with
``add_parser(subparsers)`` and ``run(args)``; :mod:`~touchcredit.cli.common` holds
the shared argument and output helpers, :mod:`~touchcredit.cli.app` the parser and
:func:`main`.
"""

from __future__ import annotations

from touchcredit.cli.app import main

__all__ = ["main"]
