"""``exomesa lightcurves build / render / import``: build real views from FITS files (or a download), render
views from a catalog, import AstroNet views. Each checks its output path first, so bad
arguments fail before any work, and nothing is overwritten without ``force``.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from exomesa import sources
from exomesa.data import load_catalog
from exomesa.defaults import cache_dir as default_cache_dir
from exomesa.errors import ExomesaError
from exomesa.lightcurves.astronet import import_astronet
from exomesa.lightcurves.download import download_lightcurves
from exomesa.lightcurves.files import find_fits_files
from exomesa.lightcurves.parallel import DEFAULT_SHARD_SIZE, BuildResult, build_views_parallel
from exomesa.lightcurves.render import render_views
from exomesa.lightcurves.shards import check_out
from exomesa.lightcurves.views import ViewSet
from exomesa.utils import check_writable

__all__ = [
    "check_out",
    "find_fits_files",
    "build_lightcurve_views",
    "render_catalog_views",
    "import_astronet_file",
]

logger = logging.getLogger(__name__)


def build_lightcurve_views(
    catalog: str | Path | pd.DataFrame,
    out: Path | str,
    *,
    fits_dir: Path | str | None = None,
    download: bool = False,
    cache_dir: Path | str | None = None,
    workers: int | None = None,
    scheduler=None,
    shard_size: int = DEFAULT_SHARD_SIZE,
    force: bool = False,
    progress: bool | None = None,
) -> BuildResult:
    """``exomesa lightcurves build``: find (or download) the files, then :func:`build_views_parallel`.

    Args:
        catalog: ``"dr25"`` (embedded), a KOI table path, or a DataFrame.
        fits_dir: folder searched recursively for ``*.fits``; it may hold files of other stars and missions
            (listed in ``<stem>.unmatched.csv`` / ``unmatched.csv`` and left out); download: fetch the catalog
            stars' Kepler/TESS files (lightkurve) into ``cache_dir`` (default ``$EXOMESA_CACHE/lightcurves``).
        the rest: as :func:`build_views_parallel`.
    """
    out = check_out(out, force)
    if fits_dir is None and not download:
        raise ExomesaError(
            "give --fits_dir DIR (a folder of *_llc.fits / *_lc.fits files) and/or --download."
        )
    if isinstance(catalog, pd.DataFrame):
        table, label = catalog, "the catalog"
    else:
        table, label = load_catalog(catalog, require_label=False), str(catalog)
    files = find_fits_files(fits_dir) if fits_dir is not None else []
    download_failures: list[list[str]] = []
    if download:
        cache = Path(cache_dir) if cache_dir else default_cache_dir() / "lightcurves"
        missions = (
            table["mission"].astype(str) if "mission" in table.columns else pd.Series("Kepler", table.index)
        )
        # each mission's stars, by the ids its light-curve files carry
        for mission in dict.fromkeys(missions):
            lc_files = sources.lightcurve_files(mission)
            rows = table.loc[missions == mission]
            if lc_files.id_column not in rows.columns:
                raise ExomesaError(
                    f"--download needs a {lc_files.id_column!r} column in the catalog {label}."
                )
            ids = rows[lc_files.id_column].dropna().astype(int).unique()
            if len(ids):
                logger.info(
                    "downloading %s light curves of %d star(s) into %s", lc_files.what, len(ids), cache
                )
                files += download_lightcurves(
                    mission, ids, cache, failures=download_failures, progress=progress
                )
    files = sorted(set(files))
    logger.info("%d light-curve file(s) found", len(files))
    if not files:
        where = f"in {fits_dir}" if fits_dir is not None else "to download"
        why = f" ({download_failures[0][-1]})" if download_failures else ""
        raise ExomesaError(f"no *.fits files found {where}{why}; nothing to build.")
    return build_views_parallel(
        table,
        files,
        out,
        workers=workers,
        scheduler=scheduler,
        shard_size=shard_size,
        force=force,
        progress=progress,
        extra_failures=download_failures,
    )


def _check_npz_out(path: Path, force: bool) -> None:
    if path.suffix != ".npz":
        raise ExomesaError(f"--out {path}: the views file must end in .npz.")
    check_out(path, force)


def render_catalog_views(
    catalog: str | Path = "dr25",
    out: str | Path = "rendered.npz",
    *,
    force: bool = False,
    progress: bool = False,
) -> ViewSet:
    """``exomesa lightcurves render``: physical transit views of every catalog row, written to ``out``."""
    out = Path(out)
    _check_npz_out(out, force)
    views = render_views(load_catalog(catalog, require_label=False), show_progress=progress)
    path = views.save(out)
    logger.info("rendered %d view(s) %s; wrote %s", len(views), views.counts(), path)
    return views


def import_astronet_file(
    astronet: str | Path, catalog: str | Path = "dr25", out: str | Path = "views.npz", *, force: bool = False
) -> tuple[ViewSet, pd.DataFrame]:
    """``exomesa lightcurves import --astronet``: match AstroNet TCE views to catalog KOIs and write ``out``
    (source ``real``, provenance ``astronet``, or ``astronet_cut`` where the local view was cut from the global
    view) plus ``<stem>.skipped.csv`` beside it (``views.skipped.csv`` for ``views.npz``, so imports into one
    folder do not collide; TCEs of a KOI that could not be imported; TCEs that are not KOIs are only counted);
    returns (views, skipped)."""
    out = Path(out)
    _check_npz_out(out, force)
    skipped_path = out.with_name(out.stem + ".skipped.csv")
    check_writable(skipped_path, force, what="list of skipped TCEs")
    result = import_astronet(astronet, load_catalog(catalog, require_label=False))
    views, skipped = result.views, result.skipped
    if len(views) == 0:
        raise ExomesaError(
            f"none of the {result.counts['tces']} TCE(s) in {astronet} matched a KOI of {catalog}"
            + (f" (e.g. {skipped['reason'].iloc[0]})" if len(skipped) else "")
            + "; nothing written."
        )
    path = views.save(out)
    skipped.to_csv(skipped_path, index=False)
    logger.info(
        "imported %d real view(s) from %s, skipped %d TCE(s) (listed in %s); wrote %s",
        len(views), astronet, len(skipped), skipped_path, path,
    )  # fmt: skip
    logger.info("%s", result.summary())
    return views, skipped
