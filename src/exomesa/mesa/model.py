"""The MESA network: a Transformer light-curve encoder and MLP physics encoders, aligned CLIP-style.

Architecture (default sizes: ``d_model=32``, 2 heads, 1 layer, about 37K parameters)::

    global view [B, 2001]   local view [B, 201]        planet [B, Dp]  stellar [B, Ds]  (diagnostics [B, Dd])
          │                       │                          │               │                  │
     normalise: shape = v / max(|min v|, eps), depth         MLP             MLP                MLP
          │                       │                          └───────────────┼──────────────────┘
     21 patches of 100       11 patches of 20                         concat ─> Linear ─> phys [B, phys_dim]
          └──── [CLS] [DEPTH] [g_1..g_21] [l_1..l_11] ────┐                          │
                + type + position embeddings            │                          │
                Transformer encoder (pre-LN, no attention dropout)                 │
                CLS output ─> LayerNorm ─> lc [B, d_model]                         │
                          │                         └──── fused [B, d_model + phys_dim] ───┐
                          │                                          │                     │
                 Linear ─> lc_embedding [B, P]           Linear ─> phys_embedding [B, P]  MLP ─> logits [B, 3]
                    (L2-normalised)  ◄─── symmetric InfoNCE ───►  (L2-normalised)      (focal loss)

View normalisation (done inside the model so callers pass raw views): the views are relative flux minus one
with the transit depth kept, so depths range from ~1e-5 to ~0.5. Each view is divided by its own depth scale
``max(|min(view)|, 1e-6)`` (then clipped to [-3, 3]) so every transit has unit depth, and the two
``log10`` depth scales (mapped to about [-2, 2] by ``(log10(d) + 3) / 1.5``) enter as one extra token.
Nothing is lost: shape and absolute depth are both seen, on comparable numeric ranges.

The model opens no files and parses no arguments; see :mod:`exomesa.mesa.trainer` and :mod:`exomesa.mesa.classifier`.
"""

from __future__ import annotations

import logging
import math

import torch
from torch import nn
from torch.nn import functional as F

from exomesa.mesa.config import MesaConfig
from exomesa.mesa.layers import TransformerBlock, normalise_views
from exomesa.mesa.lightcurve_encoder import LightCurveEncoder
from exomesa.mesa.physics_encoder import PhysicsEncoder, physics_encoder

__all__ = [
    "MesaConfig",
    "MESAModel",
    "TransformerBlock",
    "LightCurveEncoder",
    "PhysicsEncoder",
    "normalise_views",
    "count_parameters",
]

logger = logging.getLogger(__name__)


def count_parameters(module: nn.Module, trainable_only: bool = False) -> int:
    """Number of scalar parameters (all, or only those with ``requires_grad``)."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)


class MESAModel(nn.Module):
    """Multimodal Exoplanet Semantic Alignment: light-curve + physics encoders, projections, classifier."""

    def __init__(self, cfg: MesaConfig) -> None:
        super().__init__()
        self.cfg = cfg
        # cfg.towers picks what feeds the classifier; a missing tower is not built (ablations, AstroNet-like)
        self.use_lc = cfg.towers in ("both", "lightcurve")
        self.use_phys = cfg.towers in ("both", "physics")
        self.lc_encoder = LightCurveEncoder(cfg) if self.use_lc else None
        self.phys_encoder = physics_encoder(cfg) if self.use_phys else None
        self.lc_proj = nn.Linear(cfg.d_model, cfg.embed_dim) if self.use_lc else None
        self.phys_proj = nn.Linear(cfg.phys_dim, cfg.embed_dim) if self.use_phys else None
        fused_dim = cfg.d_model * self.use_lc + cfg.phys_dim * self.use_phys
        self.classifier = nn.Sequential(
            nn.Dropout(cfg.dropout),
            nn.Linear(fused_dim, cfg.head_hidden),
            nn.GELU(),
            nn.Dropout(cfg.dropout),
            nn.Linear(cfg.head_hidden, cfg.n_classes),
        )
        init_scale = math.log(1.0 / cfg.init_temperature)
        self.logit_scale = nn.Parameter(torch.tensor(init_scale), requires_grad=cfg.learnable_temperature)

    def backbone_parameters(self) -> list[nn.Parameter]:
        """Everything except the classifier head (what ``freeze_backbone`` freezes)."""
        head = {id(p) for p in self.classifier.parameters()}
        return [p for p in self.parameters() if id(p) not in head]

    def forward(self, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Run the model on one batch.

        Args:
            batch: ``global_view`` [batch, 2001], ``local_view`` [batch, 201] (relative flux - 1) and one
                ``[batch, D_group]`` float tensor per tabular group in ``cfg.tabular_dims``.

        Returns:
            ``logits`` [batch, 3], ``lc_embedding`` [batch, P] and ``phys_embedding`` [batch, P] (both
            L2-normalised; each only when its tower is on), ``fused`` [batch, F] (F = d_model + phys_dim
            with both towers), ``logit_scale`` [] (exp, <= 100).
        """
        parts, out = [], {}
        if self.use_lc:
            lc = self.lc_encoder(batch["global_view"], batch["local_view"])  # [B, d_model]
            parts.append(lc)
            out["lc_embedding"] = F.normalize(self.lc_proj(lc), dim=-1)  # [B, P]
        if self.use_phys:
            phys = self.phys_encoder(batch)  # [B, phys_dim]
            parts.append(phys)
            out["phys_embedding"] = F.normalize(self.phys_proj(phys), dim=-1)  # [B, P]
        fused = torch.cat(parts, dim=1) if len(parts) > 1 else parts[0]  # [B, F]
        out["logits"] = self.classifier(fused)  # [B, n_classes]
        out["fused"] = fused
        out["logit_scale"] = self.logit_scale.clamp(max=math.log(100.0)).exp()  # []
        return out
