"""``exomesa run``: the whole pipeline on the embedded DR25 table (the README's main job).

Prepare the star-grouped train/test split, train MESA, evaluate it on the test split and write the plots and
the HTML report::

    exomesa run --out runs/demo            # -> runs/demo/{data,output,test_results}/, report.html

It only chains the ``data prepare``, ``train`` and ``test`` subcommands with consistent paths.
"""

from __future__ import annotations

import argparse
import logging
import time
from pathlib import Path

__all__ = ["register", "run"]

logger = logging.getLogger(__name__)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``exomesa run``."""
    p = subparsers.add_parser(
        "run",
        help="the whole pipeline: prepare data, train MESA, evaluate, write plots and report",
        description="Prepare data from a KOI table (embedded DR25 by default), train MESA, evaluate it on the "
        "held-out stars and write test_results.json, predictions.csv, the figures and report.html.",
    )
    p.add_argument("--out", type=Path, default=Path("runs/demo"), help="run folder (default runs/demo)")
    p.add_argument("--source", default="dr25", help="'dr25' (embedded, default) or a KOI table path")
    p.add_argument(
        "--features", default="full", choices=["seed", "full"], help="feature preset (default full)"
    )
    p.add_argument("--epochs", type=int, default=50, help="maximum training epochs (default 50)")
    p.add_argument("--seed", type=int, default=42, help="split and training seed (default 42)")
    p.add_argument("--device", default="auto", help="auto, cpu or cuda (default auto)")
    p.add_argument(
        "--lightcurves", type=Path, default=None, help="views .npz of real light curves (optional)"
    )
    p.add_argument("--no_visualize", action="store_true", help="skip the figures (faster)")
    p.add_argument("--force", action="store_true", help="replace the outputs of an earlier run in --out")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from exomesa.cli import main

    out: Path = args.out
    data, model_dir, results = out / "data", out / "output", out / "test_results"
    force = ["--force"] if args.force else []
    lightcurves = ["--lightcurves", str(args.lightcurves)] if args.lightcurves else []
    steps = [
        (
            "prepare data",
            [
                "data",
                "prepare",
                "--out",
                str(data),
                "--source",
                args.source,
                "--seed",
                str(args.seed),
                *force,
            ],
        ),
        (
            "train MESA",
            [
                "train",
                "--data_path",
                str(data / "train_data.csv"),
                "--output_dir",
                str(model_dir),
                "--epochs",
                str(args.epochs),
                "--features",
                args.features,
                "--seed",
                str(args.seed),
                "--device",
                args.device,
                *lightcurves,
                *force,
            ],
        ),
        (
            "evaluate",
            [
                "test",
                "--model_path",
                str(model_dir / "mesa_model.pth"),
                "--test_data",
                str(data / "test_data.csv"),
                "--output_dir",
                str(results),
                "--device",
                args.device,
                *lightcurves,
                *force,
                *([] if args.no_visualize else ["--visualize"]),
            ],
        ),
    ]
    start = time.perf_counter()
    for i, (name, argv) in enumerate(steps, 1):
        logger.info("[%d/%d] %s: exomesa %s", i, len(steps), name, " ".join(argv))
        code = main(argv)
        if code:
            logger.error("step %r failed (exit %d); later steps were not run", name, code)
            return code
    logger.info(
        "done in %.0f s. Outputs:\n  data        %s\n  model       %s\n  metrics     %s\n  report      %s",
        time.perf_counter() - start,
        data,
        model_dir / "mesa_model.pth",
        results / "test_results.json",
        results / "report.html",
    )
    return 0
