"""Building blocks shared by the MESA towers: view normalisation, a small MLP and a lean Transformer block."""

from __future__ import annotations

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["DEPTH_EPS", "normalise_views", "mlp", "TransformerBlock"]

DEPTH_EPS = 1e-6  # smallest depth scale (relative flux), i.e. 1 ppm


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


def mlp(d_in: int, d_hidden: int, d_out: int, dropout: float) -> nn.Sequential:
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
