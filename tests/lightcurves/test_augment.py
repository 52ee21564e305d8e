"""Training-time augmentation: shapes, copies, determinism given the rng, each transform's effect."""

from __future__ import annotations

import numpy as np
import pytest

from exomesa.errors import ExomesaError
from exomesa.lightcurves import GLOBAL_BINS, LOCAL_BINS, augment_views


def _batch(b: int = 4) -> tuple[np.ndarray, np.ndarray]:
    g = np.zeros((b, GLOBAL_BINS), np.float32)
    loc = np.zeros((b, LOCAL_BINS), np.float32)
    g[:, 995:1006] = -0.01
    loc[:, 75:126] = -0.01
    return g, loc


def test_shapes_copies_and_determinism():
    g, loc = _batch()
    g0, l0 = g.copy(), loc.copy()
    a = augment_views(g, loc, np.random.default_rng(3))
    b = augment_views(g, loc, np.random.default_rng(3))
    assert a[0].shape == g.shape and a[1].shape == loc.shape and a[0].dtype == np.float32
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    np.testing.assert_array_equal(g, g0)  # inputs untouched
    np.testing.assert_array_equal(loc, l0)
    c = augment_views(g, loc, np.random.default_rng(4))
    assert not np.array_equal(a[1], c[1])


def test_shift_only_moves_transit_by_at_most_max_shift():
    g, loc = _batch(16)
    out_g, out_l = augment_views(
        g, loc, np.random.default_rng(0), max_shift_bins=3, noise_scale=0.0, scale_range=(1.0, 1.0)
    )
    centres = [np.mean(np.flatnonzero(row < -0.005)) for row in out_l]
    assert all(abs(c - 100) <= 3 for c in centres) and len(set(centres)) > 1
    assert np.allclose(np.sort(out_g, axis=1), np.sort(g, axis=1))  # a roll keeps the values


def test_scale_and_noise():
    g, loc = _batch(8)
    _, scaled = augment_views(
        g, loc, np.random.default_rng(0), max_shift_bins=0, noise_scale=0.0, scale_range=(0.5, 0.6)
    )
    assert np.all((scaled.min(axis=1) >= -0.0060 - 1e-7) & (scaled.min(axis=1) <= -0.0050 + 1e-7))
    rng = np.random.default_rng(1)
    noisy_in = loc + rng.normal(0, 1e-3, loc.shape).astype(np.float32)
    _, noisy = augment_views(
        g, noisy_in, np.random.default_rng(0), max_shift_bins=0, noise_scale=1.0, scale_range=(1.0, 1.0)
    )
    assert 0.5e-3 < np.std(noisy - noisy_in) < 2e-3


def test_bad_arguments():
    g, loc = _batch()
    with pytest.raises(ExomesaError):
        augment_views(g, loc[:2], np.random.default_rng(0))
    with pytest.raises(ExomesaError):
        augment_views(g, loc, np.random.default_rng(0), scale_range=(1.2, 0.8))
