"""``exomesa predict``: score new candidates with a trained or bundled model, optionally with similar KOIs.

    exomesa predict --input cumulative.csv --output p.csv     # the richest bundled model the table supports
    exomesa predict --model_path output/mesa_model.pth --input candidates.csv --output predictions.csv \
        [--lightcurves views.npz | --fits_dir DIR] [--neighbors 5] [--allow_missing]

The input may be a seed-format CSV or a NASA archive export; leaky columns in it (koi_score, flags, ...) are
ignored — the model reads only the feature columns stored in its checkpoint.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from exomesa.cli._types import LIGHTCURVES_HELP, add_device, non_negative_int, positive_int
from exomesa.defaults import PREDICT_CHUNK_SIZE
from exomesa.errors import ExomesaError

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``exomesa predict``."""
    p = subparsers.add_parser(
        "predict",
        help="score candidates with a bundled model, a MESA checkpoint or a baseline model file",
        description="Write one row per candidate: P(CONFIRMED), P(CANDIDATE), P(FALSE POSITIVE) (calibrated "
        "when the checkpoint holds a temperature), the predicted class, whether the light curve was real or "
        "rendered, and optionally the most similar known KOIs of the training catalog.",
    )
    p.add_argument(
        "--model_path",
        type=Path,
        default=None,
        help="a MESA checkpoint (mesa_model.pth) or a baseline model file (default: the richest bundled "
        "model whose columns the input has)",
    )
    p.add_argument(
        "--input",
        type=Path,
        required=True,
        help="candidates table: a NASA archive KOI/TOI export (CSV or IPAC), an ExoFOP TOI export, a "
        "seed-layout CSV, or Parquet",
    )
    p.add_argument(
        "--output",
        type=Path,
        default=Path("predictions.csv"),
        help="output CSV or .parquet, with <output>.model.json beside it (default predictions.csv)",
    )
    src = p.add_mutually_exclusive_group()
    src.add_argument(
        "--lightcurves",
        type=Path,
        default=None,
        help=LIGHTCURVES_HELP,
    )
    src.add_argument(
        "--fits_dir",
        type=Path,
        default=None,
        help="folder of Kepler/TESS light-curve FITS files (files of other stars are ignored)",
    )
    p.add_argument(
        "--neighbors",
        type=non_negative_int,
        default=0,
        help="list the K most similar training KOIs (default 0)",
    )
    p.add_argument(
        "--allow_missing",
        action="store_true",
        help="impute columns the model reads but the input lacks (as training imputes missing values); "
        "writes a missing_features count per row",
    )
    p.add_argument("--allow-missing", dest="allow_missing", action="store_true", help=argparse.SUPPRESS)
    p.add_argument(
        "--chunk_size",
        type=positive_int,
        default=None,
        help=f"stream the input in chunks of this many rows, bounded memory (default: whole table; "
        f"{PREDICT_CHUNK_SIZE:,} when the input or output is Parquet or --scheduler is given); needs --model_path",
    )
    p.add_argument(
        "--scheduler", default=None, help="score the chunks on this Dask cluster (tcp://host:8786)"
    )
    add_device(p)
    p.add_argument("--force", action="store_true", help="overwrite --output if it exists")
    p.set_defaults(func=run)


def _streaming(args: argparse.Namespace) -> bool:
    parquet = any(str(p).lower().endswith((".parquet", ".pq")) for p in (args.input, args.output))
    return args.chunk_size is not None or args.scheduler is not None or parquet


def run(args: argparse.Namespace) -> int:
    from exomesa.jobs.predict import predict_table, stream_predictions

    if _streaming(args):
        if args.model_path is None or args.lightcurves or args.fits_dir or args.allow_missing:
            raise ExomesaError(
                "streaming predict (--chunk_size, --scheduler or Parquet) needs --model_path and takes no "
                "--lightcurves, --fits_dir or --allow_missing; drop those options or score the table whole."
            )
        stream_predictions(
            args.model_path, args.input, args.output, chunk_size=args.chunk_size or PREDICT_CHUNK_SIZE,
            neighbors=args.neighbors, device=args.device, scheduler=args.scheduler, force=args.force,
        )  # fmt: skip
        return 0

    predict_table(
        args.model_path,
        args.input,
        args.output,
        lightcurves=args.lightcurves,
        fits_dir=args.fits_dir,
        neighbors=args.neighbors,
        device=args.device,
        allow_missing=args.allow_missing,
        force=args.force,
    )
    return 0
