"""Tests of exomesa.baselines.lightgbm: view → tsfresh features (with cache), the two LightGBM baselines, JSON models."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from exomesa.baselines import lightgbm as baseline
from exomesa.baselines.lightgbm import (
    TabularLightGBM,
    TsfreshLightGBM,
    downsample_view,
    extract_lightcurve_features,
    load_baseline,
    make_baseline,
    tsfresh_parameters,
    views_to_long,
)
from exomesa.data import CLASSES, LABEL
from exomesa.errors import ExomesaError
from exomesa.lightcurves import GLOBAL_BINS, LOCAL_BINS, ViewSet

FAST = {"n_estimators": 20, "n_jobs": 1, "min_child_samples": 5}


def _catalog(n: int = 150, seed: int = 0) -> pd.DataFrame:
    """Seed-preset columns whose values separate the three classes (period for CONFIRMED, depth for FP)."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    period = np.where(y == 0, 30.0, 3.0) * rng.lognormal(0, 0.2, n)
    depth = np.where(y == 2, 20000.0, 500.0) * rng.lognormal(0, 0.2, n)
    df = pd.DataFrame(
        {
            "kepoi_name": [f"K{i:05d}.01" for i in range(n)],
            "kepid": np.arange(n) + 1000,
            LABEL: np.asarray(CLASSES)[y],
            "koi_period": period,
            "koi_depth": depth,
            "koi_prad": rng.lognormal(1, 0.5, n),
            "koi_steff": rng.normal(5700, 300, n),
            "koi_srad": rng.lognormal(0, 0.2, n),
            "koi_duration": rng.uniform(2, 6, n),
        }
    )
    df.loc[::7, "koi_prad"] = np.nan  # missing values are imputed with the training median
    return df


def _views(df: pd.DataFrame, seed: int = 0) -> ViewSet:
    """Box transits whose depth carries the label: shallow for CONFIRMED/CANDIDATE, deep for FALSE POSITIVE."""
    rng = np.random.default_rng(seed)
    n = len(df)
    depth = np.where(df[LABEL].to_numpy() == "FALSE POSITIVE", 0.02, 0.001)
    g = rng.normal(0, 1e-4, (n, GLOBAL_BINS)).astype(np.float32)
    loc = rng.normal(0, 1e-4, (n, LOCAL_BINS)).astype(np.float32)
    g[:, 995:1006] -= depth[:, None]
    loc[:, 80:121] -= depth[:, None]
    return ViewSet(df["kepoi_name"].to_numpy(), g, loc, np.full(n, "rendered"))


# ------------------------------------------------------------------------------------------ view helpers
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


def test_extract_features_values_and_cache(tmp_path, monkeypatch):
    df = _catalog(12)
    v = _views(df)
    feats = extract_lightcurve_features(v.global_view, v.local_view, "tiny", cache_dir=tmp_path)
    assert feats.shape == (12, 20)  # 10 calculators x 2 views
    assert list(feats.columns) == sorted(feats.columns)
    np.testing.assert_allclose(feats["local__minimum"], v.local_view.min(axis=1), rtol=1e-6)
    assert len(list(tmp_path.glob("tsfresh-*.npz"))) == 1

    def boom(*args, **kwargs):
        raise AssertionError("features should come from the cache")

    monkeypatch.setattr(baseline, "_extract", boom)
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


# ----------------------------------------------------------------------------------------------- models
def test_tabular_fit_predict_and_pipeline_agree():
    df = _catalog(150)
    train, test = df.iloc[:120].reset_index(drop=True), df.iloc[120:].reset_index(drop=True)
    model = TabularLightGBM("seed", **FAST).fit(train)
    assert list(model.classes_) == list(CLASSES)
    assert model.feature_names_ == ["koi_period", "koi_depth", "koi_prad", "koi_steff", "koi_srad"]
    proba = model.predict_proba(test)
    assert proba.shape == (30, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)
    assert (model.predict(test) == test[LABEL].to_numpy()).mean() > 0.9
    # the saved-model path (medians + booster) equals the fitted scikit-learn pipeline
    X = test[model.feature_names_].to_numpy(float)
    np.testing.assert_allclose(proba, model.pipeline_.predict_proba(X), atol=1e-12)
    np.testing.assert_allclose(model.medians_[2], np.nanmedian(train["koi_prad"]))
    size = model.model_size()
    assert size["n_trees"] == 20 * 3 and size["n_leaves"] == size["n_split_nodes"] + size["n_trees"]
    top = model.feature_importance(top=2)
    assert {name for name, _ in top} == {"koi_period", "koi_depth"}


def test_save_load_roundtrip_is_plain_json(tmp_path):
    df = _catalog(90)
    model = TabularLightGBM("seed", **FAST).fit(df)
    path = model.save(tmp_path / "m.json")
    state = json.loads(path.read_text())
    assert state["format"] == "exomesa-baseline" and state["method"] == "tabular"
    assert state["classes"] == list(CLASSES) and isinstance(state["booster"], str)
    loaded = load_baseline(path)
    assert isinstance(loaded, TabularLightGBM)
    np.testing.assert_array_equal(loaded.predict_proba(df), model.predict_proba(df))
    assert TabularLightGBM.load(path).feature_names_ == model.feature_names_


def test_load_rejects_foreign_and_missing_files(tmp_path):
    with pytest.raises(ExomesaError, match="does not exist"):
        load_baseline(tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    with pytest.raises(ExomesaError, match="not a readable JSON"):
        load_baseline(bad)
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"format": "something-else"}))
    with pytest.raises(ExomesaError, match="not an exomesa baseline"):
        load_baseline(other)
    state = TabularLightGBM("seed", **FAST).fit(_catalog(60)).to_dict()
    state["booster"] = "garbage"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(state))
    with pytest.raises(ExomesaError, match="damaged"):
        load_baseline(broken)


def test_missing_feature_column_is_named():
    model = TabularLightGBM("seed", **FAST).fit(_catalog(60))
    with pytest.raises(ExomesaError, match="koi_steff"):
        model.predict_proba(_catalog(10).drop(columns=["koi_steff"]))


def test_unfitted_and_unlabelled_errors():
    with pytest.raises(ExomesaError, match="not fitted"):
        TabularLightGBM("seed").predict_proba(_catalog(5))
    with pytest.raises(ExomesaError, match=LABEL):
        TabularLightGBM("seed").fit(_catalog(30).drop(columns=[LABEL]))
    with pytest.raises(ExomesaError, match="unknown baseline method"):
        make_baseline("xgboost")


def test_two_class_training_still_gives_three_columns():
    df = _catalog(90)
    df = df[df[LABEL] != "CANDIDATE"].reset_index(drop=True)
    model = TabularLightGBM("seed", **FAST).fit(df)
    proba = model.predict_proba(df)
    assert proba.shape == (len(df), 3)
    np.testing.assert_array_equal(proba[:, 1], 0.0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_tsfresh_model_uses_view_features(tmp_path):
    df = _catalog(120)
    # make the tabular columns useless so only the light curves separate FALSE POSITIVE
    df["koi_depth"] = 1000.0
    views = _views(df)
    train, test = df.iloc[:90].reset_index(drop=True), df.iloc[90:].reset_index(drop=True)
    model = TsfreshLightGBM("seed", tsfresh_preset="tiny", cache_dir=tmp_path / "cache", **FAST)
    model.fit(train, views=views)
    assert "local__minimum" in model.feature_names_ and len(model.lightcurve_feature_names_) == 20
    proba = model.predict_proba(test, views=views)
    is_fp = test[LABEL].to_numpy() == "FALSE POSITIVE"
    assert ((proba.argmax(axis=1) == 2) == is_fp).mean() > 0.9
    loaded = load_baseline(model.save(tmp_path / "ts.json"))
    assert isinstance(loaded, TsfreshLightGBM) and loaded.fc_parameters_ == tsfresh_parameters("tiny")
    loaded.cache_dir = None  # recompute the features from the views: same probabilities
    np.testing.assert_allclose(loaded.predict_proba(test, views=views), proba, atol=1e-12)


def test_full_preset_on_dr25_rows():
    from exomesa.data import load_dr25

    df = load_dr25().iloc[:300].reset_index(drop=True)
    model = TabularLightGBM("full", **FAST).fit(df)
    assert len(model.feature_names_) > 30
    assert "koi_score" not in model.feature_names_ and not any("fpflag" in c for c in model.feature_names_)
    assert model.predict_proba(df).shape == (300, 3)
