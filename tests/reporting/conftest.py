"""A tiny trained MESA (seconds on CPU) shared by the vetting tests, and the vet pages it writes."""

from __future__ import annotations

from pathlib import Path

import pytest

TINY = dict(
    epochs=1,
    d_model=16,
    n_heads=2,
    n_layers=1,
    ff_dim=32,
    tab_hidden=16,
    phys_dim=16,
    embed_dim=8,
    head_hidden=16,
    batch_size=32,
    ensemble=1,  # a single model: the sheets say why there is no spread (ensembles: test_human_flag_...)
    seed=0,
)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """MESA trained for one epoch on 200 labelled DR25 KOIs, saved as a checkpoint."""
    from exomesa.data import load_dr25
    from exomesa.mesa.classifier import MesaClassifier

    df = load_dr25()
    df = df[df["koi_disposition"].notna()].sample(n=200, random_state=0)
    path = tmp_path_factory.mktemp("tiny") / "mesa_model.pth"
    return MesaClassifier.from_settings(**TINY).fit(df).save(path)


@pytest.fixture(scope="session")
def vet_pages(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``exomesa vet`` output for two KOIs with rendered light curves."""
    from exomesa.cli import main

    out = tmp_path_factory.mktemp("vet") / "v"
    assert (
        main(["vet", "--model_path", str(tiny_model), "--koi", "K00752.01", "K00002.01", "--out", str(out)])
        == 0
    )
    return out
