"""Every model type implements the one typed model interface (exomesa.interface.TrainedModel): MESA, its ONNX
twin, and both LightGBM baselines answer the same questions, with the shapes the interface documents."""

from __future__ import annotations

import typing

import numpy as np
import pandas as pd
import pytest

from exomesa.bundled import BUNDLED_MODELS, blank_views, load_bundled
from exomesa.data import CLASSES, load_dr25
from exomesa.interface import MODEL_KINDS, TrainedModel

#: the members a model must have: the Protocol's methods and attributes
MEMBERS = sorted(
    {n for n in vars(TrainedModel) if not n.startswith("_")} | set(typing.get_type_hints(TrainedModel))
)
FAST = {"n_estimators": 20, "n_jobs": 1, "min_child_samples": 5}


def _model_classes() -> list[type]:
    from exomesa.baselines import TabularLightGBM, TsfreshLightGBM
    from exomesa.mesa.classifier import MesaClassifier
    from exomesa.mesa.onnx_scorer import OnnxMesaScorer

    return [MesaClassifier, OnnxMesaScorer, TabularLightGBM, TsfreshLightGBM]


@pytest.mark.parametrize("klass", _model_classes(), ids=lambda k: k.__name__)
def test_every_model_class_declares_every_member(klass: type) -> None:
    missing = [m for m in MEMBERS if m != "classes_" and not hasattr(klass, m)]
    assert not missing, f"{klass.__name__} lacks {missing}"
    assert klass.kind in MODEL_KINDS


def _check(clf: TrainedModel, df: pd.DataFrame, views=None) -> None:
    assert isinstance(clf, TrainedModel)
    assert list(clf.classes_) == list(CLASSES) and isinstance(clf.model_name(), str)
    out = clf.outputs(df, views)
    n = len(df)
    assert out["proba"].shape == (n, 3) and out["proba_uncalibrated"].shape == (n, 3)
    np.testing.assert_allclose(out["proba"], clf.predict_proba(df, views), atol=1e-6)
    assert clf.predict(df, views).shape == (n,)
    spread = clf.proba_spread(df, views)
    assert spread is None or spread.shape == (n, 3)
    assert (spread is None) == ("proba_std" not in out)
    emb = clf.embed(df, views)
    assert isinstance(emb, dict) and all(len(v) == n for v in emb.values())
    assert clf.towers_read() in ("both", "lightcurve", "physics")
    assert clf.features_read() and all(isinstance(c, list) for c in clf.features_read().values())
    assert isinstance(clf.training_reference(), dict) and isinstance(clf.training_history(), list)
    t = clf.calibration_temperature()
    assert t is None or t > 0
    assert clf.summary()["class"] == clf.model_name()


@pytest.fixture(scope="module")
def dr25_sample() -> pd.DataFrame:
    return load_dr25().sample(200, random_state=0).reset_index(drop=True)


def test_mesa_implements_the_interface(dr25_sample: pd.DataFrame) -> None:
    from exomesa.mesa.classifier import MesaClassifier

    clf = MesaClassifier(
        features="seed", train={"epochs": 1, "batch_size": 64, "seed": 0, "ensemble": 2}
    ).fit(dr25_sample)
    _check(clf, dr25_sample.head(20))
    assert clf.kind == "mesa" and clf.proba_spread(dr25_sample.head(5)).shape == (5, 3)
    assert {"fused", "lightcurve", "physics"} <= set(clf.embed(dr25_sample.head(5)))


def test_bundled_onnx_twin_and_torch_model_implement_the_interface(dr25_sample: pd.DataFrame) -> None:
    pytest.importorskip("onnxruntime", reason="onnxruntime not installed")
    entry = next(e for e in BUNDLED_MODELS if e.mission == "kepler")
    df = dr25_sample.head(20)
    twin = load_bundled(entry, engine="onnx")
    _check(twin, df)
    assert twin.kind == "mesa-onnx" and twin.towers_read() == "physics" and twin.embed(df) == {}
    torch_model = load_bundled(entry, engine="torch")
    _check(torch_model, df, blank_views(df["kepoi_name"]))


def test_lightgbm_baselines_implement_the_interface(tmp_path, dr25_sample: pd.DataFrame) -> None:
    pytest.importorskip("lightgbm", reason="lightgbm (baseline extra) not installed")
    from exomesa.baselines import TabularLightGBM, TsfreshLightGBM
    from exomesa.lightcurves import views_for_catalog

    df = dr25_sample.head(90)
    views = views_for_catalog(df, None, cache_dir=None)
    tabular = TabularLightGBM("seed", **FAST).fit(df)
    _check(tabular, df.head(20))
    assert tabular.kind == "lightgbm" and tabular.embed(df.head(3)) == {} and tabular.proba_spread(df) is None
    pytest.importorskip("tsfresh", reason="tsfresh (baseline extra) not installed")
    model = TsfreshLightGBM("seed", tsfresh_preset="tiny", cache_dir=tmp_path / "cache", **FAST).fit(
        df, views
    )
    _check(model, df.head(20), views.take(np.arange(20)))
