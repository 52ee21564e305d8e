"""Tests of exomesa.benchmark: the --quick harness end to end, config, work units, summaries, RESULTS.md."""

from __future__ import annotations

import json
import logging
import os
import sys

import numpy as np
import pytest

from exomesa.benchmark.config import BenchmarkConfig
from exomesa.benchmark.methods import BENCHMARK_METHODS, DEFAULT_METHODS
from exomesa.benchmark.runner import _work_units, run_benchmark, summarize
from exomesa.cli import main
from exomesa.data import CLASSES
from exomesa.errors import ExomesaError
from exomesa.jobs.benchmark import write_outputs


@pytest.fixture(autouse=True)
def _drop_cli_log_handlers():
    yield
    logging.getLogger("exomesa").handlers.clear()


def test_quick_benchmark_runs_every_method_into_the_given_folder(tmp_path):
    out = tmp_path / "bench"
    assert main(["benchmark", "--quick", "--out_dir", str(out)]) == 0
    res = json.loads((out / "results.json").read_text())
    assert res["schema"] == "exomesa-benchmark/1" and res["quick"] is True
    assert res["dataset"]["n_kois"] == 600 and res["config"]["folds"] == [0]
    assert list(res["methods"]) == list(DEFAULT_METHODS) and "tsfresh_lgbm_full" in DEFAULT_METHODS
    assert "skipped" not in res and all("family" not in m for m in res["methods"].values())
    for name, m in res["methods"].items():
        (fold,) = m["folds"]
        assert fold["n_train"] + fold["n_test"] == 600
        assert 0.0 <= fold["accuracy"] <= 1.0 and set(fold["f1"]) == set(CLASSES), name
        assert fold["train_seconds"] > 0 and fold["throughput_kois_per_s"] > 0
        assert fold["peak_rss_mb"] > 0 and fold["size"], name
        assert m["summary"]["accuracy"]["mean"] == pytest.approx(fold["accuracy"])
    # tabular LightGBM on the full features is far better than chance even in the smoke run
    assert res["methods"]["lgbm_tabular_full"]["folds"][0]["accuracy"] > 0.6
    assert res["tsfresh_extraction"]["n_kois"] == 600 and res["tsfresh_extraction"]["preset"] == "tiny"
    md = (out / "RESULTS.md").read_text()
    assert "exomesa benchmark --quick" in md and "TSFresh + LightGBM (full)" in md


def test_quick_never_overwrites_the_committed_results(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "results.json").write_text("{}")
    assert main(["benchmark", "--quick", "--out_dir", "benchmarks"]) == 2
    assert "never writes over" in capsys.readouterr().err
    assert (tmp_path / "benchmarks" / "results.json").read_text() == "{}"


def test_parallel_workers_give_the_same_numbers_as_a_sequential_run():
    """Units run in spawned worker processes are seeded on their own: the metrics match a sequential run,
    rows come back in fold order, and the two fine-tuning modes of a fold share one unit."""
    methods = ["mesa_seed", "mesa_full_finetune", "mesa_full_finetune_frozen", "lgbm_tabular_seed"]
    units = _work_units([0, 1], methods)
    assert len(units) == 6 and units[0][1] == ["mesa_full_finetune", "mesa_full_finetune_frozen"]

    def metrics(workers: int) -> dict:
        cfg = BenchmarkConfig(quick=True, n_kois=300, folds=[0, 1], methods=methods, workers=workers)
        res = run_benchmark(cfg)
        assert res["config"]["workers"] == workers
        return {
            name: [
                (f["fold"], f["accuracy"], f["macro_f1"], f["roc_auc_confirmed_vs_fp"]) for f in m["folds"]
            ]
            for name, m in res["methods"].items()
        }

    sequential, parallel = metrics(1), metrics(2)
    assert parallel == sequential
    assert [f[0] for f in parallel["mesa_seed"]] == [0, 1]


def test_quick_without_tsfresh_ends_in_one_line(tmp_path, monkeypatch, capsys):
    """Without the `baseline` extra the benchmark stops before any work with the pip command, no traceback."""
    monkeypatch.setitem(sys.modules, "tsfresh", None)  # `import tsfresh` now raises ImportError
    assert main(["benchmark", "--quick", "--out_dir", str(tmp_path / "bench")]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and 'pip install "exomesa[baseline]"' in err
    assert "tsfresh_lgbm_full" in err and "Traceback" not in err and len(err.splitlines()) == 1
    assert not (tmp_path / "bench" / "results.json").exists()


def test_method_registry_is_a_dict_of_specs():
    import importlib.util
    from pathlib import Path

    # the model search's variants live with the experiments and register themselves when loaded
    path = Path(__file__).resolve().parents[2] / "benchmarks" / "mesa_variants.py"
    spec = importlib.util.spec_from_file_location("mesa_variants", path)
    variants = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(variants)
    assert set(variants.MESA_VARIANTS) <= set(BENCHMARK_METHODS)
    assert BENCHMARK_METHODS["mesa_paper_preset"].requires == ()

    # the variants, ablations, archive and Gaia methods run by name only (they would triple the default run)
    extras = set(variants.MESA_VARIANTS) | {
        "mesa_full_gaia",
        "lgbm_tabular_full_gaia",
        "mesa_archive",
        "mesa_archive_default",
        "lgbm_tabular_archive",
    }
    assert set(DEFAULT_METHODS) == set(BENCHMARK_METHODS) - extras
    assert BENCHMARK_METHODS["tsfresh_lgbm_full"].requires == ("lightgbm", "tsfresh")
    assert BENCHMARK_METHODS["mesa_seed"].requires == ()


def test_config_validation():
    cfg = BenchmarkConfig(quick=True).resolved()
    assert cfg.n_kois == 600 and cfg.folds == [0] and cfg.epochs == 1 and cfg.tsfresh_preset == "tiny"
    full = BenchmarkConfig().resolved()
    assert full.n_kois is None and full.folds == [0, 1, 2, 3, 4] and full.tsfresh_preset == "transit"
    with pytest.raises(ExomesaError, match="unknown benchmark method"):
        BenchmarkConfig(methods=["random_forest"]).resolved()
    with pytest.raises(ExomesaError, match="do not exist"):
        BenchmarkConfig(folds=[5]).resolved()
    with pytest.raises(ExomesaError, match="workers must be at least 1"):
        BenchmarkConfig(workers=0).resolved()
    assert BenchmarkConfig(workers=2).resolved().n_jobs == 1  # one LightGBM thread per worker
    assert full.workers == min(2, os.cpu_count() or 1) and cfg.workers == 1
    # the ephemeris preset's earlier method names run the full methods (once each)
    aliased = BenchmarkConfig(
        methods=["lgbm_tabular_full_ephemeris", "lgbm_tabular_full", "mesa_full_ephemeris"]
    )
    assert aliased.resolved().methods == ["lgbm_tabular_full", "mesa_full"]


def _fold(acc: float) -> dict:
    return {
        "accuracy": acc,
        "macro_f1": acc - 0.1,
        "f1": {c: acc for c in CLASSES},
        "roc_auc_confirmed_vs_fp": None if acc < 0.5 else 0.9,
        "train_seconds": 2.0,
        "throughput_kois_per_s": 100.0,
        "peak_rss_mb": 500.0,
        "peak_rss_delta_mb": 10.0,
        "size": {"n_trees": 300, "n_leaves": 9000},
    }


def test_summarize_mean_std_skips_undefined():
    s = summarize([_fold(0.8), _fold(0.6), _fold(0.4)])
    assert s["accuracy"]["mean"] == pytest.approx(0.6)
    assert s["accuracy"]["std"] == pytest.approx(np.std([0.8, 0.6, 0.4]))
    assert s["roc_auc_confirmed_vs_fp"] == {"mean": pytest.approx(0.9), "std": 0.0, "n": 2}
    assert s["size"]["n_trees"]["mean"] == 300


def test_results_md_renders_tables_and_other_benchmark_files(tmp_path):
    results = {
        "command": "exomesa benchmark --folds 0,1",
        "config": {"folds": [0, 1], "seed": 7, "n_estimators": 300, "tsfresh_preset": "transit"},
        "dataset": {"n_kois": 10, "views": {"rendered": 10, "real": 0}},
        "methods": {
            "lgbm_tabular_full": {
                "label": "LightGBM tabular (full)",
                "summary": summarize([_fold(0.8), _fold(0.6)]),
            }
        },
        "machine": {"cpu": "test cpu", "logical_cpus": 2},
        "versions": {"lightgbm": "4.7.0"},
    }
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "predict.json").write_text(
        json.dumps({"kois_per_second": 1234.5, "batch": {"size": 64, "device": "cpu"}, "runs": [1.0, 2.0]})
    )
    (tmp_path / "results" / "broken.json").write_text("{oops")
    json_path, md_path = write_outputs(results, tmp_path)
    md = md_path.read_text()
    assert json.loads(json_path.read_text())["config"]["seed"] == 7
    assert "exomesa benchmark --folds 0,1" in md and "seed 7" in md
    assert "| LightGBM tabular (full) | 0.700 ± 0.100 | 0.600 ± 0.100 |" in md
    assert "300 trees / 9,000 leaves" in md
    assert "### predict (`results/predict.json`)" in md
    assert "| `batch.size` | 64 |" in md and "| `kois_per_second` | 1,234.5" not in md
    assert "| `kois_per_second` | 1,234 |" in md or "| `kois_per_second` | 1,235 |" in md
    assert "| `runs` | 1.000, 2.000 |" in md
    assert "### broken" in md and "unreadable" in md
    assert "| `cpu` | test cpu |" in md


def test_render_without_results_lists_other_files(tmp_path):
    (tmp_path / "results").mkdir()
    (tmp_path / "results" / "training.json").write_text(json.dumps({"epoch_seconds": 3.25}))
    assert main(["benchmark", "--render_only", "--out_dir", str(tmp_path)]) == 0
    md = (tmp_path / "RESULTS.md").read_text()
    assert "No `results.json` yet" in md and "| `epoch_seconds` | 3.250 |" in md


def test_update_replaces_only_the_rerun_rows_and_records_the_run() -> None:
    from exomesa.jobs.benchmark import merge_method_rows

    old = {"created": "a", "methods": {"mesa_full": {"v": 1}, "lgbm_tabular_full": {"v": 2}}}
    new = {
        "created": "b",
        "command": "exomesa benchmark --methods mesa_full --update",
        "methods": {"mesa_full": {"v": 3}},
    }
    merged = merge_method_rows(old, new)
    assert merged["methods"] == {"mesa_full": {"v": 3}, "lgbm_tabular_full": {"v": 2}}
    assert merged["created"] == "a" and merged["updates"][0]["methods"] == ["mesa_full"]
    assert merge_method_rows(merged, new)["updates"][1]["created"] == "b"  # every update is kept
    assert old["methods"]["mesa_full"] == {"v": 1}  # the input is not modified
