"""Derived consistency checks (:data:`~exomesa.features.groups.DERIVED_FEATURES`) computed from catalog columns:
centroid-offset significances, fitted vs catalog stellar density, expected vs observed duration, ..."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from exomesa.features.groups import DERIVED_FEATURES

__all__ = ["add_derived_features"]


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


def add_derived_features(
    df: pd.DataFrame, feature_set: Mapping[str, list[str]] | None = None
) -> pd.DataFrame:
    """Return ``df`` with the :data:`DERIVED_FEATURES` columns added where their sources exist.

    Undefined values (division by zero, non-positive logs) become NaN and are handled as missing. The
    ``ephemeris`` group (matching against the whole catalog, about a second) is computed only when
    ``feature_set`` is None or has that group.
    """
    out = df.copy()
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        _add_derived_inplace(out, feature_set is None or "ephemeris" in feature_set)
    for name in DERIVED_FEATURES:
        if name in out.columns:
            values = out[name].to_numpy(dtype=float)
            out[name] = np.where(np.isfinite(values), values, np.nan)
    return out


def _add_derived_inplace(out: pd.DataFrame, ephemeris: bool = True) -> None:
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
    # the optional ephemeris group: matches of each row's ephemeris against the catalog context (never a label)
    from exomesa.features.ephemeris_group import ephemeris_feature_frame

    eph = ephemeris_feature_frame(out) if ephemeris else None
    if eph is not None:
        for col in eph.columns:
            out[col] = eph[col].to_numpy(dtype=float)
    if has("kepid"):  # the optional gaia group; the table is read once per process (~0.3 s)
        from exomesa.features.gaia import add_gaia_columns

        add_gaia_columns(out)
