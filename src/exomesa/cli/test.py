r"""``exomesa test``: evaluate a trained MESA checkpoint on a labelled KOI table.

    exomesa test --model_path output/mesa_model.pth --test_data data/test_data.csv \
        --output_dir test_results --visualize
    exomesa test --model_path output/mesa_model.pth              # the embedded DR25 test split
    python test.py --model_path output/mesa_model.pth --visualize  # the original command line

Writes ``test_results.json`` (schema: docs/results_schema.md), ``predictions.csv`` and ``report.html``
into ``--output_dir``; with ``--visualize`` also the figures, each embedded in the report. The test table is
transformed with the statistics stored in the checkpoint (never refitted).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from exomesa.errors import ExomesaError

__all__ = ["register", "run_test", "write_predictions", "FIGURE_NAMES", "DEFAULT_SPLIT"]

logger = logging.getLogger(__name__)

#: Figure key → file name written with ``--visualize`` (the key is also the report anchor).
FIGURE_NAMES: dict[str, str] = {
    "confusion_matrix": "confusion_matrix.png",
    "roc_curves": "roc_curves.png",
    "reliability_diagram": "reliability_diagram.png",
    "tsne_visualization": "tsne_visualization.png",
    "pca_visualization": "pca_visualization.png",
    "contrastive_space": "contrastive_space.png",
    "training_loss": "training_loss.png",
    "training_accuracy": "training_accuracy.png",
    "lightcurve_gallery": "lightcurve_gallery.png",
}
#: The split used without ``--test_data`` (the same call ``exomesa train`` uses for its training part).
DEFAULT_SPLIT = {"test_size": 0.2, "seed": 42}
HISTORY_FILE = "mesa_training_history.json"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``exomesa test``."""
    p = subparsers.add_parser(
        "test",
        help="evaluate a trained model: metrics JSON, predictions CSV, HTML report (+ figures)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--model_path", default="output/mesa_model.pth", help="checkpoint from `exomesa train`")
    p.add_argument(
        "--test_data",
        default=None,
        help="labelled KOI table (archive CSV/IPAC or seed CSV); default: the embedded DR25 test split "
        f"(split_catalog(load_dr25(), test_size={DEFAULT_SPLIT['test_size']}, seed={DEFAULT_SPLIT['seed']}))",
    )
    p.add_argument(
        "--lightcurves",
        default=None,
        help="views .npz from `exomesa lightcurves build`; KOIs not in it get rendered views",
    )
    p.add_argument("--output_dir", default="test_results", help="folder for results (default: test_results)")
    p.add_argument(
        "--visualize", action="store_true", help="also draw the figures and embed them in the report"
    )
    p.add_argument("--force", action="store_true", help="overwrite an existing test_results.json")
    p.add_argument("--device", default="auto", help="auto, cpu or cuda (default: auto)")
    p.add_argument(
        "--tsne_max_points",
        type=int,
        default=2000,
        help="t-SNE on at most this many KOIs (a seeded random subsample beyond; default 2000)",
    )
    p.set_defaults(func=_main)


def _main(args: argparse.Namespace) -> int:
    run_test(
        model_path=Path(args.model_path),
        test_data=args.test_data,
        output_dir=Path(args.output_dir),
        lightcurves=args.lightcurves,
        visualize=args.visualize,
        force=args.force,
        device=args.device,
        tsne_max_points=args.tsne_max_points,
    )
    return 0


# ---------------------------------------------------------------------------------------------- loading
def _load_model(model_path: Path, device: str):
    from exomesa.mesa.classifier import MesaClassifier
    from exomesa.utils import resolve_device

    if not model_path.exists():
        raise ExomesaError(
            f"{model_path}: checkpoint not found. Train one with `exomesa train` (writes output/mesa_model.pth) "
            "or pass --model_path."
        )
    if model_path.is_dir():
        raise ExomesaError(
            f"{model_path}: is a folder; pass the checkpoint file (e.g. {model_path}/mesa_model.pth)."
        )
    try:
        clf = MesaClassifier.load(model_path, device=resolve_device(device))
    except ExomesaError:
        raise
    except Exception as exc:  # torch raises many types for foreign/corrupt files
        raise ExomesaError(
            f"{model_path}: not an exomesa checkpoint ({type(exc).__name__}: {exc}). "
            "Pass a file written by `exomesa train` / MesaClassifier.save."
        ) from exc
    return clf


def _load_test_table(test_data: str | None) -> tuple[pd.DataFrame, str]:
    from exomesa.data.catalog import LABEL, load_catalog, load_dr25, split_catalog

    if test_data is None or str(test_data).lower() == "dr25":
        df = split_catalog(load_dr25(), **DEFAULT_SPLIT)[1]
        desc = f"dr25 test split (test_size={DEFAULT_SPLIT['test_size']}, seed={DEFAULT_SPLIT['seed']})"
    else:
        df = load_catalog(test_data, require_label=True)
        desc = str(test_data)
    if LABEL not in df.columns:
        raise ExomesaError(f"{desc}: no disposition column; evaluation needs labelled KOIs.")
    df = df.reset_index(drop=True)
    logger.info("test data: %s, %d KOIs", desc, len(df))
    return df, desc


def _required_columns(clf: Any) -> list[str]:
    """Catalogue columns the checkpoint's tabular features are computed from (derived ones expanded)."""
    from exomesa.features.groups import required_columns

    feature_set = getattr(clf, "feature_set_", None)
    return required_columns(feature_set) if isinstance(feature_set, dict) else []


def _check_columns(df: pd.DataFrame, clf: Any, desc: str) -> None:
    needed = _required_columns(clf)
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise ExomesaError(
            f"{desc}: missing {len(missing)} feature column(s) the model was trained on: {missing[:10]}"
            f"{' ...' if len(missing) > 10 else ''}. Use a table with the same columns as the training data "
            "(values may be empty; they are then imputed), or retrain with `exomesa train --features seed`."
        )


def _load_history(clf: Any, model_path: Path) -> list[dict]:
    history = list(getattr(clf, "history_", None) or [])
    path = model_path.parent / HISTORY_FILE
    if not history and path.exists():
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            logger.warning("could not read the training history %s: %s", path, exc)
            return []
        history = data.get("history", data) if isinstance(data, dict) else data
    return [h for h in history if isinstance(h, dict)]


def _model_summary(clf: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"class": type(clf).__name__}
    get_params = getattr(clf, "get_params", None)
    if callable(get_params):
        try:
            out.update(
                {k: v for k, v in get_params().items() if isinstance(v, (str, int, float, bool, type(None)))}
            )
        except Exception:  # noqa: BLE001 - a summary must never break the evaluation
            pass
    temperature = getattr(clf, "temperature_", None)
    if isinstance(temperature, (int, float, np.floating, np.integer)):
        out["calibration temperature (fitted on validation)"] = round(float(temperature), 4)
    n_params = getattr(clf, "n_parameters_", None)
    if isinstance(n_params, (int, float, np.floating, np.integer)):
        out["trainable parameters"] = int(n_params)
    history = getattr(clf, "history_", None) or []
    if history:
        out["epochs trained"] = len(history)
        if history[-1].get("best_epoch") is not None:
            out["weights kept from epoch"] = int(history[-1]["best_epoch"])
    return out


# ------------------------------------------------------------------------------------------------ run
def run_test(
    model_path: Path,
    test_data: str | None = None,
    output_dir: Path = Path("test_results"),
    *,
    lightcurves: str | None = None,
    visualize: bool = False,
    force: bool = False,
    device: str = "auto",
    tsne_max_points: int = 2000,
) -> dict[str, Any]:
    """Evaluate ``model_path`` on ``test_data`` (``None``: the DR25 test split) and write the results.

    Returns the results dict that was written to ``output_dir/test_results.json``.
    """
    from exomesa import __version__
    from exomesa.data.catalog import CLASSES, LABEL, labels_to_index
    from exomesa.evaluation.metrics import evaluate
    from exomesa.lightcurves import ViewSet, views_for_catalog
    from exomesa.reporting.report import write_report
    from exomesa.utils import check_writable, write_json

    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    clock = [t0]

    def lap(name: str) -> None:  # seconds spent in each phase since the previous lap
        now = time.perf_counter()
        timings[name] = round(now - clock[0], 3)
        clock[0] = now

    output_dir = Path(output_dir)
    results_path = output_dir / "test_results.json"
    check_writable(results_path, force, what="test results")

    if lightcurves is not None and not Path(lightcurves).exists():
        raise ExomesaError(
            f"{lightcurves}: views file not found; build one with `exomesa lightcurves build`."
        )
    clf = _load_model(Path(model_path), device)
    lap("load_model")
    df, desc = _load_test_table(test_data)
    _check_columns(df, clf, desc)
    lap("load_test_data")
    given = ViewSet.load(Path(lightcurves)) if lightcurves is not None else None
    views = views_for_catalog(df, given)
    lap("lightcurve_views")
    sources = np.asarray(views.source).astype(str)
    source_counts = {s: int(n) for s, n in zip(*np.unique(sources, return_counts=True), strict=True)}
    y_true = labels_to_index(df[LABEL])

    emb = clf.outputs(df, views=views)  # one model pass: probabilities and embeddings
    proba, proba_raw = emb["proba"], emb["proba_uncalibrated"]
    lap("inference")
    logger.info("model inference on %d KOIs: %.1f s", len(df), timings["inference"])
    temperature = getattr(clf, "temperature_", None)
    temperature = float(temperature) if temperature is not None else None

    results = evaluate(
        y_true,
        proba,
        classes=CLASSES,
        proba_uncalibrated=proba_raw,
        lc_emb=emb.get("lightcurve"),
        phys_emb=emb.get("physics"),
        temperature=temperature,
    )

    output_dir.mkdir(parents=True, exist_ok=True)
    names = write_predictions(output_dir / "predictions.csv", df, y_true, proba, sources)
    lap("metrics_and_predictions")

    figures: dict[str, Path] = {}
    notes: dict[str, str] = {}
    if visualize:
        figures, notes = _draw_figures(
            output_dir, results, y_true, proba, proba_raw, emb, views, names, sources,
            _load_history(clf, Path(model_path)), temperature, tsne_max_points,
        )  # fmt: skip
        lap("figures")

    results["run"] = {
        "model_path": str(model_path),
        "test_data": desc,
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
        "lightcurves file": lightcurves or "none (all views rendered from catalogue parameters)",
        "test KOIs": len(df),
        "exomesa_version": __version__,
        "lightcurve_sources": source_counts,
        "model": _model_summary(clf),
    }
    if notes:
        meta["projections"] = notes
    write_report(output_dir / "report.html", results, figures, meta)

    s = results["summary"]
    logger.info(
        "accuracy %.3f | balanced accuracy %.3f | macro-F1 %.3f | ROC-AUC C vs FP %s | ECE %.3f",
        s["accuracy"],
        s["balanced_accuracy"],
        s["macro_f1"],
        "n/a" if s["confirmed_vs_fp_roc_auc"] is None else f"{s['confirmed_vs_fp_roc_auc']:.3f}",
        s["ece"],
    )
    logger.info("wrote %s, predictions.csv and report.html%s", results_path, " + figures" if figures else "")
    return results


def write_predictions(
    path: Path, df: pd.DataFrame, y_true: np.ndarray, proba: np.ndarray, sources: np.ndarray
) -> np.ndarray:
    """Write the per-KOI ``predictions.csv`` (schema in docs/results_schema.md); returns the KOI names [N].

    Args:
        y_true: [N] class indices; proba: [N, 3] in CLASSES order; sources: [N] light-curve source per row.
    """
    from exomesa.data.catalog import CLASSES

    names = df["kepoi_name"].astype(str).to_numpy() if "kepoi_name" in df else np.arange(len(df)).astype(str)
    pred = proba.argmax(axis=1)
    pd.DataFrame(
        {
            "kepoi_name": names,
            "true_label": np.asarray(CLASSES)[y_true],
            "predicted_label": np.asarray(CLASSES)[pred],
            "prob_confirmed": proba[:, 0],
            "prob_candidate": proba[:, 1],
            "prob_false_positive": proba[:, 2],
            "correct": pred == y_true,
            "lightcurve_source": sources,
        }
    ).to_csv(path, index=False, float_format="%.6f")
    return names


def _draw_figures(
    output_dir: Path,
    results: dict,
    y_true: np.ndarray,
    proba: np.ndarray,
    proba_raw: np.ndarray,
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
        out[key] = plots.save_figure(fig, output_dir / FIGURE_NAMES[key])

    save("confusion_matrix", plots.plot_confusion_matrix(results["classification"]["confusion_matrix"]))
    save("roc_curves", plots.plot_roc_curves(y_true, proba))
    save(
        "reliability_diagram",
        plots.plot_reliability_diagram(y_true, proba, proba_raw, temperature=temperature),
    )
    fused = np.asarray(emb["fused"])
    for key, method, label in (("tsne_visualization", "tsne", "t-SNE"), ("pca_visualization", "pca", "PC")):
        t = time.perf_counter()
        coords, idx, note = plots.project_2d(
            fused, method, max_points=tsne_max_points if method == "tsne" else 10**9
        )
        notes[key] = note
        title = f"{'t-SNE' if method == 'tsne' else 'PCA'} of the fused MESA embedding"
        save(key, plots.plot_embedding_2d(coords, y_true[idx], title=title, note=note, axis_label=label))
        logger.debug("%s: %.1f s", key, time.perf_counter() - t)
    save("contrastive_space", plots.plot_contrastive_space(emb["lightcurve"], emb["physics"], y_true))
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
