"""MESA losses: symmetric InfoNCE (CLIP), focal loss, and their weighted sum with named terms.

    total = contrastive_weight * InfoNCE(lc_embedding, phys_embedding) + classification_weight * focal(logits)
            + aux_weight * (focal(lc_logits) + focal(phys_logits))      (unimodal heads, when the model has them)

Rows without a real view (``has_view`` False in the model's outputs) are left out of InfoNCE and of the
light-curve head's term: their light-curve representation is the learned "no view" vector.

Every loss returns plain tensors; :class:`MesaLoss` returns a dict of named terms (``loss``, ``contrastive``,
``classification``) that the trainer sums into its history.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import torch
from torch import nn
from torch.nn import functional as F

__all__ = ["info_nce", "focal_loss", "MesaLoss"]

logger = logging.getLogger(__name__)


def info_nce(
    a: torch.Tensor, b: torch.Tensor, logit_scale: torch.Tensor | float = 1.0 / 0.07
) -> torch.Tensor:
    """Symmetric InfoNCE between paired embeddings (row i of ``a`` matches row i of ``b``).

    Args:
        a, b: ``[batch, dim]`` L2-normalised embeddings.
        logit_scale: 1 / temperature (scalar).

    Returns:
        Scalar: mean of the a->b and b->a cross-entropies over ``scale * a @ b.T``.
    """
    logits = logit_scale * a @ b.t()  # [batch, batch]
    target = torch.arange(a.shape[0], device=a.device)
    return 0.5 * (F.cross_entropy(logits, target) + F.cross_entropy(logits.t(), target))


def focal_loss(
    logits: torch.Tensor,
    target: torch.Tensor,
    gamma: float = 2.0,
    alpha: torch.Tensor | Sequence[float] | float | None = None,
) -> torch.Tensor:
    """Multi-class focal loss, mean over the batch: ``-alpha_y (1 - p_y)^gamma log p_y``.

    Args:
        logits: ``[batch, n_classes]``.
        target: ``[batch]`` int64 class indices.
        gamma: focusing exponent; ``gamma=0`` with ``alpha=None`` is exactly the cross-entropy.
        alpha: None, one float for every class, or per-class weights ``[n_classes]``. The weighted
            mean divides by ``sum(alpha_y)`` as ``F.cross_entropy(weight=...)`` does.
    """
    logp = F.log_softmax(logits, dim=-1)
    logp_y = logp.gather(1, target[:, None]).squeeze(1)  # [batch]
    loss = -((1.0 - logp_y.exp()).clamp(min=0.0) ** gamma) * logp_y if gamma else -logp_y
    if alpha is None:
        return loss.mean()
    if isinstance(alpha, (int, float)):
        return float(alpha) * loss.mean()
    weights = torch.as_tensor(alpha, dtype=logits.dtype, device=logits.device)[target]  # [batch]
    return (weights * loss).sum() / weights.sum()


class MesaLoss(nn.Module):
    """``contrastive_weight * InfoNCE + classification_weight * (focal | cross-entropy)``, as named terms.

    Args:
        contrastive_weight: weight of the symmetric InfoNCE term (0 turns alignment off).
        classification_weight: weight of the classification term.
        loss: ``"focal"`` or ``"ce"`` (class-weighted cross-entropy, i.e. focal with gamma 0).
        gamma: focal exponent.
        class_weights: per-class alpha ``[n_classes]`` or None.
    """

    def __init__(
        self,
        contrastive_weight: float = 0.1,
        classification_weight: float = 1.0,
        loss: str = "focal",
        gamma: float = 2.0,
        class_weights: Sequence[float] | None = None,
        aux_weight: float = 0.0,
    ) -> None:
        super().__init__()
        if loss not in ("focal", "ce"):
            raise ValueError(f"loss must be 'focal' or 'ce', not {loss!r}")
        self.contrastive_weight = float(contrastive_weight)
        self.classification_weight = float(classification_weight)
        self.aux_weight = float(aux_weight)
        self.gamma = float(gamma) if loss == "focal" else 0.0
        weights = (
            torch.tensor(list(class_weights), dtype=torch.float32) if class_weights is not None else None
        )
        self.register_buffer("class_weights", weights, persistent=False)

    def forward(self, outputs: dict[str, torch.Tensor], target: torch.Tensor) -> dict[str, torch.Tensor]:
        """``outputs`` from :class:`~exomesa.mesa.model.MESAModel`, ``target`` [batch] -> named scalar terms."""
        classification = focal_loss(outputs["logits"], target, self.gamma, self.class_weights)
        # rows without a real view (masked) have no light curve to align or to classify on
        has = outputs.get("has_view")
        both = "lc_embedding" in outputs and "phys_embedding" in outputs  # one tower: nothing to align
        contrastive = classification.new_zeros(())
        if self.contrastive_weight > 0 and both:
            lc, phys = outputs["lc_embedding"], outputs["phys_embedding"]
            if has is not None:
                lc, phys = lc[has], phys[has]
            if lc.shape[0] > 1:
                contrastive = info_nce(lc, phys, outputs["logit_scale"])
        total = self.contrastive_weight * contrastive + self.classification_weight * classification
        terms = {"contrastive": contrastive, "classification": classification}
        if self.aux_weight > 0 and "lc_logits" in outputs:
            lc_logits, lc_target = outputs["lc_logits"], target
            if has is not None:
                lc_logits, lc_target = lc_logits[has], target[has]
            aux = focal_loss(outputs["phys_logits"], target, self.gamma, self.class_weights)
            if lc_target.numel():
                aux = aux + focal_loss(lc_logits, lc_target, self.gamma, self.class_weights)
            total = total + self.aux_weight * aux
            terms["auxiliary"] = aux
        return {"loss": total, **terms}
