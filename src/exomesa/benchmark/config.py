"""What a benchmark run does: :class:`BenchmarkConfig` and its resolution to the full or ``--quick`` sizes.

Unset fields (``None``) take the full-run defaults from :mod:`exomesa.defaults` (folds, seed, LightGBM rounds
and threads, tsfresh preset) or, with ``quick=True``, the smoke-test sizes in :data:`QUICK`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from exomesa.benchmark.methods import BENCHMARK_METHODS, DEFAULT_METHODS, METHOD_ALIASES
from exomesa.benchmark.real_methods import REAL_DEFAULT_METHODS, REAL_METHODS
from exomesa.defaults import BENCHMARK_REAL_SUITE, LGBM_PARAMS, N_FOLDS, SPLIT_SEED, TSFRESH_PRESET
from exomesa.errors import ExomesaError
from exomesa.utils import usable_cpus

__all__ = ["QUICK", "SUITES", "BenchmarkConfig"]

#: Benchmark suites: ``default`` (all DR25 KOIs, rendered unless --lightcurves) and ``real`` (only the KOIs
#: with real views; :mod:`exomesa.benchmark.suites`).
SUITES = ("default", "real")

#: ``--quick`` sizes: checks the harness end to end in about a minute, not the methods' numbers.
QUICK = {
    "n_kois": 600,  # random subset of the catalog
    "folds": [0],  # one test fold
    "epochs": 1,  # MESA epochs
    "batch_size": 64,  # MESA batch size
    "n_estimators": 50,  # LightGBM rounds
    "tsfresh_preset": "tiny",  # 10 features per view
    "workers": 1,  # in-process
}


@dataclass
class BenchmarkConfig:
    """What to run. ``quick`` switches the defaults below to the smoke-test sizes (see :meth:`resolved`)."""

    n_splits: int = N_FOLDS  # folds of group_kfold
    seed: int = SPLIT_SEED  # folds, models, subset
    quick: bool = False  # smoke run: subset, one fold, tiny settings
    n_kois: int | None = None  # random subset of the catalog (None = all 8,054; quick: 600)
    folds: list[int] | None = None  # which test folds to run (None = all; quick: [0])
    methods: list[str] | None = None  # method names (None = DEFAULT_METHODS)
    epochs: int | None = None  # MESA epochs (None = MesaClassifier default; quick: 1)
    finetune_epochs: int | None = None  # MESA fine-tuning epochs (None = epochs)
    batch_size: int | None = None  # MESA batch size (None = default; quick: 64)
    device: str = "auto"  # MESA device
    n_estimators: int | None = None  # LightGBM rounds (None = LGBM_PARAMS; quick: 50)
    tsfresh_preset: str | None = None  # None = TSFRESH_PRESET; quick: "tiny"
    tsfresh_n_jobs: int = 0  # tsfresh worker processes
    n_jobs: int | None = None  # LightGBM threads (None = LGBM_PARAMS when workers == 1, else 1; quick: 1)
    workers: int | None = None  # processes running units at once (None = min(2, CPUs); quick: 1)
    lightcurves: str | None = None  # ViewSet .npz with real views (others rendered)
    catalog: str = "dr25"  # catalog source for load_catalog
    suite: str = "default"  # "default" or "real" (KOIs with real views only; needs lightcurves)
    pretrain_epochs: int | None = None  # real suite: epochs of the rendered-view pretraining (None: default)
    tces: str | None = None  # real suite: AstroNet views file of labelled TCEs (mesa_real_tce pretraining)

    def resolved(self) -> BenchmarkConfig:
        """A copy with every ``None`` default filled in (quick or full sizes); unknown methods and folds,
        and fewer than one worker, are an :class:`ExomesaError`."""
        q = self.quick
        if self.suite not in SUITES:
            raise ExomesaError(f"unknown benchmark suite {self.suite!r}; available: {', '.join(SUITES)}.")
        real = self.suite == "real"
        registry = REAL_METHODS if real else BENCHMARK_METHODS
        out = BenchmarkConfig(**asdict(self))
        out.n_kois = self.n_kois if self.n_kois is not None else (QUICK["n_kois"] if q else None)
        if self.folds is not None:
            out.folds = list(self.folds)
        else:
            out.folds = list(QUICK["folds"]) if q else list(range(self.n_splits))
        default_methods = REAL_DEFAULT_METHODS if real else DEFAULT_METHODS
        out.methods = list(self.methods) if self.methods is not None else list(default_methods)
        if not real:  # earlier names of methods (e.g. mesa_full_ephemeris -> mesa_full), each run once
            out.methods = list(dict.fromkeys(METHOD_ALIASES.get(m, m) for m in out.methods))
        suite_epochs = BENCHMARK_REAL_SUITE["epochs"] if real else None
        out.epochs = self.epochs if self.epochs is not None else (QUICK["epochs"] if q else suite_epochs)
        if self.finetune_epochs is not None:
            out.finetune_epochs = self.finetune_epochs
        elif real and not q and self.epochs is None:
            out.finetune_epochs = BENCHMARK_REAL_SUITE["finetune_epochs"]
        else:
            out.finetune_epochs = out.epochs
        if self.pretrain_epochs is not None:
            out.pretrain_epochs = self.pretrain_epochs
        elif real:
            out.pretrain_epochs = QUICK["epochs"] if q else BENCHMARK_REAL_SUITE["pretrain_epochs"]
        out.batch_size = (
            self.batch_size if self.batch_size is not None else (QUICK["batch_size"] if q else None)
        )
        if self.n_estimators is not None:
            out.n_estimators = self.n_estimators
        else:
            out.n_estimators = QUICK["n_estimators"] if q else LGBM_PARAMS["n_estimators"]
        out.tsfresh_preset = self.tsfresh_preset or (QUICK["tsfresh_preset"] if q else TSFRESH_PRESET)
        if self.workers is not None:
            out.workers = self.workers
        else:
            out.workers = QUICK["workers"] if q else min(2, usable_cpus())
        if out.workers < 1:
            raise ExomesaError(f"workers must be at least 1, got {out.workers}.")
        if self.n_jobs is not None:
            out.n_jobs = self.n_jobs
        else:
            # one LightGBM thread in a quick run and per worker process when several run side by side
            out.n_jobs = 1 if q or out.workers > 1 else LGBM_PARAMS["n_jobs"]
        bad = [k for k in out.folds if not 0 <= k < self.n_splits]
        if bad:
            raise ExomesaError(f"fold(s) {bad} do not exist; folds are numbered 0..{self.n_splits - 1}.")
        unknown = [m for m in out.methods if m not in registry]
        if unknown:
            raise ExomesaError(
                f"unknown benchmark method(s) {unknown} for suite {self.suite!r}; available: "
                f"{', '.join(registry)}."
            )

        return out
