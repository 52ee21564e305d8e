"""One vocabulary of allowed ranges for the command line and the Python API: a bad setting is refused at
``fit`` (before any work) with a message naming it and its range, the same words the CLI uses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exomesa.cli import main
from exomesa.data import load_catalog
from exomesa.errors import ExomesaError, InvalidSettingError
from exomesa.mesa import MesaClassifier
from exomesa.mesa.config import TrainConfig
from exomesa.ranges import Range, check_range


@pytest.fixture(scope="module")
def small() -> object:
    return load_catalog("dr25").head(40)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"train": {"epochs": -1}}, "epochs must be a whole number >= 1, not -1"),
        ({"train": {"batch_size": 0}}, "batch_size must be a whole number >= 1, not 0"),
        ({"train": {"val_split": 1.0}}, "val_split must be a fraction in [0, 1), not 1.0"),
        ({"train": {"learning_rate": float("inf")}}, "learning_rate must be a number > 0, not inf"),
        ({"train": {"epochs": 2.5}}, "epochs must be a whole number >= 1, not 2.5"),
        ({"train": {"seed": -3}}, "seed must be a whole number >= 0, not -3"),
        ({"model": {"dropout": 1.5}}, "dropout must be a fraction in [0, 1), not 1.5"),
        ({"model": {"d_model": True}}, "d_model must be a whole number >= 1, not True"),
        ({"model": {"phys_encoder": "tabnet"}}, "phys_encoder must be mlp or ft, not 'tabnet'"),
    ],
)
def test_mesa_classifier_refuses_bad_settings_at_fit(small, kwargs, words, monkeypatch):
    clf = MesaClassifier(**kwargs)  # __init__ only stores (scikit-learn's contract)
    import exomesa.features as features

    def no_work(*a, **k):  # pragma: no cover - reached only if the check came too late
        raise AssertionError("fit did work before checking its settings")

    monkeypatch.setattr(features, "TabularPreprocessor", no_work)
    with pytest.raises(InvalidSettingError) as exc:
        clf.fit(small)
    assert words in str(exc.value)
    assert isinstance(exc.value, ValueError) and isinstance(exc.value, ExomesaError)


def test_optional_int_setting_accepts_none():
    assert TrainConfig(num_threads=None).num_threads is None
    with pytest.raises(InvalidSettingError, match="num_threads must be a whole number >= 1"):
        TrainConfig(num_threads=0)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"n_estimators": 0}, "n_estimators must be a whole number >= 1, not 0"),
        ({"learning_rate": -0.1}, "learning_rate must be a number > 0, not -0.1"),
        ({"num_leaves": 1}, "num_leaves must be a whole number >= 2, not 1"),
        ({"min_child_samples": -1}, "min_child_samples must be a whole number >= 0, not -1"),
    ],
)
def test_tabular_lightgbm_refuses_bad_parameters_at_fit(small, kwargs, words):
    pytest.importorskip("lightgbm")
    from exomesa.baselines import TabularLightGBM, TsfreshLightGBM

    with pytest.raises(InvalidSettingError) as exc:
        TabularLightGBM(**kwargs).fit(small)
    assert words in str(exc.value)
    with pytest.raises(ValueError, match="tsfresh_n_jobs must be a whole number >= 0"):
        TsfreshLightGBM(tsfresh_n_jobs=-1).fit(small)


def test_cli_and_api_use_the_same_words(capsys):
    with pytest.raises(SystemExit):
        main(["train", "--epochs", "-1"])
    cli = capsys.readouterr().err
    with pytest.raises(InvalidSettingError) as api:
        TrainConfig(epochs=-1)
    assert "must be a whole number >= 1" in cli and "must be a whole number >= 1" in str(api.value)
    with pytest.raises(SystemExit):
        main(["baseline", "train", "--num_leaves", "1"])
    assert "must be a whole number >= 2" in capsys.readouterr().err


def test_range_words():
    assert Range(0, low_open=True).words() == "a number > 0"
    assert Range(0, 1, low_open=True, high_open=True).words() == "a fraction between 0 and 1 (exclusive)"
    assert Range(1, 10).words(integer=True) == "a whole number in [1, 10]"
    assert check_range("x", 3, "positive", integer=True) == 3


def test_bad_setting_in_a_config_file_is_one_line_and_writes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    config = Path("bad.json")
    config.write_text(json.dumps({"train": {"batch_size": 0}}))
    assert main(["train", "--config", str(config), "--output_dir", "out"]) == 2
    err = capsys.readouterr().err
    assert err.strip().count("\n") == 0 and "bad.json: batch_size must be a whole number >= 1, not 0" in err
    assert "Traceback" not in err and not Path("out").exists()
