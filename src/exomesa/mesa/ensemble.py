"""Deep ensembles of MESA (Lakshminarayanan et al. 2017): K members trained from different seeds on the same
training/validation split, combined by averaging their class probabilities.

Combination (``K`` members, logits ``z_k`` [N, C])::

    p_k   = softmax(z_k)                       member probabilities
    z_ens = log(mean_k p_k)                    the ensemble's "logits" (log of the mean probability)
    proba = softmax(z_ens / T)                 T fitted on the validation split (temperature scaling)
    std   = std_k softmax(z_k / T)             per-class spread of the members (population std, ddof=0)

With ``K = 1`` this is exactly the single model's temperature-scaled softmax and ``std`` is 0.

Members run one after another in-process, or side by side in ``workers`` spawned processes (one torch thread
each); the weights come back to the parent, so the checkpoint is the same either way.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from multiprocessing import get_context
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # torch only in annotations: the numpy combination below serves the torch-free scorer
    import torch

__all__ = ["member_seeds", "train_members", "softmax", "ensemble_logits", "ensemble_proba"]

logger = logging.getLogger(__name__)


def member_seeds(seed: int, k: int) -> list[int]:
    """Seeds of the ``k`` members: ``seed, seed + 1, ...`` (member 0 is the single model of ``ensemble=1``)."""
    return [int(seed) + i for i in range(int(k))]


def _train_one(
    seed: int,
    model_cfg: dict[str, Any],
    train_cfg: dict[str, Any],
    train: dict[str, torch.Tensor],
    val: dict[str, torch.Tensor] | None,
    device: str,
    augment: Callable | None,
    progress: Callable | None = None,
    state: dict[str, torch.Tensor] | None = None,
) -> tuple[dict[str, torch.Tensor], list[dict[str, Any]]]:
    """Train one member from ``seed``; returns its CPU state dict and history (picklable: runs in workers)."""
    from exomesa.mesa.model import MesaConfig, MESAModel
    from exomesa.mesa.trainer import TrainConfig, train_model
    from exomesa.utils import seed_everything

    seed_everything(seed)
    model = MESAModel(MesaConfig.from_dict(model_cfg))
    if state is not None:
        model.load_state_dict(state)
    cfg = TrainConfig.from_dict({**train_cfg, "seed": seed})
    history = train_model(model, train, val, cfg, device, augment=augment, progress=progress)
    return {k: v.detach().cpu() for k, v in model.state_dict().items()}, history


def train_members(
    model_cfg: dict[str, Any],
    train_cfg: dict[str, Any],
    train: dict[str, torch.Tensor],
    val: dict[str, torch.Tensor] | None,
    *,
    seeds: list[int],
    device: str = "cpu",
    workers: int = 1,
    augment: Callable | None = None,
    progress: Callable | None = None,
    state: dict[str, torch.Tensor] | None = None,
) -> list[tuple[dict[str, torch.Tensor], list[dict[str, Any]]]]:
    """Train one member per seed; ``[(state_dict, history)]`` in ``seeds`` order.

    ``workers > 1`` (and more than one member) trains them in that many spawned processes; ``progress`` is
    then only called for in-process training. ``state`` (pretrained weights) starts every member.
    """
    if workers <= 1 or len(seeds) <= 1 or str(device).startswith("cuda"):
        return [
            _train_one(s, model_cfg, train_cfg, train, val, device, augment, progress, state) for s in seeds
        ]
    n = min(int(workers), len(seeds))
    logger.info("training %d ensemble members in %d processes", len(seeds), n)
    with ProcessPoolExecutor(n, mp_context=get_context("spawn")) as pool:
        futures = [
            pool.submit(_train_one, s, model_cfg, train_cfg, train, val, device, augment, None, state)
            for s in seeds
        ]
        for done, future in enumerate(as_completed(futures), 1):  # progress: one line per finished member
            history = future.result()[1]
            logger.info("ensemble member %d/%d trained (%d epochs)", done, len(seeds), len(history))
        return [f.result() for f in futures]


def softmax(z: np.ndarray) -> np.ndarray:
    """Softmax over the last axis (class logits ``[..., C]`` -> probabilities), numerically stable."""
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def ensemble_logits(member_logits: np.ndarray) -> np.ndarray:
    """``[K, N, C]`` member logits -> ``[N, C]`` log of the mean member probability."""
    p = softmax(np.asarray(member_logits, dtype=np.float64)).mean(axis=0)
    return np.log(np.clip(p, 1e-12, None))


def ensemble_proba(member_logits: np.ndarray, temperature: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """``[K, N, C]`` member logits -> (``proba`` [N, C], ``std`` [N, C]) as in the module docstring."""
    z = np.asarray(member_logits, dtype=np.float64)
    proba = softmax(ensemble_logits(z) / temperature)
    std = softmax(z / temperature).std(axis=0)
    return proba, std
