"""Pretraining of MESA's light-curve tower on labelled TCEs (opt-in).

The DR24 TCE table labels every Threshold-Crossing Event as a planet candidate, an astrophysical false
positive or a non-transiting phenomenon (``av_training_set``). Those labels come from human vetting of the same
signals that became KOIs, so they may only ever be **training labels** of the light-curve tower, on the TCEs
of training stars: :func:`pretrain_lightcurve_tower` takes the views and labels the caller has already
restricted (no TCE of a test star), trains the tower with a linear head on them, and returns the tower's
weights as a partial MESA state dict that :meth:`~exomesa.mesa.classifier.MesaClassifier.fit` starts from
(``lc_state=``)::

    from exomesa.lightcurves.astronet import read_tce_pretraining
    tces = read_tce_pretraining("kepler_dr24_global_views.npz")
    keep = ~np.isin(tces["kepid"], test_stars)                      # never a test star's TCE
    state = pretrain_lightcurve_tower(MesaConfig(), tces["global_view"][keep], tces["local_view"][keep],
                                      tces["label"][keep], epochs=10)
    MesaClassifier().fit(train_df, lc_state=state)
"""

from __future__ import annotations

import logging
import math
import time

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from exomesa.errors import ExomesaError
from exomesa.lightcurves import augment_views
from exomesa.mesa.config import MesaConfig
from exomesa.mesa.lightcurve_encoder import LightCurveEncoder

__all__ = ["pretrain_lightcurve_tower"]

logger = logging.getLogger(__name__)


def pretrain_lightcurve_tower(
    cfg: MesaConfig,
    global_view: np.ndarray,
    local_view: np.ndarray,
    labels: np.ndarray,
    *,
    epochs: int = 10,
    batch_size: int = 128,
    learning_rate: float = 1e-3,
    weight_decay: float = 0.05,
    seed: int = 0,
    augment: bool = True,
    num_threads: int | None = 1,
) -> dict[str, torch.Tensor]:
    """Train ``cfg``'s light-curve encoder with a linear head on TCE labels; return the encoder's weights.

    Args:
        cfg: the MESA settings whose light-curve tower (``lc_encoder``, ``d_model``, ...) is pretrained.
        global_view: [N, 2001], local_view: [N, 201] float32, relative flux − 1 (depth kept).
        labels: [N] int class indices (e.g. :data:`~exomesa.lightcurves.astronet.TCE_LABELS`).
        epochs, batch_size, learning_rate, weight_decay: AdamW with a cosine schedule.
        seed: initialisation, shuffling and augmentation.
        augment: shift/noise/scale augmentation of the views (:func:`exomesa.lightcurves.augment_views`).
        num_threads: torch threads while training (restored after; None: unchanged).

    Returns:
        ``{"lc_encoder.<name>": tensor}``: a partial MESA state dict (CPU tensors).
    """
    g = np.ascontiguousarray(global_view, dtype=np.float32)
    loc = np.ascontiguousarray(local_view, dtype=np.float32)
    y = np.asarray(labels, dtype=np.int64)
    if not (len(g) == len(loc) == len(y)) or len(y) < 2:
        raise ExomesaError(
            f"pretraining needs matching views and labels (got {len(g)}, {len(loc)}, {len(y)} rows, at least 2)."
        )
    if not (np.isfinite(g).all() and np.isfinite(loc).all()):
        raise ExomesaError("pretraining views contain NaN/inf; cut or drop those rows first.")
    threads = torch.get_num_threads()
    if num_threads:
        torch.set_num_threads(num_threads)
    try:
        torch.manual_seed(seed)
        encoder = LightCurveEncoder(cfg)
        head = nn.Linear(cfg.d_model, int(y.max()) + 1)
        params = list(encoder.parameters()) + list(head.parameters())
        opt = torch.optim.AdamW(params, lr=learning_rate, weight_decay=weight_decay)
        steps = epochs * math.ceil(len(y) / batch_size)
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: 0.5 * (1 + math.cos(math.pi * min(1.0, s / max(1, steps))))
        )
        gen = torch.Generator().manual_seed(seed)
        rng = np.random.default_rng(seed)
        for epoch in range(1, epochs + 1):
            t0, total, correct = time.perf_counter(), 0.0, 0
            encoder.train()
            for idx in torch.randperm(len(y), generator=gen).split(batch_size):
                bg, bl = g[idx.numpy()], loc[idx.numpy()]
                if augment:
                    bg, bl = augment_views(bg, bl, rng)
                logits = head(
                    encoder(
                        torch.from_numpy(np.ascontiguousarray(bg)), torch.from_numpy(np.ascontiguousarray(bl))
                    )
                )
                target = torch.from_numpy(y[idx.numpy()])
                loss = F.cross_entropy(logits, target)
                opt.zero_grad(set_to_none=True)
                loss.backward()
                nn.utils.clip_grad_norm_(params, 1.0)
                opt.step()
                sched.step()
                total += float(loss.detach()) * len(idx)
                correct += int((logits.detach().argmax(1) == target).sum())
            logger.info(
                "light-curve pretraining: epoch %d/%d  loss %.4f  acc %.3f  %.1fs",
                epoch,
                epochs,
                total / len(y),
                correct / len(y),
                time.perf_counter() - t0,
            )
    finally:
        torch.set_num_threads(threads)
    return {f"lc_encoder.{k}": v.detach().cpu().clone() for k, v in encoder.state_dict().items()}
