"""The accuracy/cost benchmark: every method on identical star-grouped folds of the DR25 KOI table.

Protocol (``exomesa benchmark`` and ``benchmarks/run_benchmark.py`` reach :func:`run_benchmark` through
:func:`exomesa.jobs.benchmark.run_benchmark_command`):

* Data: all 8,054 DR25 KOIs (:func:`exomesa.data.catalog.load_dr25`), light-curve views from
  :func:`exomesa.lightcurves.views_for_catalog` (real views from ``--lightcurves`` where given, else rendered
  from catalog parameters), built once for the whole table.
* Folds: ``group_kfold(df, 5, seed)`` — stratified by disposition, grouped by host star (``kepid``), so no
  star is in a training and a test fold at once. Every method sees the same folds and the same views.
* Methods: :data:`exomesa.benchmark.methods.BENCHMARK_METHODS` (MESA from scratch and fine-tuned, the two
  LightGBM baselines).
* Metrics per fold (from :func:`exomesa.evaluation.metrics.evaluate`): 3-class accuracy, macro-F1, per-class F1,
  ROC-AUC of CONFIRMED vs FALSE POSITIVE; reported as mean ± std (population std, ``ddof=0``) over folds.
* Cost per fold: training time (wall clock of ``fit``), inference throughput (test KOIs / wall clock of
  ``predict_proba``), peak memory (:data:`exomesa.benchmark.probes.MEMORY_MEASURE`), model size (MESA:
  parameters; LightGBM: trees, leaves and split nodes summed over all trees — leaves are the fitted values).
  tsfresh features are extracted once for all KOIs into a run-local cache before the folds (timed and
  reported); a fold's training time adds the pro-rated share of that extraction for its training rows, and
  its inference runs *without* the cache, so throughput includes extracting the test KOIs' features.
* Parallelism: the (fold, method) grid is cut into independent work units (:func:`_work_units`) run in
  ``workers`` spawned processes; each unit is seeded on its own, so the numbers do not depend on ``workers``.

``--quick`` runs the harness end to end in about a minute (600 KOIs, one fold, 1 epoch, the ``tiny``
tsfresh preset, 50 boosting rounds) into a temporary folder: it checks the machinery, not the numbers.

Outputs (:mod:`exomesa.jobs.benchmark`): ``results.json`` (schema ``exomesa-benchmark/1``) and
``RESULTS.md`` (:func:`exomesa.reporting.markdown.render_markdown`). Run::

    exomesa benchmark                         # full run, writes benchmarks/results.json + RESULTS.md
    exomesa benchmark --quick                 # smoke run into a temporary folder
    exomesa benchmark --render_only           # rebuild RESULTS.md from the existing JSON files
"""

from __future__ import annotations

import datetime as _dt
import logging
import multiprocessing
import os
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from exomesa.baselines.tsfresh_features import extract_lightcurve_features
from exomesa.benchmark.config import BenchmarkConfig
from exomesa.benchmark.methods import BENCHMARK_METHODS, FoldData, MethodSpec
from exomesa.benchmark.probes import MEMORY_MEASURE, PeakMemory, machine_info, versions
from exomesa.benchmark.real_methods import REAL_METHODS
from exomesa.data import CLASSES, LABEL, group_kfold, labels_to_index, load_catalog
from exomesa.data.toi import data_provenance
from exomesa.errors import ExomesaError
from exomesa.evaluation.metrics import evaluate
from exomesa.lightcurves import ViewSet, views_for_catalog
from exomesa.utils import import_optional

__all__ = [
    "SCHEMA",
    "fold_metrics",
    "run_benchmark",
    "summarize",
]

logger = logging.getLogger(__name__)

SCHEMA = "exomesa-benchmark/1"


# ----------------------------------------------------------------------------------------------- metrics
def fold_metrics(y_true: np.ndarray, proba: np.ndarray) -> dict[str, Any]:
    """The benchmark's metrics of one fold, taken from :func:`exomesa.evaluation.metrics.evaluate`."""
    res = evaluate(np.asarray(y_true), np.asarray(proba, dtype=np.float64), classes=CLASSES)
    report = res["classification"]["classification_report"]
    return {
        "accuracy": res["summary"]["accuracy"],
        "macro_f1": res["summary"]["macro_f1"],
        "f1": {c: report[c]["f1-score"] for c in CLASSES},
        "roc_auc_confirmed_vs_fp": res["summary"]["confirmed_vs_fp_roc_auc"],
        # vetters' metrics
        "pr_auc_confirmed_vs_fp": res["summary"]["confirmed_vs_fp_pr_auc"],
        "confirmed_recall_at_99_precision": res["summary"]["confirmed_recall_at_99_precision"],
        "ece": res["summary"]["ece"],
    }


def _mean_std(values: Sequence[float | None]) -> dict[str, Any]:
    vals = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=np.float64)
    if vals.size == 0:
        return {"mean": None, "std": None, "n": 0}
    return {"mean": float(vals.mean()), "std": float(vals.std()), "n": int(vals.size)}


def summarize(folds: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Mean ± std over folds of every metric and cost of one method."""

    out: dict[str, Any] = {}
    for key in (
        "accuracy",
        "macro_f1",
        "roc_auc_confirmed_vs_fp",
        "pr_auc_confirmed_vs_fp",
        "confirmed_recall_at_99_precision",
        "ece",
        "train_seconds",
        "throughput_kois_per_s",
    ):
        out[key] = _mean_std([f.get(key) for f in folds])
    out["f1"] = {c: _mean_std([f["f1"][c] for f in folds]) for c in CLASSES}
    out["peak_rss_mb"] = _mean_std([f.get("peak_rss_mb") for f in folds])
    out["peak_rss_delta_mb"] = _mean_std([f.get("peak_rss_delta_mb") for f in folds])
    sizes = [f.get("size") or {} for f in folds]
    out["size"] = {k: _mean_std([s.get(k) for s in sizes]) for k in sorted({k for s in sizes for k in s})}
    return out


# -------------------------------------------------------------------------------------------------- run
def _subset(df: pd.DataFrame, n: int | None, seed: int) -> pd.DataFrame:
    if n is None or n >= len(df):
        return df.reset_index(drop=True)
    rng = np.random.default_rng(seed)
    rows = np.sort(rng.choice(len(df), size=n, replace=False))
    return df.iloc[rows].reset_index(drop=True)


# ------------------------------------------------------------------------------------------ fold runner
#: shared-state groups: methods that must run in the same process for one fold (they share a pretrained model)
_UNIT_GROUPS: dict[str, str] = {
    "mesa_full_finetune": "mesa_finetune",
    "mesa_full_finetune_frozen": "mesa_finetune",
}
#: rough relative cost of a unit, to start the longest first when running in parallel
_UNIT_COST: dict[str, float] = {"mesa_finetune": 3.0, "mesa_full": 2.5, "mesa_seed": 2.0}


def _work_units(folds: Sequence[int], method_names: Sequence[str]) -> list[tuple[int, list[str]]]:
    """Split the (fold, method) grid into independent units: one per fold and method, except that methods
    sharing state (the two fine-tuning modes share their pretrained model) form one unit. Longest first."""
    units: list[tuple[int, list[str]]] = []
    for k in folds:
        groups: dict[str, list[str]] = {}
        for name in method_names:
            groups.setdefault(_UNIT_GROUPS.get(name, name), []).append(name)
        units.extend((k, names) for names in groups.values())

    def cost(unit: tuple[int, list[str]]) -> float:
        return max(_UNIT_COST.get(_UNIT_GROUPS.get(n, n), 1.0) for n in unit[1])

    return sorted(units, key=cost, reverse=True)  # stable: fold order kept within a cost


@dataclass
class FoldRunner:
    """The inputs every work unit shares, and :meth:`run_unit` to run one unit on them.

    Built once per run; in a parallel run it is handed to each worker process by the pool initializer.
    """

    df: pd.DataFrame  # the benchmark's KOI table [N] with a 0..N-1 index
    views: Any  # ViewSet [N] aligned to df
    folds: list[tuple[np.ndarray, np.ndarray]]  # group_kfold (train_idx, test_idx) per fold
    y: np.ndarray  # [N] class indices
    cfg: BenchmarkConfig  # resolved
    context: dict[str, Any]  # run-wide method context (tsfresh cache folder, extraction timing)

    @property
    def registry(self) -> dict[str, MethodSpec]:
        """The method registry of the run's suite (looked up by name: specs hold closures, not picklable)."""
        return REAL_METHODS if self.cfg.suite == "real" else BENCHMARK_METHODS

    def fold_data(self, k: int) -> FoldData:
        """Test fold ``k`` with its training, pretraining and fine-tuning parts (fine-tuning fold (k+1) mod n)."""
        tr, te = self.folds[k]
        ft = (k + 1) % self.cfg.n_splits
        ft_idx = self.folds[ft][1]
        pre_idx = np.setdiff1d(tr, ft_idx)
        df, views = self.df, self.views
        return FoldData(
            fold=k,
            train_df=df.iloc[tr].reset_index(drop=True),
            test_df=df.iloc[te].reset_index(drop=True),
            train_views=views.take(tr),
            test_views=views.take(te),
            finetune_fold=ft,
            pretrain_df=df.iloc[pre_idx].reset_index(drop=True),
            pretrain_views=views.take(pre_idx),
            finetune_df=df.iloc[ft_idx].reset_index(drop=True),
            finetune_views=views.take(ft_idx),
        )

    def run_unit(self, k: int, names: Sequence[str]) -> dict[tuple[int, str], dict[str, Any]]:
        """Run the methods ``names`` on test fold ``k``; returns ``{(k, name): fold row}``."""
        tr, te = self.folds[k]
        data = self.fold_data(k)
        context = dict(self.context)  # a unit's own state (e.g. its pretrained model), dropped after it
        rows: dict[tuple[int, str], dict[str, Any]] = {}
        try:
            for name in names:
                logger.info(
                    "fold %d/%d: %s (%d train, %d test KOIs)",
                    k + 1,
                    self.cfg.n_splits,
                    name,
                    len(tr),
                    len(te),
                )
                with PeakMemory() as mem:
                    out = self.registry[name].run(data, self.cfg, context)
                proba = np.asarray(out.proba, dtype=np.float64)
                if proba.shape != (len(te), len(CLASSES)):
                    raise ExomesaError(
                        f"benchmark method {name} returned probabilities of shape {proba.shape}; "
                        f"expected ({len(te)}, {len(CLASSES)})."
                    )
                row = {"fold": k, "n_train": int(len(tr)), "n_test": int(len(te))}
                row.update(fold_metrics(self.y[te], proba))
                row.update(
                    train_seconds=out.train_seconds,
                    predict_seconds=out.predict_seconds,
                    throughput_kois_per_s=len(te) / out.predict_seconds if out.predict_seconds > 0 else None,
                    peak_rss_mb=mem.peak_mib,
                    peak_rss_delta_mb=mem.delta_mib,
                    size=out.size,
                    extra=out.extra,
                )
                rows[(k, name)] = row
                logger.info(
                    "  %s fold %d: accuracy %.3f, macro-F1 %.3f, train %.1f s",
                    name,
                    k,
                    row["accuracy"],
                    row["macro_f1"],
                    out.train_seconds,
                )
        finally:
            if "mesa_tmp" in context:
                context["mesa_tmp"].cleanup()
        return rows


# The FoldRunner of a spawned worker process, set by its pool initializer. Only worker processes set it: a
# task submitted to the pool must find the shared data without re-sending it, and a pool task can reach only
# module state. The parent process never reads or writes it.
_worker_runner: FoldRunner | None = None


def _init_worker(runner: FoldRunner, log_level: int) -> None:
    """Pool initializer: keep ``runner``, log through a per-worker handler, one torch thread per worker."""
    global _worker_runner
    import torch  # the worker is a fresh spawned process; this only sets its thread count

    torch.set_num_threads(1)
    root = logging.getLogger("exomesa")
    if not root.handlers:
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(f"[worker {os.getpid()}] %(message)s"))
        root.addHandler(handler)
        root.propagate = False
    root.setLevel(log_level)
    _worker_runner = runner


def _run_unit_in_worker(k: int, names: Sequence[str]) -> dict[tuple[int, str], dict[str, Any]]:
    assert _worker_runner is not None, "called outside a benchmark worker process"
    return _worker_runner.run_unit(k, names)


def _run_units_in_parallel(
    units: list[tuple[int, list[str]]], runner: FoldRunner
) -> dict[tuple[int, str], dict[str, Any]]:
    """Run the units in ``cfg.workers`` spawned processes (one torch thread each); results are identical
    to a sequential run because every unit is seeded on its own."""
    workers = min(runner.cfg.workers, len(units))
    level = logging.getLogger("exomesa").getEffectiveLevel()
    logger.info("running %d fold x method units in %d worker processes", len(units), workers)
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    with ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),  # fork after torch/OpenMP start-up can hang
        initializer=_init_worker,
        initargs=(runner, level),
    ) as pool:
        futures = [pool.submit(_run_unit_in_worker, k, names) for k, names in units]
        for fut in as_completed(futures):
            rows.update(fut.result())
    return rows


# -------------------------------------------------------------------------------------------------- run
def _check_requirements(methods: Sequence[MethodSpec]) -> None:
    """Fail before any work, in one line, when a chosen method's optional package is missing."""
    for spec in methods:
        for module in spec.requires:
            import_optional(module, f"the benchmark method {spec.name}")


def _extract_tsfresh(all_views: Any, cfg: BenchmarkConfig, cache: str) -> dict[str, Any]:
    """Extract every KOI's tsfresh features once into ``cache``; returns the timing recorded in the results."""
    n = len(all_views.global_view)
    t0 = time.perf_counter()
    feats = extract_lightcurve_features(
        all_views.global_view,
        all_views.local_view,
        cfg.tsfresh_preset,
        n_jobs=cfg.tsfresh_n_jobs,
        cache_dir=cache,
    )
    secs = time.perf_counter() - t0
    logger.info("tsfresh: %d features for %d KOIs in %.1f s", feats.shape[1], n, secs)
    return {
        "n_kois": n,
        "seconds": secs,
        "seconds_per_koi": secs / max(n, 1),
        "kois_per_s": n / secs if secs > 0 else None,
        "n_features": int(feats.shape[1]),
        "preset": cfg.tsfresh_preset,
        "n_jobs": cfg.tsfresh_n_jobs,
    }


def run_methods(runner: FoldRunner, cfg: BenchmarkConfig, methods: Sequence[Any]) -> dict[str, Any]:
    """Every (fold, method) unit of ``runner``, in worker processes when ``cfg.workers > 1``; returns
    ``{method: {"folds": [...], "label", "description", "summary"}}`` (shared by every benchmark suite)."""
    units = _work_units(cfg.folds, [m.name for m in methods])
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    if cfg.workers <= 1 or len(units) <= 1:
        for k, names in units:
            rows.update(runner.run_unit(k, names))
    else:
        rows.update(_run_units_in_parallel(units, runner))
    results: dict[str, Any] = {}
    for spec in methods:
        fold_rows = [rows[(k, spec.name)] for k in cfg.folds]
        results[spec.name] = {
            "folds": fold_rows,
            "label": spec.label,
            "description": spec.description,
            "summary": summarize(fold_rows),
        }
    return results


def run_benchmark(
    config: BenchmarkConfig,
    *,
    catalog: pd.DataFrame | None = None,
    views: Any = None,
    command: str | None = None,
) -> dict[str, Any]:
    """Run every configured method on every configured fold; returns the ``results.json`` dict.

    Args:
        config: what to run (resolved here).
        catalog: the labelled KOI table (default: ``load_catalog(config.catalog)``, subset to ``n_kois``).
        views: a ViewSet for (some of) these KOIs; the rest are rendered (default: ``config.lightcurves``).
        command: the command line recorded in the results.
    """
    cfg = config.resolved()
    methods = [BENCHMARK_METHODS[m] for m in cfg.methods]
    _check_requirements(methods)
    t_start = time.perf_counter()
    df = catalog if catalog is not None else load_catalog(cfg.catalog)
    df = _subset(df, cfg.n_kois, cfg.seed)
    y_all = labels_to_index(df[LABEL])
    logger.info(
        "benchmark on %d KOIs, %d-fold CV (folds %s), methods: %s",
        len(df),
        cfg.n_splits,
        cfg.folds,
        cfg.methods,
    )

    t0 = time.perf_counter()
    given = views if views is not None else (ViewSet.load(cfg.lightcurves) if cfg.lightcurves else None)
    all_views = views_for_catalog(df, given)
    views_s = time.perf_counter() - t0

    context: dict[str, Any] = {}
    tmp_cache = None
    if any(m.name.startswith("tsfresh") for m in methods):
        tmp_cache = tempfile.TemporaryDirectory(prefix="exomesa-tsfresh-")
        context["tsfresh_cache"] = tmp_cache.name
        context["tsfresh_extraction"] = _extract_tsfresh(all_views, cfg, tmp_cache.name)

    folds = group_kfold(df, cfg.n_splits, cfg.seed)
    runner = FoldRunner(df, all_views, folds, y_all, cfg, context)
    try:
        results = run_methods(runner, cfg, methods)
    finally:
        if tmp_cache is not None:
            tmp_cache.cleanup()

    counts = np.bincount(y_all, minlength=len(CLASSES))
    return {
        "schema": SCHEMA,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "quick": cfg.quick,
        "config": asdict(cfg),
        "dataset": {
            "source": cfg.catalog,
            "provenance": data_provenance(cfg.catalog, df),
            "n_kois": int(len(df)),
            "n_stars": int(df["star_id"].nunique()) if "star_id" in df.columns else None,
            "class_counts": {c: int(counts[i]) for i, c in enumerate(CLASSES)},
            "views": all_views.counts(),
            "views_seconds": views_s,
            "fold_sizes": [int(len(te)) for _, te in folds],
        },
        "protocol": {
            "cv": f"{cfg.n_splits}-fold, stratified by disposition, grouped by kepid (exomesa.data.group_kfold)",
            "finetune": "test fold k: pretrain MESA (full) on the training folds except (k+1) mod n_splits, "
            "fine-tune on fold (k+1) mod n_splits (fully / freeze_backbone=True), evaluate on fold k",
            "std": "population standard deviation over folds (ddof=0)",
            "memory": MEMORY_MEASURE,
            "size": "MESA: number of model parameters (the frozen-backbone variant updates only the "
            "classifier head's); LightGBM: trees (one per class "
            "per boosting round), leaves (fitted leaf values) and split nodes summed over all trees",
            "throughput": "test-fold KOIs / wall-clock seconds of predict_proba (views precomputed; tsfresh "
            "features extracted inside the timed call)",
            "train_time": "wall clock of fit; TSFresh + LightGBM adds its pro-rated share of the one-off "
            "feature extraction",
            "parallelism": f"{cfg.workers} worker process(es) ran the fold x method units side by side "
            "(spawned; torch and LightGBM limited to one thread each when more than one), so times are "
            "per-core; the metrics do not depend on it",
        },
        "tsfresh_extraction": context.get("tsfresh_extraction"),
        "machine": machine_info(),
        "versions": versions(),
        "wall_seconds": time.perf_counter() - t_start,
        "methods": results,
    }
