"""End-to-end tests of `exomesa train` (the real DR25 table, a small subset, two epochs)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from exomesa.cli import main
from exomesa.data import load_dr25, to_seed_layout


@pytest.fixture(scope="module")
def dr25_csv(tmp_path_factory):
    path = tmp_path_factory.mktemp("data") / "train_300.csv"
    load_dr25().sample(300, random_state=0).to_csv(path, index=False)
    return path


@pytest.mark.slow
def test_train_end_to_end_and_refuses_overwrite(dr25_csv, tmp_path, capsys):
    out = tmp_path / "run"
    argv = [
        "train",
        "--data_path",
        str(dr25_csv),
        "--epochs",
        "2",
        "--output_dir",
        str(out),
        "--device",
        "cpu",
    ]
    assert main(argv) == 0
    model = out / "mesa_model.pth"
    history = json.loads((out / "mesa_training_history.json").read_text())
    config = json.loads((out / "mesa_config.json").read_text())
    assert len(history) == 2 and {"train_loss", "val_macro_f1", "lr"} <= set(history[0])
    assert config["params"]["features"] == "full" and config["params"]["train"]["epochs"] == 2
    data = torch.load(model, map_location="cpu", weights_only=True)
    assert data["format"] == "exomesa-mesa" and len(data["reference"]["candidate_id"]) == 300

    capsys.readouterr()
    assert main(argv) == 2  # refuses to overwrite
    assert "already exists" in capsys.readouterr().err

    # fine-tune the saved model, head only, through the original flags
    tuned = tmp_path / "tuned"
    argv2 = [
        "train",
        "--data_path",
        str(dr25_csv),
        "--epochs",
        "1",
        "--output_dir",
        str(tuned),
        "--pretrained_path",
        str(model),
        "--freeze_backbone",
    ]
    assert main(argv2) == 0
    a = data["state_dict"]
    b = torch.load(tuned / "mesa_model.pth", weights_only=True)["state_dict"]
    changed = [k for k in a if not torch.equal(a[k], b[k])]
    assert changed and all(k.startswith("classifier.") for k in changed)


@pytest.mark.slow
def test_train_seed_layout_csv_falls_back_to_seed_features(tmp_path):
    df = to_seed_layout(load_dr25().sample(120, random_state=1))
    path = tmp_path / "train_data.csv"
    df.to_csv(path, index=False)
    cfg = tmp_path / "params.json"
    cfg.write_text(json.dumps({"d_model": 16, "epochs": 5}))
    out = tmp_path / "run"
    assert (
        main(
            [
                "train",
                "--data_path",
                str(path),
                "--config",
                str(cfg),
                "--epochs",
                "1",
                "--output_dir",
                str(out),
            ]
        )
        == 0
    )
    config = json.loads((out / "mesa_config.json").read_text())
    assert config["params"]["features"] == "seed"
    assert (
        config["params"]["model"]["d_model"] == 16 and config["params"]["train"]["epochs"] == 1
    )  # flag beats --config
    assert set(config["feature_set"]) == {"planet", "stellar"}
    assert np.isfinite(config["temperature"])


def test_bad_arguments_are_clear_errors(tmp_path, capsys):
    cfg = tmp_path / "params.json"
    cfg.write_text(json.dumps({"n_epochs": 3}))
    assert main(["train", "--config", str(cfg), "--output_dir", str(tmp_path)]) == 2
    assert "unknown setting(s) ['n_epochs']" in capsys.readouterr().err
    assert main(["train", "--freeze_backbone", "--output_dir", str(tmp_path)]) == 2
    assert "--pretrained_path" in capsys.readouterr().err
    assert (
        main(
            [
                "train",
                "--pretrained_path",
                str(tmp_path / "none.pth"),
                "--output_dir",
                str(tmp_path),
                "--data_path",
                str(tmp_path / "none.csv"),
            ]
        )
        == 2
    )
