"""Gradient-boosted baselines with the :class:`exomesa.mesa.classifier.MesaClassifier` interface.

Two methods, trained and evaluated on exactly the data MESA sees:

* :class:`TabularLightGBM` — a LightGBM classifier on the raw tabular columns of a feature preset
  (``seed`` or ``full``, resolved with :func:`exomesa.features.groups.resolve_feature_set`).
* :class:`TsfreshLightGBM` — the same, joined with ``tsfresh`` time-series features extracted from the *same*
  light-curve views MESA uses (after Malik et al. 2022, MNRAS 513, 5505): the 201-bin local view and the
  2001-bin global view averaged down to :data:`GLOBAL_DOWNSAMPLE_BINS` bins.

Both are a scikit-learn ``Pipeline(SimpleImputer(strategy="median"), LGBMClassifier)``. A fitted model saves
to one JSON file (the booster as LightGBM's text model string, feature names, imputer medians, class order,
tsfresh settings, versions) — no pickle, so loading a model file from a stranger runs no code.

tsfresh presets (:data:`TSFRESH_PRESETS`):

* ``"transit"`` (default) — 38 calculators, 90 features per view (180 per KOI), a curated subset of tsfresh's
  ``EfficientFCParameters``: location/scale, quantiles, shape (skewness, kurtosis, index-mass quantiles,
  first/last location of the extrema, run lengths below/above the mean), smoothness (``cid_ce``, mean absolute
  change, second derivative), symmetry (``c3``, time-reversal asymmetry, ``symmetry_looking``), spectral
  (10 FFT amplitudes, aggregated FFT and autocorrelation) and energy per chunk — the statistics that describe
  a folded transit's depth, width, shape, asymmetry and out-of-transit noise. Left out are the calculators
  that cost most per series on 201 bins (``change_quantiles``, ``agg_linear_trend``, ``number_cwt_peaks``,
  ``augmented_dickey_fuller``, Friedrich/Langevin, entropies, ``ar_coefficient``, ``spkt_welch_density``,
  ``large_standard_deviation``, ``linear_trend``, lagged autocorrelations) — the full efficient set would take
  ~45 min over the 8,054 DR25 KOIs on 2 cores, this one 4.3 min on 2 busy shared cores (n_jobs=0; see
  ``benchmarks/README.md``).
* ``"tiny"`` — 10 features per view for tests and ``exomesa benchmark --quick``.
* ``"efficient"`` — tsfresh's whole ``EfficientFCParameters`` (slow; for completeness).

Extracted features are cached on disk per light curve: the key of a row is the SHA-256 of its two views'
bytes, the cache file is named by a SHA-256 of the preset's calculator settings, the downsampling and the
tsfresh version. A second fit or prediction over the same views (also any subset, e.g. a CV fold) reads them
back instead of recomputing.

Example::

    from exomesa.baselines.lightgbm import TsfreshLightGBM, load_baseline
    clf = TsfreshLightGBM(features="full").fit(train_df, views=train_views)
    proba = clf.predict_proba(test_df, views=test_views)      # [N, 3] in CLASSES order
    clf.save("output/baseline_tsfresh.json")
    clf = load_baseline("output/baseline_tsfresh.json")
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from exomesa.errors import ExomesaError

__all__ = [
    "BASELINE_FORMAT",
    "BASELINE_FORMAT_VERSION",
    "GLOBAL_DOWNSAMPLE_BINS",
    "METHODS",
    "TSFRESH_PRESETS",
    "LightGBMBaseline",
    "TabularLightGBM",
    "TsfreshLightGBM",
    "tsfresh_cache_dir",
    "downsample_view",
    "extract_lightcurve_features",
    "load_baseline",
    "make_baseline",
    "tsfresh_parameters",
    "views_to_long",
]

logger = logging.getLogger(__name__)

BASELINE_FORMAT = "exomesa-baseline"
BASELINE_FORMAT_VERSION = 1
#: The 2001-bin global view is averaged down to this many bins before tsfresh (cost and noise).
GLOBAL_DOWNSAMPLE_BINS = 201
_CACHE_FORMAT_VERSION = 1

# ----------------------------------------------------------------------------------------- tsfresh presets
_TINY: dict[str, Any] = {
    "minimum": None,
    "maximum": None,
    "mean": None,
    "median": None,
    "standard_deviation": None,
    "skewness": None,
    "kurtosis": None,
    "abs_energy": None,
    "quantile": [{"q": 0.05}, {"q": 0.95}],
}

_TRANSIT: dict[str, Any] = {
    # location and scale
    "minimum": None,
    "maximum": None,
    "mean": None,
    "median": None,
    "standard_deviation": None,
    "variance": None,
    "root_mean_square": None,
    "abs_energy": None,
    "sum_values": None,
    "absolute_maximum": None,
    "quantile": [{"q": q} for q in (0.01, 0.05, 0.1, 0.25, 0.75, 0.9, 0.95, 0.99)],
    # shape of the dip
    "skewness": None,
    "kurtosis": None,
    "index_mass_quantile": [{"q": q} for q in (0.1, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.9)],
    "first_location_of_minimum": None,
    "last_location_of_minimum": None,
    "first_location_of_maximum": None,
    "last_location_of_maximum": None,
    "count_below_mean": None,
    "count_above_mean": None,
    "longest_strike_below_mean": None,
    "longest_strike_above_mean": None,
    "ratio_beyond_r_sigma": [{"r": r} for r in (1, 2, 3)],
    "energy_ratio_by_chunks": [{"num_segments": 10, "segment_focus": i} for i in range(10)],
    # smoothness and noise
    "cid_ce": [{"normalize": True}, {"normalize": False}],
    "mean_abs_change": None,
    "absolute_sum_of_changes": None,
    "mean_second_derivative_central": None,
    "number_peaks": [{"n": 3}, {"n": 10}],
    "number_crossing_m": [{"m": 0}],
    "binned_entropy": [{"max_bins": 10}],
    # symmetry (secondary eclipses, odd shapes)
    "time_reversal_asymmetry_statistic": [{"lag": lag} for lag in (1, 2, 3)],
    "c3": [{"lag": lag} for lag in (1, 2, 3)],
    "symmetry_looking": [{"r": r} for r in (0.05, 0.1, 0.2, 0.3)],
    # spectral / correlation structure
    "fft_coefficient": [{"coeff": k, "attr": "abs"} for k in range(10)],
    "fft_aggregated": [{"aggtype": a} for a in ("centroid", "variance", "skew", "kurtosis")],
    "agg_autocorrelation": [{"f_agg": f, "maxlag": 40} for f in ("mean", "median", "var")],
    "partial_autocorrelation": [{"lag": lag} for lag in range(1, 6)],
}

#: Named tsfresh calculator settings; ``"efficient"`` is resolved from tsfresh at use.
TSFRESH_PRESETS: dict[str, dict[str, Any] | None] = {"transit": _TRANSIT, "tiny": _TINY, "efficient": None}

#: Method name → class, for the CLI and the benchmark.
METHODS: tuple[str, ...] = ("tabular", "tsfresh")


def tsfresh_parameters(preset: str | Mapping[str, Any]) -> dict[str, Any]:
    """The tsfresh ``default_fc_parameters`` dict for a preset name, or a copy of a given dict."""
    if isinstance(preset, Mapping):
        return json.loads(json.dumps(dict(preset)))
    if preset not in TSFRESH_PRESETS:
        raise ExomesaError(f"unknown tsfresh preset {preset!r}; choose one of {', '.join(TSFRESH_PRESETS)}.")
    if preset == "efficient":
        from tsfresh.feature_extraction import EfficientFCParameters

        return json.loads(json.dumps(dict(EfficientFCParameters())))
    return json.loads(json.dumps(TSFRESH_PRESETS[preset]))


# ------------------------------------------------------------------------------------ views -> features
def downsample_view(view: np.ndarray, n_bins: int) -> np.ndarray:
    """Average ``view`` [N, L] into ``n_bins`` near-equal consecutive chunks → [N, n_bins] float64.

    Non-finite values are ignored in each chunk's mean (a chunk with none finite becomes 0, the
    out-of-transit level).
    """
    view = np.asarray(view, dtype=np.float64)
    if view.ndim != 2:
        raise ExomesaError(f"expected a 2-D array of views [N, L], got shape {view.shape}.")
    n, length = view.shape
    if n_bins >= length:
        return np.nan_to_num(view, nan=0.0, posinf=0.0, neginf=0.0)
    edges = np.linspace(0, length, n_bins + 1).round().astype(np.int64)
    finite = np.isfinite(view)
    sums = np.add.reduceat(np.where(finite, view, 0.0), edges[:-1], axis=1)
    counts = np.add.reduceat(finite.astype(np.float64), edges[:-1], axis=1)
    return np.divide(sums, counts, out=np.zeros_like(sums), where=counts > 0)


def views_to_long(
    global_view: np.ndarray, local_view: np.ndarray, global_bins: int = GLOBAL_DOWNSAMPLE_BINS
) -> pd.DataFrame:
    """tsfresh's long format: one row per (KOI, view kind, bin), built with NumPy.

    Args:
        global_view: [N, 2001] relative flux − 1 (averaged down to ``global_bins`` bins here).
        local_view: [N, 201] relative flux − 1.

    Returns:
        DataFrame with columns ``id`` (row 0..N-1), ``kind`` (``"global"``/``"local"``), ``time`` (bin index)
        and ``value`` (float64); N·(global_bins + 201) rows.
    """
    parts = {
        "global": downsample_view(global_view, global_bins),
        "local": downsample_view(local_view, np.asarray(local_view).shape[1]),
    }
    frames = []
    for kind, arr in parts.items():
        n, length = arr.shape
        frames.append(
            pd.DataFrame(
                {
                    "id": np.repeat(np.arange(n, dtype=np.int64), length),
                    "kind": np.full(n * length, kind),
                    "time": np.tile(np.arange(length, dtype=np.int64), n),
                    "value": arr.ravel(),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def tsfresh_cache_dir() -> Path:
    """``$EXOMESA_CACHE/tsfresh`` or ``~/.cache/exomesa/tsfresh``."""
    from exomesa.defaults import cache_dir

    return cache_dir() / "tsfresh"


def _row_keys(global_view: np.ndarray, local_view: np.ndarray) -> np.ndarray:
    g = np.ascontiguousarray(global_view, dtype=np.float32)
    loc = np.ascontiguousarray(local_view, dtype=np.float32)
    keys = [hashlib.sha256(g[i].tobytes() + loc[i].tobytes()).hexdigest() for i in range(g.shape[0])]
    return np.asarray(keys, dtype="<U64")


def _settings_key(fc_parameters: Mapping[str, Any], global_bins: int) -> str:
    import tsfresh

    blob = json.dumps(
        {
            "fc": fc_parameters,
            "global_bins": global_bins,
            "tsfresh": tsfresh.__version__,
            "cache_format": _CACHE_FORMAT_VERSION,
        },
        sort_keys=True,
    )
    return hashlib.sha256(blob.encode()).hexdigest()[:20]


def _read_cache(path: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    if not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            return data["row_key"].astype(str), data["names"].astype(str), data["values"].astype(np.float64)
    except Exception as exc:  # a corrupt cache is rebuilt, never fatal
        logger.warning("ignoring unreadable tsfresh feature cache %s (%s)", path, exc)
        return None


def _write_cache(path: Path, keys: np.ndarray, names: np.ndarray, values: np.ndarray) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
    np.savez(tmp, row_key=keys.astype("<U64"), names=names.astype(str), values=values.astype(np.float64))
    os.replace(tmp, path)


def _extract(
    global_view: np.ndarray, local_view: np.ndarray, fc: dict, global_bins: int, n_jobs: int
) -> pd.DataFrame:
    from tsfresh import extract_features

    long = views_to_long(global_view, local_view, global_bins)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        feats = extract_features(
            long,
            column_id="id",
            column_kind="kind",
            column_sort="time",
            column_value="value",
            default_fc_parameters=fc,
            n_jobs=n_jobs,
            disable_progressbar=True,
        )
    feats = feats.reindex(np.arange(global_view.shape[0]))
    feats = feats.reindex(sorted(feats.columns), axis=1)
    return feats.replace([np.inf, -np.inf], np.nan)


def extract_lightcurve_features(
    global_view: np.ndarray,
    local_view: np.ndarray,
    preset: str | Mapping[str, Any] = "transit",
    *,
    global_bins: int = GLOBAL_DOWNSAMPLE_BINS,
    n_jobs: int = 0,
    cache_dir: Path | str | None = None,
    chunk_size: int = 2000,
) -> pd.DataFrame:
    """tsfresh features of each KOI's two views, cached per light curve.

    Args:
        global_view: [N, 2001] float, relative flux − 1.
        local_view: [N, 201] float, relative flux − 1.
        preset: a :data:`TSFRESH_PRESETS` name or a tsfresh ``default_fc_parameters`` dict.
        global_bins: bins the global view is averaged down to before extraction.
        n_jobs: tsfresh worker processes (0 = in-process; on 2 cores that is the fastest, see the README).
        cache_dir: folder of the feature cache, or ``None`` for no cache.
        chunk_size: rows extracted per tsfresh call (the cache is saved after each chunk).

    Returns:
        DataFrame [N, F] (float64, ``inf`` → NaN), columns ``"<global|local>__<calculator>__<params>"`` sorted,
        index 0..N-1 in input order.
    """
    global_view = np.asarray(global_view)
    local_view = np.asarray(local_view)
    if global_view.ndim != 2 or local_view.ndim != 2 or global_view.shape[0] != local_view.shape[0]:
        raise ExomesaError(
            f"global/local views must be 2-D with the same number of rows; got {global_view.shape} and "
            f"{local_view.shape}."
        )
    fc = tsfresh_parameters(preset)
    n = global_view.shape[0]
    if n == 0:
        raise ExomesaError("no light curves to extract tsfresh features from (0 rows).")
    keys = _row_keys(global_view, local_view)

    cache_path = None
    cached: dict[str, np.ndarray] = {}
    names: np.ndarray | None = None
    if cache_dir is not None:
        cache_path = Path(cache_dir) / f"tsfresh-{_settings_key(fc, global_bins)}.npz"
        got = _read_cache(cache_path)
        if got is not None:
            c_keys, names, c_values = got
            cached = dict(zip(c_keys.tolist(), c_values, strict=True))

    todo_keys = [k for k in dict.fromkeys(keys.tolist()) if k not in cached]
    if todo_keys:
        first_row = {}
        for i, k in enumerate(keys.tolist()):
            first_row.setdefault(k, i)
        rows = np.asarray([first_row[k] for k in todo_keys], dtype=np.int64)
        logger.info(
            "extracting tsfresh features for %d light curves (%d of %d cached)", rows.size, n - rows.size, n
        )
        t0 = time.perf_counter()
        for start in range(0, rows.size, chunk_size):
            part = rows[start : start + chunk_size]
            feats = _extract(global_view[part], local_view[part], fc, global_bins, n_jobs)
            if names is None:
                names = feats.columns.to_numpy(dtype=str)
            feats = feats.reindex(columns=names)
            for k, values in zip(keys[part].tolist(), feats.to_numpy(np.float64), strict=True):
                cached[k] = values
            if cache_path is not None:
                all_keys = np.asarray(list(cached), dtype="<U64")
                _write_cache(cache_path, all_keys, names, np.stack([cached[k] for k in all_keys.tolist()]))
            logger.info(
                "  tsfresh: %d/%d light curves (%.1f s)",
                min(start + chunk_size, rows.size),
                rows.size,
                time.perf_counter() - t0,
            )
    else:
        logger.info("tsfresh features for %d light curves read from the cache %s", n, cache_path)
    values = np.stack([cached[k] for k in keys.tolist()])
    return pd.DataFrame(values, columns=list(names), index=np.arange(n))


# ------------------------------------------------------------------------------------------- classifiers
class LightGBMBaseline:
    """Median imputation + LightGBM on tabular columns (and, in subclasses, light-curve features).

    scikit-learn conventions: ``__init__`` stores parameters only, ``fit`` returns ``self``, learned attributes
    end in ``_``. ``classes_`` is ``np.array(CLASSES)`` and ``predict_proba`` columns follow it.

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

    def __init__(
        self,
        features: str | Mapping[str, Sequence[str]] = "full",
        *,
        n_estimators: int = 300,
        learning_rate: float = 0.05,
        num_leaves: int = 31,
        min_child_samples: int = 20,
        seed: int = 42,
        n_jobs: int = 2,
    ) -> None:
        self.features = features
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.seed = seed
        self.n_jobs = n_jobs

    # -- parameters ----------------------------------------------------------------------------------------
    def get_params(self) -> dict[str, Any]:
        """Constructor parameters (JSON-able)."""
        return {
            "features": self.features if isinstance(self.features, str) else dict(self.features),
            "n_estimators": self.n_estimators,
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_child_samples": self.min_child_samples,
            "seed": self.seed,
            "n_jobs": self.n_jobs,
        }

    def _lgbm(self):
        from lightgbm import LGBMClassifier

        return LGBMClassifier(
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
        from exomesa.features import add_derived_features, required_columns

        missing = [c for c in required_columns(self.feature_set_) if c not in df.columns]
        if missing:
            shown = ", ".join(missing[:6]) + (" ..." if len(missing) > 6 else "")
            raise ExomesaError(
                f"the input table lacks {len(missing)} column(s) needed by this model's features: {shown}. "
                "Use a table with those columns (e.g. a NASA archive KOI export or `exomesa data prepare` "
                "output) or train with --features seed."
            )
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
        from sklearn.impute import SimpleImputer
        from sklearn.pipeline import Pipeline

        from exomesa.data import CLASSES, LABEL, labels_to_index
        from exomesa.features import feature_columns, resolve_feature_set

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
    def _extra_state(self) -> dict[str, Any]:
        return {}

    def _set_extra_state(self, state: Mapping[str, Any]) -> None:
        return None

    def to_dict(self) -> dict[str, Any]:
        """The whole fitted model as a JSON-able dict (the booster as LightGBM's text model string)."""
        import lightgbm
        import sklearn

        from exomesa import __version__

        self._check_fitted()
        return {
            "format": BASELINE_FORMAT,
            "format_version": BASELINE_FORMAT_VERSION,
            "method": self.method,
            "exomesa_version": __version__,
            "lightgbm_version": lightgbm.__version__,
            "sklearn_version": sklearn.__version__,
            "params": self.get_params(),
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
        import lightgbm

        if not isinstance(state, Mapping) or state.get("format") != BASELINE_FORMAT:
            raise ExomesaError(
                f"{source} is not an exomesa baseline model file (no 'format': {BASELINE_FORMAT!r}); "
                "train one with `exomesa baseline train`."
            )
        if int(state.get("format_version", -1)) > BASELINE_FORMAT_VERSION:
            raise ExomesaError(
                f"{source} was written by a newer exomesa (baseline format {state.get('format_version')}); "
                "upgrade exomesa to read it."
            )
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
        path = Path(path)
        if not path.is_file():
            raise ExomesaError(
                f"baseline model file {path} does not exist; train one with `exomesa baseline train`."
            )
        try:
            with open(path, encoding="utf-8") as fh:
                state = json.load(fh)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ExomesaError(f"{path} is not a readable JSON baseline model ({exc}).") from exc
        return cls.from_dict(state, source=str(path))


class TabularLightGBM(LightGBMBaseline):
    """LightGBM on the tabular feature columns only (no light curves)."""

    method = "tabular"
    uses_lightcurves = False


class TsfreshLightGBM(LightGBMBaseline):
    """LightGBM on tabular columns joined with tsfresh features of the global and local views.

    Args (besides :class:`LightGBMBaseline`'s):
        tsfresh_preset: a :data:`TSFRESH_PRESETS` name (``"transit"`` default) or a tsfresh settings dict.
        global_bins: bins the 2001-bin global view is averaged down to before extraction.
        tsfresh_n_jobs: tsfresh worker processes (0 = in-process).
        cache_dir: feature cache folder, ``"auto"`` (:func:`tsfresh_cache_dir`) or ``None`` (no cache).
    """

    method = "tsfresh"
    uses_lightcurves = True

    def __init__(
        self,
        features: str | Mapping[str, Sequence[str]] = "full",
        *,
        tsfresh_preset: str | Mapping[str, Any] = "transit",
        global_bins: int = GLOBAL_DOWNSAMPLE_BINS,
        tsfresh_n_jobs: int = 0,
        cache_dir: Path | str | None = "auto",
        **kwargs: Any,
    ) -> None:
        super().__init__(features, **kwargs)
        self.tsfresh_preset = tsfresh_preset
        self.global_bins = global_bins
        self.tsfresh_n_jobs = tsfresh_n_jobs
        self.cache_dir = cache_dir

    def get_params(self) -> dict[str, Any]:
        params = super().get_params()
        params.update(
            tsfresh_preset=self.tsfresh_preset
            if isinstance(self.tsfresh_preset, str)
            else dict(self.tsfresh_preset),
            global_bins=self.global_bins,
            tsfresh_n_jobs=self.tsfresh_n_jobs,
        )
        return params

    def _extra_state(self) -> dict[str, Any]:
        import tsfresh

        return {"tsfresh_version": tsfresh.__version__, "fc_parameters": self.fc_parameters_}

    def _set_extra_state(self, state: Mapping[str, Any]) -> None:
        self.fc_parameters_ = state.get("fc_parameters") or tsfresh_parameters(self.tsfresh_preset)

    def _prepare_fit(self) -> None:
        self.fc_parameters_ = tsfresh_parameters(self.tsfresh_preset)

    def _lightcurve_features(self, df: pd.DataFrame, views: Any) -> pd.DataFrame:
        """tsfresh features [N, F] of the views aligned to ``df`` rows (rendered where ``views`` lacks a KOI)."""
        from exomesa.lightcurves import views_for_catalog

        aligned = views_for_catalog(df, views)
        cache = tsfresh_cache_dir() if self.cache_dir == "auto" else self.cache_dir
        feats = extract_lightcurve_features(
            aligned.global_view,
            aligned.local_view,
            self.fc_parameters_,
            global_bins=self.global_bins,
            n_jobs=self.tsfresh_n_jobs,
            cache_dir=cache,
        )
        return feats


_CLASSES_BY_METHOD: dict[str, type[LightGBMBaseline]] = {
    "tabular": TabularLightGBM,
    "tsfresh": TsfreshLightGBM,
}


def make_baseline(method: str, **kwargs: Any) -> LightGBMBaseline:
    """A new, unfitted baseline for ``method`` in :data:`METHODS` (kwargs go to the constructor)."""
    klass = _CLASSES_BY_METHOD.get(method)
    if klass is None:
        raise ExomesaError(f"unknown baseline method {method!r}; choose one of {', '.join(METHODS)}.")
    if klass is TabularLightGBM:
        for key in ("tsfresh_preset", "global_bins", "tsfresh_n_jobs", "cache_dir"):
            kwargs.pop(key, None)
    return klass(**kwargs)


def load_baseline(path: Path | str) -> LightGBMBaseline:
    """Load a baseline model file of either method."""
    return LightGBMBaseline.load(path)
