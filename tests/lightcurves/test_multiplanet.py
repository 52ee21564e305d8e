"""Multi-planet stars: the other KOIs' transits are masked before folding; the shared 47-quarter files."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from exomesa.lightcurves.fitsio import BKJD_REF, LightCurve
from exomesa.lightcurves.preprocess import (
    OTHER_KOI_MASK_DURATIONS,
    build_views,
    make_views,
    other_transits_mask,
)
from exomesa.lightcurves.views import GLOBAL_BINS

MULTIQUARTER = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "kepler-multiquarter"
CENTRAL_BINS = slice(90, 111)  # local-view bins within ±0.2 durations of mid-transit


def transit_floor(local_view: np.ndarray) -> float:
    """Depth [ppm] of a local view: minus the mean of its 21 central bins (±0.2 durations of mid-transit)."""
    return float(-np.mean(local_view[CENTRAL_BINS]) * 1e6)


def _box(time: np.ndarray, period: float, t0: float, duration_d: float, depth: float) -> np.ndarray:
    phase = np.mod(time - t0 + period / 2, period) - period / 2
    return np.where(np.abs(phase) < duration_d / 2, -depth, 0.0)


def test_other_transits_mask_widths_and_bad_ephemerides():
    time = np.linspace(0.0, 10.0, 10_001)  # days since BKJD_REF
    # a 2-day period, epoch 1.0 BKJD, 4.8 h = 0.2 d long: masked within ±0.2 d (1 duration)
    mask = other_transits_mask(time, [(2.0, 1.0 + BKJD_REF, 4.8)], BKJD_REF)
    half = 0.5 * OTHER_KOI_MASK_DURATIONS * 0.2
    phase = np.abs(np.mod(time - 1.0 + 1.0, 2.0) - 1.0)
    np.testing.assert_array_equal(mask, phase < half)
    assert not other_transits_mask(time, [(np.nan, BKJD_REF, 3.0), (-1.0, BKJD_REF, 3.0)], BKJD_REF).any()


def test_a_second_planet_is_masked_out_of_the_first_ones_views():
    rng = np.random.default_rng(3)
    time = np.arange(0.0, 90.0, 0.0204)  # 30-min cadences, days since BKJD_REF
    # planet b shares c's period but transits a quarter of an orbit later (where c's global view would dip)
    flux = 1.0 + _box(time, 4.0, 1.0, 0.15, 1e-3) + _box(time, 4.0, 2.0, 0.2, 5e-3)
    flux += rng.normal(0.0, 1e-4, time.size)
    lc = LightCurve(time, flux, np.full(time.size, 1e-4), "Kepler", 1, BKJD_REF, ("synthetic",))
    bin_b = GLOBAL_BINS // 2 + GLOBAL_BINS // 4  # phase +0.25
    g_plain, l_plain = make_views(lc, 4.0, 1.0 + BKJD_REF, 3.6, name="c")
    g_masked, l_masked = make_views(
        lc, 4.0, 1.0 + BKJD_REF, 3.6, name="c", other_transits=[(4.0, 2.0 + BKJD_REF, 4.8)]
    )
    assert g_plain[bin_b] < -4e-3  # b's transit shows in c's view ...
    assert abs(g_masked[bin_b]) < 3e-4  # ... unless it is masked
    assert transit_floor(l_masked) == pytest.approx(1000, rel=0.05)


@pytest.mark.slow
@pytest.mark.skipif(not MULTIQUARTER.is_dir(), reason=f"{MULTIQUARTER} not found (../shared is absent)")
def test_multiquarter_files_give_catalog_depths():
    from exomesa.data import load_dr25

    catalog = load_dr25()
    catalog = catalog[catalog["kepid"].isin([11442793, 6862328, 1865864])]
    files = sorted(MULTIQUARTER.glob("*_llc.fits"))
    assert len(files) == 47
    start = time.perf_counter()
    views, skipped = build_views(catalog, files)
    elapsed = time.perf_counter() - start
    expected = [f"K00351.0{i}" for i in range(1, 8)] + ["K00865.01", "K04926.01"]
    assert sorted(views.kepoi_name.tolist()) == expected and skipped == []
    depth = dict(zip(catalog["kepoi_name"], catalog["koi_depth"], strict=True))
    for name, local_view in zip(views.kepoi_name, views.local_view, strict=True):
        tolerance = 0.25 if depth[name] < 200 else 0.10  # K00351.06 (116 ppm), K00351.05 (160 ppm)
        assert transit_floor(local_view) == pytest.approx(depth[name], rel=tolerance), name
    assert elapsed < 30  # about 4 s on one core: 1.5 s reading, 0.2 s per KOI


def test_unfoldable_or_very_long_other_transits_are_not_masked():
    time = np.linspace(0.0, 10.0, 1001)
    ephemerides = [(1.0, BKJD_REF, 30.0), (1.0, BKJD_REF, 7.0), (2.0, np.nan, 3.0), (0.0, BKJD_REF, 3.0)]
    assert not other_transits_mask(time, ephemerides, BKJD_REF).any()
