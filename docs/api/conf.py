"""Sphinx configuration of skdl's API reference.

Build (from the repository root)::

    python -m sphinx -W --keep-going -b html docs/api /tmp/skdl-api

The reference is generated from the numpydoc docstrings of the public names;
each package page lists its names with ``autosummary`` (no stub files are
generated, so a build never writes into the source tree) and documents them
with ``autodoc``.
"""

import os
import sys

# Document the checkout this file lives in, not an installed copy.
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, ROOT)

import skdl  # noqa: E402

project = "skdl"
author = "skdl developers"
copyright = "skdl developers"
version = release = skdl.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "numpydoc",
]

root_doc = "index"
exclude_patterns = ["_build"]
templates_path = []
html_theme = "alabaster"
html_static_path = []

# autodoc: signatures from the code, members listed explicitly in each page.
autodoc_default_options = {"member-order": "bysource"}
autodoc_typehints = "none"  # numpydoc's "name : type" lines already say it
autodoc_preserve_defaults = True
autosummary_generate = False  # summary tables only; the entries are autodoc'd in the page

# numpydoc: no automatic member tables (the pages list what they document).
numpydoc_show_class_members = False
numpydoc_show_inherited_class_members = False
numpydoc_class_members_toctree = False
numpydoc_attributes_as_param_list = True
numpydoc_xref_param_type = False

# Docstrings mention Keras/sklearn/Optuna objects we do not cross-link.
nitpicky = False
suppress_warnings = []
