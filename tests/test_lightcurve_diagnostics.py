"""Light-curve diagnostics (odd/even, secondary, folds, per-transit) on synthetic curves and on KOI-2."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from exomesa.errors import ExomesaError
from exomesa.lightcurves.diagnostics import LightCurveDiagnostics, run_diagnostics
from exomesa.lightcurves.views import GLOBAL_BINS, LOCAL_BINS

CADENCE = 29.4244 / 1440  # Kepler long cadence [days]
KOI2_FILE = (
    Path(__file__).resolve().parents[1].parent
    / "shared/data/lightcurves/kplr010666592-2009131105131_llc.fits"
)


def _trapezoid(dt: np.ndarray, duration_days: float, ingress_fraction: float = 0.15) -> np.ndarray:
    """Transit shape [N] in [0, 1] (1 = full depth) at ``dt`` days from mid-transit."""
    half, ramp = 0.5 * duration_days, ingress_fraction * duration_days
    return np.clip((half - np.abs(dt)) / ramp, 0.0, 1.0)


def _curve(
    *,
    period: float = 3.0,
    epoch: float = 1.5,
    duration_h: float = 3.0,
    depth: float = 2000e-6,
    depth_odd: float | None = None,
    secondary: float = 0.0,
    secondary_phase: float = 0.5,
    days: float = 60.0,
    noise: float = 200e-6,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(time, flux ≈ 1, flux_err) with trapezoid transits; odd epochs get ``depth_odd`` when given."""
    rng = np.random.default_rng(seed)
    time = np.arange(0.0, days, CADENCE)
    duration = duration_h / 24
    k = np.rint((time - epoch) / period).astype(int)
    dt = time - (epoch + k * period)
    depths = np.where(k % 2 == 1, depth if depth_odd is None else depth_odd, depth)
    flux = 1.0 - depths * _trapezoid(dt, duration)
    dt_sec = np.mod(time - epoch - secondary_phase * period + 0.5 * period, period) - 0.5 * period
    flux -= secondary * _trapezoid(dt_sec, duration)
    flux += rng.normal(0.0, noise, time.size)
    return time, flux, np.full(time.size, noise)


def test_planet_is_consistent_and_has_no_secondary():
    time, flux, err = _curve()
    diag = run_diagnostics(time, flux, err, 3.0, 1.5, 3.0)
    assert isinstance(diag, LightCurveDiagnostics) and diag.reasons == []
    assert (
        diag.sigma_point_ppm == pytest.approx(200, rel=0.1) and diag.noise_source == "out-of-transit scatter"
    )
    oe = diag.odd_even
    assert oe.significance_sigma < 3
    assert oe.n_odd_transits == 10 and oe.n_even_transits == 10
    assert oe.depth_odd_ppm == pytest.approx(2000, abs=4 * oe.depth_odd_err_ppm)
    assert abs(diag.secondary.significance_sigma) < 3 and diag.secondary.best_significance_sigma < 5
    pt = diag.per_transit
    assert pt.n_expected == pt.n_observed == 20 and pt.reason is None
    assert pt.epoch_index.tolist() == list(range(0, 20))
    assert np.allclose(pt.mid_time, 1.5 + 3.0 * np.arange(20))
    assert pt.median_depth_ppm == pytest.approx(2000, rel=0.05)
    assert np.all(np.abs(pt.depth_ppm - 2000) < 5 * pt.depth_err_ppm) and np.all(pt.n_points >= 4)
    # folds: primary and P/2 see the transit at phase 0; 2P sees it at phases 0 and 0.5
    assert diag.fold_primary.depth_at_0_ppm == pytest.approx(2000, rel=0.05)
    assert diag.fold_half.depth_at_0_ppm == pytest.approx(1000, rel=0.1)  # transits + empty phase 0.5
    assert diag.fold_double.depth_at_half_ppm == pytest.approx(diag.fold_double.depth_at_0_ppm, rel=0.1)


def test_flux_offset_convention_does_not_matter():
    time, flux, err = _curve(days=20.0)
    one = run_diagnostics(time, flux, err, 3.0, 1.5, 3.0)
    zero = run_diagnostics(time, flux - 1.0, err, 3.0, 1.5, 3.0)
    assert zero.per_transit.median_depth_ppm == pytest.approx(one.per_transit.median_depth_ppm, rel=1e-6)
    assert zero.odd_even.significance_sigma == pytest.approx(one.odd_even.significance_sigma, rel=1e-6)
    assert zero.baseline == pytest.approx(one.baseline - 1.0)


def test_eclipsing_binary_at_twice_the_period_has_alternating_depths():
    time, flux, err = _curve(depth=5000e-6, depth_odd=3000e-6)
    diag = run_diagnostics(time, flux, err, 3.0, 1.5, 3.0)
    oe = diag.odd_even
    assert oe.significance_sigma > 5
    assert oe.depth_even_ppm == pytest.approx(5000, rel=0.05) and oe.depth_odd_ppm == pytest.approx(
        3000, rel=0.05
    )
    assert oe.difference_ppm == pytest.approx(-2000, rel=0.1) and oe.noise_inflation < 1.5
    # the 2P fold puts even transits at its phase 0 and odd ones at its phase 0.5
    double = diag.fold_double
    assert double.period_days == 6.0
    assert double.depth_at_0_ppm == pytest.approx(5000, rel=0.05)
    assert double.depth_at_half_ppm == pytest.approx(3000, rel=0.05)
    assert double.global_flux.shape == (GLOBAL_BINS,) and double.local_flux_at_half.shape == (LOCAL_BINS,)
    assert np.nanmin(double.local_flux_at_0) < -0.004 and np.nanmin(double.local_flux_at_half) > -0.0045
    # per-transit depths alternate
    pt = diag.per_transit
    assert np.all(pt.depth_ppm[pt.epoch_index % 2 == 0] > 4000) and np.all(
        pt.depth_ppm[pt.epoch_index % 2 == 1] < 4000
    )


def test_eclipsing_binary_secondary_eclipse_is_detected():
    time, flux, err = _curve(depth=8000e-6, secondary=1500e-6)
    diag = run_diagnostics(time, flux, err, 3.0, 1.5, 3.0)
    sec = diag.secondary
    assert sec.depth_ppm == pytest.approx(1500, rel=0.2) and sec.significance_sigma > 10
    assert sec.best_phase == pytest.approx(0.5, abs=0.01) and sec.best_significance_sigma > 10
    assert diag.odd_even.significance_sigma < 3
    assert diag.fold_primary.depth_at_half_ppm == pytest.approx(sec.depth_ppm)
    assert diag.fold_half.depth_at_0_ppm == pytest.approx(0.5 * (8000 + 1500), rel=0.1)


def test_eccentric_secondary_is_found_off_phase_half():
    time, flux, err = _curve(depth=8000e-6, secondary=1500e-6, secondary_phase=0.35)
    sec = run_diagnostics(time, flux, err, 3.0, 1.5, 3.0).secondary
    assert abs(sec.significance_sigma) < 3
    assert sec.best_phase == pytest.approx(0.35, abs=0.01)
    assert sec.best_depth_ppm == pytest.approx(1500, rel=0.2) and sec.best_significance_sigma > 10


def test_no_transit_covered_reports_nan_with_reasons():
    time, flux, err = _curve(period=10.0, epoch=1.0, days=20.0)
    keep = (time > 2.0) & (time < 8.0)
    diag = run_diagnostics(time[keep], flux[keep], err[keep], 10.0, 1.0, 3.0)
    assert np.isnan(diag.odd_even.significance_sigma) and "no transit" in diag.odd_even.reason
    assert diag.per_transit.n_expected == 0 and "no mid-transit" in diag.per_transit.reason
    assert np.isnan(diag.per_transit.median_depth_ppm)
    assert np.isnan(diag.fold_primary.depth_at_0_ppm) and diag.fold_primary.reason
    assert np.isfinite(diag.secondary.depth_ppm)  # phase 0.5 (t = 6) is covered
    json.dumps(diag.to_dict(), allow_nan=False)


def test_single_transit_has_no_odd_and_gaps_count_as_unobserved():
    time, flux, err = _curve(
        days=4.0
    )  # one transit (epoch 0) at t = 1.5; epoch 1 (t = 4.5) is beyond the data
    diag = run_diagnostics(time, flux, err, 3.0, 1.5, 3.0)
    assert "only even" in diag.odd_even.reason and np.isnan(diag.odd_even.depth_odd_ppm)
    assert diag.odd_even.depth_even_ppm == pytest.approx(2000, rel=0.1)
    assert diag.per_transit.n_expected == diag.per_transit.n_observed == 1

    time, flux, err = _curve(days=30.0)
    gap = (time > 6.0) & (time < 12.0)  # removes the transits at 7.5 and 10.5
    diag = run_diagnostics(time, flux, err, 3.0, 1.5, 3.0, mask=gap)
    pt = diag.per_transit
    assert pt.n_expected == 10 and pt.n_observed == 8 and "2 of 10" in pt.reason
    assert np.isnan(pt.depth_ppm[[2, 3]]).all() and (pt.n_points[[2, 3]] == 0).all()


def test_nans_and_very_few_points():
    time, flux, err = _curve(days=30.0)
    flux[::7] = np.nan
    time[5] = np.nan
    diag = run_diagnostics(time, flux, err, 3.0, 1.5, 3.0)
    assert diag.n_points == np.isfinite(time).sum() - np.isnan(flux[np.isfinite(time)]).sum()
    assert diag.per_transit.median_depth_ppm == pytest.approx(2000, rel=0.05)

    nan = run_diagnostics(time, np.full(time.size, np.nan), None, 3.0, 1.5, 3.0)
    assert nan.n_points == 0 and "no usable cadence" in nan.reason
    assert np.isnan(nan.odd_even.significance_sigma) and nan.per_transit.n_expected == 0

    few_t = np.array([1.45, 1.5, 1.55, 2.4, 4.45, 4.5])
    few_f = np.array([0.998, 0.998, 0.998, 1.0, 0.998, 0.998])
    few = run_diagnostics(few_t, few_f, None, 3.0, 1.5, 3.0)
    assert few.noise_source == "none" and "no noise estimate" in few.reason
    assert np.isnan(few.odd_even.significance_sigma) and few.per_transit.n_observed == 2
    with_err = run_diagnostics(few_t, few_f, np.full(6, 1e-4), 3.0, 1.5, 3.0)
    assert with_err.noise_source == "flux_err" and with_err.sigma_point_ppm == pytest.approx(100)
    assert (
        with_err.odd_even.depth_odd_ppm == pytest.approx(2000) and with_err.odd_even.significance_sigma < 1e-6
    )
    json.dumps(few.to_dict(), allow_nan=False)


def test_to_dict_is_json_ready():
    time, flux, err = _curve(days=12.0)
    diag = run_diagnostics(time, flux, err, 3.0, 1.5, 3.0)
    full = json.loads(json.dumps(diag.to_dict(), allow_nan=False))
    assert len(full["fold_double"]["global_flux"]) == GLOBAL_BINS
    assert full["per_transit"]["n_expected"] == 4 and full["odd_even"]["reason"] is None
    small = diag.to_dict(include_curves=False)
    assert "global_flux" not in small["fold_half"] and "depth_at_0_ppm" in small["fold_half"]
    assert len(json.dumps(small)) < 5000


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"period": 0.0}, "period"),
        ({"period": -1.0}, "period"),
        ({"period": float("nan")}, "period"),
        ({"duration_hours": 0.0}, "duration_hours"),
        ({"duration_hours": 80.0}, "not shorter than the period"),
        ({"epoch": float("nan")}, "epoch"),
        ({"flux": np.ones(5)}, "same length"),
        ({"flux_err": np.ones(5)}, "flux_err"),
        ({"mask": np.zeros(5, dtype=bool)}, "mask"),
    ],
)
def test_invalid_arguments_raise(kwargs, match):
    args = {
        "time": np.arange(10.0),
        "flux": np.ones(10),
        "flux_err": None,
        "period": 3.0,
        "epoch": 1.5,
        "duration_hours": 3.0,
    }
    mask = kwargs.pop("mask", None)
    args.update(kwargs)
    with pytest.raises(ExomesaError, match=match):
        run_diagnostics(**args, mask=mask)


def test_kepler_koi2_per_transit_depths_and_odd_even():
    if not KOI2_FILE.is_file():
        pytest.skip(f"real light-curve fixture not found at {KOI2_FILE} (../shared is absent)")
    from exomesa.data import load_dr25
    from exomesa.lightcurves.fitsio import read_lightcurve
    from exomesa.lightcurves.preprocess import TRANSIT_MASK_DURATIONS, detrend, fold_time

    dr25 = load_dr25()
    row = dr25.loc[dr25["kepoi_name"] == "K00002.01"].iloc[0]
    period, epoch, duration_h = (
        float(row["koi_period"]),
        float(row["koi_time0bk"]),
        float(row["koi_duration"]),
    )
    assert period == pytest.approx(2.204735, rel=1e-6) and duration_h == pytest.approx(3.889, abs=1e-3)
    lc = read_lightcurve(KOI2_FILE)
    duration = duration_h / 24
    in_transit = np.abs(fold_time(lc.time, period, epoch)) < 0.5 * TRANSIT_MASK_DURATIONS * duration
    trend = detrend(lc.time, lc.flux, in_transit, knot_spacing=max(1.5, 3.0 * duration))
    diag = run_diagnostics(lc.time, lc.flux / trend, lc.flux_err / trend, period, epoch, duration_h)
    pt = diag.per_transit
    assert pt.n_expected == pt.n_observed == 5
    assert pt.median_depth_ppm == pytest.approx(6674.7, rel=0.15)
    assert diag.odd_even.significance_sigma < 3


def test_module_imports_numpy_only():
    import ast

    import exomesa.lightcurves.diagnostics as diagnostics

    tree = ast.parse(Path(diagnostics.__file__).read_text())
    imported = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    imported |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    allowed = {
        "__future__",
        "logging",
        "math",
        "dataclasses",
        "numpy",
        "exomesa.errors",
        "exomesa.lightcurves.views",
    }
    assert imported <= allowed, imported - allowed
