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
* Parameters come from the defaults, then ``--config params.json``, then the flags given explicitly.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from exomesa.defaults import MESA_PARAMS as D
from exomesa.defaults import MESA_PRESETS

__all__ = ["register"]

#: flags that override MesaClassifier parameters (default None so only explicit ones override --config)
_PARAM_FLAGS = ("epochs", "batch_size", "learning_rate", "val_split", "device", "seed", "patience")
#: issue 15: architecture preset, numeric embeddings, deep ensembles
_PARAM_FLAGS += ("preset", "num_embedding", "phys_encoder", "ema_decay", "ensemble", "ensemble_workers")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``exomesa train``."""
    p = subparsers.add_parser(
        "train",
        help="train a MESA model",
        description="Train MESA (light-curve Transformer + physics MLPs, contrastive + focal loss) on a KOI "
        "table; writes mesa_model.pth, mesa_training_history.json and mesa_config.json.",
    )
    p.add_argument(
        "--data_path",
        type=Path,
        help="training CSV (seed or archive layout); default: embedded DR25 train split",
    )
    p.add_argument(
        "--epochs", type=int, help=f"maximum epochs (default {D['epochs']}; early stopping may end sooner)"
    )
    p.add_argument("--batch_size", type=int, help=f"batch size (default {D['batch_size']})")
    p.add_argument("--learning_rate", type=float, help=f"AdamW learning rate (default {D['learning_rate']})")
    p.add_argument(
        "--val_split", type=float, help=f"validation fraction, grouped by star (default {D['val_split']})"
    )
    p.add_argument(
        "--patience",
        type=int,
        help=f"early-stopping patience in epochs (default {D['patience']}; 0 disables)",
    )
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], help=f"device (default {D['device']})")
    p.add_argument("--seed", type=int, help=f"training seed (default {D['seed']})")
    p.add_argument(
        "--features",
        default="auto",
        choices=["auto", "seed", "archive", "full", "shared", "toi", "full_gaia", "full_ephemeris"],
        help="feature preset; auto = toi for TESS TOI tables, else the richest of full, archive, seed whose "
        "(default auto)",
    )
    p.add_argument(
        "--preset",
        choices=sorted(MESA_PRESETS),
        help="named architecture preset; 'seed' = the original MESA (MLP encoders, d_model 32, 1 layer)",
    )
    p.add_argument(
        "--num_embedding",
        choices=["none", "periodic", "ple"],
        help=f"per-feature numeric embedding of the physics tower (default {D['num_embedding']})",
    )
    p.add_argument(
        "--phys_encoder",
        choices=["mlp", "ft"],
        help=f"physics tower: group MLPs or an FT-Transformer (default {D['phys_encoder']})",
    )
    p.add_argument(
        "--ema_decay",
        type=float,
        help=f"exponential moving average of the weights per step, 0 = off (default {D['ema_decay']})",
    )
    p.add_argument(
        "--ensemble",
        type=int,
        help=f"deep-ensemble members (different seeds) in one checkpoint (default {D['ensemble']})",
    )
    p.add_argument(
        "--ensemble_workers",
        type=int,
        help=f"processes training ensemble members side by side (default {D['ensemble_workers']})",
    )
    p.add_argument("--config", type=Path, help="JSON file of MesaClassifier parameters")
    p.add_argument(
        "--lightcurves", type=Path, help="views .npz (exomesa lightcurves ...); missing KOIs are rendered"
    )
    p.add_argument("--pretrained_path", type=Path, help="start from this mesa_model.pth")
    p.add_argument(
        "--freeze_backbone",
        action="store_true",
        help="train only the classifier head (needs --pretrained_path)",
    )
    p.add_argument("--output_dir", type=Path, default=Path("output"), help="output folder (default: output)")
    p.add_argument("--force", action="store_true", help="overwrite an existing mesa_model.pth")
    p.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    from exomesa.pipeline import train_mesa

    train_mesa(
        args.data_path,
        args.output_dir,
        features=args.features,
        config=args.config,
        lightcurves=args.lightcurves,
        pretrained_path=args.pretrained_path,
        freeze_backbone=args.freeze_backbone,
        force=args.force,
        **{k: getattr(args, k) for k in _PARAM_FLAGS},
    )
    return 0
