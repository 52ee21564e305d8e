"""The Jinja2 environment of exomesa's HTML pages (templates are package resources in ``templates/``).

``base.html.j2`` holds the shared look (inline CSS, no external assets); ``macros.html.j2`` the table and figure
macros; ``report.html.j2`` the aggregate report; ``vet_sheet.html.j2`` / ``vet_index.html.j2`` the vetting pages.
Autoescaping is on: values are escaped unless the caller marks them :class:`markupsafe.Markup`.
"""

from __future__ import annotations

import base64
from functools import lru_cache
from typing import Any

import jinja2
from markupsafe import Markup

__all__ = ["environment", "render", "table_html", "data_uri"]


@lru_cache(maxsize=1)
def environment() -> Any:
    """The shared :class:`jinja2.Environment` (loaded once)."""
    return jinja2.Environment(
        loader=jinja2.PackageLoader("exomesa.reporting", "templates"),
        autoescape=jinja2.select_autoescape(["html.j2", "svg.j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def render(template: str, **context: Any) -> str:
    """Render one template of ``templates/`` with ``context``."""
    return environment().get_template(template).render(**context)


def table_html(header: list[str], rows: list[list[Any]], first_left: bool = True, **kwargs: Any) -> Any:
    """A table through the ``table`` macro; cells are escaped unless they are ``Markup``."""
    macro = environment().get_template("macros.html.j2").module.table
    return Markup(macro(header, rows, first_left, **kwargs))


def data_uri(data: bytes, mime: str = "image/png") -> str:
    """``data:<mime>;base64,...`` for embedding an image in a page."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
