"""Real-light-curve views: detrending, folding, binning, the KOI-2 recovery test and bad inputs."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from exomesa.errors import ExomesaError
from exomesa.lightcurves import GLOBAL_BINS, LOCAL_BINS
from exomesa.lightcurves.fitsio import BKJD_REF, LightCurve, read_lightcurve
from exomesa.lightcurves.preprocess import (
    InsufficientDataError,
    build_views,
    detrend,
    epoch_bjd,
    fill_empty_bins,
    fold_time,
    make_views,
    median_bin,
)

KEPLER_FILE = "kplr010666592-2009131105131_llc.fits"


def _synthetic_lc(depth=0.004, period=3.0, t0=1.0, duration_h=3.0, days=30.0, gap=None) -> LightCurve:
    """A box transit on a slowly varying star (29.4-min cadence, 100 ppm noise), times in BKJD."""
    rng = np.random.default_rng(0)
    time = np.arange(0.0, days, 29.4244 / 1440)
    if gap is not None:
        time = time[(time < gap[0]) | (time > gap[1])]
    trend = 1.0 + 0.01 * np.sin(2 * np.pi * time / 12.0)
    in_transit = np.abs(fold_time(time, period, t0)) < duration_h / 48
    flux = trend * (1 - depth * in_transit) + rng.normal(0, 1e-4, time.size)
    return LightCurve(time, flux, np.full(time.size, 1e-4), "Kepler", 1, BKJD_REF, ("synthetic_llc.fits",))


def _local_depth_and_centre(local: np.ndarray) -> tuple[float, float]:
    depth = -float(np.mean(local[LOCAL_BINS // 2 - 2 : LOCAL_BINS // 2 + 3]))
    below = np.flatnonzero(local < -0.5 * depth)
    weights = -local[below]
    return depth, float(np.sum(below * weights) / np.sum(weights))


def test_fold_and_bin_helpers():
    t = np.array([0.0, 1.0, 2.9, 3.1, 4.5])
    np.testing.assert_allclose(fold_time(t, 3.0, 0.1), [-0.1, 0.9, -0.2, 0.0, 1.4], atol=1e-12)
    values, counts = median_bin(
        np.array([0.0, 0.1, 0.2, 5.0]), np.array([1.0, 3.0, 2.0, 9.0]), np.array([0.1, 2.0, 5.0]), 1.0
    )
    assert counts.tolist() == [3, 0, 1] and values[0] == 2.0 and np.isnan(values[1]) and values[2] == 9.0
    np.testing.assert_allclose(fill_empty_bins(np.array([1.0, np.nan, 3.0]), periodic=False), [1.0, 2.0, 3.0])
    np.testing.assert_allclose(
        fill_empty_bins(np.array([np.nan, 2.0, np.nan, 4.0]), periodic=True), [3.0, 2, 3, 4]
    )
    with pytest.raises(InsufficientDataError):
        fill_empty_bins(np.full(3, np.nan), periodic=False)


def test_detrend_removes_stellar_variability_but_keeps_transit():
    lc = _synthetic_lc()
    mask = np.abs(fold_time(lc.time, 3.0, 1.0)) < 2.25 / 24
    trend = detrend(lc.time, lc.flux, mask)
    rel = lc.flux / trend - 1
    assert np.std(rel[~mask]) < 1.5e-4  # the 1 % sinusoid is gone
    assert np.median(rel[np.abs(fold_time(lc.time, 3.0, 1.0)) < 1 / 24]) == pytest.approx(-0.004, rel=0.05)


def test_synthetic_views_recover_depth_and_centre():
    g, loc = make_views(_synthetic_lc(), 3.0, 1.0 + BKJD_REF, 3.0, name="KTEST.01")
    assert g.shape == (GLOBAL_BINS,) and loc.shape == (LOCAL_BINS,) and g.dtype == np.float32
    assert np.isfinite(g).all() and np.isfinite(loc).all()
    depth, centre = _local_depth_and_centre(loc)
    assert depth == pytest.approx(0.004, rel=0.05) and abs(centre - 100) <= 1
    assert abs(np.median(loc[:40])) < 2e-5 and abs(np.median(g[:800])) < 2e-5
    # The box transit spans 3 h / 3 d * 2001 = 83 global bins around bin 1000.
    assert np.median(g[1000 - 35 : 1000 + 36]) == pytest.approx(-0.004, rel=0.05)
    assert abs(np.median(g[1000 + 45 : 1000 + 200])) < 5e-5


def test_kepler_koi2_recovers_dr25_depth(shared_lightcurves):
    from exomesa.data import load_dr25

    dr25 = load_dr25()
    row = dr25.loc[dr25["kepoi_name"] == "K00002.01"].iloc[0]
    assert row["koi_period"] == pytest.approx(2.204735, rel=1e-6) and row["koi_duration"] == pytest.approx(
        3.889, abs=1e-3
    )
    lc = read_lightcurve(shared_lightcurves / KEPLER_FILE)
    g, loc = make_views(lc, row["koi_period"], epoch_bjd(row), row["koi_duration"], name="K00002.01")
    depth, centre = _local_depth_and_centre(loc)
    assert depth * 1e6 == pytest.approx(6674.7, rel=0.05)
    assert abs(centre - LOCAL_BINS // 2) <= 1
    assert np.isfinite(g).all() and g[GLOBAL_BINS // 2] < -0.006


def test_tess_files_fold_on_a_synthetic_ephemeris(shared_lightcurves):
    for path in sorted(shared_lightcurves.glob("tess*_lc.fits")):
        lc = read_lightcurve(path)
        g, loc = make_views(lc, 3.0, 1326.0 + 2457000.0, 3.0, name=path.name)
        assert np.isfinite(g).all() and np.isfinite(loc).all()
        assert abs(np.median(g)) < 1e-3 and abs(np.median(loc[:50])) < 1e-3


def test_bad_ephemeris_names_koi_and_file():
    lc = _synthetic_lc()
    for period, duration in ((-1.0, 3.0), (np.nan, 3.0), (0.1, 3.0), (3.0, 0.0)):
        with pytest.raises(ExomesaError, match=r"KBAD\.01 \(synthetic_llc\.fits\)"):
            make_views(lc, period, 1.0 + BKJD_REF, duration, name="KBAD.01")
    with pytest.raises(ExomesaError, match="epoch"):
        make_views(lc, 3.0, np.nan, 3.0, name="KBAD.01")


def test_too_few_in_transit_points_is_skipped():
    lc = _synthetic_lc(period=40.0, t0=10.0, days=30.0, gap=(9.0, 11.0))  # the only transit falls in a gap
    with pytest.raises(InsufficientDataError, match=r"KGAP\.01.*cadence"):
        make_views(lc, 40.0, 10.0 + BKJD_REF, 3.0, name="KGAP.01")


def test_build_views_matches_by_kepid_and_reports_skips(shared_lightcurves, caplog):
    catalog = pd.DataFrame(
        {
            "kepoi_name": ["K00002.01", "K00002.02", "K00003.01"],
            "kepid": [10666592, 10666592, 10748390],
            "koi_period": [2.204735, -1.0, 4.887803],
            "koi_time0bk": [121.3585417, 121.0, 124.8],
            "koi_duration": [3.88864, 3.0, 2.36],
        }
    )
    with caplog.at_level(logging.WARNING, logger="exomesa"):
        views, skipped = build_views(catalog, sorted(shared_lightcurves.glob("*.fits")))
    assert views.kepoi_name.tolist() == ["K00002.01"] and views.source.tolist() == ["real"]
    assert [name for name, _ in skipped] == ["K00002.02"] and "period" in skipped[0][1]
    assert "K00002.02" in caplog.text


def test_build_views_matches_tess_files_by_tic_id(shared_lightcurves):
    catalog = pd.DataFrame(
        {
            "kepoi_name": ["TOI-A.01", "TOI-B.01"],
            "kepid": [-1, -1],
            "tic_id": [25155310, 12345],
            "koi_period": [3.0, 3.0],
            "koi_time0": [2458326.0, 2458326.0],  # BJD (no koi_time0bk): converted with the file's BJDREF
            "koi_duration": [3.0, 3.0],
        }
    )
    views, skipped = build_views(catalog, sorted(shared_lightcurves.glob("tess*.fits")))
    assert views.kepoi_name.tolist() == ["TOI-A.01"] and skipped == []
    assert np.isfinite(views.global_view).all()


def _not_a_lightcurve(path, kepid: int):
    """A Kepler FITS file of star ``kepid`` that holds no LIGHTCURVE extension (like a target-pixel file)."""
    from astropy.io import fits

    primary = fits.PrimaryHDU()
    primary.header["TELESCOP"] = "Kepler"
    primary.header["KEPLERID"] = kepid
    table = fits.BinTableHDU.from_columns(
        [fits.Column(name="TIME", format="D", array=np.arange(10.0))], name="TARGETTABLES"
    )
    fits.HDUList([primary, table]).writeto(path)
    return path


def test_build_views_bad_files_are_named_and_left_out(shared_lightcurves, tmp_path, caplog):
    """A non-light-curve FITS of a star with good files is left out; a star with only bad files is skipped."""
    good = shared_lightcurves / KEPLER_FILE
    tpf_same_star = _not_a_lightcurve(tmp_path / "kplr010666592-tpf.fits", 10666592)
    tpf_only = _not_a_lightcurve(tmp_path / "kplr000757450-tpf.fits", 757450)
    junk = tmp_path / "junk.fits"
    junk.write_text("not FITS")
    catalog = pd.DataFrame(
        {
            "kepoi_name": ["K00002.01", "K00889.01"],
            "kepid": [10666592, 757450],
            "koi_period": [2.204735, 8.884923],
            "koi_time0bk": [121.3585417, 134.452],
            "koi_duration": [3.88864, 2.078],
        }
    )
    with caplog.at_level(logging.WARNING, logger="exomesa"):
        views, skipped = build_views(catalog, [good, tpf_same_star, tpf_only, junk])
    assert views.kepoi_name.tolist() == ["K00002.01"] and np.isfinite(views.local_view).all()
    assert [name for name, _ in skipped] == ["K00889.01"]
    assert "kplr000757450-tpf.fits" in skipped[0][1] and "LIGHTCURVE" in skipped[0][1]
    assert "kplr010666592-tpf.fits" in caplog.text and "junk.fits" in caplog.text
    assert "no real view for K00889.01" in caplog.text


def test_build_views_never_returns_nan_views(monkeypatch, caplog):
    """Bad-ephemeris and sparse KOIs are skipped with a warning naming KOI and file; no NaN view comes out."""
    from exomesa.lightcurves import star_tasks

    lc = _synthetic_lc(period=3.0, t0=1.0, days=30.0)
    monkeypatch.setattr(
        star_tasks, "read_lightcurve", lambda path: lc
    )  # the name says KIC 1; no file is read
    catalog = pd.DataFrame(
        {
            "kepoi_name": ["KOK.01", "KZERO.01", "KLONG.01", "KNAN.01", "KSPARSE.01", "KNOEPOCH.01"],
            "kepid": [1] * 6,
            "koi_period": [3.0, 0.0, 1.0, np.nan, 400.0, 3.0],
            "koi_time0bk": [1.0, 1.0, 1.0, 1.0, 200.0, np.nan],
            "koi_duration": [3.0, 3.0, 30.0, 3.0, 3.0, 3.0],
        }
    )
    with caplog.at_level(logging.WARNING, logger="exomesa"):
        views, skipped = build_views(catalog, ["kplr000000001-2009131105131_llc.fits"])
    assert views.kepoi_name.tolist() == ["KOK.01"] and np.isfinite(views.global_view).all()
    assert [name for name, _ in skipped] == ["KZERO.01", "KLONG.01", "KNAN.01", "KSPARSE.01", "KNOEPOCH.01"]
    for name, reason in skipped:
        assert f"{name} (synthetic_llc.fits)" in reason
        assert f"no real view for {name}" in caplog.text
