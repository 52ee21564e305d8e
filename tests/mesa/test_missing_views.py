"""Candidates without a real light curve: masked, not rendered, and presence made uninformative in training."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from exomesa.data import load_dr25
from exomesa.lightcurves import ViewSet, embedded_views, views_for_catalog
from exomesa.mesa.batches import build_arrays, select_rows
from exomesa.mesa.config import MesaConfig
from exomesa.mesa.losses import MesaLoss
from exomesa.mesa.model import MESAModel
from exomesa.mesa.trainer import view_keep_probabilities

DIMS = {"planet": 4, "stellar": 2}


def _batch(n: int, has_view: np.ndarray, seed: int = 0) -> dict[str, torch.Tensor]:
    rng = np.random.default_rng(seed)
    g = rng.normal(0, 1e-3, (n, 2001)).astype(np.float32)
    loc = rng.normal(0, 1e-3, (n, 201)).astype(np.float32)
    tab = {
        "planet": rng.normal(size=(n, 4)).astype(np.float32),
        "stellar": rng.normal(size=(n, 2)).astype(np.float32),
    }
    return build_arrays(tab, g, loc, rng.integers(0, 3, n), has_view)


def test_views_for_catalog_without_rendering_takes_the_shipped_real_views():
    cat = load_dr25().iloc[:200].reset_index(drop=True)
    views = views_for_catalog(cat, None, missing="none")
    shipped = set(np.asarray(embedded_views().candidate_id).astype(str))
    real = cat["candidate_id"].astype(str).isin(shipped).to_numpy()
    assert 0 < real.sum() < len(cat)
    np.testing.assert_array_equal(views.source == "real", real)
    assert set(views.source[~real]) == {"none"} and set(views.provenance[~real]) == {"none"}
    assert not views.global_view[~real].any() and not views.local_view[~real].any()
    # a rendered row of a given file is not a real view: it counts as none
    rendered = views_for_catalog(cat.iloc[:5], ViewSet.empty())
    assert set(views_for_catalog(cat.iloc[:5], rendered, missing="none").source) == {"none"}
    with pytest.raises(ValueError, match="missing"):
        views_for_catalog(cat.iloc[:5], None, missing="zeros")


def test_a_masked_row_reads_nothing_from_its_view():
    torch.manual_seed(0)
    model = MESAModel(MesaConfig(tabular_dims=DIMS, missing_view="mask")).eval()
    has = np.array([1, 0, 1, 0], np.float32)
    a, b = _batch(4, has, seed=0), _batch(4, has, seed=1)
    b = {**b, **{k: a[k] for k in ("planet", "stellar")}}  # same table, other views
    with torch.no_grad():
        out_a, out_b = model(a), model(b)
    masked = has == 0
    torch.testing.assert_close(out_a["logits"][masked], out_b["logits"][masked])
    assert not torch.allclose(out_a["logits"][~masked], out_b["logits"][~masked])
    assert out_a["has_view"].tolist() == [True, False, True, False]
    assert "lc_logits" in out_a and "phys_logits" in out_a


def test_masked_rows_are_left_out_of_infonce_and_the_light_curve_head():
    torch.manual_seed(0)
    model = MESAModel(MesaConfig(tabular_dims=DIMS, missing_view="mask")).eval()
    has = np.array([1, 1, 1, 0, 0, 0], np.float32)
    batch = _batch(6, has)
    with torch.no_grad():
        out = model(batch)
    loss = MesaLoss(contrastive_weight=1.0, aux_weight=0.5)
    full = loss(out, batch["label"])
    kept = {k: (v[:3] if v.ndim and v.shape[0] == 6 else v) for k, v in out.items()}
    only_real = loss(kept, batch["label"][:3])
    torch.testing.assert_close(full["contrastive"], only_real["contrastive"])
    assert "auxiliary" in full and float(full["auxiliary"]) > 0


def test_view_balancing_equalises_the_share_of_rows_with_a_view_per_class():
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 1000)
    share = np.array([0.65, 0.45, 0.46])
    has = (rng.random(3000) < share[y]).astype(np.float32)
    arrays = select_rows(_batch(3000, has), np.arange(3000))
    arrays["label"] = torch.as_tensor(y)
    keep = view_keep_probabilities(arrays)
    kept = has * (rng.random(3000) < keep[y])
    after = np.array([kept[y == c].mean() for c in range(3)])
    assert keep.max() == pytest.approx(1.0) and keep[0] < 0.8
    assert after.max() - after.min() < 0.05
    assert view_keep_probabilities({"label": torch.as_tensor(y)}) is None


def test_checkpoints_written_before_masking_keep_their_meaning():
    old = {
        k: v
        for k, v in MesaConfig().to_dict().items()
        if k not in ("lc_encoder", "missing_view", "aux_heads")
    }
    cfg = MesaConfig.from_dict(old)
    assert (cfg.lc_encoder, cfg.missing_view, cfg.aux_heads) == ("patch", "render", False)
    model = MESAModel(cfg.replace(tabular_dims=DIMS))
    assert model.missing_lc is None and model.lc_head is None


def test_the_default_classifier_masks_on_dr25_and_renders_without_real_views():
    from exomesa import MesaClassifier
    from exomesa.evaluation.runner import model_views

    cat = load_dr25().sample(160, random_state=0).reset_index(drop=True)
    train = {"epochs": 1, "ensemble": 1, "val_split": 0.0, "batch_size": 32}
    clf = MesaClassifier(train=train).fit(cat)
    assert clf.missing_view_mode() == "mask"
    used = model_views(clf, cat, None)
    assert set(used.source) <= {"real", "none"} and (used.source == "real").any()
    no_real = MesaClassifier(train=train).fit(cat, views=ViewSet.empty())
    assert no_real.missing_view_mode() == "render"
    assert set(model_views(no_real, cat.iloc[:10], None).source) <= {"rendered", "flat"}


def test_a_pretrained_light_curve_tower_starts_every_member():
    from exomesa import MesaClassifier
    from exomesa.mesa.pretrain import pretrain_lightcurve_tower

    rng = np.random.default_rng(0)
    n = 64
    g = rng.normal(0, 1e-4, (n, 2001)).astype(np.float32)
    loc = rng.normal(0, 1e-4, (n, 201)).astype(np.float32)
    y = rng.integers(0, 3, n)
    g[:, 990:1011] -= (1e-3 * (1 + y))[:, None]
    state = pretrain_lightcurve_tower(MesaConfig(), g, loc, y, epochs=1, batch_size=32)
    assert state and all(k.startswith("lc_encoder.") for k in state)
    cat = load_dr25().sample(120, random_state=1).reset_index(drop=True)
    train = {"epochs": 1, "ensemble": 1, "val_split": 0.0, "learning_rate": 1e-12, "warmup_epochs": 0.0}
    clf = MesaClassifier(train=train).fit(cat, lc_state=state)
    for key, value in state.items():  # a learning rate of ~0 keeps the pretrained weights
        torch.testing.assert_close(clf.model_.state_dict()[key], value, atol=1e-6, rtol=0)
    with pytest.raises(Exception, match="lc_encoder"):
        MesaClassifier(train=train).fit(cat, lc_state={"classifier.1.weight": torch.zeros(1)})
