"""The light-curve tower: a patch Transformer over the global (2001-bin) and local (201-bin) views."""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from exomesa.mesa.config import MesaConfig
from exomesa.mesa.layers import TransformerBlock, normalise_views

__all__ = ["LightCurveEncoder"]


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
