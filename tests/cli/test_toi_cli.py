"""TOIs end to end through the CLI: train on an ExoFOP export, test, predict (single transits scored), benchmark."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from exomesa.cli import main
from exomesa.data.toi import toi_path

SAMPLE = Path(__file__).parents[1] / "data" / "exofop_toi_sample.csv"


@pytest.fixture(scope="module")
def small_export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The first 240 TOIs of the embedded table, as an ExoFOP export (BOM + comment line + header)."""
    import gzip

    lines = gzip.open(toi_path(), "rt", encoding="utf-8-sig").read().splitlines()[: 3 + 240]
    path = tmp_path_factory.mktemp("toi") / "toi_small.csv"
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def trained(small_export: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("model")
    assert main(["train", "--data_path", str(small_export), "--epochs", "1", "--output_dir", str(out)]) == 0
    return out / "mesa_model.pth"


def test_train_on_exofop_export_picks_toi_features(trained: Path) -> None:
    config = json.loads((trained.parent / "mesa_config.json").read_text())
    assert config["params"]["features"] == "toi" and config["n_train_kois"] == 239  # 1 blank disposition


def test_test_records_toi_provenance(trained: Path, small_export: Path, tmp_path: Path) -> None:
    out = tmp_path / "r"
    argv = ["test", "--model_path", str(trained), "--test_data", str(small_export), "--output_dir", str(out)]
    assert main(argv) == 0
    run = json.loads((out / "test_results.json").read_text())["run"]
    assert run["data_provenance"]["mission"] == "TESS" and "2024" in run["data_provenance"]["export_date"]
    assert pd.read_csv(out / "predictions.csv")["candidate_id"].str.startswith("TOI-").all()


def test_predict_scores_single_transit_and_unlabelled_tois(trained: Path, tmp_path: Path) -> None:
    out = tmp_path / "pred.csv"
    assert main(["predict", "--model_path", str(trained), "--input", str(SAMPLE), "--output", str(out)]) == 0
    pred = pd.read_csv(out).set_index("candidate_id")
    assert len(pred) == 15 and pred["scored"].all()  # the unlabelled TOI is scored too
    single = pred.loc[pred["lightcurve"] == "flat"]
    assert len(single) == 1 and "single-transit TOI" in single["reason"].iloc[0]


def test_toi_benchmark_smoke() -> None:
    from exomesa.benchmark.toi import markdown_table, run_toi_benchmark

    res = run_toi_benchmark(
        methods=["mesa_kepler_zero_shot", "lgbm_tabular_shared"], n_tois=250, n_kepler=250, folds=[0],
        epochs=1, n_estimators=20,
    )  # fmt: skip
    assert res["dataset"]["export_date"] == "2024-09-30" and res["protocol"]["completed_folds"] == [0]
    for spec in res["methods"].values():
        assert 0.0 <= spec["summary"]["accuracy"]["mean"] <= 1.0
    assert "zero-shot" in markdown_table(res)


def test_run_pipeline_on_a_toi_export(small_export: Path, tmp_path: Path) -> None:
    out = tmp_path / "run"
    argv = ["run", "--source", str(small_export), "--out", str(out), "--epochs", "1", "--no_visualize"]
    assert main(argv) == 0
    manifest = json.loads((out / "data" / "manifest.json").read_text())
    assert manifest["provenance"]["mission"] == "TESS"
    results = json.loads((out / "test_results" / "test_results.json").read_text())
    assert (
        results["run"]["model"]["features"] == "toi"
        and results["run"]["data_provenance"]["mission"] == "TESS"
    )


def test_finetune_reads_the_pretrained_feature_set(small_export: Path, tmp_path: Path) -> None:
    base, tuned = tmp_path / "base", tmp_path / "tuned"
    common = ["train", "--data_path", str(small_export), "--epochs", "1"]
    assert main([*common, "--features", "shared", "--output_dir", str(base)]) == 0
    pretrained = str(base / "mesa_model.pth")
    assert (
        main([*common, "--output_dir", str(tuned), "--pretrained_path", pretrained, "--freeze_backbone"]) == 0
    )
    config = json.loads((tuned / "mesa_config.json").read_text())
    assert config["freeze_backbone"] and config["feature_set"]["diagnostics"] == ["koi_model_snr"]
    assert len(config["feature_set"]["planet"]) == 4  # shared, not the toi preset auto would pick


def test_baseline_on_a_toi_export_uses_the_toi_preset(small_export: Path, tmp_path: Path) -> None:
    argv = ["baseline", "train", "--method", "tabular", "--data_path", str(small_export), "--output_dir",
            str(tmp_path), "--n_estimators", "10"]  # fmt: skip
    assert main(argv) == 0
    saved = json.loads((tmp_path / "baseline_tabular.json").read_text())
    assert "tess_mag" in json.dumps(saved)
