"""The helpers every caller of a trained model uses: loading a model file of either kind, checking a table's
columns, one forward pass. What a trained model offers is :class:`exomesa.interface.TrainedModel`.

:func:`load_model` detects the kind of a model file from its content (a baseline is a JSON document, a MESA
checkpoint a torch zip archive), so ``exomesa test`` and ``exomesa predict`` take either.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pandas as pd

from exomesa.baselines.model_file import is_baseline_file
from exomesa.errors import ExomesaError
from exomesa.features import check_columns
from exomesa.interface import TrainedModel
from exomesa.mesa.checkpoint_file import check_checkpoint_file
from exomesa.utils import resolve_device

__all__ = [
    "Classifier",
    "TrainedModel",
    "load_model",
    "check_feature_columns",
    "model_outputs",
    "model_kind",
    "model_towers",
]

logger = logging.getLogger(__name__)

#: The model interface under its earlier name.
Classifier = TrainedModel


def model_kind(path: Path) -> str:
    """``"baseline"`` for a baseline model file, ``"mesa"`` otherwise (read from the file, not its name)."""
    if is_baseline_file(path):
        return "baseline"
    check_checkpoint_file(path)  # refuses any other file before torch is imported
    return "mesa"


def load_model(path: str | Path, device: str = "cpu") -> TrainedModel:
    """Load a MESA checkpoint or a LightGBM baseline model file, whichever ``path`` holds.

    Raises:
        ExomesaError: the file is missing, a folder, or neither kind of model file.
    """
    path = Path(path)
    if not path.exists():
        raise ExomesaError(
            f"{path}: model file not found. Train one with `exomesa train` (writes output/mesa_model.pth) or "
            "`exomesa baseline train`, or pass --model_path."
        )
    if path.is_dir():
        raise ExomesaError(f"{path}: is a folder; pass the model file (e.g. {path}/mesa_model.pth).")
    kind = model_kind(path)
    try:
        if kind == "baseline":
            from exomesa.baselines.lightgbm import load_baseline  # imports scikit-learn and LightGBM

            return load_baseline(path)
        from exomesa.mesa.classifier import MesaClassifier  # imports torch: only for a MESA checkpoint

        return MesaClassifier.load(path, device=resolve_device(device))
    except ExomesaError:
        raise
    except Exception as exc:  # torch/json raise many types for foreign or corrupt files
        raise ExomesaError(
            f"{path}: not an exomesa model file ({type(exc).__name__}: {exc}). Pass a file written by "
            "`exomesa train` or `exomesa baseline train`."
        ) from exc


def check_feature_columns(clf: TrainedModel, df: pd.DataFrame, source: str | Path) -> None:
    """Raise one :class:`ExomesaError` naming ``source`` when it lacks a column the model's features read."""
    check_columns(clf.features_read(), df, str(source))


def model_towers(clf: TrainedModel) -> str:
    """Which MESA towers feed ``clf``'s classifier: ``"both"``, ``"lightcurve"`` or ``"physics"`` (a model
    that reads the table only, e.g. a bundled model or its ONNX twin; the baselines report ``"both"``)."""
    return clf.towers_read()


def model_outputs(clf: TrainedModel, df: pd.DataFrame, views: object | None) -> dict[str, np.ndarray]:
    """One model pass: ``proba`` [N, 3] (calibrated where the model calibrates), ``proba_uncalibrated``
    [N, 3], and whatever embeddings the model has (``fused`` [N, F]; MESA also ``lightcurve``/``physics``)."""
    return clf.outputs(df, views=views)
