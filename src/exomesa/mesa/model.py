"""The MESA network: a light-curve encoder and physics encoders, aligned CLIP-style, and a fused classifier.

Architecture (default sizes: ``d_model=32``; the light-curve tower is ``cfg.lc_encoder``: AstroNet-like
separate conv columns by default, or a patch Transformer; see :mod:`exomesa.mesa.lightcurve_encoder`)::

    global view [B, 2001]   local view [B, 201]   has_view [B]      planet [B, Dp]  stellar [B, Ds]  (diagnostics)
          │                       │                    │                   │               │                │
          └──── light-curve encoder ──> lc [B, d] ──┐  │              physics encoder (FT-Transformer or MLPs)
                     lc = has_view * lc + (1 - has_view) * missing_lc   (a learned "no view" vector)
                                                    │                              │
                 Linear ─> lc_embedding [B, P]      │     phys [B, phys_dim] ─> Linear ─> phys_embedding [B, P]
                    (L2-normalised)  ◄──── symmetric InfoNCE (rows with a view) ────►  (L2-normalised)
                                                    │                              │
                       lc_head ─> lc_logits    fused [B, d + phys_dim] ─> MLP ─> logits [B, 3]   phys_head ─> phys_logits
                      (unimodal heads: auxiliary focal terms, so the fusion cannot route around either tower)

View normalisation (done inside the model so callers pass raw views): the views are relative flux minus one
with the transit depth kept, so depths range from ~1e-5 to ~0.5. Each view is divided by its own depth scale
``max(|min(view)|, 1e-6)`` (then clipped to [-3, 3]) so every transit has unit depth, and the two
``log10`` depth scales (mapped to about [-2, 2] by ``(log10(d) + 3) / 1.5``) enter beside the shapes.
Nothing is lost: shape and absolute depth are both seen, on comparable numeric ranges.

A model with ``missing_view="render"`` (the original design, and every model without real views in training)
has no ``missing_lc`` and reads every row's view, rendered where no real one exists.

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
        # a row without a real view (has_view 0) gets this learned vector instead of its encoded (zero) view
        self.missing_lc = (
            nn.Parameter(torch.zeros(cfg.d_model)) if self.use_lc and cfg.missing_view != "render" else None
        )
        # unimodal heads: each tower classifies on its own too, so the fusion cannot route around either
        both = self.use_lc and self.use_phys
        self.lc_head = nn.Linear(cfg.d_model, cfg.n_classes) if both and cfg.aux_heads else None
        self.phys_head = nn.Linear(cfg.phys_dim, cfg.n_classes) if both and cfg.aux_heads else None
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
        """Everything except the classifier head (what ``freeze_backbone`` freezes; the unimodal heads, which do
        not feed the prediction, are frozen with the towers)."""
        head = {id(p) for p in self.classifier.parameters()}
        return [p for p in self.parameters() if id(p) not in head]

    def forward(self, batch: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        """Run the model on one batch.

        Args:
            batch: ``global_view`` [batch, 2001], ``local_view`` [batch, 201] (relative flux - 1), one
                ``[batch, D_group]`` float tensor per tabular group in ``cfg.tabular_dims`` and, for a model
                that masks missing views, ``has_view`` [batch] (1.0: a real view, 0.0: none; absent: all 1).

        Returns:
            ``logits`` [batch, 3], ``lc_embedding`` [batch, P] and ``phys_embedding`` [batch, P] (both
            L2-normalised; each only when its tower is on), ``fused`` [batch, F] (F = d_model + phys_dim
            with both towers), ``logit_scale`` [] (exp, <= 100); with unimodal heads ``lc_logits`` and
            ``phys_logits`` [batch, 3]; with masking ``has_view`` [batch] (bool).
        """
        parts, out = [], {}
        if self.use_lc:
            lc = self.lc_encoder(batch["global_view"], batch["local_view"])  # [B, d_model]
            if self.missing_lc is not None and "has_view" in batch:
                has = batch["has_view"].to(lc.dtype)[:, None]  # [B, 1]
                lc = has * lc + (1.0 - has) * self.missing_lc  # [B, d_model]
                out["has_view"] = batch["has_view"] > 0.5
            parts.append(lc)
            out["lc_embedding"] = F.normalize(self.lc_proj(lc), dim=-1)  # [B, P]
            if self.lc_head is not None:
                out["lc_logits"] = self.lc_head(lc)
        if self.use_phys:
            phys = self.phys_encoder(batch)  # [B, phys_dim]
            parts.append(phys)
            out["phys_embedding"] = F.normalize(self.phys_proj(phys), dim=-1)  # [B, P]
            if self.phys_head is not None:
                out["phys_logits"] = self.phys_head(phys)
        fused = torch.cat(parts, dim=1) if len(parts) > 1 else parts[0]  # [B, F]
        out["logits"] = self.classifier(fused)  # [B, n_classes]
        out["fused"] = fused
        out["logit_scale"] = self.logit_scale.clamp(max=math.log(100.0)).exp()  # []
        return out
