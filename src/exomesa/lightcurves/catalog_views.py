"""Views for a whole catalog: the given (real) views where a KOI has one; for the rest either a rendered view or
none at all (``missing="render"`` / ``"none"``).

This is the one place where real and rendered views meet; every command that takes ``--lightcurves`` calls
:func:`views_for_catalog`, and the resulting :class:`~exomesa.lightcurves.views.ViewSet` says per row which
kind was used (``source``: ``"real"``, ``"rendered"``, ``"flat"`` or ``"none"``) and where a real one came
from (``provenance``). With ``missing="none"`` and no views given, the real views shipped with the package
(:func:`~exomesa.lightcurves.embedded.embedded_views`) are used.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from exomesa.lightcurves.render import catalog_names, render_views
from exomesa.lightcurves.views import GLOBAL_BINS, LOCAL_BINS, ViewSet

__all__ = ["MISSING_VIEWS", "views_for_catalog"]

#: What a catalog row without a real view gets: a view rendered from its catalog parameters, or none (zeros,
#: source ``"none"``; a model reading it masks its light-curve branch).
MISSING_VIEWS = ("render", "none")

logger = logging.getLogger(__name__)


def views_for_catalog(
    catalog: pd.DataFrame,
    views: ViewSet | None = None,
    *,
    missing: str = "render",
    cache_dir: str | Path | None = "auto",
) -> ViewSet:
    """Views aligned to ``catalog`` rows: taken from ``views`` where ``candidate_id`` matches; the other rows
    rendered (``missing="render"``) or left without a view (``missing="none"``).

    Args:
        catalog: canonical KOI table with ``candidate_id``.
        views: precomputed views (e.g. real ones from ``exomesa lightcurves build``) or ``None``: with
            ``missing="render"`` every row is rendered; with ``missing="none"`` the real views shipped with
            the package are used (DR25 KOIs).
        missing: ``"render"`` or ``"none"`` (:data:`MISSING_VIEWS`). With ``"none"`` only *real* given views
            are taken (a rendered row of ``views`` counts as no view) and the other rows are zeros with
            source and provenance ``"none"``.
        cache_dir: rendered-views cache folder for :func:`render_views`; ``"auto"`` (default) is
            ``$EXOMESA_CACHE/views`` (``~/.cache/exomesa/views``), ``None`` renders every time.

    Returns:
        A ViewSet with one row per catalog row, in catalog order.
    """
    if missing not in MISSING_VIEWS:
        raise ValueError(f"missing must be one of {MISSING_VIEWS}, not {missing!r}")
    names = catalog_names(catalog)
    if missing == "none":
        if views is None:
            from exomesa.lightcurves.embedded import embedded_views

            views = embedded_views()
        views = views.take(np.flatnonzero(np.asarray(views.source).astype(str) == "real"))
        index = views.index_of()
        have = np.array([name in index for name in names], dtype=bool)
        need = np.zeros(0, dtype=np.int64)
        out = _assemble(names, views, index, have, need, ViewSet.empty(), fill="none")
        logger.info(
            "views for %d candidates: %d real, %d without a view (light-curve branch masked)",
            len(names),
            int(have.sum()),
            int((~have).sum()),
        )
        return out
    index = views.index_of() if views is not None else {}
    have = np.array([name in index for name in names], dtype=bool)
    need = np.flatnonzero(~have)
    if cache_dir == "auto":
        from exomesa.defaults import cache_dir as cache_root

        cache_dir = cache_root() / "views"
    rendered = render_views(catalog.iloc[need], cache_dir=cache_dir) if need.size else ViewSet.empty()
    out = _assemble(names, views, index, have, need, rendered, fill="rendered")
    logger.info(
        "views for %d KOIs: %d taken from the given views, %d rendered from catalog parameters",
        len(names),
        int(have.sum()),
        int(need.size),
    )
    widths = out.local_half_widths()
    if len(set(widths.tolist())) > 1:
        shown = ", ".join(f"{int((widths == w).sum())} over ±{w:g}" for w in sorted(set(widths.tolist())))
        logger.warning(
            "the local views of these %d KOIs span two conventions (%s transit durations; AstroNet views span "
            "±4, built and rendered ones ±2): each row's provenance says which",
            len(names),
            shown,
        )
    return out


def _assemble(
    names: np.ndarray,
    views: ViewSet | None,
    index: dict[str, int],
    have: np.ndarray,
    need: np.ndarray,
    rendered: ViewSet,
    fill: str,
) -> ViewSet:
    """One ViewSet over ``names``: rows ``have`` from ``views``, rows ``need`` from ``rendered``, the rest
    zeros with source/provenance ``fill``."""
    out_g = np.zeros((len(names), GLOBAL_BINS), dtype=np.float32)
    out_l = np.zeros((len(names), LOCAL_BINS), dtype=np.float32)
    out_s = np.full(len(names), fill, dtype="<U8")
    out_p = np.full(len(names), fill, dtype="<U16")
    if have.any():
        rows = np.array([index[name] for name in names[have]], dtype=np.int64)
        out_g[have] = views.global_view[rows]
        out_l[have] = views.local_view[rows]
        out_s[have] = views.source[rows]
        out_p[have] = views.provenance[rows]
    if need.size:
        out_g[need] = rendered.global_view
        out_l[need] = rendered.local_view
        out_s[need] = rendered.source
        out_p[need] = rendered.provenance
    return ViewSet(candidate_id=names, global_view=out_g, local_view=out_l, source=out_s, provenance=out_p)
