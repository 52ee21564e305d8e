"""Self-describing MESA checkpoints, loadable with ``torch.load(path, weights_only=True)``.

A checkpoint is one ``torch.save``-d dict holding only tensors, numbers, strings, lists and dicts (no pickled
code, no numpy objects, no dataclasses)::

    format            "exomesa-mesa"         marks the file as ours
    format_version    1
    exomesa_version   package version that wrote it
    model_config      MesaConfig as a dict   (rebuilds the architecture)
    state_dict        {name: tensor}         the weights
    feature_set       {group: [columns]}
    preprocessor      TabularPreprocessor.state_dict()
    classes           ["CONFIRMED", "CANDIDATE", "FALSE POSITIVE"]
    temperature       float                  calibration temperature fitted on the validation split
    seed              int
    params            MesaClassifier.settings_record(): features, preset, model and train settings
    train_config      TrainConfig as a dict
    history           [per-epoch dicts]
    reference         {"candidate_id": [str], "disposition": [str], "physics": tensor [N, P],
                       "lightcurve": tensor [N, P]}   the training bank for similarity search
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import numpy as np
import torch

from exomesa._version import __version__
from exomesa.errors import ExomesaError
from exomesa.mesa.checkpoint_file import check_checkpoint_file

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "save_checkpoint",
    "load_checkpoint",
    "to_checkpoint_safe",
    "check_compatible",
    "column_difference",
]

logger = logging.getLogger(__name__)

FORMAT = "exomesa-mesa"
FORMAT_VERSION = 1
_REQUIRED = ("format_version", "model_config", "state_dict", "preprocessor", "classes", "temperature")


def to_checkpoint_safe(obj: Any) -> Any:
    """Recursively convert numpy arrays to tensors, numpy scalars to Python numbers, tuples to lists."""
    if isinstance(obj, dict):
        return {str(k): to_checkpoint_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [to_checkpoint_safe(v) for v in obj]
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind in "OUS":
            return [str(v) for v in obj.tolist()]
        return torch.from_numpy(np.ascontiguousarray(obj))
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, torch.Tensor):
        return obj.detach().cpu()
    if isinstance(obj, Path):
        return str(obj)
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(f"cannot store {type(obj).__name__} in a weights_only checkpoint")


def save_checkpoint(path: Path | str, payload: dict[str, Any]) -> Path:
    """Write ``payload`` (plus the format markers) atomically to ``path``; parent folders are created."""

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {"format": FORMAT, "format_version": FORMAT_VERSION, "exomesa_version": __version__}
    data.update(to_checkpoint_safe(payload))
    tmp = path.with_name(path.name + ".tmp")
    torch.save(data, tmp)
    os.replace(tmp, path)
    logger.debug("saved checkpoint %s", path)
    return path


def load_checkpoint(path: Path | str, map_location: str | torch.device = "cpu") -> dict[str, Any]:
    """Load and validate a checkpoint written by :func:`save_checkpoint` (``weights_only=True``).

    Raises:
        ExomesaError: naming the file when it is missing, unreadable, not an exomesa checkpoint, or from a
            newer format version.
    """
    path = Path(path)
    if not path.is_file():
        raise ExomesaError(
            f"model file {path} does not exist; train one with `exomesa train` or fix the path."
        )
    check_checkpoint_file(path)
    try:
        data = torch.load(path, map_location=map_location, weights_only=True)
    except Exception as exc:  # torch.load raises many types (UnpicklingError, KeyError, RuntimeError, ...)
        raise ExomesaError(
            f"{path} is not an exomesa model checkpoint: it holds objects other than tensors and plain data "
            "(pickled code, which exomesa never runs) or is damaged. Pass a mesa_model.pth written by "
            "`exomesa train`."
        ) from exc
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ExomesaError(
            f"{path} is a PyTorch file but not an exomesa model checkpoint (no format marker "
            f"{FORMAT!r}); pass a mesa_model.pth written by `exomesa train`."
        )
    if int(data.get("format_version", 0)) > FORMAT_VERSION:
        raise ExomesaError(
            f"{path} was written by exomesa {data.get('exomesa_version')} (checkpoint format "
            f"{data.get('format_version')}); this exomesa reads format <= {FORMAT_VERSION}. Upgrade exomesa."
        )
    missing = [k for k in _REQUIRED if k not in data]
    if missing:
        raise ExomesaError(f"{path} is a damaged exomesa checkpoint: it lacks {missing}; retrain the model.")
    return data


_NON_SHAPE_FIELDS = {"dropout", "init_temperature", "learnable_temperature"}


def column_difference(stored: list[str], requested: list[str], shown: int = 6) -> str:
    """``checkpoint 12 columns, requested 3 (only in checkpoint: a, b, ... (9))`` — short enough to read."""

    def names(cols: list[str]) -> str:
        return ", ".join(cols[:shown]) + (f", ... ({len(cols)} in all)" if len(cols) > shown else "")

    only_stored = [c for c in stored if c not in requested]
    only_requested = [c for c in requested if c not in stored]
    parts = [f"checkpoint {len(stored)} column(s), requested {len(requested)}"]
    if only_stored:
        parts.append(f"only in the checkpoint: {names(only_stored)}")
    if only_requested:
        parts.append(f"only requested: {names(only_requested)}")
    if not only_stored and not only_requested:
        parts.append("same columns in another order")
    return "; ".join(parts)


def check_compatible(path: str | Path, ckpt: dict[str, Any], feature_set: dict[str, list[str]], cfg) -> None:
    """Raise an ExomesaError listing every feature/shape difference between a checkpoint and this classifier."""
    problems = []
    stored_fs = {
        g: list(c) for g, c in ckpt.get("feature_set", ckpt["preprocessor"].get("feature_set", {})).items()
    }
    for group in sorted(set(stored_fs) | set(feature_set)):
        a, b = stored_fs.get(group), feature_set.get(group)
        if a != b:
            problems.append(f"feature group {group!r}: {column_difference(a or [], b or [])}")
    # the stored config with the meaning of the fields it predates (MesaConfig's legacy values)
    stored_cfg = type(cfg).from_dict(ckpt["model_config"]).to_dict()
    for key, value in cfg.to_dict().items():
        if key in _NON_SHAPE_FIELDS or key not in stored_cfg:
            continue
        if stored_cfg[key] != value:
            problems.append(f"{key}: checkpoint {stored_cfg[key]} vs requested {value}")
    if problems:
        raise ExomesaError(
            f"pretrained model {path} does not match this classifier: "
            + "; ".join(problems)
            + ". Use the same --features and model sizes as the pretrained run (see its mesa_config.json)."
        )
