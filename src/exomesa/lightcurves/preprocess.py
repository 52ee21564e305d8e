"""Real light curves → views: detrend with the transits masked, phase-fold, median-bin (numpy/scipy only).

The chain (astronet's ``preprocess``), each step a pure function:

0. :func:`other_transits_mask` — on a star with several KOIs, the cadences within ±1 duration
   (:data:`OTHER_KOI_MASK_DURATIONS` = 2 durations in all) of every *other* KOI's transits (its catalog
   period, epoch and duration) are dropped before detrending and folding, so they neither bend the trend nor
   fall into this KOI's views;
1. :func:`detrend` — a robust cubic spline (knots every ``max(1.5 d, 3 durations)``, refit up to 5 times
   dropping 3-sigma outliers, in-transit cadences masked) per continuous segment (split at gaps > 0.5 d);
   the flux becomes ``flux / trend − 1``;
2. :func:`fold_time` — time from the nearest mid-transit, in ``[-P/2, P/2)`` days;
3. :func:`median_bin` — the median of the points in each bin: global bins ``P / 2001`` wide, local bins
   ``0.16`` durations wide centred on 201 points over ±2 durations; empty bins are filled by linear
   interpolation between their neighbours (periodic for the global view), never NaN;
4. each view is shifted so that its out-of-transit median (bins more than one duration from mid-transit)
   is 0 — the same normalisation as rendered views: relative flux − 1.

:func:`make_views` runs the chain for one KOI; :func:`build_views` does it for a catalog and a set of FITS
files. A file that is not a usable light curve is left out with a warning naming it (the star's other files
are still used). A KOI is skipped (a warning names it and the file; it gets a rendered view later) when its
ephemeris is unusable (period ≤ 0, duration ≤ 0 or ≥ period, no epoch), when none of its star's files can be
read, or when the data hold fewer than :data:`MIN_IN_TRANSIT_POINTS` (5) cadences within ±duration/2 of a
mid-transit, or cover fewer than half of the local view's in-transit bins.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from exomesa.data.schema import candidate_column
from exomesa.errors import ExomesaError
from exomesa.lightcurves.fitsio import BKJD_REF, LightCurve
from exomesa.lightcurves.render import flat_reason
from exomesa.lightcurves.views import (
    GLOBAL_BINS,
    LOCAL_BIN_WIDTH_DURATIONS,
    ViewSet,
    global_bin_centres,
    local_bin_centres,
)

__all__ = [
    "MIN_IN_TRANSIT_POINTS",
    "MIN_LOCAL_COVERAGE",
    "InsufficientDataError",
    "detrend",
    "fold_time",
    "other_transits_mask",
    "median_bin",
    "fill_empty_bins",
    "make_views",
    "epoch_bjd",
    "catalog_ids",
    "build_views",
]

logger = logging.getLogger(__name__)

MIN_IN_TRANSIT_POINTS = 5
MIN_LOCAL_COVERAGE = 0.5
TRANSIT_MASK_DURATIONS = 1.5  # cadences within ±0.75 durations of mid-transit are masked when detrending
OTHER_KOI_MASK_DURATIONS = 2.0  # another KOI's cadences within ±1 of its durations are dropped


class InsufficientDataError(ExomesaError):
    """The light curve does not cover the transit well enough to build a view (the KOI is skipped)."""


def _robust_std(x: np.ndarray) -> float:
    return float(1.4826 * np.median(np.abs(x - np.median(x)))) if x.size else 0.0


def _spline_fit(t: np.ndarray, f: np.ndarray, knot_spacing: float):
    """A least-squares cubic spline through (t, f) with knots every ``knot_spacing`` days where data allow."""
    from scipy.interpolate import LSQUnivariateSpline

    candidates = np.arange(t[0] + knot_spacing, t[-1] - 0.5 * knot_spacing, knot_spacing)
    knots: list[float] = []
    last = t[0]
    for knot in candidates:  # every knot interval needs a few points (Schoenberg-Whitney)
        n_before = np.searchsorted(t, knot) - np.searchsorted(t, last)
        n_after = t.size - np.searchsorted(t, knot)
        if n_before >= 5 and n_after >= 5:
            knots.append(knot)
            last = knot
    return LSQUnivariateSpline(t, f, knots, k=3, ext=3)


def detrend(
    time: np.ndarray,
    flux: np.ndarray,
    mask: np.ndarray | None = None,
    *,
    knot_spacing: float = 1.5,
    gap: float = 0.5,
    n_iter: int = 5,
    sigma: float = 3.0,
) -> np.ndarray:
    """A robust spline trend [N] of ``flux`` [N] over ``time`` [N] (days, increasing).

    Args:
        mask: [N] bool, True for cadences to ignore in the fit (in transit); the trend is still evaluated there.
        knot_spacing: days between spline knots (keep it several transit durations long).
        gap: a gap longer than this (days) starts a new segment with its own spline.
        n_iter: fits, each dropping points more than ``sigma`` robust standard deviations from the last fit.

    Returns:
        The trend [N] (same units as ``flux``); segments too short for a spline get their median.
    """
    time = np.asarray(time, dtype=np.float64)
    flux = np.asarray(flux, dtype=np.float64)
    mask = np.zeros(time.size, dtype=bool) if mask is None else np.asarray(mask, dtype=bool)
    trend = np.empty_like(flux)
    breaks = np.flatnonzero(np.diff(time) > gap) + 1
    for seg in np.split(np.arange(time.size), breaks):
        t, f = time[seg], flux[seg]
        base = ~mask[seg]
        if base.sum() < 3:
            base = np.ones(seg.size, dtype=bool)
        use = base.copy()
        model = np.full(seg.size, np.median(f[base]))
        for _ in range(n_iter):
            if use.sum() < 12 or t[use][-1] - t[use][0] < 0.5 * knot_spacing:
                model = np.full(seg.size, np.median(f[use]))
                break
            try:
                model = _spline_fit(t[use], f[use], knot_spacing)(t)
            except (ValueError, np.linalg.LinAlgError) as exc:  # pragma: no cover - degenerate data
                logger.debug("spline fit failed (%s); using a median trend for this segment", exc)
                model = np.full(seg.size, np.median(f[use]))
                break
            resid = f - model
            scale = _robust_std(resid[base])
            new_use = base & (np.abs(resid) <= sigma * scale) if scale > 0 else base
            if np.array_equal(new_use, use):
                break
            use = new_use
        trend[seg] = model
    return trend


def fold_time(time: np.ndarray, period: float, t0: float) -> np.ndarray:
    """Time [N] (days) from the nearest mid-transit, in ``[-period/2, period/2)``; ``t0`` in ``time``'s system."""
    half = 0.5 * period
    return np.mod(np.asarray(time, dtype=np.float64) - t0 + half, period) - half


def other_transits_mask(
    time: np.ndarray, ephemerides: Iterable[tuple[float, float, float]], bjd_ref: float
) -> np.ndarray:
    """True [N] for cadences within ±``OTHER_KOI_MASK_DURATIONS``/2 durations of any given transit.

    Args:
        time: [N] days since ``bjd_ref``.
        ephemerides: (period [days], mid-transit epoch [BJD], duration [hours]) of each other KOI; one that
            cannot be folded (a missing or non-positive value, a duration not shorter than the period) is ignored,
            and so is one whose mask would cover more than half of its orbit (duration > period / 4).
    """
    time = np.asarray(time, dtype=np.float64)
    masked = np.zeros(time.size, dtype=bool)
    for period, t0_bjd, duration_hours in ephemerides:
        if not np.isfinite(t0_bjd) or flat_reason(period, duration_hours) is not None:
            continue
        half = 0.5 * OTHER_KOI_MASK_DURATIONS * duration_hours / 24.0
        if 2.0 * half > 0.5 * period:
            continue
        masked |= np.abs(fold_time(time, period, t0_bjd - bjd_ref)) < half
    return masked


def median_bin(
    x: np.ndarray, y: np.ndarray, centres: np.ndarray, width: float
) -> tuple[np.ndarray, np.ndarray]:
    """Median of ``y`` over ``x`` in ``[c − width/2, c + width/2)`` for every centre c.

    Returns:
        (values [M], NaN where a bin is empty; counts [M] int).
    """
    order = np.argsort(x, kind="stable")
    xs, ys = np.asarray(x)[order], np.asarray(y)[order]
    lo = np.searchsorted(xs, centres - 0.5 * width, side="left")
    hi = np.searchsorted(xs, centres + 0.5 * width, side="left")
    counts = hi - lo
    values = np.full(centres.size, np.nan)
    for i in np.flatnonzero(counts):
        values[i] = np.median(ys[lo[i] : hi[i]])
    return values, counts


def fill_empty_bins(values: np.ndarray, *, periodic: bool) -> np.ndarray:
    """Replace NaN bins [M] by linear interpolation between filled bins (wrapping around when ``periodic``)."""
    good = np.isfinite(values)
    if good.all():
        return values.copy()
    if not good.any():
        raise InsufficientDataError("every bin of the view is empty")
    idx = np.arange(values.size)
    return np.interp(idx, idx[good], values[good], period=values.size if periodic else None)


def epoch_bjd(row: pd.Series | dict) -> float:
    """Mid-transit epoch in BJD from ``koi_time0bk`` (BKJD) or, failing that, ``koi_time0`` (BJD); NaN if none."""
    t0bk = pd.to_numeric(pd.Series([row.get("koi_time0bk", np.nan)]), errors="coerce").iloc[0]
    if np.isfinite(t0bk):
        return float(t0bk) + BKJD_REF
    t0 = pd.to_numeric(pd.Series([row.get("koi_time0", np.nan)]), errors="coerce").iloc[0]
    return float(t0) if np.isfinite(t0) else float("nan")


def make_views(
    lc: LightCurve,
    period: float,
    t0_bjd: float,
    duration_hours: float,
    *,
    name: str = "KOI",
    other_transits: Iterable[tuple[float, float, float]] = (),
) -> tuple[np.ndarray, np.ndarray]:
    """Global [GLOBAL_BINS] and local [LOCAL_BINS] float32 views (relative flux − 1) of one KOI.

    Args:
        lc: the target's (stitched) light curve.
        period: orbital period [days]; t0_bjd: a mid-transit time [BJD]; duration_hours: transit duration [h].
        name: the KOI name used in messages.
        other_transits: (period [d], epoch [BJD], duration [h]) of the star's other KOIs, whose transits are
            dropped first (:func:`other_transits_mask`).

    Raises:
        ExomesaError: the ephemeris is unusable (message names the KOI and the file).
        InsufficientDataError: too few in-transit cadences or too little coverage of the transit.
    """
    files = ", ".join(Path(p).name for p in lc.paths)
    reason = flat_reason(period, duration_hours)
    if reason is None and not np.isfinite(t0_bjd):
        reason = "the epoch (koi_time0bk / koi_time0) is missing"
    if reason is not None:
        raise ExomesaError(f"{name} ({files}): cannot fold, {reason}.")
    duration = duration_hours / 24.0
    t0 = t0_bjd - lc.bjd_ref
    others = other_transits_mask(lc.time, other_transits, lc.bjd_ref)
    time, flux = lc.time[~others], lc.flux[~others]
    phase_time = fold_time(time, period, t0)
    in_transit = np.abs(phase_time) < 0.5 * duration
    n_in = int(in_transit.sum())
    if n_in < MIN_IN_TRANSIT_POINTS:
        raise InsufficientDataError(
            f"{name} ({files}): only {n_in} cadence(s) within ±duration/2 of a transit "
            f"(need {MIN_IN_TRANSIT_POINTS}); skipped."
        )

    mask = np.abs(phase_time) < 0.5 * TRANSIT_MASK_DURATIONS * duration
    trend = detrend(time, flux, mask, knot_spacing=max(1.5, 3.0 * duration))
    rel = flux / trend - 1.0
    ok = np.isfinite(rel)
    phase_time, rel = phase_time[ok], rel[ok]

    t_global = global_bin_centres(period)
    g_values, _ = median_bin(phase_time, rel, t_global, period / GLOBAL_BINS)
    global_view = fill_empty_bins(g_values, periodic=True)

    t_local = local_bin_centres(duration)
    reach = np.abs(t_local).max() + LOCAL_BIN_WIDTH_DURATIONS * duration
    if reach > 0.5 * period:  # the local window wraps into the neighbouring orbits
        x = np.concatenate([phase_time - period, phase_time, phase_time + period])
        y = np.concatenate([rel, rel, rel])
    else:
        x, y = phase_time, rel
    l_values, _ = median_bin(x, y, t_local, LOCAL_BIN_WIDTH_DURATIONS * duration)
    in_local = np.abs(t_local) < 0.5 * duration
    coverage = float(np.isfinite(l_values[in_local]).mean())
    if coverage < MIN_LOCAL_COVERAGE:
        raise InsufficientDataError(
            f"{name} ({files}): the data cover only {coverage:.0%} of the transit's local-view bins "
            f"(need {MIN_LOCAL_COVERAGE:.0%}); skipped."
        )
    local_view = fill_empty_bins(l_values, periodic=False)

    out_g = np.abs(t_global) > duration
    out_l = np.abs(t_local) > duration
    global_view = global_view - np.median(global_view[out_g])
    local_view = local_view - np.median(local_view[out_l])
    return global_view.astype(np.float32), local_view.astype(np.float32)


def catalog_ids(catalog: pd.DataFrame, column: str) -> np.ndarray:
    """Integer ids [N] of ``column`` (``kepid`` or ``tic_id``); -1 where missing or absent."""
    if column not in catalog.columns:
        return np.full(len(catalog), -1, dtype=np.int64)
    values = pd.to_numeric(catalog[column], errors="coerce")
    return values.fillna(-1).astype(np.int64).to_numpy()


def build_views(
    catalog: pd.DataFrame, fits_paths: Iterable[Path | str], *, show_progress: bool = False
) -> tuple[ViewSet, list[tuple[str, str]]]:
    """Real views for every catalog KOI whose star has light-curve files, in this process.

    Kepler files match ``kepid`` through their ``KEPLERID``; TESS files match a ``tic_id`` column (when the
    catalog has one) through ``TICID``. Every KOI of a star gets its own view from the same stitched curve,
    with the transits of the star's other catalog KOIs (their ``koi_period``, epoch and ``koi_duration``)
    masked out first. This runs the same per-star tasks as the parallel build
    (:mod:`exomesa.lightcurves.star_tasks`), one after the other, so both give identical views.

    Returns:
        (ViewSet of the KOIs built, source ``"real"``, in catalog order;
         skipped: list of (candidate_id, reason) for KOIs with files that could not be built).
    """
    from exomesa.lightcurves.star_tasks import plan_star_tasks, run_star  # it imports this module

    tasks, _ = plan_star_tasks(catalog, fits_paths)  # unreadable files are warned about there
    if show_progress:
        from tqdm.auto import tqdm

        tasks = tqdm(tasks, desc="building views", unit="star")
    rows, globals_, locals_, skipped = [], [], [], []
    for task in tasks:
        result = run_star(task)
        rows.extend(result.rows.tolist())
        globals_.extend(result.global_view)
        locals_.extend(result.local_view)
        for _star, name, stage, file, reason in result.failures:
            if name:
                skipped.append((int(next(k.row for k in task.kois if k.name == name)), name, reason))
            else:
                logger.warning("leaving out %s (%s): %s", file, stage, reason)
    skipped.sort()
    for _row, name, reason in skipped:
        logger.warning("no real view for %s (train/test render it from the catalog): %s", name, reason)
    order = np.argsort(rows, kind="stable")
    names = catalog[candidate_column(catalog)].astype(str).to_numpy()
    views = (
        ViewSet(
            candidate_id=names[np.asarray(rows)[order]],
            global_view=np.stack(globals_)[order],
            local_view=np.stack(locals_)[order],
            source=["real"] * len(rows),
        )
        if rows
        else ViewSet.empty()
    )
    logger.info(
        "built %d real view(s) from the files of %d star(s); skipped %d KOI(s)",
        len(views),
        len(tasks),
        len(skipped),
    )
    return views, [(name, reason) for _row, name, reason in skipped]
