"""Feature groups, presets and the train-only tabular preprocessor (numpy/pandas only).

Groups (what each MESA encoder reads):

* ``planet`` — transit and orbit fit: period, depth, radius, duration, impact, Rp/R*, a/R*, fitted stellar
  density, equilibrium temperature, insolation, semi-major axis, inclination.
* ``stellar`` — host star: effective temperature, log g, metallicity, radius, mass, magnitudes.
* ``diagnostics`` — pipeline statistics that are *not* labels: SNR, single/multiple event statistics, number
  of transits, planet count, odd–even depth significance, centroid offsets and their significances, plus a
  few derived consistency checks (see :data:`DERIVED_FEATURES`).

Presets: ``seed`` (the original five: period, depth, planet radius / stellar temperature, stellar radius) and
``full`` (every non-leaky, informative numeric DR25 column in its group, plus the derived ones).

Left out of ``full`` on purpose: the vetting outcome and its proxies (see :mod:`exomesa.data.catalog`'s leak
guard); every ``*_err`` uncertainty of the planet and stellar fits (stellar uncertainties reveal which stars
got spectroscopic follow-up, and the planet ones inherit them); identifiers and positions (``kepid``,
``rowid``, ``ra``, ``dec``, ``koi_fwm_sra``/``sdec``); epochs (``koi_time0bk``); columns that are empty or
constant in DR25 (eccentricity, ingress, stellar age, model χ², ...). Centroid-offset uncertainties stay in
``diagnostics``: they set the significance of an offset, the main test for background eclipsing binaries.

The :class:`TabularPreprocessor` maps each feature through its training-split quantiles onto a standard
normal (robust to the heavy tails of period, depth, SNR, ...), sets missing values to 0 and appends one
missing-indicator column per feature. It is fitted on the training split only and its state is a JSON-able
dict stored in the checkpoint.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy.special import ndtri

from exomesa.data.catalog import check_no_leak
from exomesa.errors import ExomesaError

__all__ = [
    "COLUMN_INFO",
    "DERIVED_FEATURES",
    "FEATURE_GROUPS",
    "PRESETS",
    "add_derived_features",
    "resolve_feature_set",
    "required_columns",
    "feature_columns",
    "TabularPreprocessor",
]

logger = logging.getLogger(__name__)

#: column → (unit, meaning). Units as in the NASA Exoplanet Archive KOI table.
COLUMN_INFO: dict[str, tuple[str, str]] = {
    # planet
    "koi_period": ("days", "orbital period"),
    "koi_depth": ("ppm", "transit depth"),
    "koi_prad": ("Earth radii", "planet radius"),
    "koi_duration": ("hours", "transit duration (first to last contact)"),
    "koi_impact": ("", "impact parameter b of the transit fit"),
    "koi_ror": ("", "planet-to-star radius ratio Rp/R*"),
    "koi_dor": ("", "scaled semi-major axis a/R* from the transit fit"),
    "koi_srho": ("g/cm^3", "stellar density implied by the transit fit"),
    "koi_teq": ("K", "planet equilibrium temperature"),
    "koi_insol": ("Earth flux", "insolation flux"),
    "koi_sma": ("au", "orbital semi-major axis"),
    "koi_incl": ("deg", "orbital inclination"),
    # stellar
    "koi_steff": ("K", "stellar effective temperature"),
    "koi_slogg": ("log10(cm/s^2)", "stellar surface gravity"),
    "koi_smet": ("dex", "stellar metallicity [Fe/H]"),
    "koi_srad": ("solar radii", "stellar radius"),
    "koi_smass": ("solar masses", "stellar mass"),
    "koi_kepmag": ("mag", "Kepler-band magnitude"),
    "koi_gmag": ("mag", "SDSS g magnitude"),
    "koi_rmag": ("mag", "SDSS r magnitude"),
    "koi_imag": ("mag", "SDSS i magnitude"),
    "koi_zmag": ("mag", "SDSS z magnitude"),
    "koi_jmag": ("mag", "2MASS J magnitude"),
    "koi_hmag": ("mag", "2MASS H magnitude"),
    "koi_kmag": ("mag", "2MASS K magnitude"),
    # diagnostics
    "koi_model_snr": ("", "transit signal-to-noise ratio of the model fit"),
    "koi_max_sngle_ev": ("sigma", "maximum single event statistic"),
    "koi_max_mult_ev": ("sigma", "maximum multiple event statistic (MES)"),
    "koi_num_transits": ("", "number of transits observed"),
    "koi_count": ("", "number of KOIs in the system"),
    "koi_tce_plnt_num": ("", "TCE planet number in the system"),
    "koi_bin_oedp_sig": ("", "odd-even depth comparison statistic"),
    "koi_fwm_stat_sig": ("percent", "flux-weighted centroid motion significance"),
    "koi_fwm_srao": ("arcsec", "flux-weighted centroid source RA offset"),
    "koi_fwm_srao_err": ("arcsec", "uncertainty of koi_fwm_srao"),
    "koi_fwm_sdeco": ("arcsec", "flux-weighted centroid source Dec offset"),
    "koi_fwm_sdeco_err": ("arcsec", "uncertainty of koi_fwm_sdeco"),
    "koi_fwm_prao": ("arcsec", "PRF-fitted out-of-transit RA offset"),
    "koi_fwm_prao_err": ("arcsec", "uncertainty of koi_fwm_prao"),
    "koi_fwm_pdeco": ("arcsec", "PRF-fitted out-of-transit Dec offset"),
    "koi_fwm_pdeco_err": ("arcsec", "uncertainty of koi_fwm_pdeco"),
    "koi_dicco_mra": ("arcsec", "difference-image centroid RA offset vs OOT (multi-quarter)"),
    "koi_dicco_mra_err": ("arcsec", "uncertainty of koi_dicco_mra"),
    "koi_dicco_mdec": ("arcsec", "difference-image centroid Dec offset vs OOT"),
    "koi_dicco_mdec_err": ("arcsec", "uncertainty of koi_dicco_mdec"),
    "koi_dicco_msky": ("arcsec", "difference-image centroid sky offset vs OOT"),
    "koi_dicco_msky_err": ("arcsec", "uncertainty of koi_dicco_msky"),
    "koi_dikco_mra": ("arcsec", "difference-image centroid RA offset vs KIC position"),
    "koi_dikco_mra_err": ("arcsec", "uncertainty of koi_dikco_mra"),
    "koi_dikco_mdec": ("arcsec", "difference-image centroid Dec offset vs KIC position"),
    "koi_dikco_mdec_err": ("arcsec", "uncertainty of koi_dikco_mdec"),
    "koi_dikco_msky": ("arcsec", "difference-image centroid sky offset vs KIC position"),
    "koi_dikco_msky_err": ("arcsec", "uncertainty of koi_dikco_msky"),
}

#: Derived features: name → (unit, meaning, source columns). Computed by :func:`add_derived_features`.
DERIVED_FEATURES: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "n_quarters": ("", "number of Kepler quarters searched (ones in koi_quarters)", ("koi_quarters",)),
    "dikco_msky_sig": (
        "sigma",
        "koi_dikco_msky / koi_dikco_msky_err",
        ("koi_dikco_msky", "koi_dikco_msky_err"),
    ),
    "dicco_msky_sig": (
        "sigma",
        "koi_dicco_msky / koi_dicco_msky_err",
        ("koi_dicco_msky", "koi_dicco_msky_err"),
    ),
    "fwm_offset_sig": (
        "sigma",
        "hypot of the flux-weighted source offsets over their errors",
        ("koi_fwm_srao", "koi_fwm_srao_err", "koi_fwm_sdeco", "koi_fwm_sdeco_err"),
    ),
    "log_rho_ratio": (
        "dex",
        "log10 of fitted stellar density koi_srho over the catalog density 1.41*M/R^3",
        ("koi_srho", "koi_smass", "koi_srad"),
    ),
    "log_duration_ratio": (
        "dex",
        "log10 of koi_duration over the central-transit duration expected for a circular orbit of that star",
        ("koi_duration", "koi_period", "koi_smass", "koi_srad"),
    ),
    "log_depth_ror_ratio": ("dex", "log10 of depth over (Rp/R*)^2", ("koi_depth", "koi_ror")),
    "ses_mes_ratio": (
        "",
        "max single / max multiple event statistic",
        ("koi_max_sngle_ev", "koi_max_mult_ev"),
    ),
    "snr_per_transit": ("", "koi_model_snr / sqrt(koi_num_transits)", ("koi_model_snr", "koi_num_transits")),
    "mes_snr_ratio": ("", "koi_max_mult_ev / koi_model_snr", ("koi_max_mult_ev", "koi_model_snr")),
}

FEATURE_GROUPS: dict[str, list[str]] = {
    "planet": [
        "koi_period",
        "koi_depth",
        "koi_prad",
        "koi_duration",
        "koi_impact",
        "koi_ror",
        "koi_dor",
        "koi_srho",
        "koi_teq",
        "koi_insol",
        "koi_sma",
        "koi_incl",
    ],
    "stellar": [
        "koi_steff",
        "koi_slogg",
        "koi_smet",
        "koi_srad",
        "koi_smass",
        "koi_kepmag",
        "koi_gmag",
        "koi_rmag",
        "koi_imag",
        "koi_zmag",
        "koi_jmag",
        "koi_hmag",
        "koi_kmag",
    ],
    "diagnostics": [
        c
        for c in COLUMN_INFO
        if c.startswith(
            (
                "koi_model",
                "koi_max",
                "koi_num",
                "koi_count",
                "koi_tce",
                "koi_bin",
                "koi_fwm",
                "koi_dicco",
                "koi_dikco",
            )
        )
    ]
    + list(DERIVED_FEATURES),
}

PRESETS: dict[str, dict[str, list[str]]] = {
    "seed": {"planet": ["koi_period", "koi_depth", "koi_prad"], "stellar": ["koi_steff", "koi_srad"]},
    "full": FEATURE_GROUPS,
}

_VALID_GROUPS = ("planet", "stellar", "diagnostics")


def resolve_feature_set(spec: str | Mapping[str, list[str]]) -> dict[str, list[str]]:
    """A preset name (``"seed"``/``"full"``) or a ``{group: [columns]}`` mapping → validated feature set.

    Raises:
        ExomesaError: unknown preset/group, an empty set, a duplicated column, or a leaky column.
    """
    if isinstance(spec, str):
        key = spec.strip().lower()
        if key not in PRESETS:
            raise ExomesaError(f"unknown feature preset {spec!r}; choose one of {sorted(PRESETS)}.")
        spec = PRESETS[key]
    out: dict[str, list[str]] = {}
    for group, cols in spec.items():
        if group not in _VALID_GROUPS:
            raise ExomesaError(f"unknown feature group {group!r}; groups are {list(_VALID_GROUPS)}.")
        cols = [str(c).strip().lower() for c in cols]
        if cols:
            out[group] = cols
    if "planet" not in out and "stellar" not in out:
        raise ExomesaError("a feature set needs at least one planet or stellar column.")
    flat = [c for cols in out.values() for c in cols]
    check_no_leak(flat)
    dup = sorted({c for c in flat if flat.count(c) > 1})
    if dup:
        raise ExomesaError(f"feature column(s) {dup} appear in more than one group; list each once.")
    return out


def feature_columns(feature_set: Mapping[str, list[str]]) -> list[str]:
    """All feature names of a feature set, group by group."""
    return [c for cols in feature_set.values() for c in cols]


def required_columns(feature_set: Mapping[str, list[str]]) -> list[str]:
    """The catalog columns a feature set reads (derived features expanded into their sources)."""
    cols: list[str] = []
    for name in feature_columns(feature_set):
        sources = DERIVED_FEATURES[name][2] if name in DERIVED_FEATURES else (name,)
        cols.extend(c for c in sources if c not in cols)
    return cols


def _ratio(a: pd.Series, b: pd.Series) -> np.ndarray:
    a = a.to_numpy(dtype=float)
    b = b.to_numpy(dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = a / b
    r[~np.isfinite(r)] = np.nan
    return r


def _log10_pos(x: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.log10(np.where(x > 0, x, np.nan))
    return out


def add_derived_features(df: pd.DataFrame) -> pd.DataFrame:
    """Return ``df`` with the :data:`DERIVED_FEATURES` columns added where their sources exist.

    Undefined values (division by zero, non-positive logs) become NaN and are handled as missing.
    """
    out = df.copy()
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        _add_derived_inplace(out)
    for name in DERIVED_FEATURES:
        if name in out.columns:
            values = out[name].to_numpy(dtype=float)
            out[name] = np.where(np.isfinite(values), values, np.nan)
    return out


def _add_derived_inplace(out: pd.DataFrame) -> None:
    def has(*cols: str) -> bool:
        return all(c in out.columns for c in cols)

    if has("koi_quarters"):
        q = out["koi_quarters"].astype("string")
        out["n_quarters"] = q.str.count("1").astype(float).where(q.notna(), np.nan)
    if has("koi_dikco_msky", "koi_dikco_msky_err"):
        out["dikco_msky_sig"] = _ratio(out["koi_dikco_msky"], out["koi_dikco_msky_err"])
    if has("koi_dicco_msky", "koi_dicco_msky_err"):
        out["dicco_msky_sig"] = _ratio(out["koi_dicco_msky"], out["koi_dicco_msky_err"])
    if has("koi_fwm_srao", "koi_fwm_srao_err", "koi_fwm_sdeco", "koi_fwm_sdeco_err"):
        out["fwm_offset_sig"] = np.hypot(
            _ratio(out["koi_fwm_srao"], out["koi_fwm_srao_err"]),
            _ratio(out["koi_fwm_sdeco"], out["koi_fwm_sdeco_err"]),
        )
    rho_star = None
    if has("koi_smass", "koi_srad"):
        rho_star = 1.41 * _ratio(out["koi_smass"], out["koi_srad"] ** 3)  # g/cm^3 (solar density 1.41)
    if rho_star is not None and has("koi_srho"):
        out["log_rho_ratio"] = _log10_pos(out["koi_srho"].to_numpy(dtype=float) / rho_star)
    if rho_star is not None and has("koi_duration", "koi_period"):
        # Central transit of a circular orbit: T ≈ 13 h (P / 1 yr)^(1/3) (rho*/rho_sun)^(-1/3).
        expected = (
            13.0
            * (out["koi_period"].to_numpy(dtype=float) / 365.25) ** (1 / 3)
            * (rho_star / 1.41) ** (-1 / 3)
        )
        out["log_duration_ratio"] = _log10_pos(out["koi_duration"].to_numpy(dtype=float) / expected)
    if has("koi_depth", "koi_ror"):
        out["log_depth_ror_ratio"] = _log10_pos(
            out["koi_depth"].to_numpy(dtype=float) * 1e-6 / out["koi_ror"].to_numpy(dtype=float) ** 2
        )
    if has("koi_max_sngle_ev", "koi_max_mult_ev"):
        out["ses_mes_ratio"] = _ratio(out["koi_max_sngle_ev"], out["koi_max_mult_ev"])
    if has("koi_model_snr", "koi_num_transits"):
        out["snr_per_transit"] = _ratio(out["koi_model_snr"], np.sqrt(out["koi_num_transits"].astype(float)))
    if has("koi_max_mult_ev", "koi_model_snr"):
        out["mes_snr_ratio"] = _ratio(out["koi_max_mult_ev"], out["koi_model_snr"])


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
        missing = [c for c in required_columns(feature_set) if c not in df.columns]
        if missing:
            raise ExomesaError(
                f"the data lack column(s) {missing} needed by the feature set; use a table with those "
                "columns (e.g. a NASA archive KOI export or `exomesa data prepare` output) or choose "
                "`--features seed`."
            )
        return add_derived_features(df)

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
