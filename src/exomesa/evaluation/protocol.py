"""The :class:`Classifier` protocol that MESA and the LightGBM baselines share, and the helpers every caller
of a trained model uses: loading a model file of either kind, checking a table's columns, one forward pass.

A classifier takes a canonical catalog (:mod:`exomesa.data`) and, optionally, a
:class:`~exomesa.lightcurves.ViewSet`::

    clf.fit(train_df, views=None) -> clf
    clf.predict_proba(df, views=None) -> [N, 3] float, columns in clf.classes_ order
    clf.predict(df, views=None) -> [N] str
    clf.save(path) -> Path;  type(clf).load(path) -> clf
    clf.embed(df, views=None) -> {"fused": [N, F], ...}      (optional)

:func:`load_model` detects the kind of a model file from its content (a baseline is a JSON document, a MESA
checkpoint a torch zip archive), so ``exomesa test`` and ``exomesa predict`` take either.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from exomesa.errors import ExomesaError

__all__ = [
    "Classifier",
    "load_model",
    "check_feature_columns",
    "model_outputs",
    "model_kind",
    "model_towers",
]

logger = logging.getLogger(__name__)


@runtime_checkable
class Classifier(Protocol):
    """What the evaluation runner, scoring and the benchmark need of a trained model."""

    classes_: np.ndarray

    def fit(self, df: pd.DataFrame, views: Any | None = None) -> Classifier: ...

    def predict_proba(self, df: pd.DataFrame, views: Any | None = None) -> np.ndarray: ...

    def predict(self, df: pd.DataFrame, views: Any | None = None) -> np.ndarray: ...

    def save(self, path: str | Path) -> Path: ...


def model_kind(path: Path) -> str:
    """``"baseline"`` for a baseline model file, ``"mesa"`` otherwise (read from the file, not its name)."""
    from exomesa.baselines import is_baseline_file
    from exomesa.mesa.checkpoint_file import check_checkpoint_file

    if is_baseline_file(path):
        return "baseline"
    check_checkpoint_file(path)  # refuses any other file before torch is imported
    return "mesa"


def load_model(path: str | Path, device: str = "cpu") -> Any:
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
            from exomesa.baselines import load_baseline

            return load_baseline(path)
        from exomesa.mesa.classifier import MesaClassifier
        from exomesa.utils import resolve_device

        return MesaClassifier.load(path, device=resolve_device(device))
    except ExomesaError:
        raise
    except Exception as exc:  # torch/json raise many types for foreign or corrupt files
        raise ExomesaError(
            f"{path}: not an exomesa model file ({type(exc).__name__}: {exc}). Pass a file written by "
            "`exomesa train` or `exomesa baseline train`."
        ) from exc


def check_feature_columns(clf: Any, df: pd.DataFrame, source: str | Path) -> None:
    """Raise one :class:`ExomesaError` naming ``source`` when it lacks a column the model's features read."""
    from exomesa.features import check_columns

    feature_set = getattr(clf, "feature_set_", None)
    if isinstance(feature_set, dict):
        check_columns(feature_set, df, str(source))


def model_towers(clf: Any) -> str:
    """Which MESA towers feed ``clf``'s classifier: ``"both"``, ``"lightcurve"`` or ``"physics"`` (a model
    that reads the table only, e.g. a bundled model or its ONNX twin; the baselines report ``"both"``)."""
    towers = getattr(clf, "towers_", None)
    if towers is None:
        towers = getattr(getattr(getattr(clf, "model_", None), "cfg", None), "towers", "both")
    return str(towers)


def model_outputs(clf: Any, df: pd.DataFrame, views: Any | None) -> dict[str, np.ndarray]:
    """One model pass: ``proba`` [N, 3] (calibrated where the model calibrates), ``proba_uncalibrated``
    [N, 3], and whatever embeddings the model has (``fused`` [N, F]; MESA also ``lightcurve``/``physics``)."""
    outputs = getattr(clf, "outputs", None)
    if callable(outputs):
        return outputs(df, views=views)
    proba = np.asarray(clf.predict_proba(df, views=views), dtype=np.float64)
    out: dict[str, np.ndarray] = {"proba": proba, "proba_uncalibrated": proba}
    embed = getattr(clf, "embed", None)
    if callable(embed):
        out.update(embed(df, views=views))
    return out
