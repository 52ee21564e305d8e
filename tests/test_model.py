"""Tests for exomesa.mesa.model: shapes, normalisation, config round trip."""

from __future__ import annotations

import math

import pytest
import torch

from exomesa.mesa.config import PRESETS
from exomesa.mesa.model import MesaConfig, MESAModel, TransformerBlock, count_parameters, normalise_views


def _batch(n: int = 4, dims: dict[str, int] | None = None) -> dict[str, torch.Tensor]:
    dims = dims or {"planet": 6, "stellar": 4}
    g = torch.zeros(n, 2001)
    g[:, 990:1010] = -torch.linspace(1e-4, 1e-1, n)[:, None]
    loc = torch.zeros(n, 201)
    loc[:, 80:120] = -torch.linspace(1e-4, 1e-1, n)[:, None]
    batch = {"global_view": g, "local_view": loc}
    batch.update({k: torch.randn(n, d) for k, d in dims.items()})
    return batch


def test_forward_shapes_and_normalised_embeddings():
    cfg = MesaConfig(tabular_dims={"planet": 6, "stellar": 4})
    model = MESAModel(cfg).eval()
    out = model(_batch(5))
    assert out["logits"].shape == (5, 3)
    assert out["lc_embedding"].shape == (5, cfg.embed_dim)
    assert out["phys_embedding"].shape == (5, cfg.embed_dim)
    assert out["fused"].shape == (5, cfg.d_model + cfg.phys_dim)
    torch.testing.assert_close(out["lc_embedding"].norm(dim=1), torch.ones(5))
    torch.testing.assert_close(out["phys_embedding"].norm(dim=1), torch.ones(5))
    assert abs(float(out["logit_scale"]) - 1 / 0.07) < 1e-3


def test_diagnostics_group_is_used():
    dims = {"planet": 6, "stellar": 4, "diagnostics": 8}
    model = MESAModel(MesaConfig(tabular_dims=dims)).eval()
    batch = _batch(3, dims)
    out1 = model(batch)["logits"]
    batch["diagnostics"] = batch["diagnostics"] + 1.0
    assert not torch.allclose(out1, model(batch)["logits"])


def test_default_size_is_small():
    dims = {"planet": 30, "stellar": 12, "diagnostics": 40}
    n = count_parameters(MESAModel(PRESETS["paper"].model.replace(tabular_dims=dims)))
    assert n == 35_620  # the paper design's size with 82 tabular inputs; a change here is a design change


def test_normalise_views_unit_depth_and_log_depth():
    v = torch.zeros(2, 11)
    v[0, 5] = -0.01
    v[1, 5] = -1e-4
    shape, depth = normalise_views(v)
    torch.testing.assert_close(shape[:, 5], torch.tensor([-1.0, -1.0]))
    torch.testing.assert_close(depth, torch.tensor([(-2 + 3) / 1.5, (-4 + 3) / 1.5]))
    # a flat view does not divide by zero
    shape, depth = normalise_views(torch.zeros(1, 11))
    assert torch.isfinite(shape).all() and torch.isfinite(depth).all()


def test_depth_changes_prediction_but_not_by_scale_alone():
    model = MESAModel(MesaConfig(tabular_dims={"planet": 6, "stellar": 4})).eval()
    b = _batch(2)
    deep = dict(b, global_view=b["global_view"] * 5, local_view=b["local_view"] * 5)
    # the depth is seen: a 5x deeper transit changes the embedding ...
    assert not torch.allclose(model(b)["lc_embedding"], model(deep)["lc_embedding"])
    # ... but only through the one depth token: the shape tokens are scale-free
    shape1, depth1 = normalise_views(b["global_view"])
    shape5, depth5 = normalise_views(deep["global_view"])
    torch.testing.assert_close(shape1, shape5)
    torch.testing.assert_close(depth5 - depth1, torch.full_like(depth1, math.log10(5) / 1.5))


def test_transformer_block_matches_shape_and_has_no_dropout():
    block = TransformerBlock(32, 2, 64)
    x = torch.randn(3, 7, 32)
    assert block(x).shape == x.shape
    assert not any(isinstance(m, torch.nn.Dropout) for m in block.modules())
    block.train()
    torch.testing.assert_close(block(x), block(x))  # deterministic in train mode: no dropout inside


def test_config_round_trip():
    cfg = MesaConfig(tabular_dims={"planet": 6}, d_model=16, n_heads=4)
    assert MesaConfig.from_dict({**cfg.to_dict(), "unknown": 1}) == cfg


@pytest.mark.parametrize("towers", ["lightcurve", "physics"])
def test_one_tower_models_have_no_contrastive_term(towers):
    from exomesa.mesa.losses import MesaLoss

    model = MESAModel(MesaConfig(tabular_dims={"planet": 6, "stellar": 4}, towers=towers)).eval()
    out = model(_batch(4))
    assert out["logits"].shape == (4, 3)
    assert ("lc_embedding" in out) == (towers == "lightcurve")
    assert ("phys_embedding" in out) == (towers == "physics")
    expected_fused = 32 if towers == "lightcurve" else 64
    assert out["fused"].shape == (4, expected_fused)
    terms = MesaLoss(contrastive_weight=0.1)(out, torch.tensor([0, 1, 2, 0]))
    assert float(terms["contrastive"]) == 0.0
    # the light-curve-only model reads no tables: changing them changes nothing
    if towers == "lightcurve":
        b = _batch(4)
        b2 = dict(b, planet=b["planet"] + 3.0)
        torch.testing.assert_close(model(b)["logits"], model(b2)["logits"])


def test_unknown_towers_value_is_refused():
    with pytest.raises(ValueError, match="towers"):
        MesaConfig(towers="both-ish")


def test_astronet_encoder_gives_the_same_shapes_and_reads_the_transit_shape():
    from exomesa.mesa.lightcurve_encoder import AstroNetEncoder, PatchEncoder

    cfg = MesaConfig(tabular_dims={"planet": 6, "stellar": 4}, lc_encoder="astronet")
    model = MESAModel(cfg).eval()
    assert isinstance(model.lc_encoder, AstroNetEncoder)
    assert isinstance(
        MESAModel(MesaConfig(tabular_dims={"planet": 6}, lc_encoder="patch")).lc_encoder, PatchEncoder
    )
    b = _batch(4)
    out = model(b)
    assert out["logits"].shape == (4, 3) and out["lc_embedding"].shape == (4, cfg.embed_dim)
    # a V-shaped local transit of the same depth gives another representation than a box
    v = dict(b, local_view=b["local_view"].clone())
    v["local_view"][:, 80:120] *= torch.abs(torch.linspace(-1, 1, 40))[None] + 0.05
    assert not torch.allclose(
        model.lc_encoder(b["global_view"], b["local_view"]),
        model.lc_encoder(v["global_view"], v["local_view"]),
    )
    with pytest.raises(ValueError, match="lc_encoder"):
        MesaConfig(lc_encoder="resnet")


def test_ft_transformer_physics_tower_reads_every_feature_and_its_missing_flag():
    from exomesa.mesa.physics_encoder import FTPhysicsEncoder

    dims = {"planet": 6, "stellar": 4, "diagnostics": 8}
    cfg = MesaConfig(tabular_dims=dims, phys_encoder="ft", ft_layers=2)
    model = MESAModel(cfg).eval()
    assert isinstance(model.phys_encoder, FTPhysicsEncoder)
    assert model.phys_encoder.weight.shape == (3 + 2 + 4, cfg.d_model)  # one token per feature
    batch = _batch(3, dims)
    out = model(batch)
    assert out["phys_embedding"].shape == (3, cfg.embed_dim)
    assert out["fused"].shape == (3, cfg.d_model + cfg.phys_dim)
    for group, col in (("planet", 0), ("stellar", 1), ("diagnostics", 3)):  # a value of each group
        changed = {k: v.clone() for k, v in batch.items()}
        changed[group][:, col] += 1.0
        assert not torch.allclose(out["phys_embedding"], model(changed)["phys_embedding"])
    out["logits"].sum().backward()
    assert model.phys_encoder.missing.grad is not None  # the missing flags feed their own token term
    with pytest.raises(ValueError, match="phys_encoder must be mlp or ft"):
        MesaConfig(tabular_dims=dims, phys_encoder="tabnet")
