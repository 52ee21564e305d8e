"""The accuracy/cost benchmark: every method on identical star-grouped folds of the DR25 KOI table.

Protocol (``exomesa benchmark``; ``benchmarks/run_benchmark.py`` calls :func:`main`):

* Data: all 8,054 DR25 KOIs (:func:`exomesa.data.catalog.load_dr25`), light-curve views from
  :func:`exomesa.lightcurves.views_for_catalog` (real views from ``--lightcurves`` where given, else rendered
  from catalog parameters), built once for the whole table.
* Folds: ``group_kfold(df, 5, seed)`` — stratified by disposition, grouped by host star (``kepid``), so no
  star is in a training and a test fold at once. Every method sees the same folds and the same views.
* Methods (:data:`METHODS`, pluggable via :func:`register_method`):

  - ``mesa_seed`` / ``mesa_full``: MESA trained from scratch on the 4 training folds.
  - ``mesa_full_finetune`` / ``mesa_full_finetune_frozen``: for test fold *k*, MESA (``full``) is pretrained
    on 3 of the 4 training folds (all but fold *(k+1) mod 5*), then fine-tuned on fold *(k+1) mod 5*
    either fully or with ``freeze_backbone=True``, and evaluated on fold *k*. The pretrained model is shared by
    both modes of a fold; its training time is reported separately (``pretrain_seconds``).
  - ``lgbm_tabular_seed`` / ``lgbm_tabular_full``: :class:`exomesa.baselines.lightgbm.TabularLightGBM`.
  - ``tsfresh_lgbm_full``: :class:`exomesa.baselines.lightgbm.TsfreshLightGBM` (tsfresh ``transit`` preset).

* Metrics per fold (from :func:`exomesa.evaluation.metrics.evaluate`): 3-class accuracy, macro-F1, per-class F1,
  ROC-AUC of CONFIRMED vs FALSE POSITIVE; reported as mean ± std (population std, ``ddof=0``) over folds.
* Cost per fold: training time (wall clock of ``fit``), inference throughput (test KOIs / wall clock of
  ``predict_proba``), peak memory (see :data:`MEMORY_MEASURE`), model size (MESA: trainable + frozen
  parameters; LightGBM: trees, leaves and split nodes summed over all trees — leaves are the fitted values).
  tsfresh features are extracted once for all KOIs into a run-local cache before the folds (timed and
  reported); a fold's training time adds the pro-rated share of that extraction for its training rows, and
  its inference runs *without* the cache, so throughput includes extracting the test KOIs' features.

``--quick`` runs the harness end to end in well under a minute (600 KOIs, one fold, 1 epoch, the ``tiny``
tsfresh preset, 50 boosting rounds) into a temporary folder: it checks the machinery, not the numbers.

Outputs: ``results.json`` (schema ``exomesa-benchmark/1``) and ``RESULTS.md`` (tables, machine, versions,
seed, the exact command, plus a key/value section per ``results/*.json`` written by the other benchmark
scripts). Run::

    exomesa benchmark                         # full run, writes benchmarks/results.json + RESULTS.md
    exomesa benchmark --quick                 # smoke run into a temporary folder
    exomesa benchmark --render_only           # rebuild RESULTS.md from the existing JSON files
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import platform
import re
import resource
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from exomesa.errors import ExomesaError
from exomesa.utils import check_writable, write_json

__all__ = [
    "SCHEMA",
    "METHODS",
    "DEFAULT_METHODS",
    "MEMORY_MEASURE",
    "BenchmarkConfig",
    "FoldData",
    "MethodResult",
    "MethodSpec",
    "register_method",
    "run_benchmark",
    "summarize",
    "render_markdown",
    "write_outputs",
    "machine_info",
    "versions",
    "main",
]

logger = logging.getLogger(__name__)

SCHEMA = "exomesa-benchmark/1"


# ------------------------------------------------------------------------------------------ configuration
@dataclass
class BenchmarkConfig:
    """What to run. ``quick`` switches the defaults below to the smoke-test sizes (see :meth:`resolved`)."""

    n_splits: int = 5  # folds of group_kfold
    seed: int = 42  # folds, models, subset
    quick: bool = False  # smoke run: subset, one fold, tiny settings
    n_kois: int | None = None  # random subset of the catalog (None = all 8,054; quick: 600)
    folds: list[int] | None = None  # which test folds to run (None = all; quick: [0])
    methods: list[str] | None = None  # method names (None = DEFAULT_METHODS)
    epochs: int | None = None  # MESA epochs (None = MesaClassifier default; quick: 1)
    finetune_epochs: int | None = None  # MESA fine-tuning epochs (None = epochs)
    batch_size: int | None = None  # MESA batch size (None = default)
    device: str = "auto"  # MESA device
    n_estimators: int | None = None  # LightGBM rounds (None = 300; quick: 50)
    tsfresh_preset: str | None = None  # None = "transit"; quick: "tiny"
    tsfresh_n_jobs: int = 0  # tsfresh worker processes
    n_jobs: int | None = None  # LightGBM threads (None = 2 when workers == 1, else 1; quick: 1)
    workers: int | None = None  # processes running units at once (None = min(2, CPUs); quick: 1)
    lightcurves: str | None = None  # ViewSet .npz with real views (others rendered)
    catalog: str = "dr25"  # catalog source for load_catalog

    def resolved(self) -> BenchmarkConfig:
        """A copy with every ``None`` default filled in (quick or full sizes)."""
        q = self.quick
        out = BenchmarkConfig(**asdict(self))
        out.n_kois = self.n_kois if self.n_kois is not None else (600 if q else None)
        out.folds = list(self.folds) if self.folds is not None else ([0] if q else list(range(self.n_splits)))
        out.methods = list(self.methods) if self.methods is not None else list(DEFAULT_METHODS)
        out.epochs = self.epochs if self.epochs is not None else (1 if q else None)
        out.finetune_epochs = self.finetune_epochs if self.finetune_epochs is not None else out.epochs
        out.batch_size = self.batch_size if self.batch_size is not None else (64 if q else None)
        out.n_estimators = self.n_estimators if self.n_estimators is not None else (50 if q else 300)
        out.tsfresh_preset = self.tsfresh_preset or ("tiny" if q else "transit")
        out.workers = self.workers if self.workers is not None else (1 if q else min(2, os.cpu_count() or 1))
        if out.workers < 1:
            raise ExomesaError(f"workers must be at least 1, got {out.workers}.")
        out.n_jobs = self.n_jobs if self.n_jobs is not None else (1 if q or out.workers > 1 else 2)
        bad = [k for k in out.folds if not 0 <= k < self.n_splits]
        if bad:
            raise ExomesaError(f"fold(s) {bad} do not exist; folds are numbered 0..{self.n_splits - 1}.")
        unknown = [m for m in out.methods if m not in METHODS]
        if unknown:
            raise ExomesaError(f"unknown benchmark method(s) {unknown}; available: {', '.join(METHODS)}.")
        return out


@dataclass
class FoldData:
    """One CV fold: tables with a fresh 0..N-1 index and the views aligned to their rows."""

    fold: int
    train_df: pd.DataFrame
    test_df: pd.DataFrame
    train_views: Any  # ViewSet [N_train]
    test_views: Any  # ViewSet [N_test]
    finetune_fold: int | None = None
    pretrain_df: pd.DataFrame | None = None  # the 3 training folds used for pretraining
    pretrain_views: Any = None
    finetune_df: pd.DataFrame | None = None  # the 4th training fold, used for fine-tuning
    finetune_views: Any = None


@dataclass
class MethodResult:
    """What a method returns for one fold."""

    proba: np.ndarray  # [N_test, 3] in CLASSES order
    train_seconds: float  # wall clock of the training that produced this model
    predict_seconds: float  # wall clock of predict_proba on the test fold
    size: dict[str, int]  # parameter count / tree statistics
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class MethodSpec:
    """A benchmark method: ``run(fold_data, config, context) -> MethodResult``.

    ``context`` is a dict shared by all methods and folds of one run (e.g. the pretrained MESA of a fold,
    the tsfresh cache folder).
    """

    name: str
    label: str
    description: str
    run: Callable[[FoldData, BenchmarkConfig, dict], MethodResult]
    family: str = "lightgbm"  # "mesa" or "lightgbm" (MESA methods are skipped when the API is missing)


METHODS: dict[str, MethodSpec] = {}


def register_method(spec: MethodSpec) -> MethodSpec:
    """Add (or replace) a method; returns it."""
    METHODS[spec.name] = spec
    return spec


# ------------------------------------------------------------------------------------------------ memory
def _vm_hwm_kib() -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            m = re.search(r"VmHWM:\s+(\d+)\s+kB", fh.read())
        return int(m.group(1)) if m else None
    except OSError:
        return None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


_CAN_RESET = sys.platform.startswith("linux") and _vm_hwm_kib() is not None

MEMORY_MEASURE = (
    "peak resident set size of the benchmark process during the method (Linux VmHWM from "
    "/proc/self/status, reset through /proc/self/clear_refs before each method and fold); it includes the "
    "catalog and views already in memory, so peak_rss_delta_mb (peak minus the RSS at the method's start) "
    "is the method's own footprint"
    if _CAN_RESET
    else "resource.getrusage(RUSAGE_SELF).ru_maxrss: the process's lifetime peak resident set size (not "
    "reset between methods, so it never decreases from one method to the next)"
)


def _current_rss_mib() -> float:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            m = re.search(r"VmRSS:\s+(\d+)\s+kB", fh.read())
        return int(m.group(1)) / 1024.0 if m else float("nan")
    except OSError:
        return float("nan")


class _PeakMemory:
    """Context manager measuring the peak RSS (MiB) of the block (see :data:`MEMORY_MEASURE`)."""

    def __enter__(self) -> _PeakMemory:
        if _CAN_RESET:
            _reset_peak()
        self.start_mib = _current_rss_mib()
        return self

    def __exit__(self, *exc: object) -> None:
        if _CAN_RESET:
            self.peak_mib = (_vm_hwm_kib() or 0) / 1024.0
        else:
            maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # bytes on macOS, KiB elsewhere
            self.peak_mib = maxrss / (1024.0**2 if sys.platform == "darwin" else 1024.0)
        self.delta_mib = self.peak_mib - self.start_mib


# ---------------------------------------------------------------------------------------------- methods
def _lgbm_method(method: str, features: str) -> Callable[[FoldData, BenchmarkConfig, dict], MethodResult]:
    def run(data: FoldData, config: BenchmarkConfig, context: dict) -> MethodResult:
        from exomesa.baselines.lightgbm import make_baseline

        kwargs: dict[str, Any] = {
            "n_estimators": config.n_estimators,
            "seed": config.seed,
            "n_jobs": config.n_jobs,
        }
        if method == "tsfresh":
            kwargs.update(
                tsfresh_preset=config.tsfresh_preset,
                tsfresh_n_jobs=config.tsfresh_n_jobs,
                cache_dir=context.get("tsfresh_cache"),
            )
        model = make_baseline(method, features=features, **kwargs)
        t0 = time.perf_counter()
        model.fit(data.train_df, views=data.train_views)
        train_s = time.perf_counter() - t0
        extra: dict[str, Any] = {}
        if method == "tsfresh":
            warm = context.get("tsfresh_extraction") or {}
            share = warm.get("seconds_per_koi", 0.0) * len(data.train_df)
            extra["fit_seconds_with_cached_features"] = train_s
            extra["extraction_seconds_prorated"] = share
            train_s += share
            model.cache_dir = None  # inference extracts the test KOIs' features itself
        t0 = time.perf_counter()
        proba = model.predict_proba(data.test_df, views=data.test_views)
        predict_s = time.perf_counter() - t0
        return MethodResult(proba, train_s, predict_s, model.model_size(), extra)

    return run


def _mesa_size(clf: Any) -> dict[str, int]:
    n = getattr(clf, "n_parameters_", None)
    if n is None and hasattr(getattr(clf, "model_", None), "parameters"):
        n = sum(p.numel() for p in clf.model_.parameters())
    return {} if n is None else {"n_parameters": int(n)}


def _mesa_kwargs(config: BenchmarkConfig, features: str, epochs: int | None) -> dict[str, Any]:
    kwargs: dict[str, Any] = {"features": features, "seed": config.seed, "device": config.device}
    if epochs is not None:
        kwargs["epochs"] = epochs
    if config.batch_size is not None:
        kwargs["batch_size"] = config.batch_size
    return kwargs


def _mesa_method(features: str) -> Callable[[FoldData, BenchmarkConfig, dict], MethodResult]:
    def run(data: FoldData, config: BenchmarkConfig, context: dict) -> MethodResult:
        from exomesa.mesa.classifier import MesaClassifier

        clf = MesaClassifier(**_mesa_kwargs(config, features, config.epochs))
        t0 = time.perf_counter()
        clf.fit(data.train_df, views=data.train_views)
        train_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        proba = clf.predict_proba(data.test_df, views=data.test_views)
        predict_s = time.perf_counter() - t0
        return MethodResult(
            np.asarray(proba), train_s, predict_s, _mesa_size(clf), {"epochs_run": _epochs_run(clf)}
        )

    return run


def _epochs_run(clf: Any) -> int | None:
    history = getattr(clf, "history_", None)
    return len(history) if history is not None else None


def _pretrained_mesa(data: FoldData, config: BenchmarkConfig, context: dict) -> tuple[Any, float]:
    """Checkpoint path of the MESA (full) pretrained on the 3 pretraining folds of this test fold, and its
    training seconds (cached in ``context``; the checkpoint lives in a run-local temporary folder)."""
    from exomesa.mesa.classifier import MesaClassifier

    key = ("mesa_pretrained", data.fold)
    if key not in context:
        for old in [k for k in context if isinstance(k, tuple) and k[0] == "mesa_pretrained"]:
            del context[old]  # keep one pretrained model in memory at a time
        clf = MesaClassifier(**_mesa_kwargs(config, "full", config.epochs))
        t0 = time.perf_counter()
        clf.fit(data.pretrain_df, views=data.pretrain_views)
        elapsed = time.perf_counter() - t0
        if "mesa_tmp" not in context:
            context["mesa_tmp"] = tempfile.TemporaryDirectory(prefix="exomesa-bench-mesa-")
        path = Path(context["mesa_tmp"].name) / f"pretrained_fold{data.fold}.pth"
        clf.save(path)
        context[key] = (path, elapsed)
    return context[key]


def _mesa_finetune_method(freeze_backbone: bool) -> Callable[[FoldData, BenchmarkConfig, dict], MethodResult]:
    def run(data: FoldData, config: BenchmarkConfig, context: dict) -> MethodResult:
        from exomesa.mesa.classifier import MesaClassifier

        pretrained, pretrain_s = _pretrained_mesa(data, config, context)
        clf = MesaClassifier(**_mesa_kwargs(config, "full", config.finetune_epochs))
        t0 = time.perf_counter()
        clf.fit(
            data.finetune_df,
            views=data.finetune_views,
            pretrained=pretrained,
            freeze_backbone=freeze_backbone,
        )
        train_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        proba = clf.predict_proba(data.test_df, views=data.test_views)
        predict_s = time.perf_counter() - t0
        extra = {
            "pretrain_seconds": pretrain_s,
            "pretrain_kois": len(data.pretrain_df),
            "finetune_kois": len(data.finetune_df),
            "finetune_fold": data.finetune_fold,
            "freeze_backbone": freeze_backbone,
            "epochs_run": _epochs_run(clf),
        }
        return MethodResult(np.asarray(proba), train_s, predict_s, _mesa_size(clf), extra)

    return run


register_method(
    MethodSpec(
        "mesa_seed", "MESA (seed features)", "MESA from scratch, seed preset", _mesa_method("seed"), "mesa"
    )
)
register_method(
    MethodSpec(
        "mesa_full", "MESA (full features)", "MESA from scratch, full preset", _mesa_method("full"), "mesa"
    )
)
register_method(
    MethodSpec(
        "mesa_full_finetune",
        "MESA fine-tuned (full)",
        "MESA (full) pretrained on 3 training folds, fully fine-tuned on the 4th",
        _mesa_finetune_method(False),
        "mesa",
    )
)
register_method(
    MethodSpec(
        "mesa_full_finetune_frozen",
        "MESA fine-tuned, frozen backbone (full)",
        "MESA (full) pretrained on 3 training folds, fine-tuned on the 4th with freeze_backbone=True",
        _mesa_finetune_method(True),
        "mesa",
    )
)
register_method(
    MethodSpec(
        "lgbm_tabular_seed",
        "LightGBM tabular (seed)",
        "TabularLightGBM, seed preset",
        _lgbm_method("tabular", "seed"),
    )
)
register_method(
    MethodSpec(
        "lgbm_tabular_full",
        "LightGBM tabular (full)",
        "TabularLightGBM, full preset",
        _lgbm_method("tabular", "full"),
    )
)
register_method(
    MethodSpec(
        "tsfresh_lgbm_full",
        "TSFresh + LightGBM (full)",
        "TsfreshLightGBM: full tabular preset + tsfresh features of the local and downsampled global views",
        _lgbm_method("tsfresh", "full"),
    )
)

DEFAULT_METHODS: tuple[str, ...] = tuple(METHODS)


def _mesa_available() -> bool:
    try:
        from exomesa.mesa.classifier import MesaClassifier  # noqa: F401
    except ImportError:
        return False
    return True


# ----------------------------------------------------------------------------------------------- metrics
def fold_metrics(y_true: np.ndarray, proba: np.ndarray) -> dict[str, Any]:
    """The benchmark's metrics of one fold, taken from :func:`exomesa.evaluation.metrics.evaluate`."""
    from exomesa.data import CLASSES
    from exomesa.evaluation.metrics import evaluate

    res = evaluate(np.asarray(y_true), np.asarray(proba, dtype=np.float64), classes=CLASSES)
    report = res["classification"]["classification_report"]
    return {
        "accuracy": res["summary"]["accuracy"],
        "macro_f1": res["summary"]["macro_f1"],
        "f1": {c: report[c]["f1-score"] for c in CLASSES},
        "roc_auc_confirmed_vs_fp": res["summary"]["confirmed_vs_fp_roc_auc"],
    }


def _mean_std(values: Sequence[float | None]) -> dict[str, Any]:
    vals = np.asarray([v for v in values if v is not None and np.isfinite(v)], dtype=np.float64)
    if vals.size == 0:
        return {"mean": None, "std": None, "n": 0}
    return {"mean": float(vals.mean()), "std": float(vals.std()), "n": int(vals.size)}


def summarize(folds: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Mean ± std over folds of every metric and cost of one method."""
    from exomesa.data import CLASSES

    out: dict[str, Any] = {}
    for key in ("accuracy", "macro_f1", "roc_auc_confirmed_vs_fp", "train_seconds", "throughput_kois_per_s"):
        out[key] = _mean_std([f.get(key) for f in folds])
    out["f1"] = {c: _mean_std([f["f1"][c] for f in folds]) for c in CLASSES}
    out["peak_rss_mb"] = _mean_std([f.get("peak_rss_mb") for f in folds])
    out["peak_rss_delta_mb"] = _mean_std([f.get("peak_rss_delta_mb") for f in folds])
    sizes = [f.get("size") or {} for f in folds]
    out["size"] = {k: _mean_std([s.get(k) for s in sizes]) for k in sorted({k for s in sizes for k in s})}
    return out


# ---------------------------------------------------------------------------------------------- machine
def machine_info() -> dict[str, Any]:
    """CPU, cores, memory, OS and (if any) GPU of this machine."""
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu": platform.processor() or None,
        "logical_cpus": os.cpu_count(),
    }
    try:
        info["usable_cpus"] = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS
        info["usable_cpus"] = os.cpu_count()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            m = re.search(r"model name\s*:\s*(.+)", fh.read())
        if m:
            info["cpu"] = m.group(1).strip()
        with open("/proc/meminfo", encoding="ascii") as fh:
            m = re.search(r"MemTotal:\s+(\d+)\s+kB", fh.read())
        if m:
            info["memory_gib"] = round(int(m.group(1)) / 1024**2, 1)
    except OSError:
        pass
    try:
        import torch

        info["torch_threads"] = torch.get_num_threads()
        info["cuda"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    except Exception:  # pragma: no cover - torch missing/broken
        info["cuda"] = None
    return info


def versions() -> dict[str, str | None]:
    """Versions of exomesa and the libraries that set the numbers."""
    from importlib.metadata import PackageNotFoundError, version

    out: dict[str, str | None] = {"python": platform.python_version()}
    for pkg in (
        "exomesa",
        "numpy",
        "pandas",
        "scikit-learn",
        "torch",
        "lightgbm",
        "tsfresh",
        "batman-package",
    ):
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = None
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

# per-process state of the fold runner (set by _init_worker: the table, views, folds, labels, config, context)
_WORKER: dict[str, Any] = {}


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


def _init_worker(
    df: pd.DataFrame,
    all_views: Any,
    folds: list[tuple[np.ndarray, np.ndarray]],
    y_all: np.ndarray,
    cfg: BenchmarkConfig,
    context: dict[str, Any],
    log_level: int | None,
) -> None:
    """Hold the shared inputs of :func:`_run_unit` in this process (a pool initializer, or called once
    in-process). ``log_level`` set: a spawned worker, which gets its own ``exomesa`` log handler and one
    torch thread (each worker has a core to itself)."""
    if log_level is not None:
        import torch

        torch.set_num_threads(1)
        root = logging.getLogger("exomesa")
        if not root.handlers:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter(f"[worker {os.getpid()}] %(message)s"))
            root.addHandler(handler)
            root.propagate = False
        root.setLevel(log_level)
    _WORKER.update(df=df, views=all_views, folds=folds, y=y_all, cfg=cfg, context=context)


def _run_unit(k: int, names: Sequence[str]) -> dict[tuple[int, str], dict[str, Any]]:
    """Run the methods ``names`` on test fold ``k``; returns ``{(k, name): fold row}``."""
    from exomesa.data import CLASSES

    df, all_views, folds, cfg = _WORKER["df"], _WORKER["views"], _WORKER["folds"], _WORKER["cfg"]
    y_all = _WORKER["y"]
    tr, te = folds[k]
    ft = (k + 1) % cfg.n_splits
    ft_idx = folds[ft][1]
    pre_idx = np.setdiff1d(tr, ft_idx)
    data = FoldData(
        fold=k,
        train_df=df.iloc[tr].reset_index(drop=True),
        test_df=df.iloc[te].reset_index(drop=True),
        train_views=all_views.take(tr),
        test_views=all_views.take(te),
        finetune_fold=ft,
        pretrain_df=df.iloc[pre_idx].reset_index(drop=True),
        pretrain_views=all_views.take(pre_idx),
        finetune_df=df.iloc[ft_idx].reset_index(drop=True),
        finetune_views=all_views.take(ft_idx),
    )
    context = dict(_WORKER["context"])  # a unit's own state (e.g. its pretrained model), dropped after it
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    try:
        for name in names:
            spec = METHODS[name]
            logger.info(
                "fold %d/%d: %s (%d train, %d test KOIs)", k + 1, cfg.n_splits, name, len(tr), len(te)
            )
            with _PeakMemory() as mem:
                out = spec.run(data, cfg, context)
            proba = np.asarray(out.proba, dtype=np.float64)
            if proba.shape != (len(te), len(CLASSES)):
                raise ExomesaError(
                    f"benchmark method {name} returned probabilities of shape {proba.shape}; "
                    f"expected ({len(te)}, {len(CLASSES)})."
                )
            row = {"fold": k, "n_train": int(len(tr)), "n_test": int(len(te))}
            row.update(fold_metrics(y_all[te], proba))
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


def _run_units_in_parallel(
    units: list[tuple[int, list[str]]],
    df: pd.DataFrame,
    all_views: Any,
    folds: list[tuple[np.ndarray, np.ndarray]],
    y_all: np.ndarray,
    cfg: BenchmarkConfig,
    context: dict[str, Any],
) -> dict[tuple[int, str], dict[str, Any]]:
    """Run the units in ``cfg.workers`` spawned processes (one torch thread each); results are identical
    to a sequential run because every unit is seeded on its own."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    level = logging.getLogger("exomesa").getEffectiveLevel()
    logger.info("running %d fold x method units in %d worker processes", len(units), cfg.workers)
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    with ProcessPoolExecutor(
        max_workers=min(cfg.workers, len(units)),
        mp_context=multiprocessing.get_context("spawn"),  # fork after torch/OpenMP start-up can hang
        initializer=_init_worker,
        initargs=(df, all_views, folds, y_all, cfg, context, level),
    ) as pool:
        futures = [pool.submit(_run_unit, k, names) for k, names in units]
        for fut in as_completed(futures):
            rows.update(fut.result())
    return rows


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
    from exomesa.data import CLASSES, LABEL, group_kfold, labels_to_index, load_catalog
    from exomesa.lightcurves import ViewSet, views_for_catalog

    cfg = config.resolved()
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

    methods = [METHODS[m] for m in cfg.methods]
    skipped: dict[str, str] = {}
    if any(m.family == "mesa" for m in methods) and not _mesa_available():
        for m in methods:
            if m.family == "mesa":
                skipped[m.name] = (
                    "exomesa.mesa.classifier.MesaClassifier is not available in this installation"
                )
        methods = [m for m in methods if m.family != "mesa"]
        logger.warning("MESA methods skipped: exomesa.mesa.classifier is not importable")

    t0 = time.perf_counter()
    given = views if views is not None else (ViewSet.load(cfg.lightcurves) if cfg.lightcurves else None)
    all_views = views_for_catalog(df, given)
    views_s = time.perf_counter() - t0

    context: dict[Any, Any] = {}
    tmp_cache = None
    if any(m.name.startswith("tsfresh") for m in methods):
        from exomesa.baselines.lightgbm import extract_lightcurve_features

        tmp_cache = tempfile.TemporaryDirectory(prefix="exomesa-tsfresh-")
        context["tsfresh_cache"] = tmp_cache.name
        t0 = time.perf_counter()
        feats = extract_lightcurve_features(
            all_views.global_view,
            all_views.local_view,
            cfg.tsfresh_preset,
            n_jobs=cfg.tsfresh_n_jobs,
            cache_dir=tmp_cache.name,
        )
        secs = time.perf_counter() - t0
        context["tsfresh_extraction"] = {
            "n_kois": len(df),
            "seconds": secs,
            "seconds_per_koi": secs / max(len(df), 1),
            "kois_per_s": len(df) / secs if secs > 0 else None,
            "n_features": int(feats.shape[1]),
            "preset": cfg.tsfresh_preset,
            "n_jobs": cfg.tsfresh_n_jobs,
        }
        logger.info("tsfresh: %d features for %d KOIs in %.1f s", feats.shape[1], len(df), secs)
        del feats

    folds = group_kfold(df, cfg.n_splits, cfg.seed)
    base_context = {k: v for k, v in context.items() if k in ("tsfresh_cache", "tsfresh_extraction")}
    units = _work_units(cfg.folds, [m.name for m in methods])
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    try:
        if cfg.workers <= 1 or len(units) <= 1:
            _init_worker(df, all_views, folds, y_all, cfg, base_context, None)
            for k, names in units:
                rows.update(_run_unit(k, names))
        else:
            rows.update(_run_units_in_parallel(units, df, all_views, folds, y_all, cfg, base_context))
    finally:
        _WORKER.clear()
        if tmp_cache is not None:
            tmp_cache.cleanup()

    results: dict[str, Any] = {m.name: {"folds": []} for m in methods}
    for k in cfg.folds:
        for spec in methods:
            results[spec.name]["folds"].append(rows[(k, spec.name)])

    for spec in methods:
        results[spec.name].update(label=spec.label, description=spec.description, family=spec.family)
        results[spec.name]["summary"] = summarize(results[spec.name]["folds"])

    counts = np.bincount(y_all, minlength=len(CLASSES))
    return {
        "schema": SCHEMA,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "command": command,
        "quick": cfg.quick,
        "config": asdict(cfg),
        "dataset": {
            "source": cfg.catalog,
            "n_kois": int(len(df)),
            "n_stars": int(df["kepid"].nunique()) if "kepid" in df.columns else None,
            "class_counts": {c: int(counts[i]) for i, c in enumerate(CLASSES)},
            "views": all_views.counts(),
            "views_seconds": views_s,
            "fold_sizes": [int(len(te)) for _, te in folds],
        },
        "protocol": {
            "cv": f"{cfg.n_splits}-fold, stratified by disposition, grouped by kepid (exomesa.data.catalog.group_kfold)",
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
        "skipped": skipped,
        "machine": machine_info(),
        "versions": versions(),
        "wall_seconds": time.perf_counter() - t_start,
        "methods": results,
    }


# ---------------------------------------------------------------------------------------------- rendering
def _fmt(x: Any, digits: int = 3) -> str:
    if x is None:
        return "–"
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int | np.integer):
        return f"{int(x):,}"
    if isinstance(x, float | np.floating):
        if not np.isfinite(x):
            return "–"
        ax = abs(x)
        if ax != 0 and (ax >= 1e5 or ax < 1e-3):
            return f"{x:.3g}"
        if ax >= 100:
            return f"{x:,.0f}"
        return f"{x:.{digits}f}"
    return str(x).replace("|", "\\|").replace("\n", " ")


def _ms(d: Mapping[str, Any] | None, digits: int = 3) -> str:
    if not d or d.get("mean") is None:
        return "–"
    if d.get("n", 0) <= 1:
        return _fmt(d["mean"], digits)
    mean, std = d["mean"], d["std"]
    if std is not None and 1e-3 <= abs(mean) < 100:
        return f"{_fmt(mean, digits)} ± {std:.{digits}f}"  # the std to the mean's decimals (not 0.000958)
    return f"{_fmt(mean, digits)} ± {_fmt(std, digits)}"


def _size_text(size: Mapping[str, Any]) -> str:
    def mean(key: str) -> Any:
        v = (size.get(key) or {}).get("mean")
        return None if v is None else int(round(v))

    if mean("n_parameters") is not None:
        return f"{_fmt(mean('n_parameters'))} parameters"
    if mean("n_trees") is not None:
        return f"{_fmt(mean('n_trees'))} trees / {_fmt(mean('n_leaves'))} leaves"
    return "–"


def _flatten(obj: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested dicts/lists → (dotted key, scalar) pairs; a list of scalars becomes one comma-joined value."""
    if isinstance(obj, Mapping):
        rows: list[tuple[str, Any]] = []
        for k, v in obj.items():
            rows.extend(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return rows
    if isinstance(obj, list):
        if all(not isinstance(v, Mapping | list) for v in obj):
            return [(prefix, ", ".join(_fmt(v) for v in obj) if len(obj) <= 12 else f"[{len(obj)} values]")]
        rows = []
        for i, v in enumerate(obj):
            rows.extend(_flatten(v, f"{prefix}[{i}]"))
        return rows
    return [(prefix, obj)]


def _kv_section(title: str, data: Any, max_rows: int = 80) -> list[str]:
    lines = [f"### {title}", ""]
    rows = _flatten(data)
    if not rows:
        return [*lines, "(empty)", ""]
    lines += ["| key | value |", "|---|---|"]
    for key, value in rows[:max_rows]:
        lines.append(f"| `{key or '(value)'}` | {_fmt(value)} |")
    if len(rows) > max_rows:
        lines.append(f"| … | {len(rows) - max_rows} more entries in the JSON file |")
    return [*lines, ""]


def render_markdown(results: Mapping[str, Any] | None, extra_files: Sequence[Path] = ()) -> str:
    """RESULTS.md text: the accuracy and cost tables, setup, and one key/value section per extra JSON file."""
    from exomesa.data import CLASSES

    lines = ["# exomesa benchmark results", ""]
    if results:
        ds = results.get("dataset", {})
        cfg = results.get("config", {})
        lines += [
            "Generated by `exomesa benchmark` (logic in `exomesa.benchmark.runner`); do not edit by hand — rerun:",
            "",
            "```",
            str(results.get("command") or "exomesa benchmark"),
            "```",
            "",
        ]
        if results.get("quick"):
            lines += [
                "**Quick smoke run (`--quick`): these numbers check the harness, not the methods.**",
                "",
            ]
        lines += [
            f"- Created: {results.get('created')}; wall time {_fmt(results.get('wall_seconds'), 0)} s",
            f"- Data: {ds.get('n_kois')} KOIs ({ds.get('source')}) on {ds.get('n_stars')} stars; classes "
            + ", ".join(f"{k} {v}" for k, v in (ds.get("class_counts") or {}).items()),
            "- Views: "
            + ", ".join(f"{v} {k}" for k, v in (ds.get("views") or {}).items() if v)
            + f" (built in {_fmt(ds.get('views_seconds'), 1)} s)",
            f"- Protocol: {results.get('protocol', {}).get('cv')}; folds run: {cfg.get('folds')}; "
            f"seed {cfg.get('seed')}; fold sizes {ds.get('fold_sizes')}",
            f"- MESA: epochs {cfg.get('epochs') or 'default'}, fine-tuning epochs "
            f"{cfg.get('finetune_epochs') or 'default'}, device {cfg.get('device')}; LightGBM: "
            f"{cfg.get('n_estimators')} rounds; tsfresh preset `{cfg.get('tsfresh_preset')}`",
            "",
            "## Accuracy (mean ± std over folds)",
            "",
            "| method | accuracy | macro-F1 | "
            + " | ".join(f"F1 {c}" for c in CLASSES)
            + " | ROC-AUC CONFIRMED vs FP |",
            "|---|" + "---|" * (3 + len(CLASSES)),
        ]
        methods = results.get("methods", {})
        for name, m in methods.items():
            s = m.get("summary", {})
            lines.append(
                f"| {m.get('label', name)} | {_ms(s.get('accuracy'))} | {_ms(s.get('macro_f1'))} | "
                + " | ".join(_ms((s.get("f1") or {}).get(c)) for c in CLASSES)
                + f" | {_ms(s.get('roc_auc_confirmed_vs_fp'))} |"
            )
        lines += [
            "",
            "## Cost (mean ± std over folds)",
            "",
            "| method | training time (s) | inference (KOIs/s) | peak RSS (MiB) | RSS increase (MiB) | model size |",
            "|---|---|---|---|---|---|",
        ]
        for name, m in methods.items():
            s = m.get("summary", {})
            lines.append(
                f"| {m.get('label', name)} | {_ms(s.get('train_seconds'), 1)} | "
                f"{_ms(s.get('throughput_kois_per_s'), 0)} | {_ms(s.get('peak_rss_mb'), 0)} | "
                f"{_ms(s.get('peak_rss_delta_mb'), 0)} | {_size_text(s.get('size') or {})} |"
            )
        pre = [
            f.get("extra", {}).get("pretrain_seconds")
            for m in methods.values()
            for f in m.get("folds", [])
            if f.get("extra", {}).get("pretrain_seconds") is not None
        ]
        lines.append("")
        if pre:
            lines.append(
                f"MESA pretraining for the fine-tuning rows (3 of 4 training folds): {_fmt(float(np.mean(pre)), 1)} s "
                "per fold on average, not included in their training time."
            )
        ts = results.get("tsfresh_extraction")
        if ts:
            lines.append(
                f"tsfresh extraction (preset `{ts.get('preset')}`, {ts.get('n_features')} features, "
                f"n_jobs={ts.get('n_jobs')}): {ts.get('n_kois')} KOIs in {_fmt(ts.get('seconds'), 1)} s "
                f"({_fmt(ts.get('kois_per_s'), 1)} KOIs/s)."
            )
        if results.get("skipped"):
            for name, why in results["skipped"].items():
                lines.append(f"Skipped `{name}`: {why}.")
        proto = results.get("protocol", {})
        lines += ["", "### How the numbers are measured", ""]
        lines += [f"- **{k}**: {v}" for k, v in proto.items()]
        lines += ["", "## Machine and versions", ""]
        lines += _kv_section("Machine", results.get("machine", {}))
        lines += _kv_section("Versions", results.get("versions", {}))
    else:
        lines += ["No `results.json` yet: run `exomesa benchmark`.", ""]
    extra_files = [Path(p) for p in extra_files]
    if extra_files:
        lines += ["## Other benchmark scripts", ""]
        for path in extra_files:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                lines += [f"### {path.stem}", "", f"(unreadable: {exc})", ""]
                continue
            lines += _kv_section(f"{path.stem} (`results/{path.name}`)", data)
    return "\n".join(lines).rstrip() + "\n"


def write_outputs(results: Mapping[str, Any] | None, out_dir: Path | str) -> tuple[Path | None, Path]:
    """Write ``results.json`` (when given) and ``RESULTS.md`` into ``out_dir``; returns their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    json_path = write_json(out_dir / "results.json", results) if results is not None else None
    extra = sorted((out_dir / "results").glob("*.json")) if (out_dir / "results").is_dir() else []
    md = render_markdown(results, extra)
    md_path = out_dir / "RESULTS.md"
    md_path.write_text(md, encoding="utf-8")
    return json_path, md_path


# -------------------------------------------------------------------------------------------------- entry
DEFAULT_OUT_DIR = Path("benchmarks")


def _holds_full_results(out_dir: Path) -> bool:
    """Whether ``out_dir/results.json`` exists and is not itself a quick run's output."""
    path = out_dir / "results.json"
    if not path.exists():
        return False
    try:
        return not json.loads(path.read_text(encoding="utf-8")).get("quick", False)
    except (OSError, ValueError, AttributeError):
        return True


def main(args: Any, command: str | None = None) -> dict[str, Any] | None:
    """Run (or re-render) the benchmark from parsed CLI arguments; returns the results dict.

    ``args`` has the attributes added by :func:`exomesa.cli.benchmark.add_arguments`.
    """
    if args.render_only:
        out_dir = Path(args.out_dir or DEFAULT_OUT_DIR)
        json_path = out_dir / "results.json"
        results = json.loads(json_path.read_text(encoding="utf-8")) if json_path.is_file() else None
        _, md = write_outputs(results, out_dir)
        logger.info("wrote %s", md)
        return results

    if args.quick:
        out_dir = (
            Path(args.out_dir) if args.out_dir else Path(tempfile.mkdtemp(prefix="exomesa-bench-quick-"))
        )
        if _holds_full_results(out_dir) or out_dir.resolve() == DEFAULT_OUT_DIR.resolve():
            raise ExomesaError(
                f"--quick never writes over {out_dir / 'results.json'} (the full benchmark's results); "
                "choose another --out_dir or omit it (a temporary folder is used)."
            )
    else:
        out_dir = Path(args.out_dir or DEFAULT_OUT_DIR)
    check_writable([out_dir / "results.json", out_dir / "RESULTS.md"], args.force, "benchmark results")

    config = BenchmarkConfig(
        n_splits=args.n_splits,
        seed=args.seed,
        quick=args.quick,
        n_kois=args.n_kois,
        folds=args.folds,
        methods=args.methods,
        epochs=args.epochs,
        finetune_epochs=args.finetune_epochs,
        batch_size=args.batch_size,
        device=args.device,
        n_estimators=args.n_estimators,
        tsfresh_preset=args.tsfresh_preset,
        tsfresh_n_jobs=args.tsfresh_n_jobs,
        n_jobs=args.n_jobs,
        workers=args.workers,
        lightcurves=args.lightcurves,
    )
    results = run_benchmark(config, command=command)
    json_path, md_path = write_outputs(results, out_dir)
    logger.info("wrote %s and %s", json_path, md_path)
    return results
