"""``exomesa train``: train MESA and write the model, its history and its configuration.

from exomesa.jobs.train import train_mesa
train_mesa("data/train_data.csv", "output/", epochs=50)          # mesa_model.pth + history + config
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

from exomesa.defaults import CONFIG_FILE, HISTORY_FILE, MODEL_FILE
from exomesa.errors import ExomesaError, InvalidSettingError
from exomesa.evaluation.runner import load_labelled_table, load_views
from exomesa.features import required_columns, resolve_feature_set, richest_preset
from exomesa.mesa.config import legacy_settings, split_settings
from exomesa.utils import check_writable, write_json

__all__ = ["read_config", "choose_features", "train_mesa"]

logger = logging.getLogger(__name__)


# ------------------------------------------------------------------------------------------------- MESA
def read_config(path: str | Path) -> dict[str, Any]:
    """MESA settings by flat field name (plus ``features`` / ``preset``) from a JSON file: a plain object
    (``{"epochs": 3, "d_model": 16}``, or nested ``{"model": {...}, "train": {...}}``), or an earlier run's
    mesa_config.json (its ``params``; a flat record of an older version keeps its meaning, preset included)."""
    path = Path(path)
    if not path.is_file():
        raise ExomesaError(f"config file {path} does not exist.")
    try:
        params = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ExomesaError(f"config file {path} is not valid JSON ({exc}).") from exc
    record = isinstance(params, dict) and isinstance(params.get("params"), dict)
    if record:
        params = params["params"]  # a mesa_config.json written by an earlier run
    if not isinstance(params, dict):
        raise ExomesaError(f"config file {path} must hold a JSON object of MESA settings.")
    nested = isinstance(params.get("model"), dict) or isinstance(params.get("train"), dict)
    if record and not nested:
        params = legacy_settings(params, f"config file {path}")
        nested = True
    flat = {k: v for k, v in params.items() if k not in ("model", "train")}
    if nested:
        flat.update({**(params.get("model") or {}), **(params.get("train") or {})})
    split_settings({k: v for k, v in flat.items() if k not in ("features", "preset")}, f"config file {path}")
    return flat


def choose_features(df: Any, requested: str) -> str:
    """``"auto"``: ``toi`` for TESS TOI tables; otherwise the richest preset whose columns the table has
    (``full`` > ``archive`` > ``seed``), with a warning when it is not ``full``."""
    if requested != "auto":
        return requested
    if "mission" in df.columns and (df["mission"] == "TESS").all():
        if all(c in df.columns for c in required_columns(resolve_feature_set("toi"))):
            return "toi"
        return (
            "shared"
            if all(c in df.columns for c in required_columns(resolve_feature_set("shared")))
            else "seed"
        )
    try:
        chosen = richest_preset(df.columns)
    except ExomesaError:
        chosen = "seed"
    if chosen != "full":
        missing = [c for c in required_columns(resolve_feature_set("full")) if c not in df.columns]
        logger.warning(
            "the training table lacks %d column(s) of the 'full' feature set (e.g. %s); using the '%s' features",
            len(missing),
            ", ".join(missing[:3]),
            chosen,
        )
    return chosen


def train_mesa(
    data_path: str | Path | None = None,
    output_dir: str | Path = "output",
    *,
    features: str = "auto",
    config: str | Path | None = None,
    lightcurves: str | Path | None = None,
    pretrained_path: str | Path | None = None,
    freeze_backbone: bool = False,
    force: bool = False,
    **params: Any,
) -> Any:
    """Train MESA and write ``mesa_model.pth``, ``mesa_training_history.json`` and ``mesa_config.json``.

    Settings (field names of :mod:`exomesa.mesa.config`) come from the defaults, then the ``preset``, then
    ``config`` (JSON, :func:`read_config`), then ``params`` (explicit ones; ``None`` values are ignored).
    ``data_path`` None: the DR25 training split. Returns the fitted :class:`~exomesa.mesa.MesaClassifier`.
    """
    from exomesa.mesa.classifier import MesaClassifier  # imports torch

    out_dir = Path(output_dir)
    paths = {
        "model": out_dir / MODEL_FILE,
        "history": out_dir / HISTORY_FILE,
        "config": out_dir / CONFIG_FILE,
    }
    check_writable(paths["model"], force, "trained model")
    if freeze_backbone and pretrained_path is None:
        raise ExomesaError("--freeze_backbone needs --pretrained_path (the model whose backbone is frozen).")
    from_file = read_config(config) if config else {}
    given = {k: v for k, v in params.items() if v is not None}
    merged = {**from_file, **given}
    preset = merged.pop("preset", None)
    model_settings, train_settings = split_settings(
        {k: v for k, v in merged.items() if k != "features"}, "MESA settings"
    )
    try:  # every setting in its range before the data are read
        MesaClassifier(preset=preset, model=model_settings, train=train_settings).settings()
    except InvalidSettingError as exc:
        name = str(exc).split(" ", 1)[0]  # the message starts with the setting's name
        if name in from_file and name not in given:
            raise InvalidSettingError(f"config file {config}: {exc}") from None
        raise
    df, data_desc = load_labelled_table(data_path, 0)
    if (
        features == "auto"
        and "features" not in merged
        and pretrained_path
        and Path(pretrained_path).is_file()
    ):
        # fine-tuning (e.g. a Kepler model on TOIs) reads the pretrained model's feature set; a file that
        # is not a checkpoint is reported by fit() with its own message
        import torch  # optional heavy import: only when fine-tuning from a checkpoint

        try:
            ckpt = torch.load(pretrained_path, map_location="cpu", weights_only=True)
        except Exception:  # noqa: BLE001 - torch raises many types for foreign files
            ckpt = None
        if isinstance(ckpt, dict) and isinstance(ckpt.get("feature_set"), dict):
            merged["features"] = ckpt["feature_set"]
            logger.info("features: the pretrained model's (%s)", pretrained_path)
    if features != "auto" or "features" not in merged:
        merged["features"] = choose_features(df, features)
    logger.info("training data: %s (%d KOIs), features: %s", data_desc, len(df), merged["features"])
    views = load_views(lightcurves)
    if views is not None:
        logger.info("light curves: %s (%d views)", lightcurves, len(views))

    clf = MesaClassifier(
        features=merged["features"], preset=preset, model=model_settings, train=train_settings
    )
    t0 = time.perf_counter()
    clf.fit(df, views=views, pretrained=pretrained_path, freeze_backbone=freeze_backbone)
    seconds = time.perf_counter() - t0
    clf.save(paths["model"])
    write_json(paths["history"], clf.history_)
    best = clf.history_[-1]["best_epoch"] if clf.history_ else None
    write_json(
        paths["config"],
        {
            "params": clf.settings_record(),
            "model_config": clf.model_.cfg.to_dict(),
            "train_config": clf.train_config_,
            "feature_set": clf.feature_set_,
            "data": data_desc,
            "n_train_kois": len(df),
            "lightcurves": str(lightcurves) if lightcurves else None,
            "lightcurve_sources": clf.training_views_,
            "pretrained_path": str(pretrained_path) if pretrained_path else None,
            "freeze_backbone": bool(freeze_backbone),
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
    return clf
