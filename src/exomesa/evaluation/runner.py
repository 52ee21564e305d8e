r"""The one evaluation runner: a trained model (MESA or a baseline) on a labelled table → results files.

    from exomesa.evaluation.runner import evaluate_model
    results = evaluate_model("output/mesa_model.pth", "data/test_data.csv", "test_results", visualize=True)

Writes ``test_results.json`` (schema: docs/results_schema.md), ``predictions.csv`` and ``report.html`` into
``output_dir``; with ``visualize`` also the figures of :data:`exomesa.defaults.FIGURE_FILES`, each embedded in
the report. The same files are written for every kind of model: where a figure does not apply (a LightGBM
model has no contrastive space and no per-epoch history), it says so. The test table is transformed with the
statistics stored in the model (never refitted).
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from exomesa.data.toi import data_provenance
from exomesa.defaults import (
    FIGURE_FILES,
    HISTORY_FILE,
    PREDICTIONS_FILE,
    REPORT_FILE,
    RESULTS_FILE,
    SPLIT_SEED,
    TEST_SIZE,
    TSNE_MAX_POINTS,
    VETTING_BINS,
)
from exomesa.errors import ExomesaError

__all__ = ["evaluate_model", "write_predictions", "load_labelled_table", "load_views"]

logger = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------- loading
def load_labelled_table(path: str | Path | None, part: int = 1) -> tuple[pd.DataFrame, str]:
    """A labelled table and its description. ``path`` None (or ``"dr25"``): side ``part`` (0 training,
    1 test) of the default DR25 split, ``split_catalog(load_dr25(), TEST_SIZE, SPLIT_SEED)``."""
    from exomesa.data import LABEL, load_catalog, load_dr25, split_catalog

    if path is None or str(path).lower() in {"dr25", "toi"}:
        name = "dr25" if path is None else str(path).lower()
        table = load_dr25() if name == "dr25" else load_catalog("toi", require_label=True)
        df = split_catalog(table, TEST_SIZE, SPLIT_SEED)[part]
        side = "test" if part else "training"
        desc = f"{name} {side} split (test_size={TEST_SIZE}, seed={SPLIT_SEED})"
    else:
        if not Path(path).is_file():
            raise ExomesaError(f"{path}: file not found; pass a KOI table (CSV or IPAC).")
        df = load_catalog(path, require_label=True)
        desc = str(path)
    if LABEL not in df.columns:
        raise ExomesaError(f"{desc}: no disposition column; a labelled table is needed.")
    return df.reset_index(drop=True), desc


def load_views(path: str | Path | None) -> Any:
    """The :class:`~exomesa.lightcurves.ViewSet` at ``path`` (None: no real views)."""
    from exomesa.lightcurves import ViewSet

    if path is None:
        return None
    if not Path(path).exists():
        raise ExomesaError(f"{path}: views file not found; build one with `exomesa lightcurves build`.")
    return ViewSet.load(Path(path))


def _load_history(clf: Any, model_path: Path) -> list[dict]:
    history = list(getattr(clf, "history_", None) or [])
    path = model_path.parent / HISTORY_FILE
    if not history and path.exists() and getattr(clf, "model_", None) is not None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            logger.warning("could not read the training history %s: %s", path, exc)
            return []
        history = data.get("history", data) if isinstance(data, dict) else data
    return [h for h in history if isinstance(h, dict)]


def _model_summary(clf: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"class": type(clf).__name__}
    if isinstance(getattr(clf, "method", None), str):
        out["method"] = clf.method
    try:
        params = clf.get_params()
    except Exception:  # noqa: BLE001 - a summary must never break the evaluation
        params = {}
    out.update({k: v for k, v in params.items() if isinstance(v, str | int | float | bool | type(None))})
    temperature = getattr(clf, "temperature_", None)
    if isinstance(temperature, int | float | np.floating | np.integer):
        out["calibration temperature (fitted on validation)"] = round(float(temperature), 4)
    n_params = getattr(clf, "n_parameters_", None)
    if isinstance(n_params, int | float | np.floating | np.integer):
        out["trainable parameters"] = int(n_params)
    size = getattr(clf, "model_size", None)
    if callable(size):
        out.update(size())
    importance = getattr(clf, "feature_importance", None)
    if callable(importance):
        out["top_features"] = [{"feature": n, "gain_share": g} for n, g in importance(top=15)]
    history = getattr(clf, "history_", None) or []
    if history:
        out["epochs trained"] = len(history)
        if history[-1].get("best_epoch") is not None:
            out["weights kept from epoch"] = int(history[-1]["best_epoch"])
    return out


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
    from exomesa import __version__
    from exomesa.data import CLASSES, LABEL, labels_to_index
    from exomesa.evaluation.metrics import evaluate
    from exomesa.evaluation.protocol import check_feature_columns, load_model, model_outputs
    from exomesa.lightcurves import views_for_catalog
    from exomesa.reporting.report import write_report
    from exomesa.utils import check_writable, write_json

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
    views = views_for_catalog(df, given)
    lap("lightcurve_views")
    sources = np.asarray(views.source).astype(str)
    source_counts = {s: int(n) for s, n in zip(*np.unique(sources, return_counts=True), strict=True)}
    y_true = labels_to_index(df[LABEL])

    out = model_outputs(clf, df, views)  # one model pass: probabilities and embeddings
    proba, proba_raw = out["proba"], out["proba_uncalibrated"]
    lap("inference")
    logger.info("model inference on %d KOIs: %.1f s", len(df), timings["inference"])
    temperature = getattr(clf, "temperature_", None)
    temperature = float(temperature) if temperature is not None else None
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
    )
    output_dir.mkdir(parents=True, exist_ok=True)
    names = write_predictions(
        output_dir / PREDICTIONS_FILE, df, y_true, proba, sources, proba_std=out.get("proba_std")
    )
    lap("metrics_and_predictions")

    figures: dict[str, Path] = {}
    notes: dict[str, str] = {}
    if visualize:
        history = _load_history(clf, model_path)
        figures, notes = _draw_figures(
            output_dir, results, y_true, proba, proba_raw if calibrated else None, out, views, names,
            sources, history, temperature, tsne_max_points,
        )  # fmt: skip
        lap("figures")

    model = _model_summary(clf)
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
        "lightcurves file": str(lightcurves) if lightcurves else "none (all views rendered from catalog)",
        "test KOIs": len(df),
        "exomesa_version": __version__,
        "lightcurve_sources": source_counts,
        "model": {k: v for k, v in model.items() if k != "top_features"},
    }
    if notes:
        meta["projections"] = notes
    write_report(output_dir / REPORT_FILE, results, figures, meta)

    s = results["summary"]
    auc = s["confirmed_vs_fp_roc_auc"]
    logger.info(
        "accuracy %.3f | balanced accuracy %.3f | macro-F1 %.3f | ROC-AUC C vs FP %s | ECE %.3f",
        s["accuracy"], s["balanced_accuracy"], s["macro_f1"], "n/a" if auc is None else f"{auc:.3f}", s["ece"],
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
    from exomesa.data import CLASSES

    key = next((c for c in ("candidate_id", "kepoi_name") if c in df), None)
    names = df[key].astype(str).to_numpy() if key else np.arange(len(df)).astype(str)
    kepler_names = {"kepoi_name": df["kepoi_name"].astype(str).to_numpy()} if "kepoi_name" in df else {}
    pred = proba.argmax(axis=1)
    std = {}
    if proba_std is not None:  # issue 15: deep-ensemble spread per class
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


def _draw_figures(
    output_dir: Path,
    results: dict,
    y_true: np.ndarray,
    proba: np.ndarray,
    proba_raw: np.ndarray | None,
    emb: dict[str, np.ndarray],
    views: Any,
    names: np.ndarray,
    sources: np.ndarray,
    history: list[dict],
    temperature: float | None,
    tsne_max_points: int,
) -> tuple[dict[str, Path], dict[str, str]]:
    from exomesa.reporting import plots

    t0 = time.perf_counter()
    out: dict[str, Path] = {}
    notes: dict[str, str] = {}

    def save(key: str, fig) -> None:
        out[key] = plots.save_figure(fig, output_dir / FIGURE_FILES[key])

    save("confusion_matrix", plots.plot_confusion_matrix(results["classification"]["confusion_matrix"]))
    save("roc_curves", plots.plot_roc_curves(y_true, proba))
    save(
        "reliability_diagram",
        plots.plot_reliability_diagram(y_true, proba, proba_raw, temperature=temperature),
    )
    fused = emb.get("fused")
    for key, method, label in (("tsne_visualization", "tsne", "t-SNE"), ("pca_visualization", "pca", "PC")):
        name = "t-SNE" if method == "tsne" else "PCA"
        if fused is None:
            save(key, plots.plot_note(name, "this model has no embedding to project"))
            continue
        coords, idx, note = plots.project_2d(
            np.asarray(fused), method, max_points=tsne_max_points if method == "tsne" else 10**9
        )
        notes[key] = note
        title = f"{name} of the model's {emb.get('fused_label', 'fused MESA embedding')}"
        save(key, plots.plot_embedding_2d(coords, y_true[idx], title=title, note=note, axis_label=label))
    if "lightcurve" in emb and "physics" in emb:
        save("contrastive_space", plots.plot_contrastive_space(emb["lightcurve"], emb["physics"], y_true))
    else:
        message = "this model has no light-curve / physics embeddings (no contrastive alignment)"
        save("contrastive_space", plots.plot_note("Contrastive space", message))
    save("training_loss", plots.plot_training_curves(history, "loss"))
    save("training_accuracy", plots.plot_training_curves(history, "accuracy"))
    save(
        "lightcurve_gallery",
        plots.plot_lightcurve_gallery(
            views.global_view, views.local_view, y_true, proba, names=names, sources=sources
        ),
    )
    logger.info("drew %d figures in %.1f s", len(out), time.perf_counter() - t0)
    return out, notes
