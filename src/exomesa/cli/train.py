"""``exomesa train``: fit MESA on a KOI table and write the model, its history and its config.

Examples::

    exomesa train                                                 # embedded DR25 training split
    python train.py --data_path data/train_data.csv --epochs 50   # the original command line
    exomesa train --data_path data/train_data.csv --lightcurves views.npz --output_dir runs/a
    exomesa train --pretrained_path runs/a/mesa_model.pth --freeze_backbone --output_dir runs/b

Choices made here:

* Without ``--data_path`` the training data is the embedded DR25 table's training side,
  ``split_catalog(load_dr25(), 0.2, seed=42)[0]`` -- the same split ``exomesa data prepare`` writes. The
  data split seed stays 42 whatever ``--seed`` is, so the default test split never shares a star with
  training; ``--seed`` seeds the validation split, initialisation and shuffling.
* ``--features auto`` (the default) uses the ``full`` preset when the table has its columns and falls
  back to ``seed`` (with a warning) for tables in the original 7-column layout; ``--features full`` on
  such a table is an error naming the missing columns.
* Parameters come from the defaults, then ``--config params.json``, then the flags given explicitly.
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

from exomesa.errors import ExomesaError

__all__ = ["register", "run_train", "MODEL_NAME", "HISTORY_NAME", "CONFIG_NAME", "DATA_SPLIT_SEED"]

logger = logging.getLogger(__name__)

MODEL_NAME = "mesa_model.pth"
HISTORY_NAME = "mesa_training_history.json"
CONFIG_NAME = "mesa_config.json"
DATA_SPLIT_SEED = 42  # seed of the embedded DR25 train/test split (as in `exomesa data prepare`)

# flag -> MesaClassifier parameter (flags default to None so that only explicit ones override --config)
_FLAG_PARAMS = {
    "epochs": "epochs",
    "batch_size": "batch_size",
    "learning_rate": "learning_rate",
    "val_split": "val_split",
    "device": "device",
    "seed": "seed",
    "patience": "patience",
}


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
    p.add_argument("--epochs", type=int, help="maximum epochs (default 50; early stopping may end sooner)")
    p.add_argument("--batch_size", type=int, help="batch size (default 16)")
    p.add_argument("--learning_rate", type=float, help="AdamW learning rate (default 1e-4)")
    p.add_argument("--val_split", type=float, help="validation fraction, grouped by star (default 0.15)")
    p.add_argument("--patience", type=int, help="early-stopping patience in epochs (default 10; 0 disables)")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], help="device (default auto)")
    p.add_argument("--seed", type=int, help="training seed (default 42)")
    p.add_argument(
        "--features",
        default="auto",
        choices=["auto", "seed", "full"],
        help="feature preset; auto = full when the table has the columns, else seed (default auto)",
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
    p.set_defaults(func=run_train)


def _read_config(path: Path) -> dict:
    from exomesa.mesa.classifier import DEFAULT_PARAMS

    if not path.is_file():
        raise ExomesaError(f"config file {path} does not exist.")
    try:
        params = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ExomesaError(f"config file {path} is not valid JSON ({exc}).") from exc
    if isinstance(params, dict) and isinstance(params.get("params"), dict):
        params = params["params"]  # a mesa_config.json written by an earlier run
    if not isinstance(params, dict):
        raise ExomesaError(f"config file {path} must hold a JSON object of MesaClassifier parameters.")
    unknown = sorted(set(params) - set(DEFAULT_PARAMS))
    if unknown:
        raise ExomesaError(
            f"config file {path}: unknown parameter(s) {unknown}; valid: {sorted(DEFAULT_PARAMS)}."
        )
    return params


def _choose_features(df, requested: str) -> str:
    from exomesa.features.groups import required_columns, resolve_feature_set

    if requested != "auto":
        return requested
    missing = [c for c in required_columns(resolve_feature_set("full")) if c not in df.columns]
    if not missing:
        return "full"
    logger.warning(
        "the training table lacks %d column(s) of the 'full' feature set (e.g. %s); using the 'seed' features",
        len(missing),
        ", ".join(missing[:3]),
    )
    return "seed"


def run_train(args: argparse.Namespace) -> int:
    """Train and write the three output files; returns 0."""
    from exomesa.data.catalog import load_catalog, load_dr25, split_catalog
    from exomesa.mesa.classifier import MesaClassifier
    from exomesa.utils import check_writable, write_json

    out_dir = Path(args.output_dir)
    paths = {
        "model": out_dir / MODEL_NAME,
        "history": out_dir / HISTORY_NAME,
        "config": out_dir / CONFIG_NAME,
    }
    check_writable(paths["model"], args.force, "trained model")
    if args.freeze_backbone and args.pretrained_path is None:
        raise ExomesaError("--freeze_backbone needs --pretrained_path (the model whose backbone is frozen).")

    params = _read_config(args.config) if args.config else {}
    for flag, name in _FLAG_PARAMS.items():
        value = getattr(args, flag, None)
        if value is not None:
            params[name] = value

    if args.data_path is not None:
        df = load_catalog(args.data_path)
        data_desc = str(args.data_path)
    else:
        df = split_catalog(load_dr25(), 0.2, DATA_SPLIT_SEED)[0]
        data_desc = f"embedded DR25, training split (test_size 0.2, seed {DATA_SPLIT_SEED})"
    if args.features != "auto" or "features" not in params:
        params["features"] = _choose_features(df, args.features)
    logger.info("training data: %s (%d KOIs), features: %s", data_desc, len(df), params["features"])

    views = None
    if args.lightcurves is not None:
        from exomesa.lightcurves import ViewSet

        views = ViewSet.load(args.lightcurves)
        logger.info("light curves: %s (%d views; the rest are rendered)", args.lightcurves, len(views))

    clf = MesaClassifier(**params)
    t0 = time.perf_counter()
    clf.fit(df, views=views, pretrained=args.pretrained_path, freeze_backbone=args.freeze_backbone)
    seconds = time.perf_counter() - t0

    clf.save(paths["model"])
    write_json(paths["history"], clf.history_)
    best = clf.history_[-1]["best_epoch"] if clf.history_ else None
    write_json(
        paths["config"],
        {
            "params": clf.get_params(),
            "model_config": clf.model_.cfg.to_dict(),
            "train_config": clf.train_config_,
            "feature_set": clf.feature_set_,
            "data": data_desc,
            "n_train_kois": len(df),
            "pretrained_path": str(args.pretrained_path) if args.pretrained_path else None,
            "freeze_backbone": bool(args.freeze_backbone),
            "n_parameters": clf.n_parameters_,
            "temperature": clf.temperature_,
            "best_epoch": best,
            "epochs_run": len(clf.history_),
            "train_seconds": round(seconds, 2),
            "outputs": {k: str(v) for k, v in paths.items()},
        },
    )
    logger.info("trained in %.1f s (%d epochs, best epoch %s)", seconds, len(clf.history_), best)
    for path in paths.values():
        logger.info("wrote %s", path)
    return 0
