"""``exomesa train``: fit MESA on a KOI table and write the model, its history and its config.

Examples::

    exomesa train                                                 # embedded DR25 training split
    python train.py --data_path data/train_data.csv --epochs 50   # the original command line
    exomesa train --data_path data/train_data.csv --lightcurves views.npz --output_dir runs/a
    exomesa train --pretrained_path runs/a/mesa_model.pth --freeze_backbone --output_dir runs/b

Choices made here:

* Without ``--data_path`` the training data is the embedded DR25 table's training side,
  ``split_catalog(load_dr25(), TEST_SIZE, SPLIT_SEED)[0]`` (:mod:`exomesa.defaults`) -- the same split ``exomesa data prepare`` writes. The
  data split seed stays fixed whatever ``--seed`` is, so the default test split never shares a star with
  training; ``--seed`` seeds the validation split, initialisation and shuffling.
* ``--features auto`` (the default) uses the ``full`` preset when the table has its columns and falls
  back to ``seed`` (with a warning) for tables in the original 7-column layout; ``--features full`` on
  such a table is an error naming the missing columns.
* Settings come from the defaults, then ``--preset``, then ``--config params.json``, then the flags given
  explicitly; the model and training flags are generated from :mod:`exomesa.mesa.config`
  (:mod:`exomesa.cli._settings`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from exomesa.cli._settings import add_settings_arguments, given_settings
from exomesa.cli._types import LIGHTCURVES_HELP, add_features

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``exomesa train``."""
    p = subparsers.add_parser(
        "train",
        help="train a MESA model",
        description="Train MESA (a light-curve Transformer and a physics tower, an FT-Transformer by default, "
        "with a contrastive and a focal loss) on a labelled Kepler KOI or TESS TOI table; writes "
        "mesa_model.pth, mesa_training_history.json and mesa_config.json into --output_dir.",
    )
    p.add_argument(
        "--data_path",
        type=Path,
        help="labelled KOI/TOI table (archive CSV/IPAC, ExoFOP export or seed CSV); default: the embedded "
        "DR25 training split",
    )
    add_features(
        p,
        "toi for TESS TOI tables, else the richest of full, archive, seed whose columns the table has; "
        "with --pretrained_path, the pretrained model's",
    )
    add_settings_arguments(p)
    p.add_argument(
        "--lightcurves",
        type=Path,
        help=LIGHTCURVES_HELP,
    )
    p.add_argument("--pretrained_path", type=Path, help="fine-tune: start from this mesa_model.pth")
    p.add_argument(
        "--freeze_backbone",
        action="store_true",
        help="train only the classifier head (needs --pretrained_path)",
    )
    p.add_argument("--output_dir", type=Path, default=Path("output"), help="output folder (default output)")
    p.add_argument("--force", action="store_true", help="overwrite an existing mesa_model.pth")
    p.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    from exomesa.jobs.train import train_mesa

    train_mesa(
        args.data_path,
        args.output_dir,
        features=args.features,
        config=args.config,
        lightcurves=args.lightcurves,
        pretrained_path=args.pretrained_path,
        freeze_backbone=args.freeze_backbone,
        force=args.force,
        **given_settings(args),
    )
    return 0
