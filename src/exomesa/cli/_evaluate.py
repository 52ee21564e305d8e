"""Arguments and entry of ``exomesa test``, shared by its alias ``exomesa baseline test``."""

from __future__ import annotations

import argparse
from pathlib import Path

from exomesa.cli._types import LIGHTCURVES_HELP, add_device, positive_int
from exomesa.defaults import SPLIT_SEED, TEST_SIZE, TSNE_MAX_POINTS

__all__ = ["add_test_arguments", "run"]


def add_test_arguments(p: argparse.ArgumentParser, model_path: str = "output/mesa_model.pth") -> None:
    """The arguments of ``exomesa test`` (also ``exomesa baseline test``, its alias)."""
    p.add_argument(
        "--model_path",
        default=model_path,
        help="a MESA checkpoint (exomesa train) or a baseline model file (exomesa baseline train)",
    )
    p.add_argument(
        "--test_data",
        default=None,
        help="labelled KOI/TOI table (archive CSV/IPAC, ExoFOP export or seed CSV); default: the embedded "
        f"DR25 test split ({round(TEST_SIZE * 100)} %% of the stars, seed {SPLIT_SEED}; the stars exomesa train leaves out)",
    )
    p.add_argument(
        "--lightcurves",
        default=None,
        help=LIGHTCURVES_HELP,
    )
    p.add_argument(
        "--output_dir",
        default="test_results",
        help="folder for test_results.json, predictions.csv and report.html (default test_results)",
    )
    p.add_argument(
        "--visualize", action="store_true", help="also draw the figures and embed them in the report"
    )
    p.add_argument("--force", action="store_true", help="overwrite the results in --output_dir")
    add_device(p)
    p.add_argument(
        "--tsne_max_points",
        type=positive_int,
        default=TSNE_MAX_POINTS,
        help=f"t-SNE on at most this many KOIs (a seeded random subsample beyond; default {TSNE_MAX_POINTS})",
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from exomesa.jobs.test import evaluate_model

    evaluate_model(
        Path(args.model_path),
        args.test_data,
        Path(args.output_dir),
        lightcurves=args.lightcurves,
        visualize=args.visualize,
        force=args.force,
        device=args.device,
        tsne_max_points=args.tsne_max_points,
    )
    return 0
