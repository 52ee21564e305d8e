"""MkDocs hook (named in mkdocs.yml): render the Sphinx roles of exomesa's docstrings as plain code.

The docstrings cross-reference with Sphinx roles (``:class:`~exomesa.mesa.model.MESAModel```), which
mkdocstrings shows verbatim as ``:class: MESAModel``. This drops the role and a leading ``~`` so the
name reads as code, as in the rest of the site.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["on_page_content"]

_ROLE = re.compile(r":(?:py:)?(?:class|meth|func|data|attr|mod|exc|obj|const|ref|term):\s*(<code>)~?")


def on_page_content(html: str, **_: Any) -> str:
    """Replace ``:role:<code>~name`` in a page's HTML by ``<code>name``."""
    return _ROLE.sub(r"\1", html)
