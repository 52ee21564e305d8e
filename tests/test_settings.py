"""MESA's settings: one home (mesa/config.py), presets, the estimator's scikit-learn parameters, the generated
command-line flags and ``--config`` files, and older checkpoints' and config files' meaning."""

from __future__ import annotations

import argparse
import dataclasses
import json

import numpy as np
import pytest
from sklearn.base import clone

from exomesa.cli import main
from exomesa.cli._settings import add_settings_arguments, given_settings
from exomesa.errors import ExomesaError
from exomesa.mesa.classifier import MesaClassifier
from exomesa.mesa.config import (
    PRESETS,
    MesaConfig,
    TrainConfig,
    get_preset,
    legacy_settings,
    settings_fields,
    split_settings,
)
from exomesa.pipeline import read_config


def test_every_setting_has_help_and_the_dataclass_default_is_the_default():
    for cls in (MesaConfig, TrainConfig):
        for f in dataclasses.fields(cls):
            assert f.metadata["help"], f.name
    model, train = MesaClassifier().settings()
    assert model == MesaConfig() and train == TrainConfig()
    assert model.phys_encoder == "ft" and train.ensemble == 2 and train.batch_size == 64


def test_paper_preset_is_the_original_design_and_seed_is_its_alias():
    paper = PRESETS["paper"]
    assert (paper.model.phys_encoder, paper.model.d_model, paper.model.n_layers) == ("mlp", 32, 1)
    assert (paper.train.batch_size, paper.train.learning_rate, paper.train.ensemble) == (16, 1e-4, 1)
    assert get_preset("seed") is paper and get_preset(None) is PRESETS["default"]
    with pytest.raises(ExomesaError, match="unknown preset 'tiny'"):
        get_preset("tiny")


def test_legacy_model_config_keys_keep_their_old_meaning():
    """A checkpoint written before phys_encoder / num_embedding existed meant the MLP tower, no embedding."""
    old = {k: v for k, v in MesaConfig().to_dict().items() if k not in ("phys_encoder", "num_embedding")}
    cfg = MesaConfig.from_dict(old)
    assert cfg.phys_encoder == "mlp" and cfg.num_embedding == "none"
    assert MesaConfig.from_dict(MesaConfig().to_dict()) == MesaConfig()


def test_legacy_flat_params_with_a_preset_keep_the_preset_winning():
    """Older checkpoints stored every flat parameter and let a named preset override them."""
    flat = {"features": "full", "preset": "seed", "d_model": 32, "phys_encoder": "ft", "batch_size": 64}
    flat.update(epochs=3, temperature=0.1, class_weight="balanced", inference_batch_size=256)
    clf = MesaClassifier(**legacy_settings(flat))
    model, train = clf.settings()
    assert model.phys_encoder == "mlp" and train.batch_size == 16  # the preset's, as before
    assert train.epochs == 3 and model.init_temperature == 0.1  # the rest as stored (older names)
    assert train.class_weights == "balanced" and train.eval_batch_size == 256


def test_clone_get_set_params_and_no_shared_state_is_changed():
    proto = MesaClassifier(preset="paper", model={"d_model": 16}, train=TrainConfig(epochs=1))
    shallow = proto.get_params(deep=False)
    assert set(shallow) == {"model", "train", "features", "preset"}
    deep = proto.get_params()
    assert (
        deep["model__d_model"] == 16 and deep["model__phys_encoder"] == "mlp" and deep["train__epochs"] == 1
    )
    copy = clone(proto)
    assert copy.get_params() == deep and copy.model is not proto.model
    given_model, given_train = proto.model, proto.train
    copy.set_params(model__d_model=8, train__epochs=2, features="seed")
    assert proto.model == {"d_model": 16} and proto.model is given_model  # untouched
    assert proto.train is given_train and given_train.epochs == 1
    assert copy.settings()[0].d_model == 8 and copy.settings()[1].epochs == 2 and copy.features == "seed"
    default = MesaClassifier()
    default.set_params(model__d_model=8)
    assert MesaClassifier().settings()[0].d_model == 32 and PRESETS["default"].model.d_model == 32
    with pytest.raises(ValueError, match="model__width"):
        MesaClassifier().set_params(model__width=3)
    with pytest.raises(ExomesaError, match="unknown MesaConfig setting"):
        MesaClassifier(model={"width": 3}).settings()


def test_grid_search_over_a_model_setting():
    """GridSearchCV clones the estimator and sets ``model__d_model`` on each copy."""
    from sklearn.model_selection import GridSearchCV

    from exomesa.data import CLASSES, LABEL, load_dr25

    df = load_dr25()
    df = df[df[LABEL].isin(CLASSES)].sample(240, random_state=0).reset_index(drop=True)
    proto = MesaClassifier.from_settings(
        features="seed", towers="physics", phys_encoder="mlp", epochs=1, ensemble=1, seed=0, device="cpu"
    )

    def accuracy(est, x, y=None):  # the labels are a column of the table (fit takes no y)
        return float(np.mean(est.predict(x) == x[LABEL].to_numpy()))

    search = GridSearchCV(proto, {"model__d_model": [8, 16]}, cv=2, scoring=accuracy, refit=False)
    search.fit(df)
    assert [p["model__d_model"] for p in search.cv_results_["params"]] == [8, 16]
    assert np.all(np.isfinite(search.cv_results_["mean_test_score"]))
    assert proto.model == {"towers": "physics", "phys_encoder": "mlp"}  # the prototype is never changed
    assert not hasattr(proto, "model_")


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="t")
    add_settings_arguments(parser)
    return parser.parse_args(argv)


def test_generated_flags_cover_every_setting_with_its_default_in_the_help():
    parser = argparse.ArgumentParser(prog="t")
    add_settings_arguments(parser)
    text = " ".join(parser.format_help().split())
    for cls in (MesaConfig, TrainConfig):
        for f in settings_fields(cls):
            assert f"--{f.name}" in text
    assert "(default ft)" in text and "(default 0.0004)" in text
    assert given_settings(_parse([])) == {}
    args = _parse(["--epochs", "3", "--preset", "seed", "--ema_decay", "0.9", "--class_weights", "balanced"])
    assert given_settings(args) == {
        "epochs": 3,
        "preset": "seed",
        "ema_decay": 0.9,
        "class_weights": "balanced",
    }


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["--epochs", "0"], "--epochs: must be a whole number >= 1, not '0'"),
        (["--batch_size", "0"], "--batch_size: must be a whole number >= 1, not '0'"),
        (["--val_split", "1.5"], "--val_split: must be a fraction in [0, 1), not '1.5'"),
        (["--patience", "-1"], "--patience: must be a whole number >= 0, not '-1'"),
        (["--learning_rate", "nan"], "--learning_rate: must be a number > 0, not 'nan'"),
        (["--phys_encoder", "tabnet"], "--phys_encoder: invalid choice"),
    ],
)
def test_out_of_range_flags_exit_2_in_one_line(argv, words, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["train", *argv])
    assert exc.value.code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert words in err[-1]


def test_config_files_old_flat_and_new_nested_and_earlier_runs(tmp_path):
    flat = tmp_path / "flat.json"
    flat.write_text(json.dumps({"epochs": 3, "d_model": 16, "temperature": 0.1}))
    assert read_config(flat) == {"epochs": 3, "d_model": 16, "temperature": 0.1}
    nested = tmp_path / "nested.json"
    nested.write_text(json.dumps({"preset": "paper", "model": {"d_model": 16}, "train": {"epochs": 3}}))
    assert read_config(nested) == {"preset": "paper", "d_model": 16, "epochs": 3}
    # an older run's mesa_config.json: flat params whose preset won over the stored values
    old_run = tmp_path / "mesa_config.json"
    old_run.write_text(json.dumps({"params": {"preset": "seed", "phys_encoder": "ft", "epochs": 7}}))
    assert read_config(old_run) == {"preset": "seed", "epochs": 7}
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"model": {"width": 3}}))
    with pytest.raises(ExomesaError, match=r"bad.json: unknown setting\(s\) \['width'\]"):
        read_config(bad)


def test_split_settings_routes_flat_names():
    model, train = split_settings({"d_model": 16, "epochs": 2, "class_weight": [1, 2, 3]})
    assert model == {"d_model": 16} and train == {"epochs": 2, "class_weights": (1, 2, 3)}
