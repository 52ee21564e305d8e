"""The light-curve tower, in two selectable forms (``MesaConfig.lc_encoder``):

- ``"patch"`` (default): a patch Transformer over the global (2001-bin) and local (201-bin) views.
- ``"astronet"``: AstroNet's separate global/local columns (Shallue & Vanderburg 2018), scaled to a CPU:
  one small 1-D convolution stack per view, each pooled to a fixed length, concatenated with the two
  log-depth scalars and mapped to ``d_model`` by an MLP.

Both map ``global_view`` [B, 2001] and ``local_view`` [B, 201] to a representation [B, d_model].
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

from exomesa.mesa.config import LC_ENCODERS, MesaConfig
from exomesa.mesa.layers import TransformerBlock, normalise_views

__all__ = ["LC_ENCODERS", "AstroNetEncoder", "LightCurveEncoder", "PatchEncoder"]


class PatchEncoder(nn.Module):
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


def _conv_column(channels: tuple[int, ...], pool_to: int) -> nn.Sequential:
    """AstroNet column: per block conv(k=5) + GELU + max-pool(5, stride 2); then adaptive max-pool to
    ``pool_to`` positions. Input [B, 1, L] -> output [B, channels[-1] * pool_to]."""
    layers: list[nn.Module] = []
    c_in = 1
    for c in channels:
        layers += [nn.Conv1d(c_in, c, 5, padding=2), nn.GELU(), nn.MaxPool1d(5, stride=2, padding=2)]
        c_in = c
    layers += [nn.AdaptiveMaxPool1d(pool_to), nn.Flatten()]
    return nn.Sequential(*layers)


class AstroNetEncoder(nn.Module):
    """Separate 1-D convolution columns for the global and local views (AstroNet's layout, CPU-sized).

    Global: 4 blocks (8, 16, 16, 32 channels), 2001 bins -> 126 -> max-pooled to 8 positions (256 values).
    Local: 2 blocks (8, 16 channels), 201 bins -> 51 -> max-pooled to 8 positions (128 values).
    The unit-depth shapes go through the columns; the two log-depths join before the MLP to ``d_model``.
    """

    def __init__(self, cfg: MesaConfig) -> None:
        super().__init__()
        self.cfg = cfg
        self.global_column = _conv_column((8, 16, 16, 32), 8)
        self.local_column = _conv_column((8, 16), 8)
        n_in = 32 * 8 + 16 * 8 + 2
        self.head = nn.Sequential(
            nn.Dropout(cfg.dropout),
            nn.Linear(n_in, cfg.ff_dim),
            nn.GELU(),
            nn.Dropout(cfg.dropout),
            nn.Linear(cfg.ff_dim, cfg.d_model),
        )
        self.norm = nn.LayerNorm(cfg.d_model)

    def forward(self, global_view: torch.Tensor, local_view: torch.Tensor) -> torch.Tensor:
        """``global_view`` [batch, 2001], ``local_view`` [batch, 201] -> representation [batch, d_model]."""
        g_shape, g_depth = normalise_views(global_view)
        l_shape, l_depth = normalise_views(local_view)
        g = self.global_column(g_shape[:, None, :])  # [B, 256]
        loc = self.local_column(l_shape[:, None, :])  # [B, 128]
        feats = torch.cat([g, loc, torch.stack([g_depth, l_depth], dim=1)], dim=1)  # [B, 386]
        return self.norm(self.head(feats))  # [B, d]


_ENCODERS: dict[str, type[nn.Module]] = {"patch": PatchEncoder, "astronet": AstroNetEncoder}


def LightCurveEncoder(cfg: MesaConfig) -> nn.Module:  # noqa: N802 - kept as the tower's historical name
    """The light-curve tower ``cfg.lc_encoder`` selects (``"patch"`` or ``"astronet"``)."""
    return _ENCODERS[cfg.lc_encoder](cfg)
