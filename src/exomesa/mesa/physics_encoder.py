"""The physics tower: one MLP per tabular feature group (planet, stellar, diagnostics), fused."""

from __future__ import annotations

import torch
from torch import nn

from exomesa.mesa.config import MesaConfig
from exomesa.mesa.layers import mlp

__all__ = ["PhysicsEncoder"]


class PhysicsEncoder(nn.Module):
    """One MLP per tabular group (planet, stellar, diagnostics), concatenated and fused."""

    def __init__(self, cfg: MesaConfig) -> None:
        super().__init__()
        self.groups = [g for g, dim in cfg.tabular_dims.items() if dim > 0]
        self.group_mlps = nn.ModuleDict(
            {g: mlp(cfg.tabular_dims[g], cfg.tab_hidden, cfg.tab_hidden, cfg.dropout) for g in self.groups}
        )
        self.fuse = nn.Sequential(
            nn.Linear(cfg.tab_hidden * len(self.groups), cfg.phys_dim), nn.GELU(), nn.LayerNorm(cfg.phys_dim)
        )

    def forward(self, tabular: dict[str, torch.Tensor]) -> torch.Tensor:
        """``tabular[group]`` [batch, D_group] -> physics representation [batch, phys_dim]."""
        parts = [self.group_mlps[g](tabular[g]) for g in self.groups]  # each [B, tab_hidden]
        return self.fuse(torch.cat(parts, dim=1))
