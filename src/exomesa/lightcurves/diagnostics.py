"""Light-curve vetting diagnostics for one candidate: odd/even depths, secondary eclipse, folds, per-transit depths.

numpy only (no pandas, astropy or torch), so the vetting sheet can run it anywhere. The five checks share one
set of private measurement helpers (baseline, noise with its inflation, windowed depths) and their result
dataclasses.

Conventions
-----------
* ``time`` [N]: days, in the same system as ``epoch`` (BKJD for Kepler files, BTJD for TESS; a
  :class:`~exomesa.lightcurves.fitsio.LightCurve`'s ``time``). Need not be sorted.
* ``flux`` [N]: a **detrended, normalised** relative flux, in units of the star's out-of-transit flux — either
  ``flux / trend`` (≈ 1 out of transit) or ``flux / trend − 1`` (≈ 0, as in :mod:`.preprocess`). Both give the
  same results: every depth is measured against the out-of-transit median of the same curve (an additive offset
  cancels). ``flux_err`` [N] (same units, may be None or NaN) is used only when there are too few out-of-transit
  points to measure the scatter.
* ephemeris: ``period`` [days], ``epoch`` (a mid-transit time, days in ``time``'s system) and
  ``duration_hours`` [hours, first to fourth contact] — the units of :func:`.preprocess.make_views` and of the
  KOI table (``koi_period``, ``koi_time0bk``, ``koi_duration``).
* ``mask`` [N] bool: True for cadences to **leave out** (other planets' transits, flares), as in
  :func:`.preprocess.detrend`. Cadences with a non-finite time or flux are always left out.
* depths are in **ppm** and positive for a dimming; significances are in sigma (z-scores, signed).

Formulas
--------
With ``T`` the duration in days and ``dt`` the time from the nearest mid-transit (``[-P/2, P/2)``):

* in-transit window of an event at ``dt = c``: ``|dt − c| < IN_TRANSIT_FRACTION · T / 2`` (the central 70 %
  of the transit, to keep ingress/egress out of the depth);
* out-of-transit cadences: more than ``OUT_OF_TRANSIT_DURATIONS · T`` (1 duration) from phase 0 **and** from
  phase 0.5, so an eclipsing binary's secondary does not bias the baseline;
* baseline ``b`` = median of the out-of-transit flux; per-point scatter ``σ`` = 1.4826 · MAD of the
  out-of-transit flux (white-noise estimate; ``median(flux_err)`` when fewer than
  :data:`MIN_OUT_OF_TRANSIT_POINTS` out-of-transit cadences remain);
* a depth from ``n`` in-window points: ``d = b − mean(flux_in)``,
  ``σ_d = σ · sqrt(1/n + (π/2)/n_out)`` (``π/2``: the variance cost of a median);
* odd/even: epoch number ``k = round((t − epoch)/P)``; odd ``k`` vs even ``k`` (parity relative to the given
  epoch). The baseline is shared, so the difference has ``σ_Δ = β σ sqrt(1/n_odd + 1/n_even)`` and the
  significance is ``|d_odd − d_even| / σ_Δ``. ``β ≥ 1`` inflates for red noise: ``sqrt(χ²/dof)`` of the
  per-transit depths about their own group's (odd or even) weighted mean, when ``dof ≥ 2`` (never below 1,
  and alternating depths do not inflate it);
* secondary: the depth in a window of the same width centred on phase 0.5, significance ``d / σ_d``; and the
  best (highest-significance) such window over all phases at least one duration from the primary, stepped by
  ``T / 4`` (a look-elsewhere-biased maximum, for information);
* folds at ``P``, ``P/2`` and ``2P``: median-binned curves (flux − baseline, NaN where a bin is empty, not
  filled) on the view grids of :mod:`.views` — ``GLOBAL_BINS`` (2001) over the fold's full phase and
  ``LOCAL_BINS`` (201) over ±2 durations around the fold's phase 0 and phase 0.5 — with the depth at both
  positions. The 2P fold's phase 0.5 holds the odd-numbered transits: a depth there unlike the phase-0 depth,
  or none at all, reveals an eclipsing binary at twice the candidate period. The P/2 fold stacks phase 0 with
  phase 0.5 of the candidate period at its phase 0, and phases ±0.25 at its phase 0.5;
* per transit (every epoch whose mid-time lies within the data's time span = *expected*): the depth against a
  local baseline (median of that epoch's out-of-transit points 1–3 durations from mid-transit; the global
  baseline when fewer than 3) with ``σ · sqrt(1/n + (π/2)/n_local)``; an epoch with at least one in-window
  point is *observed*.

Nothing here raises on thin data: a quantity that cannot be measured is NaN and the result's ``reason`` says
why. Only invalid arguments raise :class:`~exomesa.errors.ExomesaError` (non-positive or non-finite period,
duration or epoch, duration ≥ period, arrays of different lengths).

Example::

    from exomesa.lightcurves.diagnostics import run_diagnostics
    diag = run_diagnostics(time, flux, flux_err, period=2.204735, epoch=121.3585, duration_hours=3.889)
    diag.odd_even.significance_sigma, diag.secondary.depth_ppm, diag.per_transit.median_depth_ppm
    json.dumps(diag.to_dict())          # NaN → null; arrays → lists
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field, fields, is_dataclass

import numpy as np

from exomesa.errors import ExomesaError
from exomesa.lightcurves.views import (
    GLOBAL_BINS,
    LOCAL_BIN_WIDTH_DURATIONS,
    global_bin_centres,
    local_bin_centres,
)

__all__ = [
    "IN_TRANSIT_FRACTION",
    "OUT_OF_TRANSIT_DURATIONS",
    "MIN_OUT_OF_TRANSIT_POINTS",
    "OddEven",
    "Secondary",
    "FoldView",
    "PerTransit",
    "LightCurveDiagnostics",
    "run_diagnostics",
]

logger = logging.getLogger(__name__)

IN_TRANSIT_FRACTION = 0.7  # depth windows span the central 70 % of the duration (ingress/egress left out)
OUT_OF_TRANSIT_DURATIONS = 1.0  # baseline cadences are > 1 duration from phase 0 and from phase 0.5
MIN_OUT_OF_TRANSIT_POINTS = 10  # fewer: the scatter comes from flux_err
LOCAL_BASELINE_DURATIONS = (1.0, 3.0)  # per-transit baseline ring, in durations from mid-transit
MIN_LOCAL_BASELINE_POINTS = 3
SECONDARY_STEP_DURATIONS = 0.25
_MEDIAN_VARIANCE = math.pi / 2  # variance of a median relative to a mean (Gaussian noise)
_NAN = float("nan")


@dataclass
class OddEven:
    """Odd- versus even-numbered transit depths (epoch numbers relative to the given epoch).

    Attributes:
        depth_odd_ppm / depth_odd_err_ppm: depth [ppm] of the odd transits and its 1-sigma uncertainty [ppm].
        n_odd_points / n_odd_transits: in-window cadences and distinct odd transits they come from.
        depth_even_ppm, depth_even_err_ppm, n_even_points, n_even_transits: the same for even transits.
        difference_ppm: ``depth_odd − depth_even`` [ppm]; difference_err_ppm: its uncertainty (× β) [ppm].
        significance_sigma: ``|difference| / difference_err`` [sigma]; > 3 suggests an eclipsing binary at 2P.
        noise_inflation: β ≥ 1 (red-noise factor from the per-transit scatter within each parity).
        reason: why something is NaN (None when everything was measured).
    """

    depth_odd_ppm: float = _NAN
    depth_odd_err_ppm: float = _NAN
    n_odd_points: int = 0
    n_odd_transits: int = 0
    depth_even_ppm: float = _NAN
    depth_even_err_ppm: float = _NAN
    n_even_points: int = 0
    n_even_transits: int = 0
    difference_ppm: float = _NAN
    difference_err_ppm: float = _NAN
    significance_sigma: float = _NAN
    noise_inflation: float = 1.0
    reason: str | None = None


@dataclass
class Secondary:
    """Secondary-eclipse search.

    Attributes:
        phase: 0.5, where the search window is centred (fraction of the period after the primary).
        depth_ppm / depth_err_ppm / n_points: the depth at phase 0.5 [ppm], its uncertainty, in-window cadences.
        significance_sigma: ``depth / depth_err`` [sigma], signed (negative = brightening).
        best_phase: phase in (0, 1) of the most significant dip at least one duration from the primary.
        best_depth_ppm, best_depth_err_ppm, best_significance_sigma, best_n_points: that dip's measurement.
        reason: why something is NaN (None when everything was measured).
    """

    phase: float = 0.5
    depth_ppm: float = _NAN
    depth_err_ppm: float = _NAN
    significance_sigma: float = _NAN
    n_points: int = 0
    best_phase: float = _NAN
    best_depth_ppm: float = _NAN
    best_depth_err_ppm: float = _NAN
    best_significance_sigma: float = _NAN
    best_n_points: int = 0
    reason: str | None = None


@dataclass
class FoldView:
    """The light curve folded at ``period_days`` (P, P/2 or 2P), binned for plotting.

    Attributes:
        period_days: the fold period [days].
        global_time: [GLOBAL_BINS] bin centres [days from the fold's phase 0], over ``[-period/2, period/2)``.
        global_flux: [GLOBAL_BINS] median flux − baseline per bin (relative flux; ×1e6 = ppm); NaN when empty.
        local_time: [LOCAL_BINS] bin centres [days from the position], over ±2 durations.
        local_flux_at_0 / local_flux_at_half: [LOCAL_BINS] median flux − baseline around the fold's phase 0
            and phase 0.5; NaN when empty.
        depth_at_0_ppm, depth_at_0_err_ppm, n_points_at_0: depth [ppm] at the fold's phase 0.
        depth_at_half_ppm, depth_at_half_err_ppm, n_points_at_half: depth [ppm] at the fold's phase 0.5 (for
            the 2P fold: the odd-numbered transits).
        reason: why something is NaN (None when everything was measured).
    """

    period_days: float
    global_time: np.ndarray = field(repr=False)
    global_flux: np.ndarray = field(repr=False)
    local_time: np.ndarray = field(repr=False)
    local_flux_at_0: np.ndarray = field(repr=False)
    local_flux_at_half: np.ndarray = field(repr=False)
    depth_at_0_ppm: float = _NAN
    depth_at_0_err_ppm: float = _NAN
    n_points_at_0: int = 0
    depth_at_half_ppm: float = _NAN
    depth_at_half_err_ppm: float = _NAN
    n_points_at_half: int = 0
    reason: str | None = None


@dataclass
class PerTransit:
    """One row per expected transit (mid-time within the data's span), observed or not.

    Attributes:
        epoch_index: [M] int, ``k`` in ``epoch + k · period``.
        mid_time: [M] days (``time``'s system).
        depth_ppm / depth_err_ppm: [M] depth [ppm] against a local baseline and its uncertainty; NaN if unobserved.
        n_points: [M] int, in-window cadences.
        n_expected: transits whose mid-time lies within ``[min(time), max(time)]``.
        n_observed: of those, transits with at least one in-window cadence.
        median_depth_ppm: median of the observed per-transit depths [ppm].
        reason: why something is NaN (None when every expected transit was measured).
    """

    epoch_index: np.ndarray = field(repr=False)
    mid_time: np.ndarray = field(repr=False)
    depth_ppm: np.ndarray = field(repr=False)
    depth_err_ppm: np.ndarray = field(repr=False)
    n_points: np.ndarray = field(repr=False)
    n_expected: int = 0
    n_observed: int = 0
    median_depth_ppm: float = _NAN
    reason: str | None = None


@dataclass
class LightCurveDiagnostics:
    """Everything :func:`run_diagnostics` measures for one candidate.

    Attributes:
        period_days, epoch, duration_hours: the ephemeris used (epoch in ``time``'s system, days).
        n_points: cadences used (finite, not masked).
        baseline: median out-of-transit flux (input units: ≈ 1 or ≈ 0).
        sigma_point_ppm: per-cadence scatter σ [ppm]; noise_source: ``"out-of-transit scatter"`` or
            ``"flux_err"`` (or ``"none"`` when neither is available).
        odd_even, secondary, per_transit: see :class:`OddEven`, :class:`Secondary`, :class:`PerTransit`.
        fold_primary, fold_half, fold_double: :class:`FoldView` at P, P/2 and 2P.
        reason: a problem with the whole curve (too few points, no baseline), else None.
    """

    period_days: float
    epoch: float
    duration_hours: float
    n_points: int
    baseline: float
    sigma_point_ppm: float
    noise_source: str
    odd_even: OddEven
    secondary: Secondary
    per_transit: PerTransit
    fold_primary: FoldView
    fold_half: FoldView
    fold_double: FoldView
    reason: str | None = None

    @property
    def reasons(self) -> list[str]:
        """Every non-empty ``reason``, prefixed with the part it belongs to."""
        out = [f"curve: {self.reason}"] if self.reason else []
        for name in ("odd_even", "secondary", "per_transit", "fold_primary", "fold_half", "fold_double"):
            reason = getattr(self, name).reason
            if reason:
                out.append(f"{name}: {reason}")
        return out

    def to_dict(self, *, include_curves: bool = True) -> dict:
        """A JSON-ready dict: arrays become lists, NaN/inf become None. ``include_curves=False`` drops the
        binned fold curves (the big arrays) and keeps the scalar results and the per-transit table; ``reasons``
        lists every reason (see :attr:`reasons`)."""
        out = _jsonable(self)
        out["reasons"] = self.reasons
        if not include_curves:
            for name in ("fold_primary", "fold_half", "fold_double"):
                for key in (
                    "global_time",
                    "global_flux",
                    "local_time",
                    "local_flux_at_0",
                    "local_flux_at_half",
                ):
                    out[name].pop(key, None)
        return out


def _jsonable(obj):
    if is_dataclass(obj):
        return {f.name: _jsonable(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, np.ndarray):
        return [_jsonable(v) for v in obj.tolist()]
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, (float, np.floating)):
        return float(obj) if math.isfinite(obj) else None
    if isinstance(obj, np.integer):
        return int(obj)
    return obj


# --- numpy helpers (same conventions as preprocess.fold_time / median_bin, kept here so this module needs no
# --- pandas/scipy at import) --------------------------------------------------------------------------------


def _fold(time: np.ndarray, period: float, t0: float) -> np.ndarray:
    """Time [N] (days) from the nearest ``t0 + k · period``, in ``[-period/2, period/2)``."""
    half = 0.5 * period
    return np.mod(time - t0 + half, period) - half


def _median_bin(x: np.ndarray, y: np.ndarray, centres: np.ndarray, width: float) -> np.ndarray:
    """Median of ``y`` in ``[c − width/2, c + width/2)`` for each centre c; NaN for empty bins."""
    values = np.full(centres.size, np.nan)
    if x.size == 0:
        return values
    order = np.argsort(x, kind="stable")
    xs, ys = x[order], y[order]
    lo = np.searchsorted(xs, centres - 0.5 * width, side="left")
    hi = np.searchsorted(xs, centres + 0.5 * width, side="left")
    for i in np.flatnonzero(hi > lo):
        values[i] = np.median(ys[lo[i] : hi[i]])
    return values


def _global_median_bin(x: np.ndarray, y: np.ndarray, period: float) -> np.ndarray:
    """Median of ``y`` in each of the GLOBAL_BINS equal, non-overlapping bins over ``x`` in ``[-P/2, P/2)``
    (the bins of :func:`.views.global_bin_centres`), vectorised; NaN for empty bins."""
    values = np.full(GLOBAL_BINS, np.nan)
    idx = np.clip(np.floor((x / period + 0.5) * GLOBAL_BINS).astype(np.int64), 0, GLOBAL_BINS - 1)
    order = np.lexsort((y, idx))
    idx, ys = idx[order], y[order]
    counts = np.bincount(idx, minlength=GLOBAL_BINS)
    filled = np.flatnonzero(counts)
    start = np.concatenate([[0], np.cumsum(counts)[:-1]])[filled]
    c = counts[filled]
    values[filled] = 0.5 * (ys[start + (c - 1) // 2] + ys[start + c // 2])
    return values


def _robust_std(x: np.ndarray) -> float:
    return float(1.4826 * np.median(np.abs(x - np.median(x)))) if x.size else _NAN


class _Context:
    """The cleaned curve and the quantities every diagnostic shares."""

    def __init__(self, time, flux, flux_err, period, epoch, duration):
        self.time, self.flux = time, flux
        self.period, self.epoch, self.duration = period, epoch, duration
        self.half_window = 0.5 * IN_TRANSIT_FRACTION * duration
        self.dt = _fold(time, period, epoch)
        self.epoch_index = np.rint((time - epoch) / period).astype(np.int64)
        dt_secondary = _fold(time, period, epoch + 0.5 * period)
        self.out = (np.abs(self.dt) > OUT_OF_TRANSIT_DURATIONS * duration) & (
            np.abs(dt_secondary) > OUT_OF_TRANSIT_DURATIONS * duration
        )
        self.n_out = int(self.out.sum())
        self.reason: str | None = None
        if self.n_out:
            self.baseline = float(np.median(flux[self.out]))
        else:
            self.baseline = _NAN
            self.reason = "no out-of-transit cadences (more than one duration from phases 0 and 0.5)"
        err = flux_err[np.isfinite(flux_err) & (flux_err > 0)] if flux_err is not None else np.empty(0)
        if self.n_out >= MIN_OUT_OF_TRANSIT_POINTS:
            self.sigma, self.noise_source = _robust_std(flux[self.out]), "out-of-transit scatter"
        elif err.size:
            self.sigma, self.noise_source = float(np.median(err)), "flux_err"
        else:
            self.sigma, self.noise_source = _NAN, "none"
            self.reason = self.reason or (
                f"only {self.n_out} out-of-transit cadence(s) and no usable flux_err: no noise estimate"
            )

    def depth(self, sel: np.ndarray, baseline: float | None = None, n_base: int | None = None):
        """(depth [ppm], error [ppm], n) of the cadences in ``sel`` against a baseline from ``n_base`` points."""
        n = int(sel.sum())
        if n == 0 or not np.isfinite(self.baseline):
            return _NAN, _NAN, n
        baseline = self.baseline if baseline is None else baseline
        n_base = self.n_out if n_base is None else n_base
        depth = baseline - float(np.mean(self.flux[sel]))
        err = self.sigma * math.sqrt(1.0 / n + _MEDIAN_VARIANCE / n_base)
        return depth * 1e6, err * 1e6, n


def _per_transit(ctx: _Context) -> PerTransit:
    t = ctx.time
    k_lo = math.ceil((t.min() - ctx.epoch) / ctx.period)
    k_hi = math.floor((t.max() - ctx.epoch) / ctx.period)
    ks = np.arange(k_lo, k_hi + 1, dtype=np.int64)
    m = ks.size
    depth, err = np.full(m, np.nan), np.full(m, np.nan)
    npts = np.zeros(m, dtype=np.int64)
    in_window = np.abs(ctx.dt) < ctx.half_window
    ring = (
        (np.abs(ctx.dt) >= LOCAL_BASELINE_DURATIONS[0] * ctx.duration)
        & (np.abs(ctx.dt) <= LOCAL_BASELINE_DURATIONS[1] * ctx.duration)
        & ctx.out
    )
    for i, k in enumerate(ks):
        this = ctx.epoch_index == k
        sel = this & in_window
        if not sel.any():
            continue
        local = this & ring
        n_local = int(local.sum())
        if n_local >= MIN_LOCAL_BASELINE_POINTS:
            depth[i], err[i], npts[i] = ctx.depth(sel, float(np.median(ctx.flux[local])), n_local)
        else:
            depth[i], err[i], npts[i] = ctx.depth(sel)
    observed = npts > 0
    reason = None
    if m == 0:
        reason = "no mid-transit time falls within the light curve's time span"
    elif not observed.any():
        reason = f"none of the {m} expected transit(s) has a cadence in the transit window (data gaps)"
    elif not observed.all():
        reason = f"{m - int(observed.sum())} of {m} expected transit(s) fall in data gaps"
    good = np.isfinite(depth)
    return PerTransit(
        epoch_index=ks,
        mid_time=ctx.epoch + ks * ctx.period,
        depth_ppm=depth,
        depth_err_ppm=err,
        n_points=npts,
        n_expected=m,
        n_observed=int(observed.sum()),
        median_depth_ppm=float(np.median(depth[good])) if good.any() else _NAN,
        reason=ctx.reason or reason,
    )


def _inflation(per_transit: PerTransit) -> float:
    """β = sqrt(χ²/dof) ≥ 1 of per-transit depths about their own parity's weighted mean (1 if dof < 2)."""
    chi2, dof = 0.0, 0
    ok = np.isfinite(per_transit.depth_ppm) & (per_transit.depth_err_ppm > 0)
    for parity in (0, 1):
        sel = ok & (per_transit.epoch_index % 2 == parity)
        if sel.sum() < 2:
            continue
        d, e = per_transit.depth_ppm[sel], per_transit.depth_err_ppm[sel]
        w = 1.0 / e**2
        mean = np.sum(w * d) / np.sum(w)
        chi2 += float(np.sum(w * (d - mean) ** 2))
        dof += int(sel.sum()) - 1
    return max(1.0, math.sqrt(chi2 / dof)) if dof >= 2 else 1.0


def _odd_even(ctx: _Context, per_transit: PerTransit) -> OddEven:
    in_window = np.abs(ctx.dt) < ctx.half_window
    odd_sel = in_window & (ctx.epoch_index % 2 == 1)
    even_sel = in_window & (ctx.epoch_index % 2 == 0)
    d_odd, e_odd, n_odd = ctx.depth(odd_sel)
    d_even, e_even, n_even = ctx.depth(even_sel)
    beta = _inflation(per_transit)
    result = OddEven(
        depth_odd_ppm=d_odd,
        depth_odd_err_ppm=e_odd * beta,
        n_odd_points=n_odd,
        n_odd_transits=int(np.unique(ctx.epoch_index[odd_sel]).size),
        depth_even_ppm=d_even,
        depth_even_err_ppm=e_even * beta,
        n_even_points=n_even,
        n_even_transits=int(np.unique(ctx.epoch_index[even_sel]).size),
        noise_inflation=beta,
    )
    if ctx.reason:
        result.reason = ctx.reason
    elif n_odd == 0 and n_even == 0:
        result.reason = "no transit is covered"
    elif n_odd == 0:
        result.reason = "only even-numbered transits are covered: no odd/even comparison"
    elif n_even == 0:
        result.reason = "only odd-numbered transits are covered: no odd/even comparison"
    else:
        diff_err = beta * ctx.sigma * math.sqrt(1.0 / n_odd + 1.0 / n_even) * 1e6
        result.difference_ppm = d_odd - d_even
        result.difference_err_ppm = diff_err
        result.significance_sigma = abs(d_odd - d_even) / diff_err if diff_err > 0 else _NAN
    return result


def _secondary(ctx: _Context) -> Secondary:
    p, half = ctx.period, ctx.half_window
    result = Secondary()
    dt_sec = _fold(ctx.time, p, ctx.epoch + 0.5 * p)
    d, e, n = ctx.depth(np.abs(dt_sec) < half)
    result.depth_ppm, result.depth_err_ppm, result.n_points = d, e, n
    result.significance_sigma = d / e if n and e > 0 else _NAN
    if ctx.reason:
        result.reason = ctx.reason
    elif n == 0:
        result.reason = "no cadence at phase 0.5 (within the transit window)"

    # best dip across phase: windows centred ≥ 1 duration from the primary, every T/4 (cumulative sums)
    phase_t = np.mod(ctx.time - ctx.epoch, p)  # [0, P) days after the primary
    order = np.argsort(phase_t, kind="stable")
    xs = phase_t[order]
    cs = np.concatenate([[0.0], np.cumsum(ctx.flux[order])])
    lo_c, hi_c = ctx.duration, p - ctx.duration
    if hi_c <= lo_c or not np.isfinite(ctx.baseline) or not np.isfinite(ctx.sigma):
        return result
    centres = np.arange(lo_c, hi_c + 1e-12, SECONDARY_STEP_DURATIONS * ctx.duration)
    lo = np.searchsorted(xs, centres - half, side="right")
    hi = np.searchsorted(xs, centres + half, side="left")
    counts = hi - lo
    okc = counts > 0
    if not okc.any():
        return result
    means = np.full(centres.size, np.nan)
    means[okc] = (cs[hi[okc]] - cs[lo[okc]]) / counts[okc]
    depths = (ctx.baseline - means) * 1e6
    errs = ctx.sigma * np.sqrt(1.0 / np.maximum(counts, 1) + _MEDIAN_VARIANCE / ctx.n_out) * 1e6
    sig = np.where(okc, depths / errs, -np.inf)
    best = int(np.argmax(sig))
    result.best_phase = float(centres[best] / p)
    result.best_depth_ppm = float(depths[best])
    result.best_depth_err_ppm = float(errs[best])
    result.best_significance_sigma = float(sig[best])
    result.best_n_points = int(counts[best])
    return result


def _local_curve(ctx: _Context, period: float, t0: float, centres: np.ndarray) -> np.ndarray:
    width = LOCAL_BIN_WIDTH_DURATIONS * ctx.duration
    x = _fold(ctx.time, period, t0)
    y = ctx.flux - ctx.baseline
    if np.abs(centres).max() + width > 0.5 * period:  # the window wraps into the neighbouring orbits
        x = np.concatenate([x - period, x, x + period])
        y = np.concatenate([y, y, y])
    return _median_bin(x, y, centres, width)


def _fold_view(ctx: _Context, period: float) -> FoldView:
    g_centres = global_bin_centres(period)
    l_centres = local_bin_centres(ctx.duration)
    y = ctx.flux - ctx.baseline
    global_flux = _global_median_bin(_fold(ctx.time, period, ctx.epoch), y, period)
    t_half = ctx.epoch + 0.5 * period
    view = FoldView(
        period_days=period,
        global_time=g_centres,
        global_flux=global_flux,
        local_time=l_centres,
        local_flux_at_0=_local_curve(ctx, period, ctx.epoch, l_centres),
        local_flux_at_half=_local_curve(ctx, period, t_half, l_centres),
    )
    d0 = ctx.depth(np.abs(_fold(ctx.time, period, ctx.epoch)) < ctx.half_window)
    dh = ctx.depth(np.abs(_fold(ctx.time, period, t_half)) < ctx.half_window)
    view.depth_at_0_ppm, view.depth_at_0_err_ppm, view.n_points_at_0 = d0
    view.depth_at_half_ppm, view.depth_at_half_err_ppm, view.n_points_at_half = dh
    if ctx.reason:
        view.reason = ctx.reason
    elif d0[2] == 0 or dh[2] == 0:
        view.reason = f"no cadence at the fold's phase {'0' if d0[2] == 0 else '0.5'}"
    return view


def _check_args(time, flux, flux_err, period, epoch, duration_hours, mask):
    for name, value in (("period", period), ("duration_hours", duration_hours)):
        if not (
            isinstance(value, (int, float, np.integer, np.floating)) and math.isfinite(value) and value > 0
        ):
            raise ExomesaError(f"run_diagnostics: {name} must be a positive number, got {value!r}.")
    if not (isinstance(epoch, (int, float, np.integer, np.floating)) and math.isfinite(epoch)):
        raise ExomesaError(
            f"run_diagnostics: epoch must be a finite time (days, the curve's system), got {epoch!r}."
        )
    if duration_hours / 24.0 >= period:
        raise ExomesaError(
            f"run_diagnostics: the duration ({duration_hours} h) is not shorter than the period ({period} d); "
            "duration is in hours, period in days."
        )
    if time.ndim != 1 or flux.shape != time.shape:
        raise ExomesaError(
            f"run_diagnostics: time and flux must be 1-D arrays of the same length, got shapes {time.shape} "
            f"and {flux.shape}."
        )
    for name, arr in (("flux_err", flux_err), ("mask", mask)):
        if arr is not None and arr.shape != time.shape:
            raise ExomesaError(
                f"run_diagnostics: {name} has shape {arr.shape} but time has {time.shape}; give one value per "
                "cadence (or None)."
            )


def run_diagnostics(
    time: np.ndarray,
    flux: np.ndarray,
    flux_err: np.ndarray | None,
    period: float,
    epoch: float,
    duration_hours: float,
    *,
    mask: np.ndarray | None = None,
) -> LightCurveDiagnostics:
    """Odd/even, secondary-eclipse, P/2 and 2P folds and per-transit depths of one candidate.

    Args:
        time: [N] days (BKJD/BTJD — the system of ``epoch``).
        flux: [N] detrended relative flux (≈ 1 or ≈ 0 out of transit; see the module docstring).
        flux_err: [N] its uncertainty, or None (only used when the out-of-transit scatter cannot be measured).
        period: orbital period [days]; epoch: a mid-transit time [days, ``time``'s system];
        duration_hours: transit duration [hours].
        mask: [N] bool, True for cadences to leave out.

    Returns:
        :class:`LightCurveDiagnostics`; unmeasurable quantities are NaN with a ``reason``.

    Raises:
        ExomesaError: invalid arguments (period/duration not positive, duration ≥ period, non-finite epoch,
        arrays of different lengths).
    """
    time = np.asarray(time, dtype=np.float64)
    flux = np.asarray(flux, dtype=np.float64)
    flux_err = None if flux_err is None else np.asarray(flux_err, dtype=np.float64)
    mask = None if mask is None else np.asarray(mask, dtype=bool)
    _check_args(time, flux, flux_err, period, epoch, duration_hours, mask)
    period, epoch, duration = float(period), float(epoch), float(duration_hours) / 24.0

    keep = np.isfinite(time) & np.isfinite(flux)
    if mask is not None:
        keep &= ~mask
    ctx = _Context(
        time[keep], flux[keep], None if flux_err is None else flux_err[keep], period, epoch, duration
    )
    if not keep.any():
        ctx.reason = "no usable cadence (every time/flux is NaN or masked)"
    per_transit = _per_transit(ctx) if ctx.time.size else _empty_per_transit(ctx.reason)
    result = LightCurveDiagnostics(
        period_days=period,
        epoch=epoch,
        duration_hours=float(duration_hours),
        n_points=int(keep.sum()),
        baseline=ctx.baseline,
        sigma_point_ppm=ctx.sigma * 1e6,
        noise_source=ctx.noise_source,
        odd_even=_odd_even(ctx, per_transit),
        secondary=_secondary(ctx),
        per_transit=per_transit,
        fold_primary=_fold_view(ctx, period),
        fold_half=_fold_view(ctx, 0.5 * period),
        fold_double=_fold_view(ctx, 2.0 * period),
        reason=ctx.reason,
    )
    for reason in result.reasons:
        logger.debug("diagnostics (P=%.6g d): %s", period, reason)
    return result


def _empty_per_transit(reason: str | None) -> PerTransit:
    empty_f, empty_i = np.empty(0), np.empty(0, dtype=np.int64)
    return PerTransit(empty_i, empty_f, empty_f.copy(), empty_f.copy(), empty_i.copy(), reason=reason)
