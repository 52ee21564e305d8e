"""Rendered views: a physical transit model from each KOI's own catalog parameters (no light curve needed).

For KOIs without a real light curve the model sees a *rendered* view: a Mandel & Agol transit (``batman``,
quadratic limb darkening, circular orbit) evaluated on the same global/local grids as real views
(:mod:`exomesa.lightcurves.views`), averaged over each bin and over the 29.4-min Kepler long cadence, plus
Gaussian noise at the level the catalog's signal-to-noise ratio implies. Values are relative flux − 1 with
the out-of-transit median at exactly 0 (a 6675 ppm transit bottoms out near −0.0067).

Only these columns are read (:data:`RENDER_COLUMNS`): ``candidate_id``, ``koi_period`` [days],
``koi_duration`` [hours], ``koi_depth`` [ppm], ``koi_impact``, ``koi_ror`` (Rp/R*), ``koi_dor`` (a/R*),
``koi_ldm_coeff1/2`` (u1, u2), ``koi_model_snr``, ``koi_num_transits`` and, for TESS TOIs, ``n_sectors`` and
``mission``. The label (``koi_disposition``) and
the other vetting columns are never touched.

Fallbacks (per KOI, also for NaN cells):

* limb darkening ``(u1, u2) = (0.40, 0.26)`` (a Sun-like star in the Kepler band);
* impact parameter ``b = 0.5``;
* ``Rp/R* = sqrt(depth / c(b, u))`` with ``c = I(mu) / <I>`` the limb-darkening contrast at the chord
  (so the rendered depth matches ``koi_depth``); no depth either → 1000 ppm;
* ``a/R*`` from the duration geometry of a circular orbit,
  ``a = sqrt(b² + ((1 + k)² − b²) / sin²(π T / P))``; a catalog ``koi_dor`` is used when it agrees with this
  within a factor 1.5 (DR25: all but 5 KOIs), so the rendered transit has the catalog duration;
* ``Rp/R* > 1.5`` (eclipsing binaries) is capped at 1.5 and ``b`` scaled by ``(1 + 1.5) / (1 + k)``, keeping
  the transit's grazing geometry; ``b`` is capped at ``0.98 (1 + k)``;
* no ``koi_num_transits`` → ``0.9 · 1426 d / P`` (the Q1–Q17 baseline at a 90 % duty cycle); TESS rows
  (``mission == "TESS"``) → ``0.9 · 27.4 d · n_sectors / P`` (at least 1): the transits the listed sectors
  allow, counted in 2-min SPOC cadences (30 per hour) instead of Kepler's 29.4-min ones. A TESS row without a period (a single-transit TOI) gets a flat view with that reason logged.

Noise (documented in docs/lightcurves.md): the per-point (29.4-min) scatter is

    sigma_point = depth · sqrt(N_in) / SNR,   N_in = num_transits · duration_h · 2.04

(``koi_model_snr``; no SNR → ``sigma_point = 300 ppm``, a typical Kp≈14–15 star), clipped to
``[10 ppm, 5 %]``. A view bin holding ``n`` points has ``sigma_bin = 1.2533 · sigma_point / sqrt(n)`` (the
factor is the efficiency loss of the median binning used for real views), with ``n = num_transits · P ·
48.98 / 2001`` for global and ``n = num_transits · 0.16 · duration_h · 2.04`` for local bins (0.16 durations
wide; at least 1).
The noise generator is seeded with ``zlib.crc32(candidate_id)``, so the same KOI always gets the same view.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from exomesa._version import __version__
from exomesa.data.schema import candidate_column
from exomesa.errors import ExomesaError
from exomesa.lightcurves.views import (
    GLOBAL_BINS,
    LOCAL_BIN_WIDTH_DURATIONS,
    LOCAL_BINS,
    ViewSet,
    global_bin_centres,
    local_bin_centres,
)

__all__ = [
    "RENDER_COLUMNS",
    "DEFAULT_LIMB_DARKENING",
    "render_views",
    "render_params",
    "koi_seed",
    "flat_reason",
    "catalog_names",
]

logger = logging.getLogger(__name__)

#: rendered-views cache files kept (newest first); each holds one call's views (~9 KB per KOI)
RENDER_CACHE_FILES = 8

RENDER_COLUMNS = (
    "candidate_id",
    "koi_period",
    "koi_duration",
    "koi_depth",
    "koi_impact",
    "koi_ror",
    "koi_dor",
    "koi_ldm_coeff1",
    "koi_ldm_coeff2",
    "koi_model_snr",
    "koi_num_transits",
    "n_sectors",
    "mission",
)
DEFAULT_LIMB_DARKENING = (0.40, 0.26)
DEFAULT_IMPACT = 0.5
DEFAULT_DEPTH_PPM = 1000.0
DEFAULT_SIGMA_POINT = 300e-6
MAX_ROR = 1.5
KEPLER_CADENCE_DAYS = 29.4244 / 1440.0
POINTS_PER_HOUR = 60.0 / 29.4244
POINTS_PER_DAY = 24.0 * POINTS_PER_HOUR
KEPLER_BASELINE_DAYS = 1426.0
TESS_SECTOR_DAYS = 27.4  # one TESS sector's span
TESS_POINTS_PER_HOUR = 30.0  # SPOC 2-min cadence (the point count cancels when an SNR is given)
TESS_DUTY_CYCLE = 0.9  # share of a sector with data (the mid-sector downlink gap and flagged cadences)
MEDIAN_EFFICIENCY = float(np.sqrt(np.pi / 2.0))
SIGMA_POINT_RANGE = (1e-5, 0.05)

_N_CADENCE_SUB = 5  # sub-samples across one 29.4-min exposure


def koi_seed(name: str) -> int:
    """A stable 32-bit seed for a KOI name (``zlib.crc32``; Python's ``hash`` changes between runs)."""
    return zlib.crc32(str(name).encode("utf-8"))


def _column(catalog: pd.DataFrame, name: str) -> np.ndarray:
    """Column ``name`` as float64 [N]; all-NaN where absent; non-numeric cells become NaN."""
    if name not in catalog.columns:
        return np.full(len(catalog), np.nan)
    return pd.to_numeric(catalog[name], errors="coerce").to_numpy(dtype=np.float64)


def catalog_names(catalog: pd.DataFrame) -> np.ndarray:
    """[N] str: the catalog's ``candidate_id`` (``kepoi_name`` in a table of an earlier version)."""
    return catalog[candidate_column(catalog)].astype(str).to_numpy()


def flat_reason(period_days: float, duration_hours: float) -> str | None:
    """Why a KOI's ephemeris cannot be folded/rendered (``None`` when it is usable)."""
    if not np.isfinite(period_days) or period_days <= 0:
        return f"period {period_days} d is missing or not positive"
    if not np.isfinite(duration_hours) or duration_hours <= 0:
        return f"duration {duration_hours} h is missing or not positive"
    if duration_hours / 24.0 >= period_days:
        return f"duration {duration_hours} h is not shorter than the period {period_days} d"
    return None


def _ld_contrast(b: np.ndarray, u1: np.ndarray, u2: np.ndarray) -> np.ndarray:
    """I(mu)/<I> for quadratic limb darkening at the chord of impact parameter b (capped at 0.9)."""
    mu = np.sqrt(1.0 - np.clip(b, 0.0, 0.9) ** 2)
    intensity = 1.0 - u1 * (1.0 - mu) - u2 * (1.0 - mu) ** 2
    mean_intensity = 1.0 - u1 / 3.0 - u2 / 6.0
    return np.clip(intensity / mean_intensity, 0.3, 3.0)


def render_params(catalog: pd.DataFrame) -> pd.DataFrame:
    """Resolve the per-KOI model parameters with all fallbacks applied (one row per catalog row).

    Returns columns ``candidate_id, period [d], duration [d], rp (Rp/R*), a (a/R*), b, inc [deg], u1, u2,
    sigma_global, sigma_local`` (per-bin noise, relative flux) and ``flat_reason`` (str, empty when usable).
    """
    names = catalog_names(catalog)
    period = _column(catalog, "koi_period")
    duration_h = _column(catalog, "koi_duration")
    depth = _column(catalog, "koi_depth") * 1e-6
    b = _column(catalog, "koi_impact")
    ror = _column(catalog, "koi_ror")
    dor = _column(catalog, "koi_dor")
    u1 = _column(catalog, "koi_ldm_coeff1")
    u2 = _column(catalog, "koi_ldm_coeff2")
    snr = _column(catalog, "koi_model_snr")
    n_tr = _column(catalog, "koi_num_transits")
    n_sectors = _column(catalog, "n_sectors")
    tess = (
        catalog["mission"].astype(str).eq("TESS").to_numpy()
        if "mission" in catalog.columns
        else np.isfinite(n_sectors)
    )

    reasons = np.array(
        [flat_reason(p, d) or "" for p, d in zip(period, duration_h, strict=True)], dtype=object
    )
    single = tess & ~np.isfinite(period)
    reasons[single] = "no period (a single-transit TOI); it is scored on its tabular features only"
    ok = reasons == ""
    p_ok = np.where(ok, period, 1.0)
    t_days = np.where(ok, duration_h / 24.0, 0.1)

    ld_bad = ~(np.isfinite(u1) & np.isfinite(u2))
    u1 = np.where(ld_bad, DEFAULT_LIMB_DARKENING[0], u1)
    u2 = np.where(ld_bad, DEFAULT_LIMB_DARKENING[1], u2)
    b = np.where(np.isfinite(b) & (b >= 0), b, DEFAULT_IMPACT)

    depth_ok = np.isfinite(depth) & (depth > 0)
    k_from_ror = np.isfinite(ror) & (ror > 0)
    depth = np.where(depth_ok, depth, np.where(k_from_ror, ror**2, DEFAULT_DEPTH_PPM * 1e-6))
    k_depth = np.sqrt(np.clip(depth, 1e-8, None) / _ld_contrast(b, u1, u2))
    k = np.where(k_from_ror, ror, k_depth)
    too_big = k > MAX_ROR
    b = np.where(too_big, b * (1.0 + MAX_ROR) / (1.0 + k), b)
    k = np.clip(k, 1e-4, MAX_ROR)
    b = np.minimum(b, 0.98 * (1.0 + k))
    # batman's elliptic integrals fail to converge at exactly b = 1 - k (contact at mid-transit).
    b = np.where(np.abs(b - (1.0 - k)) < 1e-5, b + 2e-5, b)

    sin_arg = np.sin(np.pi * np.clip(t_days / p_ok, 1e-6, 0.5))
    a_geo = np.sqrt(b**2 + ((1.0 + k) ** 2 - b**2) / sin_arg**2)
    dor_ok = (
        np.isfinite(dor)
        & (dor > b)
        & (dor > 1.0)
        & (np.abs(np.log(np.where(dor > 0, dor, 1.0) / a_geo)) < np.log(1.5))
    )
    a = np.where(dor_ok, dor, a_geo)
    inc = np.degrees(np.arccos(np.clip(b / a, 0.0, 1.0)))

    # TESS: the transits the listed sectors allow; Kepler: the Q1-Q17 baseline (when no count is given).
    baseline = np.where(
        tess & np.isfinite(n_sectors) & (n_sectors > 0),
        TESS_DUTY_CYCLE * TESS_SECTOR_DAYS * np.where(np.isfinite(n_sectors), n_sectors, 1.0),
        0.9 * KEPLER_BASELINE_DAYS,
    )
    n_tr = np.where(np.isfinite(n_tr) & (n_tr > 0), n_tr, np.maximum(1.0, baseline / p_ok))
    per_hour = np.where(tess, TESS_POINTS_PER_HOUR, POINTS_PER_HOUR)  # 2-min SPOC vs 29.4-min Kepler cadence
    n_in = np.maximum(1.0, n_tr * t_days * 24.0 * per_hour)
    snr_ok = np.isfinite(snr) & (snr > 0)
    sigma_point = np.where(snr_ok, depth * np.sqrt(n_in) / np.where(snr_ok, snr, 1.0), DEFAULT_SIGMA_POINT)
    sigma_point = np.clip(sigma_point, *SIGMA_POINT_RANGE)
    n_global = np.maximum(1.0, n_tr * p_ok * 24.0 * per_hour / GLOBAL_BINS)
    n_local = np.maximum(1.0, n_tr * LOCAL_BIN_WIDTH_DURATIONS * t_days * 24.0 * per_hour)

    return pd.DataFrame(
        {
            "candidate_id": names,
            "period": p_ok,
            "duration": t_days,
            "rp": k,
            "a": a,
            "b": b,
            "inc": inc,
            "u1": u1,
            "u2": u2,
            "sigma_global": MEDIAN_EFFICIENCY * sigma_point / np.sqrt(n_global),
            "sigma_local": MEDIAN_EFFICIENCY * sigma_point / np.sqrt(n_local),
            "flat_reason": reasons.astype(str),
        }
    )


def _offsets(bin_width: float, n_bin_sub: int) -> np.ndarray:
    """Sub-sample offsets [n_bin_sub * _N_CADENCE_SUB] in days: uniform over the bin ⊗ over one exposure."""
    u = ((np.arange(n_bin_sub) + 0.5) / n_bin_sub - 0.5) * bin_width
    v = ((np.arange(_N_CADENCE_SUB) + 0.5) / _N_CADENCE_SUB - 0.5) * KEPLER_CADENCE_DAYS
    return (u[:, None] + v[None, :]).ravel()


def _n_bin_sub(bin_width: float, t14: float) -> int:
    return int(np.clip(np.ceil(10.0 * bin_width / max(t14, 1e-6)), 3, 41))


def _out_of_transit(t: np.ndarray, duration: float) -> np.ndarray:
    """Boolean mask of bins more than one duration from mid-transit (all bins when fewer than 5 are)."""
    mask = np.abs(t) > duration
    return mask if mask.sum() >= 5 else np.ones(t.size, dtype=bool)


def _render_one(row: dict, batman_module) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Noise-free model views for one resolved parameter row.

    Returns (global [GLOBAL_BINS], local [LOCAL_BINS]) in relative flux − 1 and the matching boolean
    out-of-transit masks (bins more than one duration from mid-transit).
    """
    period, duration, k, a, b = row["period"], row["duration"], row["rp"], row["a"], row["b"]
    # Model total duration, to know which bins can be in transit (everything else is exactly 0).
    arg = np.sqrt(max((1.0 + k) ** 2 - b**2, 0.0)) / np.sqrt(max(a**2 - b**2, 1e-12))
    t14 = period / np.pi * np.arcsin(min(arg, 1.0))
    half_window = 0.5 * max(t14, duration) * 1.05

    t_global = global_bin_centres(period)
    t_local = local_bin_centres(duration)
    w_global = period / GLOBAL_BINS
    w_local = LOCAL_BIN_WIDTH_DURATIONS * duration
    reach_g = half_window + 0.5 * (w_global + KEPLER_CADENCE_DAYS)
    reach_l = half_window + 0.5 * (w_local + KEPLER_CADENCE_DAYS)
    # Local bins beyond ±P/2 see the neighbouring transits (the model is periodic).
    t_local_wrapped = (t_local + 0.5 * period) % period - 0.5 * period
    sel_g = np.flatnonzero(np.abs(t_global) < reach_g)
    sel_l = np.flatnonzero(np.abs(t_local_wrapped) < reach_l)
    off_g = _offsets(w_global, _n_bin_sub(w_global, t14))
    off_l = _offsets(w_local, _n_bin_sub(w_local, t14))
    times = np.concatenate(
        [
            (t_global[sel_g, None] + off_g[None, :]).ravel(),
            (t_local_wrapped[sel_l, None] + off_l[None, :]).ravel(),
        ]
    )

    global_view = np.zeros(GLOBAL_BINS)
    local_view = np.zeros(LOCAL_BINS)
    masks = (_out_of_transit(t_global, duration), _out_of_transit(t_local_wrapped, duration))
    if times.size == 0:
        return global_view, local_view, *masks
    params = batman_module.TransitParams()
    params.t0 = 0.0
    params.per = float(period)
    params.rp = float(k)
    params.a = float(a)
    params.inc = float(row["inc"])
    params.ecc = 0.0
    params.w = 90.0
    params.u = [float(row["u1"]), float(row["u2"])]
    params.limb_dark = "quadratic"
    flux = batman_module.TransitModel(params, times).light_curve(params) - 1.0
    n_g = sel_g.size * off_g.size
    global_view[sel_g] = flux[:n_g].reshape(sel_g.size, off_g.size).mean(axis=1)
    local_view[sel_l] = flux[n_g:].reshape(sel_l.size, off_l.size).mean(axis=1)
    return global_view, local_view, *masks


def render_views(
    catalog: pd.DataFrame,
    show_progress: bool = False,
    *,
    noise: bool = True,
    cache_dir: str | Path | None = None,
) -> ViewSet:
    """Render global [N, 2001] and local [N, 201] views from each KOI's catalog parameters.

    Args:
        catalog: canonical KOI table (see :data:`RENDER_COLUMNS`; only ``candidate_id``, ``koi_period`` [d],
            ``koi_duration`` [h] and ``koi_depth`` [ppm] are needed, the rest fall back to defaults).
        show_progress: show a tqdm progress bar.
        noise: add the catalog-derived Gaussian noise (seeded per KOI name); ``False`` gives the pure model.
        cache_dir: folder of the rendered-views cache (``None``: no cache). A call whose resolved render
            parameters, noise setting, exomesa and batman versions match an earlier one reads that call's
            views back (identical arrays) instead of rendering; see :func:`_render_cache_path`.

    Returns:
        A ViewSet aligned to ``catalog`` rows; ``source`` is ``"rendered"``, or ``"flat"`` (all-zero views,
        with a warning naming the KOIs) where the period/duration cannot describe a transit.
    """
    params = render_params(catalog)
    cache = _render_cache_path(params, noise, cache_dir) if cache_dir is not None else None
    if cache is not None:
        cached = _read_render_cache(cache, params)
        if cached is not None:
            return cached
    views = _render(params, show_progress, noise)
    if cache is not None:
        _write_render_cache(cache, views)
    return views


def _render_cache_path(params: pd.DataFrame, noise: bool, cache_dir: str | Path) -> Path:
    """``cache_dir/rendered-<sha256>.npz``: the key hashes every resolved render parameter of every row (so a
    changed catalog value, row order or KOI name is a different file), the noise flag and the exomesa and
    batman versions (a new renderer never reads old views)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        batman_version = version("batman-package")
    except PackageNotFoundError:  # pragma: no cover - batman is a dependency
        batman_version = "?"
    h = hashlib.sha256(f"{__version__}|{batman_version}|noise={noise}|".encode())
    h.update(pd.util.hash_pandas_object(params, index=False).to_numpy().tobytes())
    return Path(cache_dir) / f"rendered-{h.hexdigest()[:32]}.npz"


def _read_render_cache(path: Path, params: pd.DataFrame) -> ViewSet | None:
    if not path.is_file():
        return None
    try:
        views = ViewSet.load(path)
    except (ExomesaError, OSError, ValueError) as exc:
        logger.debug("ignoring unreadable rendered-views cache %s (%s)", path, exc)
        return None
    if len(views) != len(params) or not np.array_equal(
        views.candidate_id, params["candidate_id"].to_numpy(str)
    ):
        logger.debug("ignoring rendered-views cache %s: it holds other KOIs", path)
        return None
    logger.info("read %d rendered views from the cache %s", len(views), path)
    return views


def _write_render_cache(path: Path, views: ViewSet) -> None:
    """Write atomically (other processes may read the same file), then keep only the newest
    :data:`RENDER_CACHE_FILES` files. Any OS error only costs the cache, never the run."""
    tmp = path.with_name(f"{path.stem}.{os.getpid()}.part.npz")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        views.save(tmp, compress=False)
        os.replace(tmp, path)
        old = sorted(path.parent.glob("rendered-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)
        for stale in old[RENDER_CACHE_FILES:]:
            stale.unlink(missing_ok=True)
    except (ExomesaError, OSError) as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        logger.debug("could not cache rendered views at %s (%s)", path, exc)


def _render(params: pd.DataFrame, show_progress: bool, noise: bool) -> ViewSet:
    import batman

    n = len(params)
    global_views = np.zeros((n, GLOBAL_BINS), dtype=np.float32)
    local_views = np.zeros((n, LOCAL_BINS), dtype=np.float32)
    source = np.full(n, "rendered", dtype="<U8")
    flat = params["flat_reason"].to_numpy() != ""
    source[flat] = "flat"

    cols = {c: params[c].to_numpy() for c in params.columns}
    rows = range(n)
    if show_progress:
        from tqdm.auto import tqdm

        rows = tqdm(rows, desc="rendering views", unit="KOI")
    for i in rows:
        if flat[i]:
            continue
        row = {c: v[i] for c, v in cols.items()}
        g, loc, oot_g, oot_l = _render_one(row, batman)
        if noise:
            rng = np.random.default_rng(koi_seed(row["candidate_id"]))
            g += rng.normal(0.0, row["sigma_global"], GLOBAL_BINS)
            loc += rng.normal(0.0, row["sigma_local"], LOCAL_BINS)
            g -= np.median(g[oot_g])
            loc -= np.median(loc[oot_l])
        global_views[i] = g
        local_views[i] = loc

    if flat.any():
        bad = params.loc[flat, ["candidate_id", "flat_reason"]].to_numpy()
        shown = "; ".join(f"{name}: {why}" for name, why in bad[:10])
        logger.warning(
            "%d KOI(s) have no usable ephemeris and get flat zero views: %s%s",
            len(bad),
            shown,
            " ..." if len(bad) > 10 else "",
        )
    logger.info("rendered %d views (%d flat)", n - int(flat.sum()), int(flat.sum()))
    return ViewSet(
        candidate_id=params["candidate_id"].to_numpy(),
        global_view=global_views,
        local_view=local_views,
        source=source,
    )
