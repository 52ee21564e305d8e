"""The real-view suite, ``exomesa benchmark --suite real [--lightcurves views.npz]`` (:func:`run_real_benchmark`).

Protocol:

* Rows: only the labelled DR25 KOIs with a **real** view (:func:`select_real_rows`): the real views shipped
  with the package (4,121 DR25 KOIs) unless ``--lightcurves`` names another views file. Every method sees these rows, these folds and (except
  ``mesa_rendered``, which renders the same rows' views from the catalog) these real views.
* Folds: ``group_kfold(rows, 5, seed)``, stratified by disposition, grouped by ``kepid``.
* Pretraining (``mesa_real_finetune*``): one MESA (``full``) trained with rendered views on the DR25 KOIs of
  stars that have no real view (:func:`pretraining_rows`). No test star of any fold is in it, so the one
  model serves every fold; it is then fine-tuned on each fold's real-view training rows.
* No shortcut through the view source: each training set of the suite holds one view source (pretraining:
  rendered only; every fold: real only), so "looks real" cannot stand in for the label.
  :func:`source_label_association` measures how much the source *would* tell on a mixed set, recorded in
  ``results_real.json`` under ``source_check``.
* Metrics and costs as in the default suite (:mod:`exomesa.benchmark.runner`); ``comparisons`` adds, for each
  method against LightGBM tabular, the per-fold paired difference and whether it lies inside its std.
"""

from __future__ import annotations

import datetime as _dt
import logging
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from exomesa.benchmark.config import BenchmarkConfig
from exomesa.benchmark.probes import MEMORY_MEASURE, machine_info, versions
from exomesa.benchmark.real_methods import REAL_METHODS
from exomesa.benchmark.runner import (
    SCHEMA,
    FoldRunner,
    _check_requirements,
    _extract_tsfresh,
    _subset,
    run_methods,
)
from exomesa.data import CLASSES, LABEL, group_kfold, labels_to_index, load_catalog
from exomesa.errors import ExomesaError
from exomesa.lightcurves import ViewSet, embedded_views, views_for_catalog

__all__ = [
    "compare_methods",
    "pretraining_rows",
    "run_real_benchmark",
    "select_real_rows",
    "source_label_association",
]

logger = logging.getLogger(__name__)

#: The method the comparisons are made against.
REFERENCE_METHOD = "lgbm_tabular_full"


def select_real_rows(catalog: pd.DataFrame, views: ViewSet) -> tuple[pd.DataFrame, ViewSet, np.ndarray]:
    """The labelled KOIs of ``catalog`` with a real view: (rows [M] with a 0..M-1 index, their views [M],
    mask [N] over ``catalog``'s rows). Rendered or missing views are left out."""
    real_names = set(views.candidate_id[views.source == "real"].tolist())
    mask = catalog["candidate_id"].astype(str).isin(real_names).to_numpy() & catalog[LABEL].notna().to_numpy()
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        raise ExomesaError(
            "the views file has no real view of a labelled KOI in the catalog; --suite real needs real views "
            "(e.g. `exomesa lightcurves import --astronet FILE --catalog dr25 --out views.npz`)."
        )
    rows = catalog.iloc[idx].reset_index(drop=True)
    return rows, views_for_catalog(rows, views), mask


def pretraining_rows(catalog: pd.DataFrame, real_mask: np.ndarray) -> pd.DataFrame:
    """DR25 KOIs on stars with no real-view KOI (so no test star of any fold), for rendered pretraining."""
    real_stars = set(catalog.loc[real_mask, "star_id"])
    keep = ~catalog["star_id"].isin(real_stars).to_numpy() & catalog[LABEL].notna().to_numpy()
    return catalog.loc[keep].reset_index(drop=True)


def source_label_association(sources: Sequence[str], labels: Sequence[str]) -> dict[str, Any]:
    """How well "the view is real" alone predicts the label on a set of KOIs.

    Returns per-source counts and CONFIRMED fractions, and ``roc_auc_real_confirmed_vs_fp``: the ROC-AUC of
    the score 1 (real) / 0 (rendered) for CONFIRMED vs FALSE POSITIVE (0.5 = no information; None when the
    set holds one source, where the source cannot predict anything).
    """
    from sklearn.metrics import roc_auc_score  # scikit-learn: loaded only here

    src = np.asarray(sources).astype(str)
    lab = np.asarray(labels).astype(str)
    per_source = {
        s: {"n": int((src == s).sum()), "confirmed_fraction": float((lab[src == s] == "CONFIRMED").mean())}
        for s in sorted(set(src))
    }
    pair = np.isin(lab, ["CONFIRMED", "FALSE POSITIVE"])
    auc = None
    if len(per_source) > 1 and len(set(lab[pair])) == 2:
        auc = float(roc_auc_score(lab[pair] == "CONFIRMED", src[pair] == "real"))
    return {
        "per_source": per_source,
        "roc_auc_real_confirmed_vs_fp": auc,
        "single_source": len(per_source) == 1,
    }


def compare_methods(fold_rows: Mapping[str, Sequence[Mapping[str, Any]]], reference: str) -> dict[str, Any]:
    """Per method and metric: mean and std over folds of the paired difference (method − ``reference``), and
    ``inside_std`` = |mean| ≤ std (the folds cannot tell the two apart)."""
    if reference not in fold_rows:
        return {}
    out: dict[str, Any] = {}
    for name, rows in fold_rows.items():
        if name == reference:
            continue
        out[name] = {}
        for key in ("accuracy", "macro_f1", "roc_auc_confirmed_vs_fp"):
            diffs = np.array([a[key] - b[key] for a, b in zip(rows, fold_rows[reference], strict=True)])
            mean, std = float(diffs.mean()), float(diffs.std())
            out[name][key] = {"mean_diff": mean, "std_diff": std, "inside_std": bool(abs(mean) <= std)}
    return out


def _pretrain(df: pd.DataFrame, cfg: BenchmarkConfig, folder: str) -> tuple[str, float]:
    """Train the rendered-view MESA (full) on ``df``; returns its checkpoint path and training seconds."""
    from exomesa.benchmark.methods import mesa_classifier

    clf = mesa_classifier(cfg, "full", cfg.pretrain_epochs)
    logger.info("pretraining MESA on %d rendered-view KOIs (%s epochs)", len(df), cfg.pretrain_epochs)
    t0 = time.perf_counter()
    clf.fit(df, views=None)
    secs = time.perf_counter() - t0
    path = Path(folder) / "pretrained_rendered.pth"
    clf.save(path)
    return str(path), secs


def run_real_benchmark(
    config: BenchmarkConfig,
    *,
    catalog: pd.DataFrame | None = None,
    views: ViewSet | None = None,
    command: str | None = None,
) -> dict[str, Any]:
    """Run the real-view suite; returns the ``results_real.json`` dict (same structure as ``results.json``).

    Args:
        config: what to run (``suite="real"``; resolved here). ``n_kois`` subsets the real-view rows and
            caps the pretraining rows (tests, ``--quick``).
        catalog: the labelled KOI table (default ``load_catalog(config.catalog)``).
        views: the ViewSet with real views (default ``ViewSet.load(config.lightcurves)``).
        command: the command line recorded in the results.
    """
    cfg = config.resolved()
    methods = [REAL_METHODS[m] for m in cfg.methods]
    _check_requirements(methods)
    t_start = time.perf_counter()
    full = catalog if catalog is not None else load_catalog(cfg.catalog)
    full = full.reset_index(drop=True)
    t0 = time.perf_counter()
    if views is not None:
        given = views
    elif cfg.lightcurves:
        given = ViewSet.load(cfg.lightcurves)
    else:  # the real views shipped with the package
        given = embedded_views()
    df, real_views, mask = select_real_rows(full, given)
    sub = _subset(pd.DataFrame({"i": np.arange(len(df))}), cfg.n_kois, cfg.seed)["i"].to_numpy()
    df, real_views = df.iloc[sub].reset_index(drop=True), real_views.take(sub)
    views_s = time.perf_counter() - t0
    y_all = labels_to_index(df[LABEL])
    mixed_sources = np.where(mask, "real", "rendered")
    source_check = {
        "mixed_dr25": source_label_association(mixed_sources, full[LABEL].astype(str)),
        "suite_training_sets": "every fold trains on real views only; pretraining uses rendered views only",
    }
    logger.info(
        "real-view suite: %d KOIs with real views on %d stars, %d-fold CV (folds %s), methods: %s",
        len(df),
        df["star_id"].nunique(),
        cfg.n_splits,
        cfg.folds,
        cfg.methods,
    )

    context: dict[str, Any] = {}
    tmp = tempfile.TemporaryDirectory(prefix="exomesa-bench-real-")
    try:
        if any(m.name.startswith("tsfresh") for m in methods):
            context["tsfresh_cache"] = str(Path(tmp.name) / "tsfresh")
            context["tsfresh_extraction"] = _extract_tsfresh(real_views, cfg, context["tsfresh_cache"])
        if any("finetune" in m.name for m in methods):
            pre_df = pretraining_rows(full, mask)
            pre_df = _subset(pre_df, cfg.n_kois, cfg.seed)
            path, secs = _pretrain(pre_df, cfg, tmp.name)
            context.update(pretrained_path=path, pretrain_seconds=secs, pretrain_kois=len(pre_df))
            source_check["pretraining"] = source_label_association(["rendered"] * len(pre_df), pre_df[LABEL])

        folds = group_kfold(df, cfg.n_splits, cfg.seed)
        runner = FoldRunner(df, real_views, folds, y_all, cfg, context)
        results = run_methods(runner, cfg, methods)
    finally:
        tmp.cleanup()
    counts = np.bincount(y_all, minlength=len(CLASSES))
    return {
        "schema": SCHEMA,
        "suite": "real",
        "n_kois": int(len(df)),
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "quick": cfg.quick,
        "config": asdict(cfg),
        "dataset": {
            "source": f"{cfg.catalog} KOIs with a real view",
            "n_kois": int(len(df)),
            "n_stars": int(df["star_id"].nunique()),
            "class_counts": {c: int(counts[i]) for i, c in enumerate(CLASSES)},
            "views": real_views.counts(),
            "view_provenance": real_views.provenance_counts(),
            "views_seconds": views_s,
            "fold_sizes": [int(len(te)) for _, te in folds],
            "pretrain_kois": context.get("pretrain_kois"),
        },
        "protocol": {
            "cv": f"{cfg.n_splits}-fold over the KOIs with real views, stratified by disposition, grouped by "
            "kepid (exomesa.data.group_kfold)",
            "finetune": "one MESA (full) pretrained with rendered views on the DR25 KOIs of stars without any "
            f"real view ({cfg.pretrain_epochs} epochs; no test star of any fold), then fine-tuned on each "
            "fold's real-view training rows (fully / freeze_backbone=True)",
            "view_source": "each training set holds one view source (see source_check)",
            "std": "population standard deviation over folds (ddof=0); comparisons: paired per-fold "
            f"differences against {REFERENCE_METHOD}, inside_std when |mean| <= std",
            "memory": MEMORY_MEASURE,
            "size": "MESA: number of model parameters; LightGBM: trees, leaves and split nodes",
            "throughput": "test-fold KOIs / wall-clock seconds of predict_proba",
            "train_time": "wall clock of fit (fine-tuning: without the shared pretraining, reported apart); "
            "TSFresh + LightGBM adds its pro-rated share of the one-off feature extraction",
            "parallelism": f"{cfg.workers} worker process(es), one torch/LightGBM thread each when more than one",
        },
        "source_check": source_check,
        "comparisons": compare_methods({n: r["folds"] for n, r in results.items()}, REFERENCE_METHOD),
        "pretrain_seconds": context.get("pretrain_seconds"),
        "tsfresh_extraction": context.get("tsfresh_extraction"),
        "machine": machine_info(),
        "versions": versions(),
        "wall_seconds": time.perf_counter() - t_start,
        "methods": results,
    }
