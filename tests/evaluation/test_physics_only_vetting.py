"""Vetting a physics-only model (every bundled model): attributions of the columns only, no class
distributions from a bank that keeps names but no labels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from exomesa.data import load_dr25

pytest.importorskip("captum")
BUNDLED = Path(__file__).resolve().parents[2] / "src" / "exomesa" / "bundled_models"


def test_bundled_physics_model_is_explained_and_vetted() -> None:
    from exomesa.evaluation.explain import explain_mesa
    from exomesa.evaluation.vetting import class_distributions, vet_records
    from exomesa.mesa.classifier import MesaClassifier

    clf = MesaClassifier.load(BUNDLED / "kepler_seed.pth")
    assert clf.towers_read() == "physics"
    df = load_dr25().head(3)
    att = explain_mesa(clf, df)
    assert att["features"].shape == (3, len(att["feature_names"])) and np.isfinite(att["features"]).all()
    assert "global_view" not in att and "local_view" not in att  # views it does not read
    assert class_distributions(clf, load_dr25()) is None
    records = vet_records(clf, df)
    assert len(records) == 3
