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

DEPTH_EPS = 1e-6  # smallest depth scale (relative flux), i.e. 1 ppm


def count_parameters(module: nn.Module, trainable_only: bool = False) -> int:
    """Number of scalar parameters (all, or only those with ``requires_grad``)."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad or not trainable_only)


def normalise_views(view: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Split a view into unit-depth shape and a log-depth scalar.

    Args:
        view: ``[batch, length]`` relative flux minus one (dimensionless).

    Returns:
        shape ``[batch, length]`` = view / max(|min(view)|, 1e-6), clipped to [-3, 3];
        depth ``[batch]`` = (log10(max(|min(view)|, 1e-6)) + 3) / 1.5 (about -2 .. 2).
    """
    scale = torch.clamp(-view.amin(dim=1), min=DEPTH_EPS)  # [batch]
    shape = torch.clamp(view / scale[:, None], -3.0, 3.0)
    depth = (torch.log10(scale) + 3.0) / 1.5
    return shape, depth


def _mlp(d_in: int, d_hidden: int, d_out: int, dropout: float) -> nn.Sequential:
    return nn.Sequential(
        nn.Linear(d_in, d_hidden), nn.GELU(), nn.Dropout(dropout), nn.Linear(d_hidden, d_out), nn.GELU()
    )


class TransformerBlock(nn.Module):
    """Pre-LN Transformer encoder block: ``x + MHSA(LN(x))`` then ``x + FFN(LN(x))``, no dropout inside.

    A lean equivalent of ``nn.TransformerEncoderLayer(norm_first=True, dropout=0)`` calling
    ``F.scaled_dot_product_attention`` directly; measured ~15-25% faster forward+backward on CPU for
    [16, 34, 32] token batches (fewer small ops). Attention dropout is 0 by design: dropout > 0 forces
    PyTorch's slow math attention kernel on CPU.
    """

    def __init__(self, d_model: int, n_heads: int, ff_dim: int) -> None:
        super().__init__()
        if d_model % n_heads:
            raise ValueError(f"d_model={d_model} must be divisible by n_heads={n_heads}")
        self.n_heads = n_heads
        self.norm1 = nn.LayerNorm(d_model)
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.out = nn.Linear(d_model, d_model)
        self.norm2 = nn.LayerNorm(d_model)
        self.ff1 = nn.Linear(d_model, ff_dim)
        self.ff2 = nn.Linear(ff_dim, d_model)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` [batch, tokens, d_model] -> [batch, tokens, d_model]."""
        b, t, d = x.shape
        qkv = self.qkv(self.norm1(x)).view(b, t, 3, self.n_heads, d // self.n_heads)
        q, k, v = qkv.permute(2, 0, 3, 1, 4)  # each [B, heads, T, d/heads]
        att = F.scaled_dot_product_attention(q, k, v).transpose(1, 2).reshape(b, t, d)
        x = x + self.out(att)
        return x + self.ff2(F.gelu(self.ff1(self.norm2(x))))


class LightCurveEncoder(nn.Module):
    """Patch Transformer over the global and local views; the CLS output is the representation."""

    def __init__(self, cfg: MesaConfig) -> None:
        super().__init__()
        self.cfg = cfg
        d = cfg.d_model
        self.n_global = math.ceil(cfg.global_bins / cfg.global_patch)
        self.n_local = math.ceil(cfg.local_bins / cfg.local_patch)
        self.global_embed = nn.Linear(cfg.global_patch, d)
        self.local_embed = nn.Linear(cfg.local_patch, d)
        self.depth_embed = nn.Linear(2, d)
        self.cls_token = nn.Parameter(torch.zeros(1, 1, d))
        # token types: 0 CLS, 1 depth, 2 global patch, 3 local patch
        self.type_embed = nn.Embedding(4, d)
        n_tokens = 2 + self.n_global + self.n_local
        self.pos_embed = nn.Parameter(torch.zeros(1, n_tokens, d))
        types = torch.tensor([0, 1] + [2] * self.n_global + [3] * self.n_local)
        self.register_buffer("token_types", types, persistent=False)
        nn.init.normal_(self.pos_embed, std=0.02)
        nn.init.normal_(self.cls_token, std=0.02)
        self.blocks = nn.ModuleList(
            [TransformerBlock(d, cfg.n_heads, cfg.ff_dim) for _ in range(cfg.n_layers)]
        )
        self.norm = nn.LayerNorm(d)
        self.token_dropout = nn.Dropout(cfg.dropout)

    def _patch(self, shape: torch.Tensor, patch: int, n: int) -> torch.Tensor:
        # [batch, length] -> zero-pad -> [batch, n, patch]
        pad = n * patch - shape.shape[1]
        if pad:
            shape = F.pad(shape, (0, pad))
        return shape.reshape(shape.shape[0], n, patch)

    def forward(self, global_view: torch.Tensor, local_view: torch.Tensor) -> torch.Tensor:
        """``global_view`` [batch, 2001], ``local_view`` [batch, 201] -> representation [batch, d_model]."""
        g_shape, g_depth = normalise_views(global_view)
        l_shape, l_depth = normalise_views(local_view)
        batch = global_view.shape[0]
        g_tok = self.global_embed(self._patch(g_shape, self.cfg.global_patch, self.n_global))  # [B, Ng, d]
        l_tok = self.local_embed(self._patch(l_shape, self.cfg.local_patch, self.n_local))  # [B, Nl, d]
        depth_tok = self.depth_embed(torch.stack([g_depth, l_depth], dim=1))[:, None, :]  # [B, 1, d]
        cls = self.cls_token.expand(batch, -1, -1)  # [B, 1, d]
        tokens = torch.cat([cls, depth_tok, g_tok, l_tok], dim=1)  # [B, T, d]
        tokens = tokens + self.pos_embed + self.type_embed(self.token_types)[None]
        tokens = self.token_dropout(tokens)
        for block in self.blocks:
            tokens = block(tokens)  # [B, T, d]
        return self.norm(tokens[:, 0])  # [B, d]


class PhysicsEncoder(nn.Module):
    """One MLP per tabular group (planet, stellar, diagnostics), concatenated and fused."""

    def __init__(self, cfg: MesaConfig) -> None:
        super().__init__()
        self.groups = [g for g, dim in cfg.tabular_dims.items() if dim > 0]
        self.group_mlps = nn.ModuleDict(
            {g: _mlp(cfg.tabular_dims[g], cfg.tab_hidden, cfg.tab_hidden, cfg.dropout) for g in self.groups}
        )
        self.fuse = nn.Sequential(
            nn.Linear(cfg.tab_hidden * len(self.groups), cfg.phys_dim), nn.GELU(), nn.LayerNorm(cfg.phys_dim)
        )

    def forward(self, tabular: dict[str, torch.Tensor]) -> torch.Tensor:
        """``tabular[group]`` [batch, D_group] -> physics representation [batch, phys_dim]."""
        parts = [self.group_mlps[g](tabular[g]) for g in self.groups]  # each [B, tab_hidden]
        return self.fuse(torch.cat(parts, dim=1))


class MESAModel(nn.Module):
    """Multimodal Exoplanet Semantic Alignment: light-curve + physics encoders, projections, classifier."""

    def __init__(self, cfg: MesaConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.lc_encoder = LightCurveEncoder(cfg)
        self.phys_encoder = PhysicsEncoder(cfg)
        self.lc_proj = nn.Linear(cfg.d_model, cfg.embed_dim)
        self.phys_proj = nn.Linear(cfg.phys_dim, cfg.embed_dim)
        self.classifier = nn.Sequential(
            nn.Dropout(cfg.dropout),
            nn.Linear(cfg.d_model + cfg.phys_dim, cfg.head_hidden),
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
            L2-normalised), ``fused`` [batch, d_model + phys_dim], ``logit_scale`` [] (exp, <= 100).
        """
        lc = self.lc_encoder(batch["global_view"], batch["local_view"])  # [B, d_model]
        phys = self.phys_encoder(batch)  # [B, phys_dim]
        fused = torch.cat([lc, phys], dim=1)  # [B, d_model + phys_dim]
        return {
            "logits": self.classifier(fused),  # [B, n_classes]
            "lc_embedding": F.normalize(self.lc_proj(lc), dim=-1),  # [B, P]
            "phys_embedding": F.normalize(self.phys_proj(phys), dim=-1),  # [B, P]
            "fused": fused,  # [B, F]
            "logit_scale": self.logit_scale.clamp(max=math.log(100.0)).exp(),  # []
        }
