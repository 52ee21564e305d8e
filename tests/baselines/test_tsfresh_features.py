"""Tests of exomesa.baselines.tsfresh_features: views → tsfresh long format → features, the cache, presets."""

from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from exomesa.baselines import tsfresh_features
from exomesa.baselines.tsfresh_features import (
    downsample_view,
    extract_lightcurve_features,
    tsfresh_cache_dir,
    tsfresh_parameters,
    views_to_long,
)
from exomesa.errors import ExomesaError
from exomesa.lightcurves import GLOBAL_BINS, LOCAL_BINS

PIP_BASELINE = 'pip install "exomesa[baseline]"'


def test_downsample_view_averages_consecutive_chunks_and_skips_nan():
    x = np.array([[0.0, 1.0, 2.0, 3.0, 4.0, 5.0], [np.nan, 2.0, np.nan, np.nan, 1.0, 3.0]])
    out = downsample_view(x, 3)
    np.testing.assert_allclose(out, [[0.5, 2.5, 4.5], [2.0, 0.0, 2.0]])
    assert downsample_view(np.ones((2, 2001)), 201).shape == (2, 201)


def test_views_to_long_layout():
    g = np.arange(2 * 10, dtype=float).reshape(2, 10)
    loc = -np.arange(2 * 4, dtype=float).reshape(2, 4)
    long = views_to_long(g, loc, global_bins=5)
    assert list(long.columns) == ["id", "kind", "time", "value"]
    assert len(long) == 2 * 5 + 2 * 4
    glob = long[long.kind == "global"]
    np.testing.assert_allclose(glob[glob.id == 1].value, [10.5, 12.5, 14.5, 16.5, 18.5])
    np.testing.assert_allclose(long[(long.kind == "local") & (long.id == 1)].value, [-4, -5, -6, -7])


def test_tsfresh_presets_resolve():
    tiny = tsfresh_parameters("tiny")
    assert "minimum" in tiny and "quantile" in tiny
    assert "change_quantiles" not in tsfresh_parameters("transit")
    assert "change_quantiles" in tsfresh_parameters("efficient")
    with pytest.raises(ExomesaError, match="unknown tsfresh preset"):
        tsfresh_parameters("huge")


def test_cache_dir_follows_exomesa_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("EXOMESA_CACHE", str(tmp_path))
    assert tsfresh_cache_dir() == tmp_path / "tsfresh"


def test_extract_features_values_and_cache(tmp_path, monkeypatch, make_catalog, make_views):
    v = make_views(make_catalog(12))
    feats = extract_lightcurve_features(v.global_view, v.local_view, "tiny", cache_dir=tmp_path)
    assert feats.shape == (12, 20)  # 10 calculators x 2 views
    assert list(feats.columns) == sorted(feats.columns)
    np.testing.assert_allclose(feats["local__minimum"], v.local_view.min(axis=1), rtol=1e-6)
    assert len(list(tmp_path.glob("tsfresh-*.npz"))) == 1

    def boom(*args, **kwargs):
        raise AssertionError("features should come from the cache")

    monkeypatch.setattr(tsfresh_features, "_extract", boom)
    again = extract_lightcurve_features(v.global_view, v.local_view, "tiny", cache_dir=tmp_path)
    pd.testing.assert_frame_equal(again, feats)
    # any subset (a CV fold) in any order is served per light curve from the same cache
    rows = np.array([5, 0, 3])
    part = extract_lightcurve_features(v.global_view[rows], v.local_view[rows], "tiny", cache_dir=tmp_path)
    np.testing.assert_array_equal(part.to_numpy(), feats.to_numpy()[rows])
    # another preset is another cache file, hence recomputed
    with pytest.raises(AssertionError, match="from the cache"):
        extract_lightcurve_features(v.global_view, v.local_view, {"maximum": None}, cache_dir=tmp_path)


def test_extract_features_rejects_mismatched_views():
    with pytest.raises(ExomesaError, match="same number of rows"):
        extract_lightcurve_features(np.zeros((3, GLOBAL_BINS)), np.zeros((2, LOCAL_BINS)), "tiny")


def test_missing_tsfresh_is_one_clear_error(monkeypatch, tmp_path):
    """Without the `baseline` extra, extraction fails with the pip command, not a ModuleNotFoundError."""
    monkeypatch.setitem(sys.modules, "tsfresh", None)  # `import tsfresh` now raises ImportError
    g, loc = np.zeros((2, GLOBAL_BINS)), np.zeros((2, LOCAL_BINS))
    with pytest.raises(ExomesaError, match="TSFresh") as err:
        extract_lightcurve_features(g, loc, "tiny", cache_dir=tmp_path)
    assert PIP_BASELINE in str(err.value) and "\n" not in str(err.value)
    with pytest.raises(ExomesaError, match="exomesa\\[baseline\\]"):
        tsfresh_parameters("efficient")
