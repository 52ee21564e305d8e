"""The two configuration dataclasses of MESA: :class:`MesaConfig` (the network) and :class:`TrainConfig`
(the optimisation). Their defaults are read from :mod:`exomesa.defaults`, the one place where defaults live.

Both are plain data, stored in checkpoints as dicts (``to_dict`` / ``from_dict``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from exomesa.defaults import MESA_PARAMS, MESA_VIEW_PATCHES, MIN_LR_RATIO, TRAIN_THREADS

__all__ = ["MesaConfig", "TrainConfig", "MONITORS", "TOWERS", "LC_ENCODERS"]

#: Which towers feed the classifier: both (MESA), only the light curve (AstroNet-like), only the tables.
TOWERS = ("both", "lightcurve", "physics")

#: Light-curve tower forms: patch Transformer (default) or AstroNet-like separate conv columns.
LC_ENCODERS = ("patch", "astronet")

#: Early-stopping metrics of the validation split → True when larger is better.
MONITORS = {"val_classification": False, "val_loss": False, "val_macro_f1": True, "val_accuracy": True}

_P = MESA_PARAMS


class _DictMixin:
    def to_dict(self) -> dict[str, Any]:
        """Plain dict (JSON- and ``weights_only``-safe)."""
        return dataclasses.asdict(self)  # type: ignore[call-overload]

    @classmethod
    def from_dict(cls, d: dict[str, Any]):
        """Rebuild from :meth:`to_dict` output; unknown keys are ignored (forward compatibility)."""
        names = {f.name for f in dataclasses.fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in d.items() if k in names})


@dataclass
class MesaConfig(_DictMixin):
    """Everything needed to rebuild a :class:`~exomesa.mesa.model.MESAModel` (stored in checkpoints)."""

    # input sizes of the tabular groups (preprocessed columns, incl. missing indicators); 0 = group absent
    tabular_dims: dict[str, int] = field(default_factory=lambda: {"planet": 14, "stellar": 6})
    global_bins: int = 2001  # length of the global (full-phase) view
    local_bins: int = 201  # length of the local (transit-zoom) view
    global_patch: int = MESA_VIEW_PATCHES["global_patch"]  # bins per global-view token (2001 -> 21 tokens)
    local_patch: int = MESA_VIEW_PATCHES["local_patch"]  # bins per local-view token (201 -> 11 tokens)
    d_model: int = _P["d_model"]  # Transformer width (token size)
    n_heads: int = _P["n_heads"]  # attention heads
    n_layers: int = _P["n_layers"]  # Transformer encoder layers
    ff_dim: int = _P["ff_dim"]  # Transformer feed-forward width
    tab_hidden: int = _P["tab_hidden"]  # width of each tabular group MLP
    phys_dim: int = _P["phys_dim"]  # width of the fused physics representation
    embed_dim: int = _P["embed_dim"]  # shared contrastive space size P
    head_hidden: int = _P["head_hidden"]  # classifier hidden width
    n_classes: int = 3  # CONFIRMED, CANDIDATE, FALSE POSITIVE
    dropout: float = _P["dropout"]  # dropout on tokens, MLPs and classifier (attention dropout is always 0)
    init_temperature: float = _P["temperature"]  # InfoNCE temperature; logit scale = 1 / temperature
    learnable_temperature: bool = _P["learnable_temperature"]  # learn log(1/temperature) (scale <= 100)
    towers: str = _P["towers"]  # "both", "lightcurve" (light-curve tower only) or "physics" (tabular only)
    # issue 15: per-feature numeric embeddings of the physics tower (see mesa/physics_encoder.py)
    num_embedding: str = "none"  # "none" (seed; old checkpoints), "periodic" or "ple"
    num_embedding_dim: int = _P["num_embedding_dim"]  # embedding size per numeric feature
    num_embedding_bins: int = _P["num_embedding_bins"]  # periodic frequencies / PLE quantile bins
    periodic_sigma: float = _P["periodic_sigma"]  # std of the initial periodic frequencies
    lc_encoder: str = _P["lc_encoder"]  # light-curve tower: "patch" Transformer or "astronet" convs
    phys_encoder: str = "mlp"  # physics tower: "mlp" (seed; old checkpoints) or "ft" (FT-Transformer)
    ft_layers: int = _P["ft_layers"]  # Transformer blocks of the "ft" physics tower

    def __post_init__(self) -> None:
        if self.towers not in TOWERS:
            raise ValueError(f"towers must be one of {TOWERS}, not {self.towers!r}")
        if self.num_embedding not in ("none", "periodic", "ple"):
            raise ValueError(f"num_embedding must be none, periodic or ple, not {self.num_embedding!r}")
        if self.phys_encoder not in ("mlp", "ft"):
            raise ValueError(f"phys_encoder must be mlp or ft, not {self.phys_encoder!r}")
        if self.lc_encoder not in LC_ENCODERS:
            raise ValueError(f"lc_encoder must be one of {LC_ENCODERS}, not {self.lc_encoder!r}")


@dataclass
class TrainConfig(_DictMixin):
    """Optimisation settings (model sizes live in :class:`MesaConfig`)."""

    epochs: int = _P["epochs"]  # maximum epochs
    batch_size: int = _P["batch_size"]  # training batch size
    learning_rate: float = _P["learning_rate"]  # AdamW peak learning rate
    weight_decay: float = _P["weight_decay"]  # AdamW decoupled weight decay
    warmup_epochs: float = _P["warmup_epochs"]  # linear warm-up before the cosine decay (epochs)
    min_lr_ratio: float = MIN_LR_RATIO  # cosine floor as a fraction of learning_rate
    grad_clip: float = _P["grad_clip"]  # max global gradient norm (0 disables clipping)
    ema_decay: float = _P["ema_decay"]  # weight EMA per step (0: off); validation and the result use the EMA
    patience: int = _P["patience"]  # epochs without improvement before stopping (0 disables it)
    monitor: str = _P["monitor"]  # a key of MONITORS
    contrastive_weight: float = _P["contrastive_weight"]  # weight of the InfoNCE term
    classification_weight: float = _P["classification_weight"]  # weight of the classification term
    loss: str = _P["loss"]  # "focal" or "ce" (class-weighted cross-entropy)
    focal_gamma: float = _P["focal_gamma"]  # focal exponent
    class_weights: tuple[float, ...] | None = None  # per-class alpha (None: unweighted)
    augment: bool = False  # augment training views (the classifier resolves MESA_PARAMS["augment"])
    eval_batch_size: int = _P["inference_batch_size"]  # batch size for validation/inference passes
    seed: int = _P["seed"]  # seeds shuffling, augmentation, dropout
    freeze_backbone: bool = False  # train only the classifier head
    # torch intra-op threads while training (restored after); None: unchanged. Batches of 16 are dominated
    # by per-op overhead: one thread is as fast as two on an idle 2-core machine and several times faster
    # on a loaded one (measured 8 s vs 175 s per epoch under load).
    num_threads: int | None = TRAIN_THREADS
