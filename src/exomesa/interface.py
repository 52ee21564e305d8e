"""The one typed interface of a trained model: what evaluation, scoring, vetting and the benchmark read of it.

MESA (:class:`~exomesa.mesa.MesaClassifier`), its ONNX twin (:class:`~exomesa.mesa.onnx_scorer.OnnxMesaScorer`)
and both LightGBM baselines (:class:`~exomesa.baselines.TabularLightGBM`,
:class:`~exomesa.baselines.TsfreshLightGBM`) implement it; callers ask it, never probe attributes::

    clf.kind                              # "mesa" | "mesa-onnx" | "lightgbm"
    clf.outputs(df, views)                # {"proba": [N, 3], "proba_uncalibrated": [N, 3], ...}
    clf.proba_spread(df, views)           # [N, 3] per-member std of an ensemble, or None
    clf.embed(df, views)                  # {"fused": [N, F], "lightcurve"/"physics": [N, P]} or {}
    clf.towers_read()                     # "both" | "lightcurve" | "physics"
    clf.features_read()                   # {group: [columns]}

A leaf module (numpy and pandas only), so that the model packages can declare conformance without importing
:mod:`exomesa.evaluation`.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

__all__ = ["TrainedModel", "MODEL_KINDS"]

#: The values of :attr:`TrainedModel.kind`.
MODEL_KINDS = ("mesa", "mesa-onnx", "lightgbm")


@runtime_checkable
class TrainedModel(Protocol):
    """A fitted classifier of CONFIRMED / CANDIDATE / FALSE POSITIVE over a canonical catalog.

    ``views`` is an optional :class:`~exomesa.lightcurves.ViewSet` aligned with ``df`` (models that read no
    light curve ignore it). Probability columns follow ``classes_`` [3].
    """

    #: ``"mesa"`` (torch MESA), ``"mesa-onnx"`` (the scoring-only ONNX twin) or ``"lightgbm"``.
    kind: str
    classes_: np.ndarray

    def model_name(self) -> str:
        """The model's class name (e.g. ``"MesaClassifier"``, ``"TabularLightGBM"``)."""
        ...

    def predict_proba(self, df: pd.DataFrame, views: Any | None = None) -> np.ndarray:
        """Class probabilities [N, 3] (calibrated where the model calibrates)."""
        ...

    def predict(self, df: pd.DataFrame, views: Any | None = None) -> np.ndarray:
        """Predicted class names [N]."""
        ...

    def outputs(self, df: pd.DataFrame, views: Any | None = None) -> dict[str, np.ndarray]:
        """One model pass: ``proba`` [N, 3], ``proba_uncalibrated`` [N, 3] (the same array when the model does
        not calibrate), ``proba_std`` [N, 3] for an ensemble, and the :meth:`embed` arrays."""
        ...

    def proba_spread(self, df: pd.DataFrame, views: Any | None = None) -> np.ndarray | None:
        """Per-class std [N, 3] of the ensemble members' probabilities, or None (no members)."""
        ...

    def embed(self, df: pd.DataFrame, views: Any | None = None) -> dict[str, np.ndarray]:
        """Embeddings: ``fused`` [N, F] and, for two-tower MESA, ``lightcurve`` / ``physics`` [N, P];
        ``{}`` for a model without any."""
        ...

    def towers_read(self) -> str:
        """Which inputs feed the classifier: ``"both"``, ``"lightcurve"`` or ``"physics"`` (table only)."""
        ...

    def missing_view_mode(self) -> str:
        """What a candidate without a real view gets: ``"mask"`` (no view; the model's light-curve branch is
        masked) or ``"render"`` (a view rendered from its catalog parameters)."""
        ...

    def features_read(self) -> dict[str, list[str]]:
        """The tabular feature set, ``{group: [columns]}``."""
        ...

    def training_reference(self) -> dict[str, np.ndarray]:
        """What the model keeps of its training rows: ``candidate_id`` [N] (banks of older checkpoints, keyed
        ``kepoi_name``, are mapped at load), ``disposition`` [N] and, for MESA, ``physics`` / ``lightcurve``
        [N, P] embeddings; ``{}`` when it keeps nothing."""
        ...

    def n_training_rows(self) -> int | None:
        """How many rows the model was fitted on, where known."""
        ...

    def training_history(self) -> list[dict[str, Any]]:
        """Per-epoch records of the fit (``[]`` for models without epochs or loaded without history)."""
        ...

    def calibration_temperature(self) -> float | None:
        """The fitted temperature of the probability calibration, or None."""
        ...

    def version_built(self) -> str | None:
        """The exomesa version that wrote the model file, where recorded."""
        ...

    def summary(self) -> dict[str, Any]:
        """Name, scalar parameters and size of the model, for results files and reports."""
        ...
