"""Deep ensembles of MESA (Lakshminarayanan et al. 2017): K members trained from different seeds on the same
training/validation split, combined by averaging their class probabilities.

Combination (``K`` members, logits ``z_k`` [N, C])::

    p_k   = softmax(z_k)                       member probabilities
    z_ens = log(mean_k p_k)                    the ensemble's "logits" (log of the mean probability)
    proba = softmax(z_ens / T)                 T fitted on the validation split (temperature scaling)
    std   = std_k softmax(z_k / T)             per-class spread of the members (population std, ddof=0)

With ``K = 1`` this is exactly the single model's temperature-scaled softmax and ``std`` is 0.

Members run one after another in-process, or side by side in ``workers`` spawned processes (one torch thread
each); the weights come back to the parent, so the checkpoint is the same either way. The workers' log lines
(one per epoch) are forwarded to the parent's loggers, and a worker never re-runs the caller's ``__main__``
script, so ``fit`` works from a plain script without a ``if __name__ == "__main__":`` guard, ``python -c`` and
notebooks; where worker processes cannot start at all, the members train one after another.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import sys
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
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
    tag: str = "",
) -> tuple[dict[str, torch.Tensor], list[dict[str, Any]]]:
    """Train one member from ``seed``; returns its CPU state dict and history (picklable: runs in workers)."""
    from exomesa.mesa.model import MesaConfig, MESAModel
    from exomesa.mesa.trainer import TrainConfig, train_model
    from exomesa.utils import seed_everything

    seed_everything(seed)
    model = MESAModel(MesaConfig.from_dict(model_cfg))
    if (
        state is not None
    ):  # a whole pretrained model, or only its light-curve tower (lc_encoder.*; checked by fit)
        model.load_state_dict(state, strict=not all(k.startswith("lc_encoder.") for k in state))
    cfg = TrainConfig.from_dict({**train_cfg, "seed": seed})
    history = train_model(model, train, val, cfg, device, augment=augment, progress=progress, tag=tag)
    return {k: v.detach().cpu() for k, v in model.state_dict().items()}, history


def _tags(k: int) -> list[str]:
    return [f"member {i}/{k}" if k > 1 else "" for i in range(1, k + 1)]


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
    then only called for in-process training. ``state`` (pretrained weights) starts every member. Every
    member logs one line per epoch (``member k/K: epoch e/E ... at most 3 min 10 s left``); on a terminal a
    progress bar counts the epochs of all members.
    """
    tags = _tags(len(seeds))
    total = len(seeds) * int(train_cfg["epochs"])
    with _epoch_bar(total) as bar:
        if workers > 1 and len(seeds) > 1 and not str(device).startswith("cuda"):
            try:
                return _train_in_processes(
                    min(int(workers), len(seeds)), model_cfg, train_cfg, train, val, seeds, tags, device,
                    augment, state,
                )  # fmt: skip
            except (BrokenProcessPool, OSError, RuntimeError) as exc:  # no processes here (sandbox, daemon)
                logger.warning(
                    "could not train members in worker processes (%s: %s); training them one after another",
                    type(exc).__name__,
                    exc,
                )
                bar.reset()
        return [
            _train_one(s, model_cfg, train_cfg, train, val, device, augment, progress, state, tag)
            for s, tag in zip(seeds, tags, strict=True)
        ]


def _train_in_processes(
    n: int,
    model_cfg: dict[str, Any],
    train_cfg: dict[str, Any],
    train: dict[str, torch.Tensor],
    val: dict[str, torch.Tensor] | None,
    seeds: list[int],
    tags: list[str],
    device: str,
    augment: Callable | None,
    state: dict[str, torch.Tensor] | None,
) -> list[tuple[dict[str, torch.Tensor], list[dict[str, Any]]]]:
    """Members in ``n`` spawned processes; their log records come back through a queue to our loggers."""
    ctx = get_context("spawn")
    queue = ctx.Queue()
    listener = logging.handlers.QueueListener(queue, _Relay(), respect_handler_level=False)
    logger.info("training %d ensemble members in %d processes", len(seeds), n)
    listener.start()
    try:
        with (
            _main_script_hidden(),
            ProcessPoolExecutor(
                n,
                mp_context=ctx,
                initializer=_init_worker,
                initargs=(queue, logging.getLogger("exomesa").level),
            ) as pool,
        ):
            futures = [
                pool.submit(_train_one, s, model_cfg, train_cfg, train, val, device, augment, None, state, t)
                for s, t in zip(seeds, tags, strict=True)
            ]
            for done, future in enumerate(as_completed(futures), 1):
                history = future.result()[1]
                logger.info("ensemble member %d/%d trained (%d epochs)", done, len(seeds), len(history))
            return [f.result() for f in futures]
    finally:
        listener.stop()


def _init_worker(queue: Any, level: int) -> None:
    """In a worker: send every exomesa log record to the parent through ``queue``."""
    root = logging.getLogger("exomesa")
    root.handlers[:] = [logging.handlers.QueueHandler(queue)]
    root.setLevel(level or logging.INFO)
    root.propagate = False


class _Relay(logging.Handler):
    """In the parent: hand a worker's record to the logger of the same name (its handlers decide)."""

    def emit(self, record: logging.LogRecord) -> None:
        logging.getLogger(record.name).handle(record)


@contextlib.contextmanager
def _main_script_hidden() -> Iterator[None]:
    """Start workers without re-running the caller's script.

    A spawned worker imports the parent's ``__main__`` file (``__mp_main__``) when it has one: a script
    without a main guard would then train again in every worker and break the pool. Our workers only run
    :func:`_train_one` from this module, so the script's path is hidden while they start.
    """
    main = sys.modules.get("__main__")
    saved = {k: getattr(main, k) for k in ("__file__", "__spec__") if hasattr(main, k)}
    try:
        if main is not None:
            main.__spec__ = None  # spawn reads __spec__.name (python -m) ...
            if "__file__" in saved:
                del main.__file__  # ... or __file__ (a script)
        yield
    finally:
        for k, v in saved.items():
            setattr(main, k, v)


class _EpochBar(logging.Handler):
    """A tqdm bar over all members' epochs, advanced by the trainer's epoch log records (terminal only)."""

    def __init__(self, total: int) -> None:
        super().__init__(logging.INFO)
        from tqdm.auto import tqdm

        self.bar = tqdm(total=total, desc="training", unit="epoch", leave=False)

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "exomesa_epoch", None) is not None:
            self.bar.update(1)

    def reset(self) -> None:
        self.bar.reset()


class _NoBar:
    def reset(self) -> None:
        pass


@contextlib.contextmanager
def _epoch_bar(total: int) -> Iterator[Any]:
    """A progress bar over ``total`` epochs when stderr is a terminal, else nothing."""
    if not sys.stderr.isatty():
        yield _NoBar()
        return
    from tqdm.contrib.logging import logging_redirect_tqdm

    handler = _EpochBar(total)
    trainer_logger = logging.getLogger("exomesa.mesa.trainer")
    trainer_logger.addHandler(handler)
    try:
        with logging_redirect_tqdm([logging.getLogger("exomesa")]):  # log lines above the bar, not through it
            yield handler
    finally:
        trainer_logger.removeHandler(handler)
        handler.bar.close()


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
