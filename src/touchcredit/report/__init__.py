"""The HTML report: the monthly review as one self-contained page.

:class:`Report` computes the sections from the library's results; ``Report.save``
writes a single HTML file with inline CSS, script and SVG charts (no network when
opened). Needs Jinja2 (``pip install "touchcredit[report]"``) to render.
"""

from touchcredit.report.build import DEFAULT_MODELS, Report
from touchcredit.report.sections import Section

__all__ = ["DEFAULT_MODELS", "Report", "Section"]
