"""``exomesa lightcurves``: build real views from Kepler/TESS FITS files, or render views from a catalog.

Examples::

    exomesa lightcurves build --catalog dr25 --fits_dir lightcurves/ --out views.npz
    exomesa lightcurves build --catalog dr25 --download --cache_dir ~/.cache/exomesa/lc --out views.npz
    exomesa lightcurves render --catalog dr25 --out rendered.npz
    exomesa lightcurves import --astronet kepler_dr24_tce_views.npz --catalog dr25 --out views.npz
"""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

from exomesa.errors import ExomesaError
from exomesa.utils import check_writable

__all__ = ["register", "build", "render", "import_astronet"]

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``lightcurves build``, ``lightcurves render`` and ``lightcurves import``."""
    lc = subparsers.add_parser(
        "lightcurves", help="build real light-curve views or render them from a catalog"
    )
    sub = lc.add_subparsers(dest="lightcurves_command", metavar="ACTION", required=True)

    b = sub.add_parser(
        "build",
        help="fold Kepler/TESS light-curve FITS files into global/local views (views.npz)",
        description="Match light-curve files to KOIs (Kepler KEPLERID -> kepid; TESS TICID -> tic_id), detrend "
        "with the transits masked, phase-fold on the catalog ephemeris and bin into 2001-bin global and "
        "201-bin local views. KOIs without usable data are skipped (and rendered later by train/test).",
    )
    b.add_argument("--catalog", default="dr25", help="'dr25' (embedded, default) or the path of a KOI table")
    b.add_argument(
        "--fits_dir", type=Path, default=None, help="folder searched (recursively) for *.fits files"
    )
    b.add_argument("--out", type=Path, required=True, help="output .npz file")
    b.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    b.add_argument(
        "--download", action="store_true", help="download the catalog stars' Kepler files (lightkurve)"
    )
    b.add_argument(
        "--cache_dir", type=Path, default=None, help="download folder (default ~/.cache/exomesa/lightcurves)"
    )
    b.add_argument("--progress", action="store_true", help="show a progress bar")
    b.set_defaults(func=build)

    r = sub.add_parser(
        "render",
        help="render physical (batman) transit views from catalog parameters for every KOI",
        description="Render global/local views from each KOI's catalog parameters (never its label).",
    )
    r.add_argument("--catalog", default="dr25", help="'dr25' (embedded, default) or the path of a KOI table")
    r.add_argument("--out", type=Path, required=True, help="output .npz file")
    r.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    r.add_argument("--progress", action="store_true", help="show a progress bar")
    r.set_defaults(func=render)

    i = sub.add_parser(
        "import",
        help="import AstroNet-preprocessed real views (.npz) and match them to catalog KOIs",
        description="Match each AstroNet TCE to the KOI on the same kepid with koi_period within 0.5% and "
        "rescale its views by koi_depth (AstroNet views have minimum -1). TCEs that match nothing, match "
        "ambiguously, lack a depth or hold NaN are skipped and listed in skipped.csv beside --out.",
    )
    i.add_argument("--astronet", type=Path, required=True, help="AstroNet views .npz (kepid, tce_*, *_view)")
    i.add_argument("--catalog", default="dr25", help="'dr25' (embedded, default) or the path of a KOI table")
    i.add_argument(
        "--out", type=Path, required=True, help="output .npz file (skipped.csv is written beside it)"
    )
    i.add_argument("--force", action="store_true", help="overwrite --out and its skipped.csv if they exist")
    i.set_defaults(func=import_astronet)


def _fits_files(folder: Path) -> list[Path]:
    if not folder.is_dir():
        raise ExomesaError(f"--fits_dir {folder} is not a folder.")
    return sorted(
        p for p in folder.rglob("*") if p.is_file() and p.name.lower().endswith((".fits", ".fits.gz"))
    )


def _check_out(path: Path, force: bool) -> None:
    if path.suffix != ".npz":
        raise ExomesaError(f"--out {path}: the views file must end in .npz.")
    if path.is_dir():
        raise ExomesaError(f"--out {path} is a folder; give a file name ending in .npz.")
    parent = path.absolute().parent
    while not parent.exists() and parent != parent.parent:
        parent = parent.parent
    if not parent.is_dir() or not os.access(parent, os.W_OK):
        raise ExomesaError(f"--out {path}: cannot write there ({parent} is not a writable folder).")
    check_writable(path, force, what="views file")


def build(args: argparse.Namespace) -> int:
    from exomesa.data import load_catalog
    from exomesa.lightcurves.preprocess import build_views

    _check_out(args.out, args.force)
    if args.fits_dir is None and not args.download:
        raise ExomesaError(
            "give --fits_dir DIR (a folder of *_llc.fits / *_lc.fits files) and/or --download."
        )
    catalog = load_catalog(args.catalog, require_label=False)
    files = _fits_files(args.fits_dir) if args.fits_dir is not None else []
    if args.download:
        from exomesa.lightcurves.download import download_kepler_lightcurves

        if "kepid" not in catalog.columns:
            raise ExomesaError(f"--download needs a 'kepid' column in the catalog {args.catalog}.")
        cache = args.cache_dir or Path.home() / ".cache" / "exomesa" / "lightcurves"
        kepids = catalog["kepid"].dropna().astype(int).unique()
        logger.info("downloading Kepler light curves of %d star(s) into %s", len(kepids), cache)
        files += download_kepler_lightcurves(kepids, cache)
    files = sorted(set(files))
    logger.info("%d light-curve file(s) found", len(files))
    if not files:
        raise ExomesaError(f"no *.fits files found in {args.fits_dir}; nothing to build.")
    views, skipped = build_views(catalog, files, show_progress=args.progress)
    if len(views) == 0:
        detail = f" ({len(skipped)} KOI(s) skipped, e.g. {skipped[0][1]})" if skipped else ""
        raise ExomesaError(
            f"none of the {len(files)} light-curve file(s) gave a view for a KOI of {args.catalog}{detail}. "
            "Check that the files' KEPLERID/TICID match the catalog's kepid/tic_id columns."
        )
    path = views.save(args.out)
    logger.info("built %d real view(s), skipped %d KOI(s); wrote %s", len(views), len(skipped), path)
    return 0


def render(args: argparse.Namespace) -> int:
    from exomesa.data import load_catalog
    from exomesa.lightcurves import render_views

    _check_out(args.out, args.force)
    catalog = load_catalog(args.catalog, require_label=False)
    views = render_views(catalog, show_progress=args.progress)
    path = views.save(args.out)
    logger.info("rendered %d view(s) %s; wrote %s", len(views), views.counts(), path)
    return 0


def import_astronet(args: argparse.Namespace) -> int:
    from exomesa.data import load_catalog
    from exomesa.lightcurves.astronet import import_astronet_views

    _check_out(args.out, args.force)
    skipped_path = args.out.parent / "skipped.csv"
    check_writable(skipped_path, args.force, what="list of skipped TCEs")
    catalog = load_catalog(args.catalog, require_label=False)
    views, skipped = import_astronet_views(args.astronet, catalog)
    if len(views) == 0:
        raise ExomesaError(
            f"none of the {len(skipped)} TCE(s) in {args.astronet} matched a KOI of {args.catalog}"
            + (f" (e.g. {skipped['reason'].iloc[0]})" if len(skipped) else "")
            + "; nothing written."
        )
    path = views.save(args.out)
    skipped.to_csv(skipped_path, index=False)
    logger.info(
        "imported %d real view(s) from %s, skipped %d TCE(s) (listed in %s); wrote %s",
        len(views),
        args.astronet,
        len(skipped),
        skipped_path,
        path,
    )
    return 0
