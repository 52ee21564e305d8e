"""``exomesa vet``: one self-contained HTML vetting sheet per candidate, plus a sortable index.

exomesa vet --model_path output/mesa_model.pth --koi K00752.01 K00002.01 --out vet/
exomesa vet --model_path M --koi K00351.01 --fits_dir ../shared/data/kepler-multiquarter --out vet/
"""

from __future__ import annotations

import argparse
from pathlib import Path

from exomesa.cli._types import LIGHTCURVES_HELP, add_device

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``exomesa vet``."""
    p = subparsers.add_parser(
        "vet",
        help="write an HTML vetting sheet per candidate and an index",
        description="Write out/index.html and out/<name>.html per candidate: identity and provenance, verdict "
        "with uncertainty and a needs-a-human flag, light curve with the transit model, light-curve diagnostics "
        "(real data), catalog diagnostics, attributions and the nearest training KOIs. Pages are self-contained.",
    )
    p.add_argument(
        "--model_path", type=Path, required=True, help="a MESA checkpoint or a baseline model file"
    )
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument(
        "--koi", nargs="+", default=(), help="KOI names in the DR25 table (or --input), e.g. K00752.01"
    )
    who.add_argument(
        "--toi",
        nargs="+",
        default=(),
        help="TOI numbers, e.g. 101.01 (in the embedded ExoFOP TOI table, or --table)",
    )
    who.add_argument("--input", type=Path, default=None, help="candidates CSV (every row gets a sheet)")
    p.add_argument(
        "--table",
        type=Path,
        default=None,
        help="catalog to look --koi/--toi up in (default: DR25 / the embedded TOI table)",
    )
    src = p.add_mutually_exclusive_group()
    src.add_argument("--fits_dir", type=Path, default=None, help="folder of Kepler/TESS FITS light curves")
    src.add_argument("--lightcurves", type=Path, default=None, help=LIGHTCURVES_HELP)
    src.add_argument(
        "--download", action="store_true", help="download Kepler/TESS light curves from MAST (lightkurve)"
    )
    p.add_argument("--no_explain", action="store_true", help="skip the attributions (faster)")
    p.add_argument("--out", type=Path, default=Path("vet"), help="output folder (default vet/)")
    add_device(p)
    p.add_argument("--force", action="store_true", help="overwrite --out if it exists")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from exomesa.jobs.vet import vet_candidates

    vet_candidates(
        args.model_path,
        args.out,
        input=args.input or args.table,
        kois=args.koi or (),
        tois=args.toi or (),
        fits_dir=args.fits_dir,
        lightcurves=args.lightcurves,
        download=args.download,
        explain=not args.no_explain,
        force=args.force,
        device=args.device,
    )
    return 0
