"""tsfresh features of the light-curve views, with an on-disk cache per light curve.

The features are extracted from the *same* views MESA uses (after Malik et al. 2022, MNRAS 513, 5505): the
201-bin local view and the 2001-bin global view averaged down to :data:`GLOBAL_DOWNSAMPLE_BINS` bins.

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

tsfresh is an optional dependency (the ``baseline`` extra): it is imported through
:func:`exomesa.utils.import_optional` when features are extracted, so this module imports without it.

Example::

    from exomesa.baselines.tsfresh_features import extract_lightcurve_features
    feats = extract_lightcurve_features(views.global_view, views.local_view, "tiny")   # [N, 20]
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from exomesa import defaults
from exomesa.defaults import TSFRESH_N_JOBS, TSFRESH_PRESET
from exomesa.errors import ExomesaError
from exomesa.utils import import_optional

__all__ = [
    "GLOBAL_DOWNSAMPLE_BINS",
    "TSFRESH_N_JOBS",
    "TSFRESH_PRESETS",
    "downsample_view",
    "extract_lightcurve_features",
    "tsfresh_cache_dir",
    "tsfresh_parameters",
    "views_to_long",
]

logger = logging.getLogger(__name__)

#: The 2001-bin global view is averaged down to this many bins before tsfresh (cost and noise).
GLOBAL_DOWNSAMPLE_BINS = 201
#: tsfresh worker processes (0 = in-process; on 2 cores that is the fastest, see ``benchmarks/README.md``).
_CACHE_FORMAT_VERSION = 1
_PURPOSE = "the TSFresh + LightGBM baseline"


def _tsfresh() -> Any:
    """The tsfresh module, or one clear :class:`ExomesaError` naming the ``baseline`` extra."""
    return import_optional("tsfresh", _PURPOSE)


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


def tsfresh_parameters(preset: str | Mapping[str, Any]) -> dict[str, Any]:
    """The tsfresh ``default_fc_parameters`` dict for a preset name, or a copy of a given dict."""
    if isinstance(preset, Mapping):
        return json.loads(json.dumps(dict(preset)))
    if preset not in TSFRESH_PRESETS:
        raise ExomesaError(f"unknown tsfresh preset {preset!r}; choose one of {', '.join(TSFRESH_PRESETS)}.")
    if preset == "efficient":
        _tsfresh()  # optional dependency: imported only when this preset is asked for
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
    """``$EXOMESA_CACHE/tsfresh`` or ``~/.cache/exomesa/tsfresh`` (see :func:`exomesa.defaults.cache_dir`)."""
    return defaults.cache_dir() / "tsfresh"


def _row_keys(global_view: np.ndarray, local_view: np.ndarray) -> np.ndarray:
    g = np.ascontiguousarray(global_view, dtype=np.float32)
    loc = np.ascontiguousarray(local_view, dtype=np.float32)
    keys = [hashlib.sha256(g[i].tobytes() + loc[i].tobytes()).hexdigest() for i in range(g.shape[0])]
    return np.asarray(keys, dtype="<U64")


def _settings_key(fc_parameters: Mapping[str, Any], global_bins: int) -> str:
    blob = json.dumps(
        {
            "fc": fc_parameters,
            "global_bins": global_bins,
            "tsfresh": _tsfresh().__version__,
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
    extract_features = _tsfresh().extract_features
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
    preset: str | Mapping[str, Any] = TSFRESH_PRESET,
    *,
    global_bins: int = GLOBAL_DOWNSAMPLE_BINS,
    n_jobs: int = TSFRESH_N_JOBS,
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
    _tsfresh()  # a missing extra fails here, in one line, before any work
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
