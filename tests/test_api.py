"""Tests for exomesa.mesa.classifier.MesaClassifier on a small synthetic catalog with given views (no rendering)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import torch

from exomesa.data import CLASSES, LABEL
from exomesa.errors import ExomesaError
from exomesa.lightcurves import ViewSet
from exomesa.mesa.classifier import MesaClassifier

FAST = dict(
    features="seed", epochs=2, learning_rate=3e-3, batch_size=16, val_split=0.25, augment=False, seed=0
)


def synthetic_catalog(n: int = 160, seed: int = 0) -> tuple[pd.DataFrame, ViewSet]:
    """A seed-layout catalog whose label shows in koi_prad and the transit depth, plus matching views."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    depth_ppm = 10 ** (2.0 + y + rng.normal(0, 0.3, n))
    df = pd.DataFrame(
        {
            "kepoi_name": [f"K{i + 1:05d}.01" for i in range(n)],
            "kepid": np.arange(n) // 2 + 1000,
            "koi_disposition": np.array(CLASSES)[y],
            "koi_period": 10 ** rng.uniform(0, 2, n),
            "koi_depth": depth_ppm,
            "koi_prad": 10 ** (y * 0.5 + rng.normal(0, 0.2, n)),
            "koi_steff": rng.normal(5700, 500, n),
            "koi_srad": 10 ** rng.normal(0, 0.1, n),
            "koi_duration": rng.uniform(1, 6, n),
        }
    )
    g = rng.normal(0, 2e-5, (n, 2001)).astype(np.float32)
    g[:, 995:1006] -= (depth_ppm * 1e-6)[:, None]
    loc = rng.normal(0, 2e-5, (n, 201)).astype(np.float32)
    loc[:, 70:131] -= (depth_ppm * 1e-6)[:, None]
    views = ViewSet(
        kepoi_name=df["kepoi_name"].to_numpy(), global_view=g, local_view=loc, source=np.full(n, "real")
    )
    return df, views


@pytest.fixture(scope="module")
def fitted():
    df, views = synthetic_catalog()
    clf = MesaClassifier.from_settings(**FAST).fit(df, views=views)
    return clf, df, views


def test_fit_returns_self_and_sets_classes():
    df, views = synthetic_catalog(60, seed=3)
    clf = MesaClassifier.from_settings(**{**FAST, "epochs": 1})
    assert not hasattr(clf, "classes_")
    assert clf.fit(df, views=views) is clf
    assert list(clf.classes_) == list(CLASSES)


def test_fit_sets_learned_attributes(fitted):
    clf, df, _ = fitted
    assert list(clf.classes_) == list(CLASSES)
    assert len(clf.history_) == 2 and clf.temperature_ > 0
    assert set(clf.feature_set_) == {"planet", "stellar"}
    assert clf.n_parameters_ > 1000
    ref = clf.reference_
    assert list(ref["candidate_id"]) == list(df["kepoi_name"])
    assert ref["physics"].shape == (len(df), 32)
    np.testing.assert_allclose(np.linalg.norm(ref["physics"], axis=1), 1.0, rtol=1e-5)


def test_predict_proba_predict_embed(fitted):
    clf, df, views = fitted
    p = clf.predict_proba(df, views)
    assert p.shape == (len(df), 3)
    np.testing.assert_allclose(p.sum(1), 1.0, rtol=1e-6)
    raw = clf.predict_proba(df, views, calibrated=False)
    np.testing.assert_array_equal(p.argmax(1), raw.argmax(1))  # temperature never changes the ranking
    pred = clf.predict(df, views)
    assert set(pred) <= set(CLASSES) and len(pred) == len(df)
    emb = clf.embed(df.iloc[:7], views.take(np.arange(7)))
    assert emb["lightcurve"].shape == (7, 32) and emb["physics"].shape == (7, 32)
    assert emb["fused"].shape == (7, 32 + 64)
    assert clf.predict_proba(df.iloc[:0], views).shape == (0, 3)


def test_outputs_equal_the_separate_calls(fitted):
    clf, df, views = fitted
    out = clf.outputs(df, views=views)
    np.testing.assert_array_equal(out["proba"], clf.predict_proba(df, views=views))
    np.testing.assert_array_equal(out["proba_uncalibrated"], clf.predict_proba(df, views, calibrated=False))
    for key, value in clf.embed(df, views=views).items():
        np.testing.assert_array_equal(out[key], value)


def test_save_load_gives_identical_probabilities(fitted, tmp_path):
    clf, df, views = fitted
    path = clf.save(tmp_path / "m.pth")
    data = torch.load(path, map_location="cpu", weights_only=True)
    assert data["format"] == "exomesa-mesa" and data["classes"] == list(CLASSES)
    loaded = MesaClassifier.load(path)
    np.testing.assert_array_equal(loaded.predict_proba(df, views), clf.predict_proba(df, views))
    np.testing.assert_array_equal(loaded.reference_["physics"], clf.reference_["physics"])
    assert loaded.temperature_ == clf.temperature_ and loaded.history_ == clf.history_
    np.testing.assert_array_equal(loaded.predict(df, views), clf.predict(df, views))
    np.testing.assert_array_equal(
        loaded.predict_proba(df, views, calibrated=False), clf.predict_proba(df, views, calibrated=False)
    )
    for key, value in clf.embed(df, views).items():
        np.testing.assert_array_equal(loaded.embed(df, views)[key], value)
    # and a second save of the loaded model round-trips too
    again = MesaClassifier.load(loaded.save(tmp_path / "m2.pth"))
    np.testing.assert_array_equal(again.predict_proba(df, views), clf.predict_proba(df, views))
    assert loaded.get_params()["features"] == "seed"


def test_fit_is_deterministic():
    df, views = synthetic_catalog(96, seed=1)
    a = MesaClassifier.from_settings(**FAST).fit(df, views=views)
    b = MesaClassifier.from_settings(**FAST).fit(df, views=views)
    strip = [{k: v for k, v in r.items() if k != "seconds"} for r in a.history_]
    assert strip == [{k: v for k, v in r.items() if k != "seconds"} for r in b.history_]
    np.testing.assert_array_equal(a.predict_proba(df, views), b.predict_proba(df, views))


def test_learns_a_separable_problem():
    df, views = synthetic_catalog(240, seed=2)
    clf = MesaClassifier.from_settings(**{**FAST, "epochs": 8}).fit(df, views=views)
    assert max(h["val_accuracy"] for h in clf.history_) > 0.7


def test_finetune_from_pretrained_freezes_backbone(fitted, tmp_path):
    clf, df, views = fitted
    path = clf.save(tmp_path / "pre.pth")
    tuned = MesaClassifier.from_settings(**{**FAST, "epochs": 1}).fit(
        df, views=views, pretrained=path, freeze_backbone=True
    )
    old, new = clf.model_.state_dict(), tuned.model_.state_dict()
    changed = {k for k in old if not torch.equal(old[k], new[k])}
    assert changed and all(k.startswith("classifier.") for k in changed)


def test_pretrained_mismatch_is_a_clear_error(fitted, tmp_path):
    clf, df, views = fitted
    path = clf.save(tmp_path / "pre.pth")
    with pytest.raises(ExomesaError, match="d_model: checkpoint 32 vs requested 16"):
        MesaClassifier.from_settings(**{**FAST, "d_model": 16}).fit(df, views=views, pretrained=path)
    with pytest.raises(ExomesaError, match="does not exist"):
        MesaClassifier.from_settings(**FAST).fit(df, views=views, pretrained=tmp_path / "missing.pth")


def test_pretrained_feature_mismatch_lists_groups(fitted, tmp_path):
    clf, df, views = fitted
    path = clf.save(tmp_path / "pre.pth")
    with pytest.raises(ExomesaError, match="feature group 'diagnostics'"):
        MesaClassifier.from_settings(**{**FAST, "features": "full"}).fit(df, views=views, pretrained=path)


def test_errors_for_bad_use():
    with pytest.raises(TypeError, match="n_epochs"):  # explicit keyword arguments, as in scikit-learn
        MesaClassifier(n_epochs=3)
    with pytest.raises(ExomesaError, match="augment must be"):
        MesaClassifier.from_settings(**{**FAST, "augment": "sometimes"}).fit(*synthetic_catalog(40))
    df, views = synthetic_catalog(40)
    with pytest.raises(ExomesaError, match="not fitted"):
        MesaClassifier().predict(df, views)
    with pytest.raises(ExomesaError, match="koi_disposition"):
        MesaClassifier.from_settings(**FAST).fit(df.drop(columns="koi_disposition"), views=views)
    with pytest.raises(ExomesaError, match="freeze_backbone"):
        MesaClassifier.from_settings(**FAST).fit(df, views=views, freeze_backbone=True)


def test_column_difference_is_short_and_names_the_columns():
    from exomesa.mesa.checkpoint import column_difference as _column_difference

    stored = [f"c{i}" for i in range(12)]
    text = _column_difference(stored, ["c0", "c1", "new"])
    assert text.startswith("checkpoint 12 column(s), requested 3")
    assert "only in the checkpoint: c2, c3, c4, c5, c6, c7, ... (10 in all)" in text
    assert "only requested: new" in text
    assert "same columns in another order" in _column_difference(["a", "b"], ["b", "a"])


def test_clone_and_grouped_cross_validation():
    """scikit-learn's contract: clone gives an unfitted copy with the same parameters; each fold fits one."""
    from sklearn.base import clone

    from exomesa.data import group_kfold

    proto = MesaClassifier.from_settings(**FAST)
    copy = clone(proto)
    assert copy is not proto and copy.get_params() == proto.get_params()
    assert not hasattr(copy, "model_")
    df, views = synthetic_catalog(90)
    scores = []
    for train_idx, test_idx in group_kfold(df, n_splits=2, seed=0):
        clf = clone(proto).fit(df.iloc[train_idx], views=views)
        proba = clf.predict_proba(df.iloc[test_idx], views)
        assert proba.shape == (len(test_idx), 3) and np.allclose(proba.sum(1), 1.0)
        scores.append(float(np.mean(clf.predict(df.iloc[test_idx], views) == df.iloc[test_idx][LABEL])))
    assert len(scores) == 2 and all(0.0 <= s <= 1.0 for s in scores)
    assert not hasattr(proto, "model_")  # the prototype itself is never fitted
