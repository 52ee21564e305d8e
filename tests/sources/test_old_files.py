"""Files written before the neutral keys still load: checkpoints whose reference bank names kepoi_name (the
bundled models are such files), and predictions/splits keyed by kepid/kepoi_name (tests per source)."""

from __future__ import annotations

import torch

from exomesa.bundled import BUNDLED_MODELS, bundled_dir, load_bundled


def test_bundled_checkpoints_with_kepoi_name_bank_load() -> None:
    for entry in BUNDLED_MODELS:
        raw = torch.load(bundled_dir() / entry.file, map_location="cpu", weights_only=True)
        assert "kepoi_name" in raw["reference"] and "candidate_id" not in raw["reference"]  # the old format
        clf = load_bundled(entry, engine="torch")
        names = list(clf.reference_["candidate_id"])
        assert names == [str(n) for n in raw["reference"]["kepoi_name"]] and len(names) > 100
        onnx = load_bundled(entry, engine="onnx")  # its metadata says training_kepoi_names
        assert set(onnx.reference_["candidate_id"]) == set(names)
