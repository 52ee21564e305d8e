"""The physics tower: one MLP per tabular feature group (planet, stellar, diagnostics), fused; or, with
``MesaConfig.phys_encoder = "ft"``, an FT-Transformer (:class:`FTPhysicsEncoder`).

Optionally each numeric feature first goes through its own embedding layer (Gorishniy et al. 2022, "On
Embeddings for Numerical Features in Tabular Deep Learning"), selected by ``MesaConfig.num_embedding``:

* ``"none"`` — the quantile-normal scores go straight into the group MLP (the original, `paper`, design).
* ``"periodic"`` — PLR: ``x → [cos(2π c x), sin(2π c x)]`` with ``k`` learned frequencies per feature
  (initialised from N(0, σ²)), then a per-feature linear layer to ``d_e`` and a ReLU.
* ``"ple"`` — piecewise-linear encoding on quantile bins, then a per-feature linear layer and a ReLU. The
  preprocessor already maps every feature through its *training* quantiles onto a standard normal, so bin
  edges at the normal quantiles ``Φ⁻¹(i / T)`` are the training-quantile bins of the paper, with no data
  needed at construction time (and nothing extra to store in the checkpoint).

Each group's input is ``[values (n), missing indicators (n)]`` (see
:class:`~exomesa.features.TabularPreprocessor`); only the values are embedded, the indicators pass through.
"""

from __future__ import annotations

import math

import torch
from scipy.special import ndtri
from torch import nn

from exomesa.mesa.config import MesaConfig
from exomesa.mesa.layers import TransformerBlock, mlp

__all__ = ["PhysicsEncoder", "FTPhysicsEncoder", "NumericEmbedding", "NUM_EMBEDDINGS", "physics_encoder"]

#: Per-feature numeric embeddings the physics tower knows.
NUM_EMBEDDINGS = ("none", "periodic", "ple")
_CLIP = 3.5  # the preprocessor clips its normal scores to ±3.5


class NumericEmbedding(nn.Module):
    """Per-feature embedding of ``n`` numeric features: ``[B, n] -> [B, n * d_embed]``.

    Args:
        n_features: number of numeric features ``n``.
        kind: ``"periodic"`` or ``"ple"`` (see the module docstring).
        d_embed: output size per feature ``d_e``.
        n_bins: frequencies ``k`` (periodic) or bins ``T`` (ple).
        sigma: standard deviation of the initial frequencies (periodic only; inputs are normal scores).
    """

    def __init__(self, n_features: int, kind: str, d_embed: int, n_bins: int, sigma: float) -> None:
        super().__init__()
        self.kind = kind
        if kind == "periodic":
            self.frequencies = nn.Parameter(torch.randn(n_features, n_bins) * sigma)  # [n, k]
            d_in = 2 * n_bins
        elif kind == "ple":
            inner = [float(ndtri(i / n_bins)) for i in range(1, n_bins)]
            edges = torch.tensor([-_CLIP, *inner, _CLIP], dtype=torch.float32)  # [T + 1]
            self.register_buffer("left", edges[:-1].clone(), persistent=False)  # [T]
            self.register_buffer("width", (edges[1:] - edges[:-1]).clone(), persistent=False)  # [T]
            d_in = n_bins
        else:
            raise ValueError(f"num_embedding must be one of {NUM_EMBEDDINGS[1:]}, not {kind!r}")
        bound = 1.0 / math.sqrt(d_in)
        self.weight = nn.Parameter(torch.empty(n_features, d_in, d_embed).uniform_(-bound, bound))
        self.bias = nn.Parameter(torch.empty(n_features, d_embed).uniform_(-bound, bound))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` [B, n] normal scores -> [B, n * d_embed]."""
        if self.kind == "periodic":
            v = 2 * math.pi * x.unsqueeze(-1) * self.frequencies  # [B, n, k]
            enc = torch.cat([torch.cos(v), torch.sin(v)], dim=-1)  # [B, n, 2k]
        else:
            enc = ((x.unsqueeze(-1) - self.left) / self.width).clamp(0.0, 1.0)  # [B, n, T]
        out = torch.relu(torch.einsum("bnd,nde->bne", enc, self.weight) + self.bias)  # [B, n, d_e]
        return out.flatten(1)


class _Group(nn.Module):
    """One tabular group: optional per-feature embedding of the values, then the group MLP."""

    def __init__(self, dim: int, cfg: MesaConfig) -> None:
        super().__init__()
        kind = cfg.num_embedding
        self.n_values = dim // 2 if kind != "none" else 0
        if kind != "none":
            self.embed = NumericEmbedding(
                self.n_values, kind, cfg.num_embedding_dim, cfg.num_embedding_bins, cfg.periodic_sigma
            )
            d_in = self.n_values * cfg.num_embedding_dim + (dim - self.n_values)
        else:
            self.embed = None
            d_in = dim
        self.mlp = mlp(d_in, cfg.tab_hidden, cfg.tab_hidden, cfg.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """``x`` [B, D_group] -> [B, tab_hidden]."""
        if self.embed is not None:
            x = torch.cat([self.embed(x[:, : self.n_values]), x[:, self.n_values :]], dim=1)
        return self.mlp(x)


class PhysicsEncoder(nn.Module):
    """One MLP per tabular group (planet, stellar, diagnostics), concatenated and fused."""

    def __init__(self, cfg: MesaConfig) -> None:
        super().__init__()
        self.groups = [g for g, dim in cfg.tabular_dims.items() if dim > 0]
        if cfg.num_embedding == "none":  # the original layout (keeps old checkpoints' parameter names)
            self.group_mlps = nn.ModuleDict(
                {
                    g: mlp(cfg.tabular_dims[g], cfg.tab_hidden, cfg.tab_hidden, cfg.dropout)
                    for g in self.groups
                }
            )
        else:
            self.group_mlps = nn.ModuleDict({g: _Group(cfg.tabular_dims[g], cfg) for g in self.groups})
        self.fuse = nn.Sequential(
            nn.Linear(cfg.tab_hidden * len(self.groups), cfg.phys_dim), nn.GELU(), nn.LayerNorm(cfg.phys_dim)
        )

    def forward(self, tabular: dict[str, torch.Tensor]) -> torch.Tensor:
        """``tabular[group]`` [batch, D_group] -> physics representation [batch, phys_dim]."""
        parts = [self.group_mlps[g](tabular[g]) for g in self.groups]  # each [B, tab_hidden]
        return self.fuse(torch.cat(parts, dim=1))


class FTPhysicsEncoder(nn.Module):
    """FT-Transformer physics tower (Gorishniy et al. 2021, "Revisiting Deep Learning Models for Tabular Data").

    Every feature ``j`` becomes a token ``x_j w_j + b_j`` (its missing flag adds a learned ``m_j``), a [CLS]
    token joins them, ``ft_layers`` pre-LN Transformer blocks of width ``d_model`` let the features attend to
    each other, and the [CLS] output (layer-normed) is projected to ``phys_dim``. The inputs are the
    preprocessor's ``[values (n), missing flags (n)]`` per group, as for :class:`PhysicsEncoder`.
    """

    def __init__(self, cfg: MesaConfig) -> None:
        super().__init__()
        self.groups = [g for g, dim in cfg.tabular_dims.items() if dim > 0]
        n = sum(cfg.tabular_dims[g] // 2 for g in self.groups)
        d = cfg.d_model
        bound = 1.0 / math.sqrt(d)
        self.weight = nn.Parameter(torch.empty(n, d).uniform_(-bound, bound))  # [n, d]
        self.bias = nn.Parameter(torch.empty(n, d).uniform_(-bound, bound))  # [n, d]
        self.missing = nn.Parameter(torch.zeros(n, d))  # [n, d]
        self.cls = nn.Parameter(torch.zeros(1, 1, d))
        self.drop = nn.Dropout(cfg.dropout)
        self.blocks = nn.ModuleList(
            TransformerBlock(d, cfg.n_heads, cfg.ff_dim) for _ in range(cfg.ft_layers)
        )
        self.norm = nn.LayerNorm(d)
        self.out = nn.Sequential(nn.Linear(d, cfg.phys_dim), nn.GELU(), nn.LayerNorm(cfg.phys_dim))

    def forward(self, tabular: dict[str, torch.Tensor]) -> torch.Tensor:
        """``tabular[group]`` [batch, 2 n_group] -> physics representation [batch, phys_dim]."""
        values, flags = [], []
        for g in self.groups:
            x = tabular[g]
            half = x.shape[1] // 2
            values.append(x[:, :half])
            flags.append(x[:, half:])
        v = torch.cat(values, dim=1).unsqueeze(-1)  # [B, n, 1]
        m = torch.cat(flags, dim=1).unsqueeze(-1)  # [B, n, 1]
        tokens = v * self.weight + self.bias + m * self.missing  # [B, n, d]
        cls = torch.zeros_like(tokens[:, :1]) + self.cls  # [B, 1, d] (tensor ops: ONNX keeps B dynamic)
        x = torch.cat([cls, tokens], dim=1)  # [B, 1 + n, d]
        x = self.drop(x)
        for block in self.blocks:
            x = block(x)
        return self.out(self.norm(x[:, 0]))  # [B, phys_dim]


def physics_encoder(cfg: MesaConfig) -> nn.Module:
    """The physics tower ``cfg.phys_encoder`` names (``"mlp"``: :class:`PhysicsEncoder`; ``"ft"``:
    :class:`FTPhysicsEncoder`)."""
    return FTPhysicsEncoder(cfg) if cfg.phys_encoder == "ft" else PhysicsEncoder(cfg)
