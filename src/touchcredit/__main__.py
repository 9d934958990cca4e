"""``python -m touchcredit``: the command line (see :mod:`touchcredit.cli`)."""

import sys

from touchcredit.cli import main

sys.exit(main())
