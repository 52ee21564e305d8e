"""Tests for exomesa.mesa.losses on hand-made cases."""

from __future__ import annotations

import torch
from torch.nn import functional as F

from exomesa.mesa.losses import MesaLoss, focal_loss, info_nce


def test_info_nce_aligned_pairs_beat_random():
    torch.manual_seed(0)
    a = F.normalize(torch.randn(16, 8), dim=1)
    aligned = info_nce(a, a.clone())
    random = info_nce(a, F.normalize(torch.randn(16, 8), dim=1))
    assert aligned < random
    assert aligned < 0.5


def test_info_nce_is_symmetric_and_uniform_case():
    a = F.normalize(torch.randn(6, 4), dim=1)
    b = F.normalize(torch.randn(6, 4), dim=1)
    torch.testing.assert_close(info_nce(a, b), info_nce(b, a))
    same = F.normalize(torch.ones(6, 4), dim=1)
    torch.testing.assert_close(info_nce(same, same), torch.log(torch.tensor(6.0)))


def test_focal_gamma_zero_equals_cross_entropy():
    torch.manual_seed(1)
    logits, y = torch.randn(10, 3), torch.randint(0, 3, (10,))
    torch.testing.assert_close(focal_loss(logits, y, gamma=0.0), F.cross_entropy(logits, y))
    w = torch.tensor([0.5, 2.0, 1.0])
    torch.testing.assert_close(
        focal_loss(logits, y, gamma=0.0, alpha=w), F.cross_entropy(logits, y, weight=w)
    )


def test_focal_down_weights_easy_examples():
    logits = torch.tensor([[5.0, 0.0, 0.0], [0.2, 0.0, 0.0]])
    y = torch.tensor([0, 0])
    ce = F.cross_entropy(logits, y, reduction="none")
    per = torch.stack([focal_loss(logits[i : i + 1], y[i : i + 1], gamma=2.0) for i in range(2)])
    assert (per < ce).all()
    assert per[0] / ce[0] < per[1] / ce[1]  # the confident one is shrunk more


def test_mesa_loss_named_terms_sum():
    torch.manual_seed(2)
    out = {
        "logits": torch.randn(8, 3),
        "lc_embedding": F.normalize(torch.randn(8, 4), dim=1),
        "phys_embedding": F.normalize(torch.randn(8, 4), dim=1),
        "logit_scale": torch.tensor(1 / 0.07),
    }
    y = torch.randint(0, 3, (8,))
    terms = MesaLoss(contrastive_weight=0.1, classification_weight=1.0, loss="ce")(out, y)
    assert set(terms) == {"loss", "contrastive", "classification"}
    torch.testing.assert_close(terms["classification"], F.cross_entropy(out["logits"], y))
    torch.testing.assert_close(terms["loss"], 0.1 * terms["contrastive"] + terms["classification"])
