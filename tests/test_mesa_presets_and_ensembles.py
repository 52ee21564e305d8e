"""Numeric embeddings of the physics tower, the paper preset and deep ensembles."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.base import clone
from tests.test_api import FAST, synthetic_catalog

from exomesa.mesa.classifier import MesaClassifier
from exomesa.mesa.config import MesaConfig
from exomesa.mesa.ensemble import ensemble_logits, ensemble_proba
from exomesa.mesa.model import MESAModel
from exomesa.mesa.physics_encoder import NumericEmbedding


@pytest.mark.parametrize("kind", ["periodic", "ple"])
def test_numeric_embedding_shapes_and_model_forward(kind):
    emb = NumericEmbedding(5, kind, d_embed=4, n_bins=8, sigma=0.5)
    assert emb(torch.randn(7, 5)).shape == (7, 20)
    cfg = MesaConfig(tabular_dims={"planet": 6, "stellar": 4}, num_embedding=kind, towers="physics")
    out = MESAModel(cfg)({"planet": torch.randn(3, 6), "stellar": torch.randn(3, 4)})
    assert out["logits"].shape == (3, 3)


def test_ple_is_piecewise_linear_on_quantile_bins():
    emb = NumericEmbedding(1, "ple", d_embed=1, n_bins=4, sigma=0.5)
    x = torch.tensor([[-3.5], [0.0], [3.5]])
    enc = ((x.unsqueeze(-1) - emb.left) / emb.width).clamp(0, 1)[:, 0]  # [3, 4]
    assert torch.allclose(enc[0], torch.tensor([0.0, 0, 0, 0]))
    assert torch.allclose(enc[1], torch.tensor([1.0, 1, 0, 0]))  # median = end of bin 2 of 4
    assert torch.allclose(enc[2], torch.tensor([1.0, 1, 1, 1]))


def test_unknown_num_embedding_is_refused():
    with pytest.raises(ValueError, match="num_embedding"):
        MesaConfig(num_embedding="fourier")


def test_ensemble_combination_k1_is_the_single_model():
    z = np.random.default_rng(0).normal(size=(1, 5, 3))
    proba, std = ensemble_proba(z, temperature=2.0)
    e = np.exp(z[0] / 2.0)
    assert np.allclose(proba, e / e.sum(1, keepdims=True))
    assert np.allclose(std, 0)
    assert np.allclose(np.exp(ensemble_logits(z)).sum(1), 1)


def test_paper_preset_under_explicit_settings_and_clone_keeps_it():
    """``paper`` (alias ``seed``) is the base; settings given explicitly override it."""
    clf = MesaClassifier.from_settings(preset="seed", d_model=64, num_embedding="ple")
    model, train = clf.settings()
    assert model.d_model == 64 and model.num_embedding == "ple"  # given
    assert model.phys_encoder == "mlp" and train.batch_size == 16 and train.ensemble == 1  # the preset's
    assert clone(clf).get_params()["preset"] == "seed"
    assert clone(clf).settings() == clf.settings()


def test_ensemble_fit_std_save_load(tmp_path):
    df, views = synthetic_catalog(80, seed=1)
    clf = MesaClassifier.from_settings(**{**FAST, "epochs": 1, "ensemble": 2, "num_embedding": "periodic"})
    clf.fit(df, views=views)
    assert len(clf.members_) == 2
    out = clf.outputs(df, views)
    assert out["proba"].shape == out["proba_std"].shape == (80, 3)
    assert np.allclose(out["proba"].sum(1), 1) and (out["proba_std"] > 0).any()
    path = clf.save(tmp_path / "m.pth")
    torch.load(path, weights_only=True)
    again = MesaClassifier.load(path)
    assert len(again.members_) == 2
    assert np.allclose(again.predict_proba(df, views), out["proba"], atol=1e-5)
    assert np.allclose(again.predict_proba_std(df, views), out["proba_std"], atol=1e-5)
    assert clone(clf).get_params()["train__ensemble"] == 2


def test_gaia_group_joins_on_kepid_and_folds_ao_flags():
    import pandas as pd

    from exomesa.features import resolve_feature_set
    from exomesa.features.derived import add_derived_features
    from exomesa.features.gaia import load_gaia

    table = load_gaia()
    flagged = table[table["binaryFlag"].isin([1, 2])].drop_duplicates("binaryFlag").sort_values("binaryFlag")
    df = pd.DataFrame(
        {
            "kepid": [*flagged["kepid"], 1],
            "kepoi_name": ["K00001.01", "K00002.01", "K00003.01"],
            "koi_ror": [0.01, 0.02, 0.03],
        }
    )
    out = add_derived_features(df)
    assert out["gaia_binary"].tolist()[:2] == [1.0, 0.0]  # flag 2 (AO follow-up) folds into 0
    assert np.isnan(out["gaia_rad"].iloc[2])  # KIC 1 is not in the table: missing
    assert np.isclose(out["gaia_prad"].iloc[0], 0.01 * flagged["gaia_rad"].iloc[0] * 109.1)
    toi = add_derived_features(df.assign(kepoi_name="TOI-100.01"))
    assert toi["gaia_rad"].isna().all()  # a TIC id never matches a KIC
    assert "gaia" in resolve_feature_set("full_gaia") and "gaia" not in resolve_feature_set("full")


def test_recall_at_precision_picks_the_largest_safe_threshold():
    from exomesa.evaluation.vetting_metrics import recall_at_precision

    y = np.array([1, 1, 1, 0, 1, 0, 0])
    s = np.array([0.9, 0.8, 0.7, 0.65, 0.6, 0.2, 0.1])
    out = recall_at_precision(y, s, precision=0.99)
    assert out["recall"] == 0.75 and out["threshold"] == 0.7  # 3 of 4 positives before the first negative
    assert recall_at_precision(y, s, precision=0.8)["recall"] == 1.0  # 4/5 = 0.8 at 0.6
    assert recall_at_precision(np.ones(3), np.ones(3))["recall"] is None


def test_evaluate_has_the_vetting_block():
    from exomesa.evaluation.metrics import evaluate

    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 200)
    proba = np.full((200, 3), 0.1)
    proba[np.arange(200), y] = 0.8
    res = evaluate(y, proba, strata={"koi_model_snr": rng.uniform(0, 200, 200)}, proba_std=np.zeros((200, 3)))
    v = res["vetting"]
    assert res["summary"]["confirmed_recall_at_99_precision"] == 1.0
    assert sum(b["n"] for b in v["accuracy_by_bin"]["koi_model_snr"]) == 200
    assert all(b["accuracy"] in (None, 1.0) for b in v["accuracy_by_bin"]["koi_model_snr"])
    assert v["uncertainty"]["mean_proba_std"]["CONFIRMED"] == 0.0


@pytest.mark.slow  # spawned workers import torch (seconds to a minute on a busy CPU)
def test_ensemble_members_in_worker_processes_match_in_process():
    df, views = synthetic_catalog(48, seed=2)
    params = {**FAST, "epochs": 1, "ensemble": 2}
    serial = MesaClassifier.from_settings(**params).fit(df, views=views)
    parallel = MesaClassifier.from_settings(**params, ensemble_workers=2).fit(df, views=views)
    assert np.allclose(serial.predict_proba(df, views), parallel.predict_proba(df, views), atol=1e-5)
