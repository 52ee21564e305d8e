"""``exomesa lightcurves``: build real views from Kepler/TESS FITS files, or render views from a catalog.

Examples::

    exomesa lightcurves build --catalog dr25 --fits_dir lightcurves/ --out views.npz
    exomesa lightcurves build --fits_dir /data/kepler/ --out views/ --workers 16     # sharded, resumable
    exomesa lightcurves build --fits_dir /data/kepler/ --out views/ --scheduler tcp://head:8786
    exomesa lightcurves build --catalog dr25 --download --cache_dir ~/.cache/exomesa/lc --out views.npz
    exomesa lightcurves render --catalog dr25 --out rendered.npz
    exomesa lightcurves import --astronet kepler_dr24_tce_views.npz --catalog dr25 --out views.npz
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from exomesa.cli._types import positive_int

__all__ = ["register", "build", "render", "import_astronet"]

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``lightcurves build``, ``lightcurves render`` and ``lightcurves import``."""
    lc = subparsers.add_parser(
        "lightcurves",
        help="build real light-curve views or render them from a catalog",
        description="Light-curve views for train, test, predict and vet: build them from Kepler/TESS FITS "
        "files (lightcurves build), render them from catalog parameters (lightcurves render) or import "
        "AstroNet's (lightcurves import). `exomesa lightcurves ACTION --help` describes each.",
    )
    sub = lc.add_subparsers(dest="lightcurves_command", metavar="ACTION", required=True)

    b = sub.add_parser(
        "build",
        help="fold Kepler/TESS light-curve FITS files into global/local views (views.npz)",
        description="Match light-curve files to catalog rows (Kepler KEPLERID -> kepid; TESS TICID -> tic_id), "
        "detrend with the transits masked, phase-fold on the catalog ephemeris and bin into 2001-bin global "
        "and 201-bin local views. Candidates without usable data are skipped (and rendered later by "
        "train/test), listed in the failures file. Files of stars or missions the catalog does not hold are "
        "left out and listed in the unmatched file. Side files are named after --out: views.failures.csv and "
        "views.unmatched.csv beside --out views.npz, failures.csv and unmatched.csv inside a shard folder.",
    )
    b.add_argument(
        "--catalog",
        default="dr25",
        help="'dr25' (embedded Kepler, default), 'toi' (embedded TESS TOIs) or the path of a KOI/TOI table",
    )
    b.add_argument(
        "--fits_dir",
        type=Path,
        default=None,
        help="folder searched (recursively) for *.fits files; it may hold files of other stars and missions",
    )
    b.add_argument(
        "--out",
        type=Path,
        required=True,
        help="output .npz file, or a folder for sharded output (one .npz per --shard_size stars, manifest.json, "
        "failures.csv, unmatched.csv); rerunning the same command resumes an interrupted build",
    )
    b.add_argument(
        "--force", action="store_true", help="rebuild from scratch, overwriting --out if it exists"
    )
    b.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        help="parallel worker processes (default: the number of cores; 1 runs in this process)",
    )
    b.add_argument(
        "--scheduler",
        default=None,
        metavar="ADDR",
        help="run on an existing Dask cluster, e.g. tcp://head-node:8786 (needs exomesa[distributed]); "
        "see docs/scaling.md",
    )
    b.add_argument("--shard_size", type=positive_int, default=None, help="stars per shard file (default 200)")
    b.add_argument(
        "--download",
        action="store_true",
        help="download the catalog stars' Kepler/TESS light curves from MAST (lightkurve)",
    )
    b.add_argument(
        "--cache_dir", type=Path, default=None, help="download folder (default ~/.cache/exomesa/lightcurves)"
    )
    b.add_argument(
        "--progress",
        action="store_true",
        default=None,
        help="show the progress bars (downloads; stars done, failures, ETA) even when stderr is not a terminal "
        "(default: shown on a terminal only)",
    )
    b.add_argument("--no_progress", dest="progress", action="store_false", help="never show progress bars")
    b.set_defaults(func=build)

    r = sub.add_parser(
        "render",
        help="render physical (batman) transit views from catalog parameters for every candidate",
        description="Render global/local views from each candidate's catalog parameters (period, epoch, "
        "duration, depth, limb darkening; never its label): the views train/test use where no real light "
        "curve exists, written to one .npz for inspection.",
    )
    r.add_argument(
        "--catalog",
        default="dr25",
        help="'dr25' (embedded Kepler, default), 'toi' (embedded TESS TOIs) or the path of a KOI/TOI table",
    )
    r.add_argument("--out", type=Path, required=True, help="output .npz file")
    r.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    r.add_argument("--progress", action="store_true", help="show a progress bar")
    r.set_defaults(func=render)

    i = sub.add_parser(
        "import",
        help="import AstroNet-preprocessed real views (.npz) and match them to catalog KOIs",
        description="Match each AstroNet TCE to the KOI on the same kepid with koi_period within 0.5% and "
        "rescale its views by koi_depth (AstroNet views have minimum -1). TCEs that match nothing, match "
        "ambiguously, lack a depth or hold NaN are skipped and listed beside --out in <stem>.skipped.csv "
        "(views.skipped.csv for --out views.npz).",
    )
    i.add_argument("--astronet", type=Path, required=True, help="AstroNet views .npz (kepid, tce_*, *_view)")
    i.add_argument("--catalog", default="dr25", help="'dr25' (embedded, default) or the path of a KOI table")
    i.add_argument(
        "--out", type=Path, required=True, help="output .npz file (<stem>.skipped.csv is written beside it)"
    )
    i.add_argument(
        "--force", action="store_true", help="overwrite --out and its <stem>.skipped.csv if they exist"
    )
    i.set_defaults(func=import_astronet)


def build(args: argparse.Namespace) -> int:
    from exomesa.jobs.lightcurves import build_lightcurve_views
    from exomesa.lightcurves.parallel import DEFAULT_SHARD_SIZE

    build_lightcurve_views(
        args.catalog,
        args.out,
        fits_dir=args.fits_dir,
        download=args.download,
        cache_dir=args.cache_dir,
        workers=args.workers,
        scheduler=args.scheduler,
        shard_size=args.shard_size or DEFAULT_SHARD_SIZE,
        force=args.force,
        progress=args.progress,
    )
    return 0


def render(args: argparse.Namespace) -> int:
    from exomesa.jobs.lightcurves import render_catalog_views

    render_catalog_views(args.catalog, args.out, force=args.force, progress=args.progress)
    return 0


def import_astronet(args: argparse.Namespace) -> int:
    from exomesa.jobs.lightcurves import import_astronet_file

    import_astronet_file(args.astronet, args.catalog, args.out, force=args.force)
    return 0
