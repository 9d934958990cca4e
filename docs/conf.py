"""Sphinx configuration for the touchcredit documentation."""

from __future__ import annotations

import touchcredit

project = "touchcredit"
author = "touchcredit developers"
copyright = "2026, touchcredit developers"
release = touchcredit.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
]

autosummary_generate = True
autodoc_typehints = "none"
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
numpydoc_validation_checks: set[str] = set()
numpydoc_xref_param_type = False

intersphinx_mapping: dict[str, tuple[str, str | None]] = {}

# No global setup: every page imports what its snippets use, so a reader can copy them
# (tests/test_docs_snippets.py checks it too).
doctest_global_setup = ""

html_theme = "pydata_sphinx_theme"
html_title = "touchcredit"
html_static_path = ["_static"]
html_theme_options = {"navigation_with_keys": False}
exclude_patterns = ["_build"]
nitpicky = False

# Docstring examples are run by pytest (--doctest-modules); the doctest builder runs the
# explicit ``.. doctest::`` blocks of the narrative pages.
doctest_test_doctest_blocks = ""
