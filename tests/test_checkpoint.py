"""Tests for exomesa.mesa.checkpoint: weights_only-safe payloads and clear errors for foreign files."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from exomesa.errors import ExomesaError
from exomesa.mesa.checkpoint import load_checkpoint, save_checkpoint, to_checkpoint_safe

PAYLOAD = {
    "model_config": {"d_model": 32, "tabular_dims": {"planet": 6}},
    "state_dict": {"w": torch.arange(6.0)},
    "preprocessor": {"feature_set": {"planet": ["koi_period"]}},
    "classes": ("CONFIRMED", "CANDIDATE", "FALSE POSITIVE"),
    "temperature": np.float64(1.5),
    "reference": {"kepoi_name": np.array(["K00001.01"]), "physics": np.ones((1, 4), np.float32)},
}


def test_round_trip_with_weights_only(tmp_path):
    path = save_checkpoint(tmp_path / "sub" / "m.pth", PAYLOAD)
    raw = torch.load(path, map_location="cpu", weights_only=True)
    assert raw["format"] == "exomesa-mesa" and raw["format_version"] == 1 and "exomesa_version" in raw
    data = load_checkpoint(path)
    assert data["temperature"] == 1.5 and isinstance(data["temperature"], float)
    assert data["classes"] == ["CONFIRMED", "CANDIDATE", "FALSE POSITIVE"]
    assert data["reference"]["kepoi_name"] == ["K00001.01"]
    torch.testing.assert_close(data["reference"]["physics"], torch.ones(1, 4))
    torch.testing.assert_close(data["state_dict"]["w"], torch.arange(6.0))
    assert not (tmp_path / "sub" / "m.pth.tmp").exists()


def test_to_checkpoint_safe_rejects_objects():
    with pytest.raises(TypeError):
        to_checkpoint_safe({"x": object()})
    assert to_checkpoint_safe({"a": (np.int64(2), None)}) == {"a": [2, None]}


def test_missing_file(tmp_path):
    with pytest.raises(ExomesaError, match="nope.pth does not exist"):
        load_checkpoint(tmp_path / "nope.pth")


def test_text_file_is_not_a_checkpoint(tmp_path):
    path = tmp_path / "notes.pth"
    path.write_text("hello")
    with pytest.raises(ExomesaError, match="notes.pth is not an exomesa model file"):
        load_checkpoint(path)


def test_foreign_torch_file(tmp_path):
    path = tmp_path / "other.pth"
    torch.save({"weights": torch.zeros(2)}, path)
    with pytest.raises(ExomesaError, match="other.pth is a PyTorch file but not an exomesa"):
        load_checkpoint(path)


def test_truncated_checkpoint(tmp_path):
    path = save_checkpoint(tmp_path / "m.pth", PAYLOAD)
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(ExomesaError, match="m.pth"):
        load_checkpoint(path)


def test_damaged_and_newer_checkpoints(tmp_path):
    path = tmp_path / "m.pth"
    torch.save({"format": "exomesa-mesa", "format_version": 1}, path)
    with pytest.raises(ExomesaError, match="damaged"):
        load_checkpoint(path)
    torch.save({"format": "exomesa-mesa", "format_version": 99, "exomesa_version": "9.0"}, path)
    with pytest.raises(ExomesaError, match="Upgrade exomesa"):
        load_checkpoint(path)


def test_pickled_module_is_refused_without_running_code_and_without_escape_codes(tmp_path):
    path = tmp_path / "module.pth"
    torch.save(torch.nn.Linear(2, 2), path)  # a whole pickled module: loading it would unpickle code
    with pytest.raises(ExomesaError, match="module.pth is not an exomesa model checkpoint") as info:
        load_checkpoint(path)
    assert "\x1b" not in str(info.value)
    assert "never runs" in str(info.value)
