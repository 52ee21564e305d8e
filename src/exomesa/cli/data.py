"""``exomesa data``: prepare train/test CSVs from a KOI table, and download archive tables."""

from __future__ import annotations

import argparse
from pathlib import Path

from exomesa.cli._types import fraction, non_negative_int, positive_float
from exomesa.defaults import SPLIT_SEED, TEST_SIZE

__all__ = ["register", "prepare", "download"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``data prepare`` and ``data download``."""
    data = subparsers.add_parser(
        "data",
        help="prepare train/test data files; download archive tables",
        description="Prepare star-grouped train/test CSVs from a candidate table (data prepare), or download a "
        "current KOI or TOI table (data download). `exomesa data ACTION --help` describes each.",
    )
    sub = data.add_subparsers(dest="data_command", metavar="ACTION", required=True)

    p = sub.add_parser(
        "prepare",
        help="split a KOI table into data/train_data.csv and data/test_data.csv (grouped by star)",
        description="Split a KOI table (the embedded DR25 by default) into train/test CSVs in the seed column "
        "layout plus the key columns (star_id, candidate_id; kepid, kepoi_name for Kepler) and the full feature columns, stratified by disposition and grouped by "
        "star, and write a manifest.json with counts per class.",
    )
    p.add_argument("--out", type=Path, default=Path("data"), help="output folder (default: data)")
    p.add_argument(
        "--test_size", type=fraction, default=TEST_SIZE, help=f"test fraction (default: {TEST_SIZE})"
    )
    p.add_argument(
        "--seed", type=non_negative_int, default=SPLIT_SEED, help=f"split seed (default: {SPLIT_SEED})"
    )
    p.add_argument(
        "--source",
        default="dr25",
        help="'dr25' (embedded Kepler, default), 'toi' (embedded TESS TOIs, ExoFOP 2024-09-30) or a table path",
    )
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    p.set_defaults(func=prepare)

    d = sub.add_parser(
        "download",
        help="download a current KOI table (NASA Exoplanet Archive) or TOI table (ExoFOP-TESS)",
        description="Download a current candidate table into the cache folder (the log says where): the "
        "archive's cumulative KOI table (all columns) or the Q1-Q17 DR25 KOI table, or ExoFOP-TESS's TOI "
        "table. A cached copy is reused unless --force. The file is what --input, --source and --catalog "
        "take.",
    )
    d.add_argument(
        "--table",
        default="cumulative",
        choices=["cumulative", "q1_q17_dr25_koi", "toi"],
        help="cumulative / q1_q17_dr25_koi (archive KOI tables) or toi (ExoFOP-TESS TOI table)",
    )
    d.add_argument(
        "--cache_dir", type=Path, default=None, help="folder for the CSV (default ~/.cache/exomesa)"
    )
    d.add_argument("--timeout", type=positive_float, default=120.0, help="seconds per attempt (default 120)")
    d.add_argument("--force", action="store_true", help="download again even if a cached copy exists")
    d.set_defaults(func=download)


def prepare(args: argparse.Namespace) -> int:
    from exomesa.jobs.data import prepare_data

    prepare_data(args.source, args.out, test_size=args.test_size, seed=args.seed, force=args.force)
    return 0


def download(args: argparse.Namespace) -> int:
    from exomesa.data.download import download_koi_table

    download_koi_table(args.table, args.cache_dir, force=args.force, timeout=args.timeout)
    return 0
