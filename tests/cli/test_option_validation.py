"""Every numeric option is checked where it is parsed: one line naming the option and range, exit 2, nothing
written."""

from __future__ import annotations

from pathlib import Path

import pytest

from exomesa.cli import main

BAD = [
    (["run", "--epochs", "-1"], "--epochs", "whole number >= 1"),
    (["run", "--seed", "-5"], "--seed", "whole number >= 0"),
    (["train", "--batch_size", "0"], "--batch_size", "whole number >= 1"),
    (["train", "--val_split", "1.5"], "--val_split", "fraction"),
    (["data", "prepare", "--test_size", "1.5"], "--test_size", "between 0 and 1"),
    (["data", "prepare", "--test_size", "0"], "--test_size", "between 0 and 1"),
    (["data", "download", "--timeout", "-2"], "--timeout", "> 0"),
    (["predict", "--input", "x.csv", "--output", "y.csv", "--neighbors", "-3"], "--neighbors", ">= 0"),
    (["predict", "--input", "x.csv", "--output", "y.csv", "--chunk_size", "0"], "--chunk_size", ">= 1"),
    (["test", "--tsne_max_points", "0"], "--tsne_max_points", ">= 1"),
    (["baseline", "train", "--n_estimators", "0"], "--n_estimators", ">= 1"),
    (["baseline", "train", "--learning_rate", "nan"], "--learning_rate", "> 0"),
    (["baseline", "train", "--num_leaves", "1"], "--num_leaves", ">= 2"),
    (["benchmark", "--workers", "0"], "--workers", ">= 1"),
    (["benchmark", "--n_splits", "1"], "--n_splits", ">= 2"),
    (["benchmark", "--epochs", "abc"], "--epochs", "whole number"),
    (["lightcurves", "build", "--catalog", "dr25", "--out", "v.npz", "--workers", "-1"], "--workers", ">= 1"),
    (
        ["lightcurves", "build", "--catalog", "dr25", "--out", "v.npz", "--shard_size", "0"],
        "--shard_size",
        ">= 1",
    ),
    (["vet", "--model_path", "m.pth", "--koi", "K1", "--device", "gpu"], "--device", "auto, cpu, cuda"),
]


@pytest.mark.parametrize(("argv", "option", "allowed"), BAD, ids=[" ".join(b[0]) for b in BAD])
def test_bad_number_is_one_line_exit_2_nothing_written(argv, option, allowed, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert f"argument {option}" in err and allowed in err
    assert list(Path(tmp_path).iterdir()) == []


def test_device_option_agrees_across_commands(capsys):
    for command in (["test"], ["predict"], ["vet"], ["run"], ["benchmark"]):
        with pytest.raises(SystemExit):
            main([*command, "--help"])
        out = capsys.readouterr().out
        assert "cpu, cuda or cuda:N (default auto)" in " ".join(out.split()), command
