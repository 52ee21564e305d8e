"""Tests for exomesa.mesa.trainer on small synthetic problems (CPU, seconds)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.metrics import f1_score

from exomesa.errors import ExomesaError
from exomesa.mesa.batches import ROWS_KEY, build_arrays, iterate_batches, n_rows, select_rows
from exomesa.mesa.model import MesaConfig, MESAModel
from exomesa.mesa.trainer import TrainConfig, fit_temperature, macro_f1, predict_arrays, train_model

DIMS = {"planet": 4, "stellar": 2}


def _arrays(n: int, seed: int) -> dict[str, torch.Tensor]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    planet = rng.normal(size=(n, 4)).astype(np.float32)
    planet[:, 0] += 1.5 * (y - 1)  # the label is readable from one planet feature
    stellar = rng.normal(size=(n, 2)).astype(np.float32)
    depth = 10.0 ** rng.uniform(-4, -2, n)
    g = rng.normal(0, 1e-5, (n, 2001)).astype(np.float32)
    g[:, 995:1006] -= depth[:, None]
    loc = rng.normal(0, 1e-5, (n, 201)).astype(np.float32)
    loc[:, 80:121] -= depth[:, None]
    return build_arrays({"planet": planet, "stellar": stellar}, g, loc, y)


def _model(seed: int = 0) -> MESAModel:
    torch.manual_seed(seed)
    return MESAModel(MesaConfig(tabular_dims=DIMS))


def _cfg(**kw) -> TrainConfig:
    base = dict(epochs=4, batch_size=16, learning_rate=3e-3, patience=0, augment=False, seed=0)
    base.update(kw)
    return TrainConfig(**base)


def test_training_reduces_loss_and_learns():
    train, val = _arrays(192, 0), _arrays(64, 1)
    hist = train_model(_model(), train, val, _cfg(epochs=6))
    assert len(hist) == 6
    assert hist[-1]["train_loss"] < hist[0]["train_loss"]
    assert max(h["val_accuracy"] for h in hist) > 0.6
    keys = {
        "train_loss",
        "train_contrastive",
        "train_classification",
        "train_accuracy",
        "train_macro_f1",
        "val_loss",
        "val_contrastive",
        "val_classification",
        "val_accuracy",
        "val_macro_f1",
        "lr",
        "seconds",
    }
    assert keys <= set(hist[0])


def test_same_seed_same_history():
    train, val = _arrays(96, 0), _arrays(32, 1)

    def run():
        h = train_model(_model(3), train, val, _cfg(epochs=2, augment=True), augment=_noise_augment)
        return [{k: v for k, v in r.items() if k != "seconds"} for r in h]

    assert run() == run()


def _noise_augment(g, loc, rng):
    return g + rng.normal(0, 1e-6, g.shape).astype(np.float32), loc


@pytest.mark.parametrize("monitor", ["val_classification", "val_macro_f1"])
def test_early_stopping_restores_best_weights(monitor):
    train, val = _arrays(96, 0), _arrays(48, 1)
    model = _model()
    # a huge learning rate makes later epochs worse, so the best epoch is an early one
    cfg = _cfg(epochs=8, learning_rate=0.5, patience=2, grad_clip=0, monitor=monitor)
    hist = train_model(model, train, val, cfg)
    best = hist[-1]["best_epoch"]
    best_rec = hist[best - 1]
    pick = max if monitor == "val_macro_f1" else min
    assert best_rec[monitor] == pick(h[monitor] for h in hist)
    out = predict_arrays(model, val)
    y = val["label"].numpy()
    assert macro_f1(y, out["logits"].argmax(1)) == pytest.approx(best_rec["val_macro_f1"])
    assert len(hist) <= 8


def test_unknown_monitor_is_an_error():
    # refused where the settings are made (TrainConfig lists the monitors), before any training
    with pytest.raises(ExomesaError, match="monitor must be val_classification, .* not 'val_auc'"):
        train_model(_model(), _arrays(32, 0), _arrays(16, 1), _cfg(epochs=1, monitor="val_auc"))


def test_freeze_backbone_changes_only_the_head():
    train = _arrays(64, 0)
    model = _model()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    train_model(model, train, None, _cfg(epochs=1, freeze_backbone=True))
    changed = {k for k, v in model.state_dict().items() if not torch.equal(v, before[k])}
    assert changed and all(k.startswith("classifier.") for k in changed)
    assert len(changed) == len([k for k in before if k.startswith("classifier.")])


def test_num_threads_is_restored():
    threads = torch.get_num_threads()
    train_model(_model(), _arrays(32, 0), None, _cfg(epochs=1, num_threads=1))
    assert torch.get_num_threads() == threads


def test_fit_temperature_recovers_a_known_temperature():
    rng = np.random.default_rng(0)
    true_logits = rng.normal(0, 2, (4000, 3))
    p = np.exp(true_logits) / np.exp(true_logits).sum(1, keepdims=True)
    y = np.array([rng.choice(3, p=row) for row in p])
    t = fit_temperature(true_logits * 3.0, y)  # over-confident by a factor 3
    assert t == pytest.approx(3.0, rel=0.1)
    assert fit_temperature(np.zeros((0, 3)), np.zeros(0, int)) == 1.0


def test_macro_f1_matches_sklearn():
    rng = np.random.default_rng(0)
    y, p = rng.integers(0, 3, 50), rng.integers(0, 3, 50)
    assert macro_f1(y, p) == pytest.approx(f1_score(y, p, average="macro"))


def test_iterate_batches_covers_every_row_once():
    arrays = _arrays(37, 0)
    gen = torch.Generator().manual_seed(0)
    labels = torch.cat([b["label"] for b in iterate_batches(arrays, 8, shuffle=True, generator=gen)])
    assert sorted(labels.tolist()) == sorted(arrays["label"].tolist())
    assert [len(b["label"]) for b in iterate_batches(arrays, 8)] == [8, 8, 8, 8, 5]


def test_a_row_split_batches_like_a_copy_without_copying():
    """select_rows shares the tensors; its batches equal those of the copied rows, shuffled or not."""
    arrays = _arrays(37, 0)
    rows = np.array([30, 2, 7, 7, 11, 0, 36, 5, 19, 23, 14])
    split = select_rows(arrays, rows)
    copy = {k: v[torch.as_tensor(rows)] for k, v in arrays.items()}
    assert n_rows(split) == len(rows) and split["global_view"] is arrays["global_view"]
    for shuffle in (False, True):
        a = list(iterate_batches(split, 4, shuffle, torch.Generator().manual_seed(3)))
        b = list(iterate_batches(copy, 4, shuffle, torch.Generator().manual_seed(3)))
        assert len(a) == len(b) == 3
        for x, y in zip(a, b, strict=True):
            assert ROWS_KEY not in x and x.keys() == y.keys()
            assert all(torch.equal(x[k], y[k]) for k in x)
    nested = select_rows(split, np.array([1, 0]))  # rows 2 and 30 of the table
    assert torch.equal(next(iterate_batches(nested, 8))["label"], arrays["label"][[2, 30]])


def test_weight_ema_returns_the_averaged_weights():
    """Decay (almost) 1: the average keeps the first step's weights however long training runs; a vanishing
    decay tracks the raw weights; the result is the average, not the raw weights. (1 itself is outside the
    allowed range [0, 1): an average that never moves is no setting a user wants.)"""
    train = _arrays(96, 0)

    def fit(**kw) -> dict[str, torch.Tensor]:
        model = _model()  # seeds torch: the same initial weights and dropout masks for every run
        train_model(model, train, None, _cfg(**kw))
        return model.state_dict()

    still = 1.0 - 1e-12
    short, long = fit(epochs=2, ema_decay=still), fit(epochs=4, ema_decay=still)
    raw, fast = fit(epochs=2), fit(epochs=2, ema_decay=1e-9)  # a vanishing decay: the latest weights
    for k, v in short.items():
        if not v.is_floating_point():
            continue
        torch.testing.assert_close(v, long[k])  # the average never moved after step 1
        torch.testing.assert_close(fast[k], raw[k], rtol=1e-5, atol=1e-6)
    assert any(not torch.allclose(v, raw[k]) for k, v in short.items() if v.is_floating_point())
