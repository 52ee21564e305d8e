"""``exomesa data``: prepare train/test CSVs from a KOI table, and download archive tables."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

from exomesa.data.catalog import CLASSES, LABEL, load_catalog, split_catalog, to_seed_layout
from exomesa.errors import ExomesaError
from exomesa.features.groups import PRESETS, RENDER_COLUMNS, required_columns
from exomesa.utils import check_writable, write_json

__all__ = ["register", "prepare", "download"]

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``data prepare`` and ``data download``."""
    data = subparsers.add_parser("data", help="prepare train/test data files; download archive tables")
    sub = data.add_subparsers(dest="data_command", metavar="ACTION", required=True)

    p = sub.add_parser(
        "prepare",
        help="split a KOI table into data/train_data.csv and data/test_data.csv (grouped by star)",
        description="Split a KOI table (the embedded DR25 by default) into train/test CSVs in the seed column "
        "layout plus kepid, kepoi_name and the full feature columns, stratified by disposition and grouped by "
        "star, and write a manifest.json with counts per class.",
    )
    p.add_argument("--out", type=Path, default=Path("data"), help="output folder (default: data)")
    p.add_argument("--test_size", type=float, default=0.2, help="test fraction (default: 0.2)")
    p.add_argument("--seed", type=int, default=42, help="split seed (default: 42)")
    p.add_argument("--source", default="dr25", help="'dr25' (embedded, default) or the path of a KOI table")
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    p.set_defaults(func=prepare)

    d = sub.add_parser("download", help="download a current KOI table from the NASA Exoplanet Archive")
    d.add_argument("--table", default="cumulative", choices=["cumulative", "q1_q17_dr25_koi"])
    d.add_argument(
        "--cache_dir", type=Path, default=None, help="folder for the CSV (default ~/.cache/exomesa)"
    )
    d.add_argument("--timeout", type=float, default=120.0, help="seconds per attempt (default 120)")
    d.add_argument("--force", action="store_true", help="download again even if a cached copy exists")
    d.set_defaults(func=download)


def prepare(args: argparse.Namespace) -> int:
    out: Path = args.out
    if out.exists() and not out.is_dir():
        raise ExomesaError(f"--out {out} is a file; give a folder for train_data.csv and test_data.csv.")
    targets = [out / "train_data.csv", out / "test_data.csv", out / "manifest.json"]
    check_writable(targets, args.force, what="prepared data")
    df = load_catalog(args.source)
    try:
        train, test = split_catalog(df, test_size=args.test_size, seed=args.seed)
    except ExomesaError as exc:
        raise ExomesaError(f"{args.source}: {exc}") from exc
    extra = [c for c in required_columns(PRESETS["full"]) + RENDER_COLUMNS if c in df.columns]
    try:
        out.mkdir(parents=True, exist_ok=True)
        to_seed_layout(train, extra).to_csv(targets[0], index=False)
        to_seed_layout(test, extra).to_csv(targets[1], index=False)
    except OSError as exc:
        raise ExomesaError(
            f"cannot write the prepared data to {out} ({exc.strerror or exc}); choose a writable --out folder."
        ) from exc
    counts = {
        name: {c: int((part[LABEL] == c).sum()) for c in CLASSES} | {"total": len(part)}
        for name, part in (("train", train), ("test", test))
    }
    write_json(
        targets[2],
        {
            "source": str(args.source),
            "seed": args.seed,
            "test_size": args.test_size,
            "grouped_by": "kepid",
            "stratified_by": LABEL,
            "n_stars": {"train": int(train.kepid.nunique()), "test": int(test.kepid.nunique())},
            "counts": counts,
            "columns": list(to_seed_layout(train.head(1), extra).columns),
        },
    )
    for name, c in counts.items():
        logger.info("%-5s %5d KOIs  %s", name, c["total"], ", ".join(f"{k}: {c[k]}" for k in CLASSES))
    logger.info("wrote %s, %s and %s", *targets)
    return 0


def download(args: argparse.Namespace) -> int:
    from exomesa.data.download import download_koi_table

    path = download_koi_table(args.table, args.cache_dir, force=args.force, timeout=args.timeout)
    logger.info("KOI table at %s; use it with: exomesa data prepare --source %s --out data", path, path)
    return 0
