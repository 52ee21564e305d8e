"""report.html and test_results.json put the score in context: the candidates are named after their mission
(KOIs, TOIs), and the always-majority-class score stands beside the model's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from exomesa.jobs.test import evaluate_model
from exomesa.reporting.report import render_report
from exomesa.sources import candidate_word


def test_candidate_word_comes_from_the_mission() -> None:
    assert candidate_word("Kepler", plural=True) == "KOIs" and candidate_word("TESS") == "TOI"
    assert candidate_word(["TESS", "tess"], plural=True) == "TOIs"
    assert candidate_word(["Kepler", "TESS"], plural=True) == "candidates"  # a mixed table
    assert candidate_word("K2", plural=True) == "candidates"  # a mission without a source


def test_toi_report_says_tois_and_shows_the_majority_baseline(tmp_path: Path) -> None:
    pytest.importorskip("lightgbm")
    from exomesa.baselines import TabularLightGBM
    from exomesa.data import load_catalog

    tois = load_catalog("toi")
    model = TabularLightGBM(features="toi", n_estimators=10).fit(tois.head(300)).save(tmp_path / "t.json")
    results = evaluate_model(model, "toi", tmp_path / "out")
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Test TOIs" in html and "test TOIs" in html and "KOIs" not in html and "KOI " not in html
    base = results["majority_baseline"]
    assert base["source"] == "test data"  # a LightGBM model file keeps no training labels
    assert f"Always {base['class']}" in html and 'id="majority-baseline"' in html
    assert "most frequent class of the <b>test data</b>" in html
    assert f"{base['accuracy']:.3f}" in html and f"{base['macro_f1']:.3f}" in html
    written = json.loads((tmp_path / "out" / "test_results.json").read_text())
    assert written["majority_baseline"]["class"] == base["class"]
    assert written["summary"]["majority_baseline_accuracy"] == pytest.approx(base["accuracy"])
    assert written["summary"]["majority_baseline_macro_f1"] == pytest.approx(base["macro_f1"])


def test_mesa_report_takes_the_majority_class_of_its_training_rows(tiny_model: Path, tmp_path: Path) -> None:
    from exomesa.evaluation.protocol import load_model

    results = evaluate_model(tiny_model, None, tmp_path / "out")
    base = results["majority_baseline"]
    labels = load_model(tiny_model).training_reference()["disposition"]
    assert base["source"] == "training data" and sum(base["class_counts"].values()) == len(labels) == 200
    assert base["class"] == max(base["class_counts"], key=base["class_counts"].get)
    html = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Test KOIs" in html and "TOI" not in html
    assert "most frequent class of the <b>training data</b>" in html


def test_old_results_without_a_baseline_still_render() -> None:
    html = render_report({"summary": {"accuracy": 0.5}, "n_samples": 3}, None, {}, candidates="TOIs")
    assert "Test TOIs" in html and "No majority-class baseline" in html
