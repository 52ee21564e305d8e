"""Tests of exomesa.baselines.lightgbm: the two LightGBM estimators (scikit-learn contract), JSON model files."""

from __future__ import annotations

import json
import sys

import numpy as np
import pytest
from sklearn.base import clone

from exomesa.baselines import (
    BASELINE_METHODS,
    TabularLightGBM,
    TsfreshLightGBM,
    is_baseline_file,
    load_baseline,
    make_baseline,
)
from exomesa.baselines.lightgbm import _CLASSES_BY_METHOD
from exomesa.baselines.tsfresh_features import tsfresh_parameters
from exomesa.data import CLASSES, LABEL, group_kfold, labels_to_index, load_dr25
from exomesa.defaults import LGBM_PARAMS, TSFRESH_PRESET
from exomesa.errors import ExomesaError
from exomesa.lightcurves import views_for_catalog

FAST = {"n_estimators": 20, "n_jobs": 1, "min_child_samples": 5}


# ----------------------------------------------------------------------------------------------- models
def test_tabular_fit_predict_and_pipeline_agree(make_catalog):
    df = make_catalog(150)
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


def test_save_load_roundtrip_is_plain_json(tmp_path, make_catalog):
    df = make_catalog(90)
    model = TabularLightGBM("seed", **FAST).fit(df)
    path = model.save(tmp_path / "m.json")
    state = json.loads(path.read_text())
    assert state["format"] == "exomesa-baseline" and state["method"] == "tabular"
    assert state["classes"] == list(CLASSES) and isinstance(state["booster"], str)
    loaded = load_baseline(path)
    assert isinstance(loaded, TabularLightGBM)
    np.testing.assert_array_equal(loaded.predict_proba(df), model.predict_proba(df))
    assert TabularLightGBM.load(path).feature_names_ == model.feature_names_
    assert is_baseline_file(path)


def test_is_baseline_file_reads_only_the_format_key(tmp_path):
    zip_like = tmp_path / "mesa_model.pth"
    zip_like.write_bytes(b"PK\x03\x04" + bytes(range(256)) * 4)  # a torch checkpoint is a zip file
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"format": "something-else", "note": "exomesa-baseline"}))
    spaced = tmp_path / "spaced.json"
    spaced.write_text('\n  {"format" :"exomesa-baseline", "booster": "..."}')
    assert not is_baseline_file(zip_like) and not is_baseline_file(other)
    assert not is_baseline_file(tmp_path / "missing.json") and not is_baseline_file(tmp_path)
    assert is_baseline_file(spaced)


def test_load_rejects_foreign_and_missing_files(tmp_path, make_catalog):
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
    state = TabularLightGBM("seed", **FAST).fit(make_catalog(60)).to_dict()
    state["booster"] = "garbage"
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(state))
    with pytest.raises(ExomesaError, match="damaged"):
        load_baseline(broken)


def test_missing_feature_column_is_named(make_catalog):
    model = TabularLightGBM("seed", **FAST).fit(make_catalog(60))
    with pytest.raises(ExomesaError, match="koi_steff"):
        model.predict_proba(make_catalog(10).drop(columns=["koi_steff"]))


def test_unfitted_and_unlabelled_errors(make_catalog):
    with pytest.raises(ExomesaError, match="not fitted"):
        TabularLightGBM("seed").predict_proba(make_catalog(5))
    with pytest.raises(ExomesaError, match=LABEL):
        TabularLightGBM("seed").fit(make_catalog(30).drop(columns=[LABEL]))
    with pytest.raises(ExomesaError, match="unknown baseline method"):
        make_baseline("xgboost")


def test_two_class_training_still_gives_three_columns(make_catalog):
    df = make_catalog(90)
    df = df[df[LABEL] != "CANDIDATE"].reset_index(drop=True)
    model = TabularLightGBM("seed", **FAST).fit(df)
    proba = model.predict_proba(df)
    assert proba.shape == (len(df), 3)
    np.testing.assert_array_equal(proba[:, 1], 0.0)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_tsfresh_model_uses_view_features(tmp_path, make_catalog, make_views):
    df = make_catalog(120)
    # make the tabular columns useless so only the light curves separate FALSE POSITIVE
    df["koi_depth"] = 1000.0
    views = make_views(df)
    train, test = df.iloc[:90].reset_index(drop=True), df.iloc[90:].reset_index(drop=True)
    model = TsfreshLightGBM("seed", tsfresh_preset="tiny", cache_dir=tmp_path / "cache", **FAST)
    model.fit(train, views=views)
    assert "local__minimum" in model.feature_names_ and len(model.lightcurve_feature_names_) == 20
    proba = model.predict_proba(test, views=views)
    is_fp = test[LABEL].to_numpy() == "FALSE POSITIVE"
    assert ((proba.argmax(axis=1) == 2) == is_fp).mean() > 0.9
    loaded = load_baseline(model.save(tmp_path / "ts.json"))
    assert isinstance(loaded, TsfreshLightGBM) and loaded.fc_parameters_ == tsfresh_parameters("tiny")
    assert "cache_dir" not in json.loads((tmp_path / "ts.json").read_text())["params"]  # a run setting
    loaded.cache_dir = None  # recompute the features from the views: same probabilities
    np.testing.assert_allclose(loaded.predict_proba(test, views=views), proba, atol=1e-12)


def test_full_preset_on_dr25_rows():
    df = load_dr25().iloc[:300].reset_index(drop=True)
    model = TabularLightGBM("full", **FAST).fit(df)
    assert len(model.feature_names_) > 30
    assert "koi_score" not in model.feature_names_ and not any("fpflag" in c for c in model.feature_names_)
    assert model.predict_proba(df).shape == (300, 3)


# ------------------------------------------------------------------------------------ scikit-learn contract
def test_method_names_match_the_classes():
    assert tuple(_CLASSES_BY_METHOD) == BASELINE_METHODS
    assert [make_baseline(m).method for m in BASELINE_METHODS] == list(BASELINE_METHODS)


def test_defaults_come_from_exomesa_defaults_and_params_round_trip():
    for klass in (TabularLightGBM, TsfreshLightGBM):
        params = klass().get_params(deep=True)
        assert {k: params[k] for k in LGBM_PARAMS} == LGBM_PARAMS, klass.__name__
        est = clone(klass()).set_params(n_estimators=7, features="seed")
        assert est.get_params()["n_estimators"] == 7 and est.features == "seed"
    assert TsfreshLightGBM().tsfresh_preset == TSFRESH_PRESET
    with pytest.raises(ValueError, match="Invalid parameter"):
        TabularLightGBM().set_params(tsfresh_preset="tiny")  # a TsfreshLightGBM parameter only


def test_clone_and_grouped_cross_validation_on_dr25_rows(tmp_path):
    """Each baseline, cloned from one prototype, runs a 2-fold star-grouped CV on 300 DR25 KOIs."""
    df = load_dr25().iloc[:300].reset_index(drop=True)
    views = views_for_catalog(df, None)  # rendered once; every fold reads its rows by KOI name
    y = np.asarray(labels_to_index(df[LABEL]))
    prototypes = [
        TabularLightGBM(**FAST),
        TsfreshLightGBM(tsfresh_preset="tiny", cache_dir=tmp_path / "cache", **FAST),
    ]
    folds = group_kfold(df, 2, 0)
    for proto in prototypes:
        accuracies = []
        for train_idx, test_idx in folds:
            assert not set(df.kepid.iloc[train_idx]) & set(df.kepid.iloc[test_idx])  # grouped by star
            model = clone(proto)
            assert model.get_params() == proto.get_params() and not hasattr(model, "booster_")
            train, test = df.iloc[train_idx].reset_index(drop=True), df.iloc[test_idx].reset_index(drop=True)
            assert model.fit(train, views=views) is model
            proba = model.predict_proba(test, views=views)
            assert proba.shape == (len(test_idx), 3)
            accuracies.append(float((proba.argmax(axis=1) == y[test_idx]).mean()))
        assert not hasattr(proto, "booster_")  # the prototype itself was never fitted
        assert min(accuracies) > 0.5, (type(proto).__name__, accuracies)


def test_missing_lightgbm_is_one_clear_error(monkeypatch, make_catalog):
    monkeypatch.setitem(sys.modules, "lightgbm", None)  # `import lightgbm` now raises ImportError
    with pytest.raises(ExomesaError, match="the LightGBM baselines") as err:
        TabularLightGBM("seed", **FAST).fit(make_catalog(30))
    assert 'pip install "exomesa[baseline]"' in str(err.value)


def test_missing_tsfresh_stops_the_tsfresh_baseline(monkeypatch, tmp_path, make_catalog, make_views):
    monkeypatch.setitem(sys.modules, "tsfresh", None)
    df = make_catalog(30)
    model = TsfreshLightGBM("seed", tsfresh_preset="tiny", cache_dir=tmp_path, **FAST)
    with pytest.raises(ExomesaError, match='pip install "exomesa\\[baseline\\]"'):
        model.fit(df, views=make_views(df))
