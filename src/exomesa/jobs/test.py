r"""``exomesa test`` (and ``exomesa baseline test``): a trained model (MESA or a baseline) on a labelled table →
results files.

    from exomesa.jobs.test import evaluate_model
    results = evaluate_model("output/mesa_model.pth", "data/test_data.csv", "test_results", visualize=True)

Writes ``test_results.json`` (schema: docs/results_schema.md), ``predictions.csv`` and ``report.html`` into
``output_dir``; with ``visualize`` also the figures of :data:`exomesa.defaults.FIGURE_FILES`, each embedded in
the report. The same files are written for every kind of model: where a figure does not apply (a LightGBM
model has no contrastive space and no per-epoch history), it says so. The test table is transformed with the
statistics stored in the model (never refitted).
"""

from __future__ import annotations

import datetime as _dt
import logging
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from exomesa._version import __version__
from exomesa.data import CLASSES, LABEL, labels_to_index
from exomesa.data.toi import data_provenance
from exomesa.defaults import (
    FIGURE_FILES,
    PREDICTIONS_FILE,
    REPORT_FILE,
    RESULTS_FILE,
    TSNE_MAX_POINTS,
    VETTING_BINS,
)
from exomesa.evaluation.metrics import evaluate
from exomesa.evaluation.protocol import check_feature_columns, load_model
from exomesa.evaluation.runner import load_history, load_labelled_table, load_views, model_views
from exomesa.reporting.report import render_report
from exomesa.sources import candidate_word
from exomesa.utils import check_writable, to_jsonable, write_json

__all__ = ["evaluate_model", "write_predictions", "write_report", "save_figure"]

logger = logging.getLogger(__name__)


def save_figure(fig: Any, path: Path | str, dpi: int = 110) -> Path:
    """Write the matplotlib figure ``fig`` as PNG (parent folders created) and return the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=dpi, bbox_inches="tight", facecolor="white")
    return path


def write_report(
    path: Path | str,
    results: Mapping[str, Any],
    figures: Mapping[str, Path] | None = None,
    meta: Mapping[str, Any] | None = None,
    *,
    candidates: str = "KOIs",
) -> Path:
    """Write one self-contained HTML page (:func:`exomesa.reporting.report.render_report`): the metrics of
    ``results`` as tables, each PNG in ``figures`` (key → file) embedded, and ``meta``; ``candidates`` is what
    the rows are called (``"KOIs"``, ``"TOIs"``). Returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    html = render_report(to_jsonable(dict(results)), figures, meta, candidates=candidates)
    path.write_text(html, encoding="utf-8")
    return path


# ------------------------------------------------------------------------------------------------ run
def evaluate_model(
    model_path: str | Path,
    test_data: str | Path | None = None,
    output_dir: str | Path = "test_results",
    *,
    lightcurves: str | Path | None = None,
    visualize: bool = False,
    force: bool = False,
    device: str = "auto",
    tsne_max_points: int = TSNE_MAX_POINTS,
) -> dict[str, Any]:
    """Evaluate the model at ``model_path`` (a MESA checkpoint or a baseline model file) on ``test_data``
    (``None``: the DR25 test split) and write the results; returns the dict written to test_results.json."""
    from exomesa.reporting.figures import draw_figures  # imports scikit-learn (t-SNE, PCA) and matplotlib

    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    clock = [t0]

    def lap(name: str) -> None:  # seconds spent in each phase since the previous lap
        now = time.perf_counter()
        timings[name] = round(now - clock[0], 3)
        clock[0] = now

    model_path, output_dir = Path(model_path), Path(output_dir)
    results_path = output_dir / RESULTS_FILE
    check_writable(results_path, force, what="test results")
    given = load_views(lightcurves)
    clf = load_model(model_path, device)
    lap("load_model")
    df, desc = load_labelled_table(test_data, 1)
    check_feature_columns(clf, df, desc)
    lap("load_test_data")
    views = model_views(clf, df, given)
    lap("lightcurve_views")
    sources = np.asarray(views.source).astype(str)
    source_counts = {s: int(n) for s, n in zip(*np.unique(sources, return_counts=True), strict=True)}
    y_true = labels_to_index(df[LABEL])
    word = candidate_word(df["mission"] if "mission" in df.columns else "Kepler", plural=True)
    train_labels = clf.training_reference().get("disposition")
    train_counts = (
        None
        if train_labels is None or not len(train_labels)
        else {c: int(np.sum(np.asarray(train_labels).astype(str) == c)) for c in CLASSES}
    )

    out = clf.outputs(df, views)  # one model pass: probabilities and embeddings
    proba, proba_raw = out["proba"], out["proba_uncalibrated"]
    lap("inference")
    logger.info("model inference on %d KOIs: %.1f s", len(df), timings["inference"])
    temperature = clf.calibration_temperature()
    calibrated = proba_raw is not proba
    results = evaluate(
        y_true,
        proba,
        classes=CLASSES,
        proba_uncalibrated=proba_raw if calibrated else None,
        lc_emb=out.get("lightcurve"),
        phys_emb=out.get("physics"),
        temperature=temperature,
        strata={c: pd.to_numeric(df[c], errors="coerce").to_numpy(float) for c in VETTING_BINS if c in df},
        proba_std=out.get("proba_std"),
        train_class_counts=train_counts,
    )
    output_dir.mkdir(parents=True, exist_ok=True)
    names = write_predictions(
        output_dir / PREDICTIONS_FILE, df, y_true, proba, sources, proba_std=out.get("proba_std")
    )
    lap("metrics_and_predictions")

    figures: dict[str, Path] = {}
    notes: dict[str, str] = {}
    if visualize:
        history = load_history(clf, model_path)
        drawn, notes = draw_figures(
            results, y_true, proba, proba_raw if calibrated else None, out, views, names,
            sources, history, temperature, tsne_max_points, candidates=word,
        )  # fmt: skip
        figures = {key: save_figure(fig, output_dir / FIGURE_FILES[key]) for key, fig in drawn.items()}
        lap("figures")

    model = clf.summary()
    results["run"] = {
        "model_path": str(model_path),
        "model": model,
        "test_data": desc,
        "data_provenance": data_provenance(test_data if test_data is not None else "dr25", df),
        "lightcurves": None if lightcurves is None else str(lightcurves),
        "lightcurve_sources": source_counts,
        "n_test": len(df),
        "visualize": bool(visualize),
        "figures": {k: p.name for k, p in figures.items()},
        "projection_notes": notes,
        "exomesa_version": __version__,
        "created": _dt.datetime.now().isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - t0, 3),
        "timings_seconds": timings,
    }
    write_json(results_path, results)
    meta = {
        "model_path": str(model_path),
        "test_data": desc,
        "lightcurves file": str(lightcurves)
        if lightcurves
        else (
            "none: the shipped real views where a KOI has one, no view (masked) elsewhere"
            if clf.missing_view_mode() == "mask"
            else "none (all views rendered from catalog)"
        ),
        f"test {word}": len(df),
        "exomesa_version": __version__,
        "lightcurve_sources": source_counts,
        "model": {k: v for k, v in model.items() if k != "top_features"},
    }
    if notes:
        meta["projections"] = notes
    write_report(output_dir / REPORT_FILE, results, figures, meta, candidates=word)

    s = results["summary"]
    auc = s["confirmed_vs_fp_roc_auc"]
    logger.info(
        "accuracy %.3f | balanced accuracy %.3f | macro-F1 %.3f | ROC-AUC C vs FP %s | ECE %.3f",
        s["accuracy"], s["balanced_accuracy"], s["macro_f1"], "n/a" if auc is None else f"{auc:.3f}", s["ece"],
    )  # fmt: skip
    base = results["majority_baseline"]
    logger.info(
        "always %s (the majority class of the %s): accuracy %.3f | macro-F1 %.3f",
        base["class"], base["source"], base["accuracy"], base["macro_f1"],
    )  # fmt: skip
    logger.info("light curves: %s", ", ".join(f"{k} {v}" for k, v in source_counts.items()))
    logger.info(
        "wrote %s, %s and %s%s", results_path, PREDICTIONS_FILE, REPORT_FILE, " + figures" * bool(figures)
    )
    return results


def write_predictions(
    path: Path,
    df: pd.DataFrame,
    y_true: np.ndarray,
    proba: np.ndarray,
    sources: np.ndarray,
    proba_std: np.ndarray | None = None,
) -> np.ndarray:
    """Write the per-KOI ``predictions.csv`` (schema in docs/results_schema.md); returns the KOI names [N].

    Args:
        y_true: [N] class indices; proba: [N, 3] in CLASSES order; sources: [N] light-curve source per row;
        proba_std: [N, 3] per-class ensemble std (MESA), written as ``score_std_<class>`` columns.
    """
    key = next((c for c in ("candidate_id", "kepoi_name") if c in df), None)
    names = df[key].astype(str).to_numpy() if key else np.arange(len(df)).astype(str)
    kepler_names = {"kepoi_name": df["kepoi_name"].astype(str).to_numpy()} if "kepoi_name" in df else {}
    pred = proba.argmax(axis=1)
    std = {}
    if proba_std is not None:  # deep-ensemble spread per class
        std = {f"score_std_{c.lower().replace(' ', '_')}": proba_std[:, i] for i, c in enumerate(CLASSES)}
    pd.DataFrame(
        {
            "candidate_id": names,
            **kepler_names,
            "true_label": np.asarray(CLASSES)[y_true],
            "predicted_label": np.asarray(CLASSES)[pred],
            "prob_confirmed": proba[:, 0],
            "prob_candidate": proba[:, 1],
            "prob_false_positive": proba[:, 2],
            "correct": pred == y_true,
            "lightcurve_source": sources,
            **std,
        }
    ).to_csv(path, index=False, float_format="%.6f")
    return names
