"""``exomesa baseline``: train and evaluate the LightGBM baselines on the same data as MESA.

    exomesa baseline train --method tsfresh --features full            # embedded DR25 training split
    exomesa baseline train --method tabular --data_path data/train_data.csv --features seed
    exomesa baseline test --model_path output/baseline_tsfresh.json --visualize
    exomesa baseline test --model_path output/baseline_tabular.json --test_data data/test_data.csv

``train`` writes ``<output_dir>/baseline_<method>.json`` (a JSON model file: LightGBM text model, feature
names, imputer medians; no pickle). ``test`` writes ``test_results.json`` (the schema of ``exomesa test``),
``predictions.csv`` and ``report.html`` into ``--output_dir`` (default ``test_results_<method>``); with
``--visualize`` also the confusion matrix, ROC curves and reliability diagram (and, for tsfresh, the
light-curve gallery). Without ``--data_path``/``--test_data`` the embedded DR25 table is split exactly as
``exomesa train``/``exomesa test`` split it.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from exomesa.errors import ExomesaError

__all__ = ["register", "run_train", "run_test"]

logger = logging.getLogger(__name__)


def _split_settings() -> dict[str, Any]:
    from exomesa.cli.test import DEFAULT_SPLIT

    return dict(DEFAULT_SPLIT)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``exomesa baseline train`` and ``exomesa baseline test``."""
    from exomesa.baselines.lightgbm import METHODS, TSFRESH_PRESETS

    parser = subparsers.add_parser(
        "baseline",
        help="LightGBM baselines (tabular, TSFresh + LightGBM) with the same data and outputs as MESA",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="baseline_command", metavar="{train,test}")
    parser.set_defaults(func=lambda args: parser.print_help() or 1)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--lightcurves",
            default=None,
            help="views .npz from `exomesa lightcurves build`; others are rendered",
        )
        p.add_argument("--force", action="store_true", help="overwrite existing output files")
        p.add_argument(
            "--cache_dir",
            default="auto",
            help="tsfresh feature cache folder (default: $EXOMESA_CACHE/tsfresh or ~/.cache/exomesa/tsfresh)",
        )
        p.add_argument(
            "--no_cache", action="store_true", help="do not read or write the tsfresh feature cache"
        )

    t = sub.add_parser("train", help="fit a baseline and save it as JSON")
    t.add_argument(
        "--method", choices=METHODS, default="tsfresh", help="tabular or tsfresh (default tsfresh)"
    )
    t.add_argument(
        "--data_path",
        default=None,
        help="labelled KOI table (archive CSV/IPAC or seed CSV); default: the embedded DR25 training split",
    )
    t.add_argument("--features", default="full", help="tabular feature preset: seed or full (default full)")
    t.add_argument(
        "--output_dir", default="output", help="folder for baseline_<method>.json (default output)"
    )
    t.add_argument("--seed", type=int, default=42, help="LightGBM seed (default 42)")
    t.add_argument("--n_estimators", type=int, default=300, help="boosting rounds (default 300)")
    t.add_argument("--learning_rate", type=float, default=0.05, help="LightGBM learning rate (default 0.05)")
    t.add_argument("--num_leaves", type=int, default=31, help="maximum leaves per tree (default 31)")
    t.add_argument("--n_jobs", type=int, default=2, help="LightGBM threads (default 2)")
    t.add_argument(
        "--tsfresh_preset",
        choices=list(TSFRESH_PRESETS),
        default="transit",
        help="tsfresh feature preset (default transit; see exomesa.baselines.lightgbm)",
    )
    t.add_argument("--tsfresh_n_jobs", type=int, default=0, help="tsfresh worker processes (default 0)")
    common(t)
    t.set_defaults(func=_train_main)

    e = sub.add_parser("test", help="evaluate a saved baseline: test_results.json, predictions, report")
    e.add_argument("--model_path", default=None, help="model file (default output/baseline_<method>.json)")
    e.add_argument("--method", choices=METHODS, default="tsfresh", help="picks the default --model_path")
    e.add_argument(
        "--test_data",
        default=None,
        help="labelled KOI table; default: the embedded DR25 test split",
    )
    e.add_argument("--output_dir", default=None, help="results folder (default test_results_<method>)")
    e.add_argument(
        "--visualize", action="store_true", help="also draw the figures and embed them in the report"
    )
    common(e)
    e.set_defaults(func=_test_main)


def _cache(args: argparse.Namespace) -> str | None:
    return None if args.no_cache else args.cache_dir


def _train_main(args: argparse.Namespace) -> int:
    run_train(
        method=args.method,
        data_path=args.data_path,
        features=args.features,
        lightcurves=args.lightcurves,
        output_dir=Path(args.output_dir),
        force=args.force,
        cache_dir=_cache(args),
        seed=args.seed,
        n_estimators=args.n_estimators,
        learning_rate=args.learning_rate,
        num_leaves=args.num_leaves,
        n_jobs=args.n_jobs,
        tsfresh_preset=args.tsfresh_preset,
        tsfresh_n_jobs=args.tsfresh_n_jobs,
    )
    return 0


def _test_main(args: argparse.Namespace) -> int:
    model_path = Path(args.model_path) if args.model_path else Path("output") / f"baseline_{args.method}.json"
    run_test(
        model_path=model_path,
        test_data=args.test_data,
        output_dir=Path(args.output_dir) if args.output_dir else None,
        lightcurves=args.lightcurves,
        visualize=args.visualize,
        force=args.force,
        cache_dir=_cache(args),
    )
    return 0


# ---------------------------------------------------------------------------------------------- loading
def _load_table(path: str | None, part: int) -> tuple[pd.DataFrame, str]:
    """``part`` 0: training table, 1: test table (of the default DR25 split when ``path`` is None)."""
    from exomesa.data.catalog import LABEL, load_catalog, load_dr25, split_catalog

    if path is None or str(path).lower() == "dr25":
        split = _split_settings()
        df = split_catalog(load_dr25(), **split)[part]
        desc = f"dr25 {'test' if part else 'training'} split (test_size={split['test_size']}, seed={split['seed']})"
    else:
        if not Path(path).is_file():
            raise ExomesaError(f"{path}: file not found; pass a KOI table (CSV or IPAC).")
        df = load_catalog(path, require_label=True)
        desc = str(path)
    if LABEL not in df.columns:
        raise ExomesaError(f"{desc}: no disposition column; a labelled KOI table is needed.")
    return df.reset_index(drop=True), desc


def _load_views(lightcurves: str | None):
    from exomesa.lightcurves import ViewSet

    if lightcurves is None:
        return None
    path = Path(lightcurves)
    if not path.exists():
        raise ExomesaError(f"{path}: views file not found; build one with `exomesa lightcurves build`.")
    return ViewSet.load(path)


# ------------------------------------------------------------------------------------------------ train
def run_train(
    method: str = "tsfresh",
    data_path: str | None = None,
    features: str = "full",
    *,
    lightcurves: str | None = None,
    output_dir: Path = Path("output"),
    force: bool = False,
    cache_dir: str | None = "auto",
    **params: Any,
) -> Path:
    """Fit the ``method`` baseline on ``data_path`` (default: the DR25 training split) and save it.

    ``params`` go to the baseline's constructor. Returns the path of the saved model.
    """
    from exomesa.baselines.lightgbm import make_baseline
    from exomesa.utils import check_writable

    output_dir = Path(output_dir)
    model_path = output_dir / f"baseline_{method}.json"
    check_writable(model_path, force, what="baseline model")
    df, desc = _load_table(data_path, 0)
    views = _load_views(lightcurves)
    if views is not None and method == "tabular":
        logger.warning("--lightcurves is ignored by the tabular baseline (it reads no light curves)")
    model = make_baseline(method, features=features, cache_dir=cache_dir, **params)
    logger.info("training the %s baseline on %s (%d KOIs, features %s)", method, desc, len(df), features)
    t0 = time.perf_counter()
    model.fit(df, views=views)
    logger.info("trained in %.1f s; most informative features:", time.perf_counter() - t0)
    for name, share in model.feature_importance(top=5):
        logger.info("  %-45s %5.1f%% of the split gain", name, 100 * share)
    model.save(model_path)
    logger.info("wrote %s", model_path)
    return model_path


# ------------------------------------------------------------------------------------------------- test
def run_test(
    model_path: Path,
    test_data: str | None = None,
    output_dir: Path | None = None,
    *,
    lightcurves: str | None = None,
    visualize: bool = False,
    force: bool = False,
    cache_dir: str | None = "auto",
) -> dict[str, Any]:
    """Evaluate a saved baseline; writes and returns the ``test_results.json`` dict."""
    from exomesa import __version__
    from exomesa.baselines.lightgbm import load_baseline
    from exomesa.cli.test import write_predictions
    from exomesa.data.catalog import CLASSES, LABEL, labels_to_index
    from exomesa.evaluation.metrics import evaluate
    from exomesa.lightcurves import views_for_catalog
    from exomesa.reporting.report import write_report
    from exomesa.utils import check_writable, write_json

    t0 = time.perf_counter()
    model_path = Path(model_path)
    model = load_baseline(model_path)
    if hasattr(model, "cache_dir"):
        model.cache_dir = cache_dir
    output_dir = Path(output_dir) if output_dir is not None else Path(f"test_results_{model.method}")
    results_path = output_dir / "test_results.json"
    check_writable(results_path, force, what="test results")

    df, desc = _load_table(test_data, 1)
    given = _load_views(lightcurves)
    views = views_for_catalog(df, given) if model.uses_lightcurves or visualize else None
    y_true = labels_to_index(df[LABEL])
    t_pred = time.perf_counter()
    proba = model.predict_proba(df, views=views)
    logger.info("baseline inference on %d KOIs: %.1f s", len(df), time.perf_counter() - t_pred)
    results = evaluate(y_true, proba, classes=CLASSES)

    output_dir.mkdir(parents=True, exist_ok=True)
    sources = (
        np.asarray(views.source).astype(str)
        if views is not None
        else np.full(len(df), "unused", dtype=object)
    )
    names = write_predictions(output_dir / "predictions.csv", df, y_true, proba, sources)

    figures: dict[str, Path] = {}
    if visualize:
        figures = _draw_figures(
            output_dir, results, y_true, proba, views, names, sources, model.uses_lightcurves
        )

    source_counts = (
        {s: int(n) for s, n in zip(*np.unique(sources, return_counts=True), strict=True)}
        if views is not None
        else {}
    )
    model_info = {
        "class": type(model).__name__,
        "method": model.method,
        **{k: v for k, v in model.get_params().items() if isinstance(v, str | int | float | bool)},
        **model.model_size(),
        "top_features": [{"feature": n, "gain_share": g} for n, g in model.feature_importance(top=15)],
    }
    results["run"] = {
        "model_path": str(model_path),
        "model": model_info,
        "test_data": desc,
        "lightcurves": None if lightcurves is None else str(lightcurves),
        "lightcurve_sources": source_counts,
        "n_test": len(df),
        "visualize": bool(visualize),
        "figures": {k: p.name for k, p in figures.items()},
        "exomesa_version": __version__,
        "created": _dt.datetime.now().isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - t0, 3),
    }
    write_json(results_path, results)
    meta = {
        "model_path": str(model_path),
        "test_data": desc,
        "lightcurves file": lightcurves or "none (all views rendered from catalogue parameters)",
        "test KOIs": len(df),
        "exomesa_version": __version__,
        "model": {k: v for k, v in model_info.items() if k != "top_features"},
    }
    if source_counts:
        meta["lightcurve_sources"] = source_counts
    write_report(output_dir / "report.html", results, figures, meta)
    s = results["summary"]
    logger.info(
        "accuracy %.3f | balanced accuracy %.3f | macro-F1 %.3f | ROC-AUC C vs FP %s",
        s["accuracy"],
        s["balanced_accuracy"],
        s["macro_f1"],
        "n/a" if s["confirmed_vs_fp_roc_auc"] is None else f"{s['confirmed_vs_fp_roc_auc']:.3f}",
    )
    logger.info("wrote %s, predictions.csv and report.html%s", results_path, " + figures" if figures else "")
    return results


def _draw_figures(
    output_dir: Path,
    results: dict,
    y_true: np.ndarray,
    proba: np.ndarray,
    views: Any,
    names: np.ndarray,
    sources: np.ndarray,
    gallery: bool,
) -> dict[str, Path]:
    from exomesa.cli.test import FIGURE_NAMES
    from exomesa.reporting import plots

    out: dict[str, Path] = {}

    def save(key: str, fig) -> None:
        out[key] = plots.save_figure(fig, output_dir / FIGURE_NAMES[key])

    save("confusion_matrix", plots.plot_confusion_matrix(results["classification"]["confusion_matrix"]))
    save("roc_curves", plots.plot_roc_curves(y_true, proba))
    save("reliability_diagram", plots.plot_reliability_diagram(y_true, proba))
    if gallery and views is not None:
        save(
            "lightcurve_gallery",
            plots.plot_lightcurve_gallery(
                views.global_view, views.local_view, y_true, proba, names=names, sources=sources
            ),
        )
    return out
