"""Score a table with the ONNX twin of a physics-only MESA, without importing torch or scikit-learn.

The twin is written by :func:`exomesa.mesa.onnx_export.export_physics_onnx` (see there for why). This module
reads it with onnxruntime and repeats, in numpy, exactly what :class:`~exomesa.mesa.MesaClassifier` does
around the network: the fitted preprocessor (:class:`~exomesa.features.TabularPreprocessor`, rebuilt from
its stored quantiles) before it, and the ensemble combination and temperature scaling
(:mod:`exomesa.mesa.ensemble`) after it. A test pins the probabilities to the torch model's.

    scorer = OnnxMesaScorer.load("kepler_archive.onnx")
    proba = scorer.predict_proba(catalog)          # [N, 3], classes_ order, calibrated
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from exomesa.errors import ExomesaError
from exomesa.mesa.ensemble import ensemble_logits, ensemble_proba, softmax
from exomesa.mesa.onnx_export import ONNX_FORMAT, ONNX_METADATA_KEY
from exomesa.utils import import_optional

__all__ = ["OnnxMesaScorer", "onnx_available"]

logger = logging.getLogger(__name__)


def onnx_available() -> bool:
    """True when onnxruntime can be imported."""
    try:
        import onnxruntime  # noqa: F401
    except ImportError:
        return False
    return True


class OnnxMesaScorer:
    """A fitted, scoring-only physics MESA read from its ONNX twin.

    Has what scoring reads of a :class:`~exomesa.mesa.MesaClassifier`: ``classes_`` [3], ``feature_set_``,
    ``temperature_``, ``reference_`` (``candidate_id`` of the training KOIs, no embeddings), ``towers_``
    (``"physics"``), ``exomesa_version_`` and the ``metadata`` record; :meth:`predict_proba`,
    :meth:`predict`, :meth:`outputs`. It cannot be trained or saved.
    """

    towers_ = "physics"
    kind = "mesa-onnx"

    def __init__(self, session: Any, metadata: dict[str, Any], path: Path) -> None:
        from exomesa.features import TabularPreprocessor

        self.path = path
        self.metadata = metadata
        self.session_ = session
        self.groups_ = list(metadata["groups"])
        self.preprocessor_ = TabularPreprocessor.from_state_dict(metadata["preprocessor"])
        self.feature_set_ = {g: list(c) for g, c in self.preprocessor_.feature_set_.items()}
        self.classes_ = np.array(metadata["classes"])
        self.temperature_ = float(metadata["temperature"])
        self.exomesa_version_ = metadata.get("exomesa_version")
        self.reference_ = {"candidate_id": np.array(metadata.get("training_kepoi_names", []), dtype=str)}

    @classmethod
    def load(cls, path: str | Path, threads: int = 1) -> OnnxMesaScorer:
        """Open an ONNX twin (``threads``: onnxruntime intra-op threads; the small MLPs are fastest on one).

        Raises:
            ExomesaError: onnxruntime is missing (names the pip command), or the file is not an exomesa
                ONNX twin.
        """
        ort = import_optional("onnxruntime", "scoring with a bundled model's ONNX twin")
        path = Path(path)
        options = ort.SessionOptions()
        options.intra_op_num_threads = int(threads)
        options.inter_op_num_threads = 1
        try:
            session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
            metadata = json.loads(session.get_modelmeta().custom_metadata_map[ONNX_METADATA_KEY])
        except Exception as exc:  # onnxruntime raises its own types for missing/corrupt files
            raise ExomesaError(
                f"{path}: not an exomesa ONNX model ({type(exc).__name__}: {exc}); rebuild the bundled models "
                "with `python scripts/build_bundled_models.py --force`."
            ) from exc
        if metadata.get("format") != ONNX_FORMAT:
            raise ExomesaError(f"{path}: unknown ONNX model format {metadata.get('format')!r}.")
        return cls(session, metadata, path)

    # -- the Classifier protocol, scoring side ------------------------------------------------------------
    def _member_logits(self, df: pd.DataFrame) -> np.ndarray:
        """``[K, N, 3]`` member logits (float64)."""
        if len(df) == 0:
            return np.zeros((int(self.metadata.get("n_members", 1)), 0, len(self.classes_)))
        arrays = self.preprocessor_.transform(df.reset_index(drop=True))
        feeds = {g: np.ascontiguousarray(arrays[g], dtype=np.float32) for g in self.groups_}
        (logits,) = self.session_.run(["member_logits"], feeds)
        return np.asarray(logits, dtype=np.float64)

    def outputs(self, df: pd.DataFrame, views: Any | None = None) -> dict[str, np.ndarray]:
        """``proba`` [N, 3] (calibrated), ``proba_uncalibrated`` [N, 3] and, for an ensemble, ``proba_std``
        [N, 3], as :meth:`exomesa.mesa.MesaClassifier.outputs` (no embeddings). ``views`` is ignored."""
        z = self._member_logits(df)
        logits = ensemble_logits(z)
        out = {
            "proba": softmax(logits / self.temperature_),
            "proba_uncalibrated": softmax(logits),
        }
        if z.shape[0] > 1:
            out["proba_std"] = ensemble_proba(z, self.temperature_)[1]
        return out

    def predict_proba(
        self, df: pd.DataFrame, views: Any | None = None, calibrated: bool = True
    ) -> np.ndarray:
        """Class probabilities ``[N, 3]`` in ``classes_`` order (temperature-scaled when ``calibrated``)."""
        out = self.outputs(df)
        return out["proba"] if calibrated else out["proba_uncalibrated"]

    def predict(self, df: pd.DataFrame, views: Any | None = None) -> np.ndarray:
        """Predicted dispositions ``[N]`` (strings from ``classes_``)."""
        return self.classes_[self.predict_proba(df, calibrated=False).argmax(axis=1)]

    # -- the TrainedModel interface (exomesa.interface) ---------------------------------------------------
    def model_name(self) -> str:
        """``"OnnxMesaScorer"``."""
        return type(self).__name__

    def proba_spread(self, df: pd.DataFrame, views: Any | None = None) -> np.ndarray | None:
        """Per-class std [N, 3] of the ensemble members' calibrated probabilities; None for one member."""
        return self.outputs(df).get("proba_std")

    def embed(self, df: pd.DataFrame, views: Any | None = None) -> dict[str, np.ndarray]:
        """``{}``: the twin returns no embeddings."""
        return {}

    def towers_read(self) -> str:
        """``"physics"``: the twin reads the table only."""
        return self.towers_

    def missing_view_mode(self) -> str:
        """``"render"``: the twin reads no light curve, so nothing is masked."""
        return "render"

    def features_read(self) -> dict[str, list[str]]:
        """The stored feature set, ``{group: [columns]}``."""
        return self.feature_set_

    def training_reference(self) -> dict[str, np.ndarray]:
        """``candidate_id`` of the training rows (no embeddings, no dispositions)."""
        return self.reference_

    def n_training_rows(self) -> int | None:
        """The number of training KOIs recorded in the file (None when none are)."""
        return len(self.reference_["candidate_id"]) or None

    def training_history(self) -> list[dict[str, Any]]:
        """``[]``: the twin keeps no history."""
        return []

    def calibration_temperature(self) -> float | None:
        """The stored temperature."""
        return self.temperature_

    def version_built(self) -> str | None:
        """The exomesa version that exported the twin."""
        return self.exomesa_version_

    def summary(self) -> dict[str, Any]:
        """Class name and calibration temperature."""
        return {
            "class": self.model_name(),
            "calibration temperature (fitted on validation)": round(self.temperature_, 4),
        }

    def fit(self, df: pd.DataFrame, views: Any | None = None) -> OnnxMesaScorer:
        raise ExomesaError(
            f"{self.path}: an ONNX twin only scores; train a model with exomesa.MesaClassifier instead."
        )

    def save(self, path: str | Path) -> Path:
        raise ExomesaError(f"{self.path}: an ONNX twin cannot be saved as a checkpoint; copy the file.")
