"""The :class:`TabularPreprocessor`: each feature mapped through its training-split quantiles onto a standard
normal (robust to the heavy tails of period, depth, SNR, ...), missing values set to 0, and one
missing-indicator column appended per feature. It is fitted on the training split only; its state is a
JSON-able dict stored in the checkpoint.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.special import ndtri

from exomesa.errors import ExomesaError
from exomesa.features.derived import add_derived_features
from exomesa.features.groups import check_columns, feature_columns, resolve_feature_set

__all__ = ["TabularPreprocessor"]

logger = logging.getLogger(__name__)


class TabularPreprocessor:
    """Quantile-normal scaling + missing indicators per feature group, fitted on training data only.

    Args:
        feature_set: a preset name or ``{group: [columns]}`` (validated by :func:`resolve_feature_set`).
        n_quantiles: number of training quantiles kept per feature (the stored state).

    After :meth:`fit`: ``quantiles_`` ({column: sorted list of floats}), ``feature_set_``, ``output_dims``.
    :meth:`transform` returns ``{group: float32 [N, 2 * n_group]}``: the normal scores of the values
    (clipped to ±3.5, missing → 0) followed by one 0/1 missing indicator per feature.
    """

    def __init__(self, feature_set: str | Mapping[str, list[str]] = "full", n_quantiles: int = 256) -> None:
        self.feature_set = feature_set
        self.n_quantiles = n_quantiles

    # -- fitting -------------------------------------------------------------------------------------
    def fit(self, df: pd.DataFrame) -> TabularPreprocessor:
        """Learn each feature's quantiles from ``df`` (the training split)."""
        self.feature_set_ = resolve_feature_set(self.feature_set)
        frame = self._feature_frame(df)
        probs = np.linspace(0.0, 1.0, self.n_quantiles)
        self.quantiles_: dict[str, list[float]] = {}
        for col in feature_columns(self.feature_set_):
            values = frame[col].to_numpy(dtype=float)
            values = values[np.isfinite(values)]
            if values.size == 0:
                logger.warning("feature %s is missing in every training row; it carries no information", col)
                self.quantiles_[col] = [0.0]
            else:
                self.quantiles_[col] = np.quantile(values, probs).tolist()
        return self

    @property
    def output_dims(self) -> dict[str, int]:
        """Width of each group's array: two columns (score, missing flag) per feature."""
        self._check_fitted()
        return {g: 2 * len(cols) for g, cols in self.feature_set_.items()}

    # -- transforming ----------------------------------------------------------------------------------
    def transform(self, df: pd.DataFrame) -> dict[str, np.ndarray]:
        """``{group: float32 [N, 2 * n_group]}`` using the fitted (never refitted) quantiles."""
        self._check_fitted()
        frame = self._feature_frame(df)
        out: dict[str, np.ndarray] = {}
        for group, cols in self.feature_set_.items():
            arr = np.zeros((len(frame), 2 * len(cols)), dtype=np.float32)
            for j, col in enumerate(cols):
                x = frame[col].to_numpy(dtype=float)
                missing = ~np.isfinite(x)
                arr[:, j] = np.where(missing, 0.0, self._normal_score(x, self.quantiles_[col]))
                arr[:, len(cols) + j] = missing
            out[group] = arr
        return out

    def fit_transform(self, df: pd.DataFrame) -> dict[str, np.ndarray]:
        return self.fit(df).transform(df)

    @staticmethod
    def _normal_score(x: np.ndarray, quantiles: list[float]) -> np.ndarray:
        q = np.asarray(quantiles, dtype=float)
        if q.size < 2 or q[-1] == q[0]:
            return np.zeros_like(x)
        refs = np.linspace(0.0, 1.0, q.size)
        # Average of forward and backward interpolation handles repeated quantiles (ties), as sklearn does.
        with np.errstate(invalid="ignore"):
            u = 0.5 * (np.interp(x, q, refs) - np.interp(-x, -q[::-1], -refs[::-1]))
        eps = 2.3e-4  # ndtri(1 - eps) ≈ 3.5
        return np.clip(ndtri(np.clip(u, eps, 1 - eps)), -3.5, 3.5)

    def _feature_frame(self, df: pd.DataFrame) -> pd.DataFrame:
        feature_set = getattr(self, "feature_set_", None) or resolve_feature_set(self.feature_set)
        check_columns(feature_set, df)
        return add_derived_features(df, feature_set)

    def _check_fitted(self) -> None:
        if not hasattr(self, "quantiles_"):
            raise ExomesaError("TabularPreprocessor is not fitted yet; call fit(train_df) first.")

    # -- persistence -----------------------------------------------------------------------------------
    def state_dict(self) -> dict:
        """JSON-able state: the feature set and every feature's training quantiles."""
        self._check_fitted()
        return {
            "feature_set": {g: list(c) for g, c in self.feature_set_.items()},
            "n_quantiles": int(self.n_quantiles),
            "quantiles": {k: [float(v) for v in vals] for k, vals in self.quantiles_.items()},
        }

    @classmethod
    def from_state_dict(cls, state: Mapping) -> TabularPreprocessor:
        """Rebuild a fitted preprocessor from :meth:`state_dict` output."""
        try:
            pre = cls(dict(state["feature_set"]), n_quantiles=int(state["n_quantiles"]))
            pre.feature_set_ = resolve_feature_set(pre.feature_set)
            pre.quantiles_ = {k: list(v) for k, v in state["quantiles"].items()}
        except (KeyError, TypeError, ValueError) as exc:
            raise ExomesaError(f"invalid preprocessor state in checkpoint ({exc}).") from exc
        missing = [c for c in feature_columns(pre.feature_set_) if c not in pre.quantiles_]
        if missing:
            raise ExomesaError(
                f"preprocessor state lacks quantiles for {missing}; the checkpoint is damaged."
            )
        return pre
