"""The HTML report is self-contained, embeds every figure and shows the metric tables."""

from __future__ import annotations

import base64

import numpy as np

from exomesa.evaluation.metrics import evaluate
from exomesa.jobs.test import save_figure, write_report
from exomesa.reporting import plots


def test_report_embeds_figures_and_tables(tmp_path) -> None:
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], 10)
    p = rng.dirichlet([1, 1, 1], size=30)
    emb = rng.normal(size=(30, 4))
    results = evaluate(y, p, proba_uncalibrated=p, lc_emb=emb, phys_emb=emb, temperature=1.5)
    fig_path = save_figure(
        plots.plot_confusion_matrix(results["classification"]["confusion_matrix"]),
        tmp_path / "confusion_matrix.png",
    )
    meta = {
        "model_path": "out/<model>.pth",
        "lightcurve_sources": {"real": 3, "rendered": 27},
        "model": {"epochs": 2, "features": "full"},
    }
    out = write_report(tmp_path / "report.html", results, {"confusion_matrix": fig_path}, meta)
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
    assert 'data-file="confusion_matrix.png"' in html
    assert base64.b64encode(fig_path.read_bytes()).decode()[:200] in html
    assert "http://" not in html and "https://" not in html  # no external resources
    for text in (
        "Balanced accuracy",
        "CONFIRMED vs FALSE POSITIVE",
        "ECE",
        "light curve → physics",
        "rendered",
        "90.0%",
        "Temperature T = 1.500",
        "Classification report",
    ):
        assert text in html, text
    assert "out/&lt;model&gt;.pth" in html  # text is escaped


def test_report_without_figures_and_null_metrics(tmp_path) -> None:
    y = np.zeros(5, dtype=int)
    results = evaluate(y, np.full((5, 3), 1 / 3))
    html = write_report(tmp_path / "r.html", results, {}, {}).read_text()
    assert "No figures" in html
    assert "only one class present in y_true" in html  # the reason is shown, not a crash
    assert "embeddings were not provided" in html


def test_report_explains_flat_views(tmp_path) -> None:
    y = np.repeat([0, 1, 2], 2)
    results = evaluate(y, np.eye(3)[y])
    meta = {"lightcurve_sources": {"rendered": 5, "flat": 1}}
    html = write_report(tmp_path / "r.html", results, {}, meta).read_text()
    assert "<b>flat</b> = no usable period/duration" in html
    plain = write_report(
        tmp_path / "p.html", results, {}, {"lightcurve_sources": {"rendered": 6}}
    ).read_text()
    assert "<b>flat</b>" not in plain
