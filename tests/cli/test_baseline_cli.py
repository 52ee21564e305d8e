"""`exomesa baseline train/test` end to end on small seed-format CSVs."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exomesa.cli import main
from exomesa.data import CLASSES


def _seed_csv(path: Path, n: int, seed: int) -> Path:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 3
    df = pd.DataFrame(
        {
            "disposition": np.array(CLASSES)[y],
            "period": np.where(y == 0, 30.0, 3.0) * rng.lognormal(0, 0.2, n),
            "depth": np.where(y == 2, 20000.0, 600.0) * rng.lognormal(0, 0.2, n),
            "planet_radius": rng.uniform(1, 10, n),
            "stellar_temp": rng.uniform(4500, 6500, n),
            "stellar_radius": rng.uniform(0.7, 1.5, n),
            "duration": rng.uniform(1, 6, n),
        }
    )
    df.to_csv(path, index=False)
    return path


@pytest.fixture
def csvs(tmp_path) -> tuple[Path, Path]:
    return _seed_csv(tmp_path / "train.csv", 90, 0), _seed_csv(tmp_path / "test.csv", 30, 1)


@pytest.fixture(autouse=True)
def _drop_cli_log_handlers():
    """main() binds a log handler to the (captured) stderr of the test; remove it afterwards."""
    yield
    logging.getLogger("exomesa").handlers.clear()


def test_tabular_train_then_test_writes_results_and_figures(csvs, tmp_path):
    train, test = csvs
    out = tmp_path / "out"
    base = ["baseline", "train", "--method", "tabular", "--data_path", str(train), "--features", "seed"]
    assert main([*base, "--output_dir", str(out), "--n_estimators", "20"]) == 0
    model_path = out / "baseline_tabular.json"
    state = json.loads(model_path.read_text())
    assert state["method"] == "tabular" and state["feature_names"][0] == "koi_period"

    res_dir = tmp_path / "res"
    args = ["baseline", "test", "--model_path", str(model_path), "--test_data", str(test)]
    assert main([*args, "--output_dir", str(res_dir), "--visualize"]) == 0
    res = json.loads((res_dir / "test_results.json").read_text())
    assert res["n_samples"] == 30 and res["classes"] == list(CLASSES)
    assert res["summary"]["accuracy"] > 0.8
    assert res["run"]["model"]["method"] == "tabular" and res["run"]["model"]["n_trees"] == 60
    preds = pd.read_csv(res_dir / "predictions.csv")
    assert len(preds) == 30 and np.allclose(preds.filter(like="prob_").sum(axis=1), 1.0, atol=1e-5)
    for name in ("report.html", "confusion_matrix.png", "roc_curves.png", "reliability_diagram.png"):
        assert (res_dir / name).is_file(), name


def test_refuses_to_overwrite_without_force(csvs, tmp_path, capsys):
    train, _ = csvs
    args = ["baseline", "train", "--method", "tabular", "--data_path", str(train), "--features", "seed"]
    args += ["--output_dir", str(tmp_path), "--n_estimators", "5"]
    assert main(args) == 0
    assert main(args) == 2
    assert "baseline_tabular.json already exists" in capsys.readouterr().err
    assert main([*args, "--force"]) == 0


def test_tsfresh_train_and_test_with_rendered_views(csvs, tmp_path):
    train, test = csvs
    out = tmp_path / "out"
    args = ["baseline", "train", "--method", "tsfresh", "--data_path", str(train), "--features", "seed"]
    args += ["--output_dir", str(out), "--n_estimators", "10", "--tsfresh_preset", "tiny"]
    assert main([*args, "--cache_dir", str(tmp_path / "cache")]) == 0
    state = json.loads((out / "baseline_tsfresh.json").read_text())
    assert any(n.startswith("local__") for n in state["feature_names"])
    assert list((tmp_path / "cache").glob("tsfresh-*.npz"))
    res_dir = tmp_path / "res"
    rc = main(
        ["baseline", "test", "--model_path", str(out / "baseline_tsfresh.json"), "--test_data", str(test)]
        + ["--output_dir", str(res_dir)]
    )
    assert rc == 0
    res = json.loads((res_dir / "test_results.json").read_text())
    assert res["run"]["lightcurve_sources"] == {"rendered": 30}


def test_missing_files_are_clear_errors(tmp_path, capsys):
    assert main(["baseline", "test", "--model_path", str(tmp_path / "nope.json")]) == 2
    assert "nope.json" in capsys.readouterr().err
    assert (
        main(["baseline", "train", "--data_path", str(tmp_path / "none.csv"), "--output_dir", str(tmp_path)])
        == 2
    )
    assert "none.csv" in capsys.readouterr().err


def test_exomesa_test_writes_the_same_files_for_a_baseline_and_a_mesa_checkpoint(csvs, tmp_path):
    """One evaluation runner: `exomesa test` takes either model kind and writes the same set of files."""
    from exomesa.defaults import FIGURE_FILES

    train, test = csvs
    base_args = ["--data_path", str(train), "--output_dir"]
    assert (
        main(
            [
                "baseline",
                "train",
                "--method",
                "tabular",
                *base_args,
                str(tmp_path / "b"),
                "--features",
                "seed",
            ]
        )
        == 0
    )
    assert main(["train", *base_args, str(tmp_path / "m"), "--epochs", "1", "--features", "seed"]) == 0
    written = {}
    for kind, model in (
        ("baseline", tmp_path / "b" / "baseline_tabular.json"),
        ("mesa", tmp_path / "m" / "mesa_model.pth"),
    ):
        out = tmp_path / f"res_{kind}"
        args = ["test", "--model_path", str(model), "--test_data", str(test), "--output_dir", str(out)]
        assert main([*args, "--visualize"]) == 0
        written[kind] = sorted(p.name for p in out.iterdir())
        res = json.loads((out / "test_results.json").read_text())
        assert res["n_samples"] == 30 and res["run"]["model"]["class"] in (
            "TabularLightGBM",
            "MesaClassifier",
        )
    assert written["baseline"] == written["mesa"]
    assert set(FIGURE_FILES.values()) <= set(written["mesa"])
    assert {"test_results.json", "predictions.csv", "report.html"} <= set(written["mesa"])
