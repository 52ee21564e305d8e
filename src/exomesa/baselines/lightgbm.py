"""Gradient-boosted baselines with the same classifier protocol as :class:`exomesa.mesa.classifier.MesaClassifier`.

Two methods (:data:`exomesa.baselines.BASELINE_METHODS`), trained and evaluated on exactly the data MESA sees:

* :class:`TabularLightGBM` — a LightGBM classifier on the raw tabular columns of a feature preset
  (``seed`` or ``full``, resolved with :func:`exomesa.features.groups.resolve_feature_set`).
* :class:`TsfreshLightGBM` — the same, joined with tsfresh features of the light-curve views
  (:mod:`exomesa.baselines.tsfresh_features`).

Both are scikit-learn estimators (``get_params``/``set_params``/``clone`` work; constructor defaults come from
:data:`exomesa.defaults.LGBM_PARAMS` and :data:`exomesa.defaults.TSFRESH_PRESET`) fitting a
``Pipeline(SimpleImputer(strategy="median"), LGBMClassifier)``. A fitted model saves to one JSON file (the
booster as LightGBM's text model string, feature names, imputer medians, class order, tsfresh settings,
versions) — no pickle, so loading a model file from a stranger runs no code. :func:`is_baseline_file` tells
such a file from a MESA checkpoint by its first bytes.

lightgbm and tsfresh are optional (the ``baseline`` extra), imported through
:func:`exomesa.utils.import_optional` when a model is fitted or loaded.

Example::

    from exomesa.baselines import TsfreshLightGBM, load_baseline
    clf = TsfreshLightGBM(features="full").fit(train_df, views=train_views)
    proba = clf.predict_proba(test_df, views=test_views)      # [N, 3] in CLASSES order
    clf.save("output/baseline_tsfresh.json")
    clf = load_baseline("output/baseline_tsfresh.json")

(~450 lines, over the ~400 we aim for: one estimator class with its design matrix, fit/predict, size and
persistence reads best in one piece; the file format and tsfresh features are already in their own modules.)
"""

from __future__ import annotations

import json
import logging
import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import sklearn
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline

from exomesa._version import __version__
from exomesa.baselines.model_file import (
    BASELINE_FORMAT,
    BASELINE_FORMAT_VERSION,
    check_model_state,
    is_baseline_file,
    read_model_file,
)
from exomesa.baselines.tsfresh_features import (
    GLOBAL_DOWNSAMPLE_BINS,
    TSFRESH_N_JOBS,
    extract_lightcurve_features,
    tsfresh_cache_dir,
    tsfresh_parameters,
)
from exomesa.data import CLASSES, LABEL, labels_to_index
from exomesa.defaults import LGBM_PARAMS, TSFRESH_PRESET
from exomesa.errors import ExomesaError
from exomesa.features import (
    add_derived_features,
    check_columns,
    feature_columns,
    required_columns,
    resolve_feature_set,
)
from exomesa.lightcurves import views_for_catalog
from exomesa.ranges import Range, check_range
from exomesa.utils import import_optional

__all__ = [
    "LightGBMBaseline",
    "TabularLightGBM",
    "TsfreshLightGBM",
    "is_baseline_file",
    "load_baseline",
    "make_baseline",
]

logger = logging.getLogger(__name__)

#: Constructor parameters that are run settings, not part of the model: never written to a model file.
_NOT_SAVED = ("cache_dir",)


def _lightgbm() -> Any:
    return import_optional("lightgbm", "the LightGBM baselines")


# ------------------------------------------------------------------------------------------- classifiers
class LightGBMBaseline(ClassifierMixin, BaseEstimator):
    """Median imputation + LightGBM on tabular columns (and, in subclasses, light-curve features).

    scikit-learn conventions: ``__init__`` stores parameters only, ``fit`` returns ``self``, learned attributes
    end in ``_``. ``classes_`` is ``np.array(CLASSES)`` and ``predict_proba`` columns follow it. Subclasses
    list every parameter in their own ``__init__`` (scikit-learn reads ``get_params`` from the signature).

    Args:
        features: tabular feature preset (``"seed"``, ``"full"``) or a ``{group: [columns]}`` dict.
        n_estimators: boosting rounds (each adds one tree per class).
        learning_rate: LightGBM shrinkage.
        num_leaves: maximum leaves per tree.
        min_child_samples: minimum KOIs per leaf.
        seed: LightGBM random seed (``deterministic=True``).
        n_jobs: LightGBM threads.
    """

    method = "base"
    uses_lightcurves = False
    kind = "lightgbm"

    def __init__(
        self,
        features: str | Mapping[str, Sequence[str]] = LGBM_PARAMS["features"],
        *,
        n_estimators: int = LGBM_PARAMS["n_estimators"],
        learning_rate: float = LGBM_PARAMS["learning_rate"],
        num_leaves: int = LGBM_PARAMS["num_leaves"],
        min_child_samples: int = LGBM_PARAMS["min_child_samples"],
        seed: int = LGBM_PARAMS["seed"],
        n_jobs: int = LGBM_PARAMS["n_jobs"],
    ) -> None:
        self.features = features
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.seed = seed
        self.n_jobs = n_jobs

    #: allowed values of the numeric parameters (the command line checks its flags against the same ranges)
    _RANGES: dict[str, tuple[str | Range, bool]] = {
        "n_estimators": ("positive", True),
        "learning_rate": ("positive", False),
        "num_leaves": ("at-least-2", True),
        "min_child_samples": ("non-negative", True),
        "seed": ("non-negative", True),
        "n_jobs": (Range(), True),  # LightGBM: <= 0 means its own default
    }

    def _check_params(self) -> None:
        """Raise InvalidSettingError (a ValueError and an ExomesaError) for a parameter out of its range,
        before any work."""
        for name, (rng, integer) in self._RANGES.items():
            check_range(name, getattr(self, name), rng, integer=integer)

    def _lgbm(self) -> Any:
        return _lightgbm().LGBMClassifier(
            n_estimators=self.n_estimators,
            learning_rate=self.learning_rate,
            num_leaves=self.num_leaves,
            min_child_samples=self.min_child_samples,
            random_state=self.seed,
            deterministic=True,
            n_jobs=self.n_jobs,
            verbose=-1,
        )

    # -- design matrix -------------------------------------------------------------------------------------
    def _tabular(self, df: pd.DataFrame) -> pd.DataFrame:
        """[N, n_tabular] float64 raw feature values (derived ones computed), non-finite → NaN."""
        check_columns(self.feature_set_, df)
        frame = add_derived_features(df[required_columns(self.feature_set_)].reset_index(drop=True))
        out = np.empty((len(frame), len(self.tabular_columns_)), dtype=np.float64)
        for j, c in enumerate(self.tabular_columns_):
            out[:, j] = pd.to_numeric(frame[c], errors="coerce").to_numpy(dtype=np.float64)
        out[~np.isfinite(out)] = np.nan
        return pd.DataFrame(out, columns=list(self.tabular_columns_))

    def _prepare_fit(self) -> None:
        """Reset per-fit settings (subclasses fix their extraction settings here)."""

    def _lightcurve_features(self, df: pd.DataFrame, views: Any) -> pd.DataFrame | None:
        return None

    def _design(self, df: pd.DataFrame, views: Any, fitting: bool = False) -> pd.DataFrame:
        """[N, F] design matrix: tabular columns, then light-curve features (training columns at predict)."""
        tab = self._tabular(df)
        lc = self._lightcurve_features(df, views)
        if lc is None:
            return tab
        if not fitting:
            lc = lc.reindex(columns=self.lightcurve_feature_names_)
        return pd.concat([tab, lc.set_axis(tab.index)], axis=1)

    # -- fit / predict -------------------------------------------------------------------------------------
    def fit(self, df: pd.DataFrame, views: Any = None) -> LightGBMBaseline:
        """Fit on a labelled canonical KOI table.

        Args:
            df: canonical catalog (``koi_*`` columns, ``kepoi_name``, ``koi_disposition``), N rows.
            views: a :class:`~exomesa.lightcurves.ViewSet` with views for (some of) these KOIs, or ``None``
                (rendered from catalog parameters); ignored by the tabular method.
        """
        self._check_params()
        if LABEL not in df.columns:
            raise ExomesaError(
                f"the training table has no {LABEL!r} column; a labelled catalog is needed to fit."
            )
        if len(df) < 3:
            raise ExomesaError(f"the training table has {len(df)} rows; LightGBM needs at least a few KOIs.")
        y = np.asarray(labels_to_index(df[LABEL]), dtype=np.int64)
        self.feature_set_ = {k: list(v) for k, v in resolve_feature_set(self.features).items()}
        self.tabular_columns_ = feature_columns(self.feature_set_)
        self._prepare_fit()
        t0 = time.perf_counter()
        X = self._design(df, views, fitting=True)
        self.feature_extraction_seconds_ = time.perf_counter() - t0
        self.feature_names_ = [str(c) for c in X.columns]
        self.lightcurve_feature_names_ = self.feature_names_[len(self.tabular_columns_) :]

        pipeline = Pipeline(
            [("impute", SimpleImputer(strategy="median", keep_empty_features=True)), ("lgbm", self._lgbm())]
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            pipeline.fit(X.to_numpy(np.float64), y)
        self.pipeline_ = pipeline
        self.medians_ = np.asarray(pipeline.named_steps["impute"].statistics_, dtype=np.float64)
        self.booster_ = pipeline.named_steps["lgbm"].booster_
        self.lgbm_classes_ = np.asarray(pipeline.named_steps["lgbm"].classes_, dtype=np.int64)
        self.classes_ = np.array(CLASSES)
        self.n_train_ = int(len(df))
        logger.info(
            "%s: fitted %d trees on %d KOIs x %d features (%d tabular, %d light-curve)",
            type(self).__name__,
            self.booster_.num_trees(),
            len(df),
            len(self.feature_names_),
            len(self.tabular_columns_),
            len(self.lightcurve_feature_names_),
        )
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "booster_"):
            raise ExomesaError(
                f"this {type(self).__name__} is not fitted yet; call fit(...) or load(path) first."
            )

    def predict_proba(self, df: pd.DataFrame, views: Any = None) -> np.ndarray:
        """Class probabilities [N, 3] in ``classes_`` order (median-imputed features → booster)."""
        self._check_fitted()
        X = self._design(df, views).to_numpy(np.float64)
        X = np.where(np.isnan(X), self.medians_[None, :], X)
        raw = np.asarray(self.booster_.predict(X), dtype=np.float64)
        if raw.ndim == 1:  # binary objective (only two classes in the training data)
            raw = np.stack([1.0 - raw, raw], axis=1)
        proba = np.zeros((X.shape[0], len(self.classes_)), dtype=np.float64)
        proba[:, self.lgbm_classes_] = raw
        return proba

    def predict(self, df: pd.DataFrame, views: Any = None) -> np.ndarray:
        """Predicted class names [N] (argmax of :meth:`predict_proba`)."""
        return self.classes_[self.predict_proba(df, views).argmax(axis=1)]

    # -- the TrainedModel interface (exomesa.interface) ---------------------------------------------------
    def model_name(self) -> str:
        """The estimator's class name (``"TabularLightGBM"`` / ``"TsfreshLightGBM"``)."""
        return type(self).__name__

    def outputs(self, df: pd.DataFrame, views: Any = None) -> dict[str, np.ndarray]:
        """``proba`` [N, 3] (uncalibrated: ``proba_uncalibrated`` is the same array); no embeddings."""
        proba = np.asarray(self.predict_proba(df, views=views), dtype=np.float64)
        return {"proba": proba, "proba_uncalibrated": proba}

    def proba_spread(self, df: pd.DataFrame, views: Any = None) -> np.ndarray | None:
        """None: one booster, no members."""
        return None

    def embed(self, df: pd.DataFrame, views: Any = None) -> dict[str, np.ndarray]:
        """``{}``: a booster has no embedding."""
        return {}

    def towers_read(self) -> str:
        """``"both"``: the table, and (TSFresh) the views."""
        return "both"

    def missing_view_mode(self) -> str:
        """``"render"``: a candidate without a real view is read through a view rendered from the catalog."""
        return "render"

    def features_read(self) -> dict[str, list[str]]:
        """The fitted tabular feature set, ``{group: [columns]}``."""
        self._check_fitted()
        return self.feature_set_

    def training_reference(self) -> dict[str, np.ndarray]:
        """``{}``: a baseline keeps no bank of training rows."""
        return {}

    def n_training_rows(self) -> int | None:
        """The number of rows :meth:`fit` saw (None when the model file does not record it)."""
        n = getattr(self, "n_train_", None)
        return None if n is None else int(n)

    def training_history(self) -> list[dict[str, Any]]:
        """``[]``: boosting keeps no per-epoch history."""
        return []

    def calibration_temperature(self) -> float | None:
        """None: the probabilities are not temperature-scaled."""
        return None

    def version_built(self) -> str | None:
        """The exomesa version recorded in the model file."""
        return getattr(self, "exomesa_version_", None)

    def summary(self) -> dict[str, Any]:
        """Class name, method, scalar parameters, size, the 15 most informative features."""
        out: dict[str, Any] = {"class": self.model_name(), "method": self.method}
        out.update(
            {
                k: v
                for k, v in self.get_params().items()
                if isinstance(v, str | int | float | bool | type(None))
            }
        )
        out.update(self.model_size())
        out["top_features"] = [{"feature": n, "gain_share": g} for n, g in self.feature_importance(top=15)]
        return out

    # -- size ----------------------------------------------------------------------------------------------
    def model_size(self) -> dict[str, int]:
        """``n_trees`` (one per class per round), ``n_leaves`` (leaf values = fitted parameters) and
        ``n_split_nodes`` summed over all trees, and ``n_features``."""
        self._check_fitted()
        trees = self.booster_.dump_model()["tree_info"]
        n_leaves = int(sum(t["num_leaves"] for t in trees))
        return {
            "n_trees": len(trees),
            "n_leaves": n_leaves,
            "n_split_nodes": int(n_leaves - len(trees)),
            "n_features": len(self.feature_names_),
        }

    def feature_importance(self, top: int | None = 20) -> list[tuple[str, float]]:
        """``(feature name, share of the total split gain)`` pairs, largest first (``top`` of them)."""
        self._check_fitted()
        gain = np.asarray(self.booster_.feature_importance(importance_type="gain"), dtype=np.float64)
        total = gain.sum() or 1.0
        order = np.argsort(-gain, kind="stable")[: top if top is not None else None]
        return [(self.feature_names_[i], float(gain[i] / total)) for i in order]

    # -- persistence ---------------------------------------------------------------------------------------
    def _saved_params(self) -> dict[str, Any]:
        """Constructor parameters written to the model file (JSON-able copies; run settings left out)."""
        params = self.get_params(deep=False)
        for key in _NOT_SAVED:
            params.pop(key, None)
        return {k: dict(v) if isinstance(v, Mapping) else v for k, v in params.items()}

    def _extra_state(self) -> dict[str, Any]:
        return {}

    def _set_extra_state(self, state: Mapping[str, Any]) -> None:
        return None

    def to_dict(self) -> dict[str, Any]:
        """The whole fitted model as a JSON-able dict (the booster as LightGBM's text model string)."""
        self._check_fitted()
        return {
            "format": BASELINE_FORMAT,
            "format_version": BASELINE_FORMAT_VERSION,
            "method": self.method,
            "exomesa_version": __version__,
            "lightgbm_version": _lightgbm().__version__,
            "sklearn_version": sklearn.__version__,
            "params": self._saved_params(),
            "classes": [str(c) for c in self.classes_],
            "lgbm_class_indices": [int(c) for c in self.lgbm_classes_],
            "feature_set": self.feature_set_,
            "tabular_columns": list(self.tabular_columns_),
            "feature_names": list(self.feature_names_),
            "imputer_medians": [float(m) if np.isfinite(m) else 0.0 for m in self.medians_],
            "n_train": self.n_train_,
            "extra": self._extra_state(),
            "booster": self.booster_.model_to_string(),
        }

    def save(self, path: Path | str) -> Path:
        """Write the model as one JSON file (no pickle); returns the path. Overwrite checks are the caller's."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(self.to_dict(), fh)
        logger.info("saved %s baseline to %s", self.method, path)
        return path

    @classmethod
    def from_dict(cls, state: Mapping[str, Any], source: str = "<dict>") -> LightGBMBaseline:
        """Rebuild a fitted model from :meth:`to_dict` output (the class is chosen by ``state["method"]``)."""
        check_model_state(state, source)
        lightgbm = _lightgbm()
        method = state.get("method")
        klass = _CLASSES_BY_METHOD.get(method)
        if klass is None or not issubclass(klass, cls):
            raise ExomesaError(
                f"{source} holds a {method!r} baseline, which {cls.__name__}.load cannot read."
            )
        try:
            params = dict(state["params"])
            model = klass(**params)
            model.feature_set_ = {k: list(v) for k, v in state["feature_set"].items()}
            model.tabular_columns_ = list(state["tabular_columns"])
            model.feature_names_ = list(state["feature_names"])
            model.lightcurve_feature_names_ = model.feature_names_[len(model.tabular_columns_) :]
            model.medians_ = np.asarray(state["imputer_medians"], dtype=np.float64)
            model.classes_ = np.array(state["classes"])
            model.lgbm_classes_ = np.asarray(state["lgbm_class_indices"], dtype=np.int64)
            model.n_train_ = int(state.get("n_train", 0))
            model._set_extra_state(state.get("extra") or {})
            model.booster_ = lightgbm.Booster(model_str=state["booster"])
        except (KeyError, TypeError, ValueError, lightgbm.basic.LightGBMError) as exc:
            raise ExomesaError(f"{source} is a damaged baseline model file ({exc}); retrain it.") from exc
        if model.medians_.size != len(model.feature_names_) or model.booster_.num_feature() != len(
            model.feature_names_
        ):
            raise ExomesaError(f"{source}: feature names, medians and booster disagree in size; retrain it.")
        return model

    @classmethod
    def load(cls, path: Path | str) -> LightGBMBaseline:
        """Read a model written by :meth:`save`."""
        return cls.from_dict(read_model_file(path), source=str(path))


class TabularLightGBM(LightGBMBaseline):
    """LightGBM on the tabular feature columns only (no light curves); parameters as :class:`LightGBMBaseline`."""

    method = "tabular"
    uses_lightcurves = False


class TsfreshLightGBM(LightGBMBaseline):
    """LightGBM on tabular columns joined with tsfresh features of the global and local views.

    Args (besides :class:`LightGBMBaseline`'s):
        tsfresh_preset: a :data:`~exomesa.baselines.tsfresh_features.TSFRESH_PRESETS` name (default
            :data:`exomesa.defaults.TSFRESH_PRESET`) or a tsfresh settings dict.
        global_bins: bins the 2001-bin global view is averaged down to before extraction.
        tsfresh_n_jobs: tsfresh worker processes (0 = in-process).
        cache_dir: feature cache folder, ``"auto"`` (:func:`tsfresh_cache_dir`) or ``None`` (no cache); a run
            setting, not saved with the model.
    """

    method = "tsfresh"
    uses_lightcurves = True
    _RANGES = {
        **LightGBMBaseline._RANGES,
        "global_bins": ("positive", True),
        "tsfresh_n_jobs": ("non-negative", True),
    }

    def __init__(
        self,
        features: str | Mapping[str, Sequence[str]] = LGBM_PARAMS["features"],
        *,
        n_estimators: int = LGBM_PARAMS["n_estimators"],
        learning_rate: float = LGBM_PARAMS["learning_rate"],
        num_leaves: int = LGBM_PARAMS["num_leaves"],
        min_child_samples: int = LGBM_PARAMS["min_child_samples"],
        seed: int = LGBM_PARAMS["seed"],
        n_jobs: int = LGBM_PARAMS["n_jobs"],
        tsfresh_preset: str | Mapping[str, Any] = TSFRESH_PRESET,
        global_bins: int = GLOBAL_DOWNSAMPLE_BINS,
        tsfresh_n_jobs: int = TSFRESH_N_JOBS,
        cache_dir: Path | str | None = "auto",
    ) -> None:
        super().__init__(
            features,
            n_estimators=n_estimators,
            learning_rate=learning_rate,
            num_leaves=num_leaves,
            min_child_samples=min_child_samples,
            seed=seed,
            n_jobs=n_jobs,
        )
        self.tsfresh_preset = tsfresh_preset
        self.global_bins = global_bins
        self.tsfresh_n_jobs = tsfresh_n_jobs
        self.cache_dir = cache_dir

    def _extra_state(self) -> dict[str, Any]:
        tsfresh = import_optional("tsfresh", "the TSFresh + LightGBM baseline")
        return {"tsfresh_version": tsfresh.__version__, "fc_parameters": self.fc_parameters_}

    def _set_extra_state(self, state: Mapping[str, Any]) -> None:
        self.fc_parameters_ = state.get("fc_parameters") or tsfresh_parameters(self.tsfresh_preset)

    def _prepare_fit(self) -> None:
        self.fc_parameters_ = tsfresh_parameters(self.tsfresh_preset)

    def _lightcurve_features(self, df: pd.DataFrame, views: Any) -> pd.DataFrame:
        """tsfresh features [N, F] of the views aligned to ``df`` rows (rendered where ``views`` lacks a KOI)."""
        aligned = views_for_catalog(df, views)
        cache = tsfresh_cache_dir() if self.cache_dir == "auto" else self.cache_dir
        return extract_lightcurve_features(
            aligned.global_view,
            aligned.local_view,
            self.fc_parameters_,
            global_bins=self.global_bins,
            n_jobs=self.tsfresh_n_jobs,
            cache_dir=cache,
        )


_CLASSES_BY_METHOD: dict[str, type[LightGBMBaseline]] = {
    TabularLightGBM.method: TabularLightGBM,
    TsfreshLightGBM.method: TsfreshLightGBM,
}


def make_baseline(method: str, **kwargs: Any) -> LightGBMBaseline:
    """A new, unfitted baseline for ``method`` (``"tabular"`` or ``"tsfresh"``; kwargs go to the constructor).

    The tsfresh-only keywords are dropped for the tabular method, so one set of settings serves both.
    """
    klass = _CLASSES_BY_METHOD.get(method)
    if klass is None:
        raise ExomesaError(
            f"unknown baseline method {method!r}; choose one of {', '.join(_CLASSES_BY_METHOD)}."
        )
    if klass is TabularLightGBM:
        for key in ("tsfresh_preset", "global_bins", "tsfresh_n_jobs", "cache_dir"):
            kwargs.pop(key, None)
    return klass(**kwargs)


def load_baseline(path: Path | str) -> LightGBMBaseline:
    """Load a baseline model file of either method."""
    return LightGBMBaseline.load(path)
