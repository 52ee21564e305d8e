"""The MESA training loop: AdamW, cosine schedule, gradient clipping, early stopping, temperature scaling.

Pure: no argv, no files. The caller (``exomesa.mesa.classifier.MesaClassifier.fit``) hands in a model and
precomputed arrays (:mod:`exomesa.mesa.batches`); :func:`train_model` returns the per-epoch history and leaves the
model holding the weights of its best validation epoch.

Early stopping watches the validation **classification loss** by default (``monitor="val_classification"``:
a proper scoring rule that is far less noisy on ~900 validation KOIs than macro-F1, which plateaued and
stopped training after ~15 epochs while the loss was still falling). ``val_loss`` (classification +
contrastive), ``val_macro_f1`` and ``val_accuracy`` can be chosen instead; ties keep the earlier epoch.
After ``patience`` epochs without improvement training stops and the best weights are restored.

Determinism: with the same seed on the same machine the history is identical (shuffling uses a seeded
``torch.Generator``, augmentation a seeded ``numpy`` generator, dropout the seeded global torch RNG).
"""

from __future__ import annotations

import copy
import logging
import math
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn

from exomesa.errors import ExomesaError
from exomesa.mesa.batches import ROWS_KEY, iterate_batches, n_rows
from exomesa.mesa.config import MONITORS, TrainConfig
from exomesa.mesa.losses import MesaLoss
from exomesa.mesa.model import count_parameters

__all__ = [
    "TrainConfig",
    "train_model",
    "predict_arrays",
    "fit_temperature",
    "macro_f1",
    "format_epoch",
    "view_keep_probabilities",
]

logger = logging.getLogger(__name__)


AugmentFn = Callable[[np.ndarray, np.ndarray, np.random.Generator], tuple[np.ndarray, np.ndarray]]


def macro_f1(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int = 3) -> float:
    """Unweighted mean of the per-class F1 scores (a class absent from both gives F1 = 0)."""
    scores = []
    for c in range(n_classes):
        tp = np.sum((y_pred == c) & (y_true == c))
        fp = np.sum((y_pred == c) & (y_true != c))
        fn = np.sum((y_pred != c) & (y_true == c))
        denom = 2 * tp + fp + fn
        scores.append(2 * tp / denom if denom else 0.0)
    return float(np.mean(scores))


@torch.no_grad()
def predict_arrays(
    model: nn.Module, arrays: dict[str, torch.Tensor], batch_size: int = 1024, device: str = "cpu"
) -> dict[str, np.ndarray]:
    """Eval-mode forward pass over all rows; returns ``logits`` [N, 3], ``lc_embedding`` / ``phys_embedding``
    [N, P] (those of the towers the model has) and ``fused`` [N, F] as float32 numpy arrays."""
    was_training = model.training
    model.eval()
    keys = ("logits", "lc_embedding", "phys_embedding", "fused")
    chunks: dict[str, list[np.ndarray]] = {}
    for batch in iterate_batches(arrays, batch_size):
        out = model({k: v.to(device) for k, v in batch.items() if k != "label"})
        for k in keys:
            if k in out:
                chunks.setdefault(k, []).append(out[k].float().cpu().numpy())
    model.train(was_training)
    return {k: np.concatenate(v) if v else np.zeros((0, 0), np.float32) for k, v in chunks.items()}


@torch.no_grad()
def _evaluate(
    model: nn.Module, arrays: dict[str, torch.Tensor], loss_fn: MesaLoss, batch_size: int, device: str
) -> dict[str, float]:
    """Validation losses (batch-size weighted; InfoNCE over ``batch_size`` chunks), accuracy and macro-F1."""
    model.eval()
    sums = {"loss": 0.0, "contrastive": 0.0, "classification": 0.0}
    preds, labels = [], []
    for batch in iterate_batches(arrays, batch_size):
        batch = {k: v.to(device) for k, v in batch.items()}
        out = model(batch)
        terms = loss_fn(out, batch["label"])
        for k in sums:
            sums[k] += float(terms[k]) * len(batch["label"])
        preds.append(out["logits"].argmax(1).cpu().numpy())
        labels.append(batch["label"].cpu().numpy())
    n = n_rows(arrays)
    y, p = np.concatenate(labels), np.concatenate(preds)
    return {
        **{k: v / n for k, v in sums.items()},
        "accuracy": float(np.mean(y == p)),
        "macro_f1": macro_f1(y, p),
    }


def view_keep_probabilities(train: dict[str, torch.Tensor]) -> np.ndarray | None:
    """Per-class probabilities [n_classes] of keeping a training row's real view so that every class has the
    same share of rows with a view (the smallest class share): presence then carries no class information.

    None when the arrays have no ``has_view`` or no row has a view. A class without rows keeps every view.
    """
    if "has_view" not in train or "label" not in train:
        return None
    rows = train.get(ROWS_KEY)
    has = train["has_view"] if rows is None else train["has_view"][rows]
    y = train["label"] if rows is None else train["label"][rows]
    has, y = has.numpy() > 0.5, y.numpy()
    if not has.any():
        return None
    n_classes = int(max(3, y.max() + 1))
    share = np.array([has[y == c].mean() if (y == c).any() else np.nan for c in range(n_classes)])
    target = np.nanmin(share)
    keep = np.where(np.isfinite(share) & (share > 0), target / np.where(share > 0, share, 1.0), 1.0)
    return np.clip(keep, 0.0, 1.0)


def _lr_lambda(total_steps: int, warmup_steps: int, min_ratio: float) -> Callable[[int], float]:
    def f(step: int) -> float:
        if step < warmup_steps:
            return (step + 1) / warmup_steps
        t = (step - warmup_steps) / max(1, total_steps - warmup_steps)
        return min_ratio + (1.0 - min_ratio) * 0.5 * (1.0 + math.cos(math.pi * min(1.0, t)))

    return f


def format_epoch(rec: dict[str, Any], total_epochs: int | None = None, tag: str = "") -> str:
    """One human-readable progress line for an epoch record of the history.

    ``total_epochs`` adds "epoch e/E"; ``tag`` (e.g. ``"member 2/3"``) starts the line; the record's
    ``best_so_far`` / ``best_so_far_epoch`` and ``eta_seconds`` (set by the trainer) end it.
    """
    epoch = f"{rec['epoch']:3d}" if total_epochs is None else f"{rec['epoch']}/{total_epochs}"
    line = (
        f"{tag + ': ' if tag else ''}epoch {epoch}  loss {rec['train_loss']:.4f} "
        f"(contr {rec['train_contrastive']:.3f}, cls {rec['train_classification']:.4f})  "
        f"acc {rec['train_accuracy']:.3f}"
    )
    if rec.get("val_loss") is not None:
        line += (
            f" | val loss {rec['val_loss']:.4f} acc {rec['val_accuracy']:.3f} "
            f"macro-F1 {rec['val_macro_f1']:.3f}"
        )
    line += f"  lr {rec['lr']:.2e}  {rec['seconds']:.1f}s"
    if rec.get("best_so_far") is not None:
        line += f"  best {rec['best_so_far']:.4f} (epoch {rec['best_so_far_epoch']})"
    if rec.get("eta_seconds") is not None:
        line += f"  at most {_duration(rec['eta_seconds'])} left"
    return line


def _prefix(tag: str) -> str:
    return f"{tag}: " if tag else ""


def _duration(seconds: float) -> str:
    """``75.2`` -> ``"1 min 15 s"``; under a minute ``"42 s"``."""
    m, s = divmod(int(round(seconds)), 60)
    return f"{m} min {s:02d} s" if m else f"{s} s"


def train_model(
    model: nn.Module,
    train: dict[str, torch.Tensor],
    val: dict[str, torch.Tensor] | None,
    cfg: TrainConfig,
    device: str = "cpu",
    augment: AugmentFn | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
    tag: str = "",
) -> list[dict[str, Any]]:
    """Train ``model`` in place and return the history (one dict per epoch).

    Args:
        model: a :class:`~exomesa.mesa.model.MESAModel` (moved to ``device``).
        train, val: arrays from :func:`exomesa.mesa.batches.build_arrays` with ``label``; ``val`` None disables
            early stopping (the last epoch's weights are kept).
        cfg: optimisation settings.
        augment: ``augment(global [B, 2001], local [B, 201], rng) -> (global, local)`` applied to the
            training batches when ``cfg.augment``.
        progress: called with each epoch's history record (the trainer also logs one line at INFO).
        tag: names this run in the log lines (``"member 2/3"`` for an ensemble member).

    History keys per epoch: ``epoch``, ``train_/val_`` ``loss``, ``contrastive``, ``classification``,
    ``accuracy``, ``macro_f1``, ``lr`` (at the end of the epoch), ``seconds``; ``best_epoch`` is set in
    the records once training ends.
    """
    threads = torch.get_num_threads()
    if cfg.num_threads:
        torch.set_num_threads(cfg.num_threads)
    try:
        return _train(model, train, val, cfg, device, augment, progress, tag)
    finally:
        torch.set_num_threads(threads)


def _train(
    model: nn.Module,
    train: dict[str, torch.Tensor],
    val: dict[str, torch.Tensor] | None,
    cfg: TrainConfig,
    device: str,
    augment: AugmentFn | None,
    progress: Callable[[dict[str, Any]], None] | None,
    tag: str = "",
) -> list[dict[str, Any]]:
    model.to(device)
    if cfg.freeze_backbone:
        for p in model.backbone_parameters():
            p.requires_grad_(False)
    params = [p for p in model.parameters() if p.requires_grad]
    n_trainable, n_total = count_parameters(model, trainable_only=True), count_parameters(model)
    logger.info("%sparameters: %d trainable, %d frozen", _prefix(tag), n_trainable, n_total - n_trainable)
    decay = [p for p in params if p.ndim >= 2]
    no_decay = [p for p in params if p.ndim < 2]
    optimiser = torch.optim.AdamW(
        [{"params": decay, "weight_decay": cfg.weight_decay}, {"params": no_decay, "weight_decay": 0.0}],
        lr=cfg.learning_rate,
        fused=True,  # one kernel for all parameters: 0.7 ms instead of 4.6 ms per step on CPU
    )
    steps_per_epoch = max(1, math.ceil(n_rows(train) / cfg.batch_size))
    total = cfg.epochs * steps_per_epoch
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimiser, _lr_lambda(total, int(cfg.warmup_epochs * steps_per_epoch), cfg.min_lr_ratio)
    )
    loss_fn = MesaLoss(
        cfg.contrastive_weight,
        cfg.classification_weight,
        cfg.loss,
        cfg.focal_gamma,
        cfg.class_weights,
        aux_weight=cfg.aux_weight,
    ).to(device)
    gen = torch.Generator().manual_seed(cfg.seed)
    rng = np.random.default_rng(cfg.seed)
    keep_view = view_keep_probabilities(train) if cfg.balance_views else None
    if keep_view is not None:
        logger.info(
            "%sview balancing: a real view is kept with probability %s (per class)",
            _prefix(tag),
            ", ".join(f"{p:.2f}" for p in keep_view.tolist()),
        )
    if cfg.monitor not in MONITORS:
        raise ExomesaError(f"unknown early-stopping monitor {cfg.monitor!r}; choose one of {list(MONITORS)}.")
    maximise = MONITORS[cfg.monitor]
    best_score, best_epoch, best_state, stale = -math.inf, 0, None, 0
    history: list[dict[str, Any]] = []
    # Weight averaging (Polyak; an EMA of the weights after every step): validation, early stopping and the
    # returned weights use the average, the optimiser keeps updating the raw weights.
    ema = None
    if cfg.ema_decay > 0:
        from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

        ema = AveragedModel(model, multi_avg_fn=get_ema_multi_avg_fn(cfg.ema_decay), use_buffers=True)
    scored = ema.module if ema is not None else model

    for epoch in range(1, cfg.epochs + 1):
        t0 = time.perf_counter()
        model.train()
        sums = {"loss": 0.0, "contrastive": 0.0, "classification": 0.0}
        preds, labels = [], []
        for batch in iterate_batches(train, cfg.batch_size, shuffle=True, generator=gen):
            if augment is not None and cfg.augment:
                g, loc = augment(batch["global_view"].numpy(), batch["local_view"].numpy(), rng)
                batch["global_view"] = torch.from_numpy(np.ascontiguousarray(g, dtype=np.float32))
                batch["local_view"] = torch.from_numpy(np.ascontiguousarray(loc, dtype=np.float32))
            if keep_view is not None:
                keep = torch.from_numpy(rng.random(len(batch["label"])) < keep_view[batch["label"].numpy()])
                batch["has_view"] = batch["has_view"] * keep.to(batch["has_view"].dtype)
            batch = {k: v.to(device) for k, v in batch.items()}
            out = model(batch)
            terms = loss_fn(out, batch["label"])
            optimiser.zero_grad(set_to_none=True)
            terms["loss"].backward()
            if cfg.grad_clip > 0:
                nn.utils.clip_grad_norm_(params, cfg.grad_clip, foreach=True)
            optimiser.step()
            scheduler.step()
            if ema is not None:
                ema.update_parameters(model)
            bs = len(batch["label"])
            for k in sums:
                sums[k] += float(terms[k].detach()) * bs
            pred = out["logits"].detach().argmax(1)
            preds.append(pred.cpu().numpy())
            labels.append(batch["label"].cpu().numpy())
        y, p = np.concatenate(labels), np.concatenate(preds)
        accuracy = float(np.mean(y == p))
        rec: dict[str, Any] = {"epoch": epoch}
        rec.update({f"train_{k}": v / len(y) for k, v in sums.items()})
        rec.update({"train_accuracy": accuracy, "train_macro_f1": macro_f1(y, p)})
        if val is not None:
            v = _evaluate(scored, val, loss_fn, cfg.eval_batch_size, device)
            rec.update({f"val_{k}": val_ for k, val_ in v.items()})
        rec["lr"] = float(optimiser.param_groups[0]["lr"])
        rec["seconds"] = time.perf_counter() - t0
        history.append(rec)
        stop = False
        if val is not None:
            score = rec[cfg.monitor] if maximise else -rec[cfg.monitor]
            if score > best_score + 1e-12:
                best_score, best_epoch, stale = score, epoch, 0
                best_state = copy.deepcopy(scored.state_dict())
            else:
                stale += 1
                stop = bool(cfg.patience and stale >= cfg.patience)
        # progress fields, shown in the epoch line but not stored in the history
        best = history[best_epoch - 1][cfg.monitor] if best_epoch else None
        left = 0 if stop else cfg.epochs - epoch
        eta = sum(r["seconds"] for r in history) / len(history) * left
        shown = {**rec, "best_so_far": best, "best_so_far_epoch": best_epoch, "eta_seconds": eta}
        logger.info(format_epoch(shown, cfg.epochs, tag), extra={"exomesa_epoch": shown, "exomesa_tag": tag})
        if progress is not None:
            progress(rec)
        if stop:
            logger.info("%searly stopping: no %s improvement for %d epochs", _prefix(tag), cfg.monitor, stale)
            break

    if best_state is not None:
        model.load_state_dict(best_state)
        logger.info(
            "%srestored the %sweights of epoch %d (best %s)",
            _prefix(tag),
            "EMA " if ema else "",
            best_epoch,
            cfg.monitor,
        )
    else:
        if ema is not None:
            model.load_state_dict(ema.module.state_dict())
        best_epoch = len(history)
    for rec in history:
        rec["best_epoch"] = best_epoch
    model.eval()
    return history


def fit_temperature(logits: np.ndarray, labels: np.ndarray) -> float:
    """Temperature ``T`` minimising the NLL of ``softmax(logits / T)`` (Guo et al. 2017).

    Args:
        logits: ``[N, n_classes]`` validation logits.
        labels: ``[N]`` int class indices.

    Returns:
        ``T`` in [0.05, 20]; 1.0 when there is nothing to fit on.
    """
    from scipy.optimize import minimize_scalar

    if len(labels) == 0:
        return 1.0
    z = torch.as_tensor(logits, dtype=torch.float64)
    y = torch.as_tensor(labels, dtype=torch.int64)

    def nll(log_t: float) -> float:
        return float(nn.functional.cross_entropy(z / math.exp(log_t), y))

    res = minimize_scalar(
        nll, bounds=(math.log(0.05), math.log(20.0)), method="bounded", options={"xatol": 1e-4}
    )
    return float(math.exp(res.x))
