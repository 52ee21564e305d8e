"""``exomesa run``: the whole pipeline on the embedded DR25 table (the README's main job).

Prepare the star-grouped train/test split, train MESA, evaluate it on the test split and write the plots and
the HTML report::

    exomesa run --out runs/demo            # -> runs/demo/{data,output,test_results}/, report.html
    exomesa run --input cumulative.csv     # ... and runs/demo/predictions.csv for your table's rows

It calls :func:`exomesa.jobs.run.run_pipeline`.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from exomesa.cli._settings import add_settings_arguments, given_settings
from exomesa.cli._types import LIGHTCURVES_HELP, add_features

__all__ = ["register", "run"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``exomesa run``."""
    p = subparsers.add_parser(
        "run",
        help="the whole pipeline: prepare data, train MESA, evaluate, write plots and report",
        description="Prepare data from a KOI or TOI table (the embedded DR25 by default), train MESA, evaluate "
        "it on the held-out stars and write test_results.json, predictions.csv, the figures and report.html "
        "under --out (data/, output/, test_results/). The model and training flags are MESA's settings; "
        "--seed also seeds the train/test split.",
    )
    p.add_argument("--out", type=Path, default=Path("runs/demo"), help="run folder (default runs/demo)")
    p.add_argument(
        "--source",
        default="dr25",
        help="'dr25' (embedded Kepler, default), 'toi' (embedded TESS TOIs, ExoFOP 2024-09-30) or a table path",
    )
    add_features(
        p, "full for Kepler tables, toi for TESS TOI tables; with --input the richest preset that table has"
    )
    p.add_argument(
        "--input",
        type=Path,
        default=None,
        help="your KOI table (e.g. the archive's cumulative.csv): train with the richest preset it supports, "
        "then score it into OUT/predictions.csv (in_training marks rows of the training catalog)",
    )
    add_settings_arguments(p)
    p.add_argument(
        "--lightcurves",
        type=Path,
        default=None,
        help=LIGHTCURVES_HELP,
    )
    p.add_argument("--no_visualize", action="store_true", help="skip the figures (faster)")
    p.add_argument("--force", action="store_true", help="replace the outputs of an earlier run in --out")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from exomesa.jobs.run import run_pipeline

    run_pipeline(
        args.out,
        source=args.source,
        features=args.features,
        config=args.config,
        lightcurves=args.lightcurves,
        visualize=not args.no_visualize,
        force=args.force,
        input=args.input,
        **given_settings(args),
    )
    return 0
