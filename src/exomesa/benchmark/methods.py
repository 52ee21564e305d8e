"""The benchmark's methods: :class:`MethodSpec`, the registry :data:`BENCHMARK_METHODS` and the adapters.

A method is ``run(fold_data, config, context) -> MethodResult``: it trains on ``fold_data``'s training rows,
predicts the test rows and reports its cost. Registered here (see :func:`register_method`):

- ``mesa_seed`` / ``mesa_full``: MESA trained from scratch on the training folds.
- ``mesa_full_finetune`` / ``mesa_full_finetune_frozen``: for test fold *k*, MESA (``full``) is pretrained
  on the training folds except fold *(k+1) mod n*, then fine-tuned on that fold either fully or with
  ``freeze_backbone=True``. Both modes of a fold share the pretrained model (kept in ``context``); its training
  time is reported separately (``pretrain_seconds``).
- ``lgbm_tabular_seed`` / ``lgbm_tabular_full``: :class:`exomesa.baselines.TabularLightGBM`.
- ``tsfresh_lgbm_full``: :class:`exomesa.baselines.TsfreshLightGBM`.
- by name only: the archive and Gaia methods below. The ``full`` methods read the ``ephemeris`` group (part of
  ``full``); ``mesa_full_ephemeris`` / ``lgbm_tabular_full_ephemeris``, the methods of the opt-in preset it
  had before, are accepted as aliases of ``mesa_full`` / ``lgbm_tabular_full`` (:data:`METHOD_ALIASES`).
  The model search's variants and ablations of MESA live with the experiments (``benchmarks/mesa_variants.py``),
  which register them with :func:`register_method`.

The estimators are imported inside the adapters: ``exomesa benchmark --help`` lists the method names from
this module, and importing torch or scikit-learn for that would cost seconds.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from exomesa.mesa.config import get_preset, split_settings

if TYPE_CHECKING:
    import pandas as pd

    from exomesa.benchmark.config import BenchmarkConfig

__all__ = [
    "BENCHMARK_METHODS",
    "DEFAULT_METHODS",
    "METHOD_ALIASES",
    "FoldData",
    "MethodResult",
    "MethodSpec",
    "mesa_classifier",
    "mesa_method",
    "register_method",
]


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
@dataclass
class MethodSpec:
    """A benchmark method: ``run(fold_data, config, context) -> MethodResult``.

    ``context`` is a dict shared by the methods of one work unit (e.g. the pretrained MESA of a fold) and
    seeded with run-wide entries (the tsfresh cache folder and extraction timing).
    """

    name: str
    label: str
    description: str
    run: Callable[[FoldData, BenchmarkConfig, dict], MethodResult]
    requires: tuple[str, ...] = ()  # optional packages, checked before the run starts (one clear error)


#: Benchmark method name → spec (``--methods``); :data:`exomesa.baselines.BASELINE_METHODS` is another thing:
#: the two baseline estimators, which several of these methods use.
BENCHMARK_METHODS: dict[str, MethodSpec] = {}


def register_method(spec: MethodSpec) -> MethodSpec:
    """Add (or replace) a method; returns it."""
    BENCHMARK_METHODS[spec.name] = spec
    return spec


# ---------------------------------------------------------------------------------------------- adapters
def _lgbm_method(
    method: str, features: str | dict[str, list[str]]
) -> Callable[[FoldData, BenchmarkConfig, dict], MethodResult]:
    def run(data: FoldData, config: BenchmarkConfig, context: dict) -> MethodResult:
        from exomesa.baselines import make_baseline  # scikit-learn: loaded when a method runs

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


def mesa_classifier(
    config: BenchmarkConfig,
    features: str | dict[str, list[str]],
    epochs: int | None,
    preset: str | None = None,
    **settings: Any,
) -> Any:
    """An unfitted MESA for a benchmark run: ``preset`` and ``settings`` (field names of
    :mod:`exomesa.mesa.config`) over the run's seed, device, ``epochs`` and ``--batch_size``. The method's own
    batch size (in ``settings`` or its preset) wins over ``--batch_size``."""
    from exomesa.mesa.classifier import MesaClassifier  # torch: loaded when a method runs

    # ensemble members run in-process: the benchmark already runs one fold x method unit per core
    run: dict[str, Any] = {"seed": config.seed, "device": config.device, "ensemble_workers": 1}
    if epochs is not None:
        run["epochs"] = epochs
    own_batch = "batch_size" in settings or "batch_size" in get_preset(preset).overrides
    if config.batch_size is not None and not own_batch:
        run["batch_size"] = config.batch_size
    model, train = split_settings({**run, **settings}, "benchmark method settings")
    return MesaClassifier(features=features, preset=preset, model=model, train=train)


def mesa_method(
    features: str | dict[str, list[str]], preset: str | None = None, **settings: Any
) -> Callable[[FoldData, BenchmarkConfig, dict], MethodResult]:
    """MESA from scratch with the ``preset`` and ``settings`` (field names) given (variants and ablations)."""

    def run(data: FoldData, config: BenchmarkConfig, context: dict) -> MethodResult:
        clf = mesa_classifier(config, features, config.epochs, preset, **settings)
        # without --lightcurves MESA reads what it reads by default: the shipped real views where a KOI has
        # one (the fold's views are rendered for every row, for the methods that need a view per row)
        train_views = data.train_views if config.lightcurves else None
        test_views = data.test_views if config.lightcurves else None
        t0 = time.perf_counter()
        clf.fit(data.train_df, views=train_views)
        train_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        proba = clf.predict_proba(data.test_df, views=test_views)
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
    key = ("mesa_pretrained", data.fold)
    if key not in context:
        for old in [k for k in context if isinstance(k, tuple) and k[0] == "mesa_pretrained"]:
            del context[old]  # keep one pretrained model in memory at a time
        clf = mesa_classifier(config, "full", config.epochs)
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
        pretrained, pretrain_s = _pretrained_mesa(data, config, context)
        clf = mesa_classifier(config, "full", config.finetune_epochs)
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
    MethodSpec("mesa_seed", "MESA (seed features)", "MESA from scratch, seed preset", mesa_method("seed"))
)
register_method(
    MethodSpec("mesa_full", "MESA (full features)", "MESA from scratch, full preset", mesa_method("full"))
)
register_method(
    MethodSpec(
        "mesa_full_finetune",
        "MESA fine-tuned (full)",
        "MESA (full) pretrained on 3 training folds, fully fine-tuned on the 4th",
        _mesa_finetune_method(False),
    )
)
register_method(
    MethodSpec(
        "mesa_full_finetune_frozen",
        "MESA fine-tuned, frozen backbone (full)",
        "MESA (full) pretrained on 3 training folds, fine-tuned on the 4th with freeze_backbone=True",
        _mesa_finetune_method(True),
    )
)
register_method(
    MethodSpec(
        "lgbm_tabular_seed",
        "LightGBM tabular (seed)",
        "TabularLightGBM, seed preset",
        _lgbm_method("tabular", "seed"),
        requires=("lightgbm",),
    )
)
register_method(
    MethodSpec(
        "lgbm_tabular_full",
        "LightGBM tabular (full)",
        "TabularLightGBM, full preset",
        _lgbm_method("tabular", "full"),
        requires=("lightgbm",),
    )
)
register_method(
    MethodSpec(
        "tsfresh_lgbm_full",
        "TSFresh + LightGBM (full)",
        "TsfreshLightGBM: full tabular preset + tsfresh features of the local and downsampled global views",
        _lgbm_method("tsfresh", "full"),
        requires=("lightgbm", "tsfresh"),
    )
)


#: The methods a run uses when ``--methods`` is not given: all registered above, in this order (the
#: archive and Gaia methods registered below, and those registered by other code, run by name only).
DEFAULT_METHODS: tuple[str, ...] = tuple(BENCHMARK_METHODS)


def _mesa_bundled_recipe(features: str) -> Callable[[FoldData, BenchmarkConfig, dict], MethodResult]:
    """MESA with the bundled models' recipe (:data:`exomesa.bundled.BUNDLED_PARAMS`: physics tower only, so
    no light curve is rendered or read)."""

    def run(data: FoldData, config: BenchmarkConfig, context: dict) -> MethodResult:
        from exomesa.bundled import BUNDLED_PARAMS, blank_views

        clf = mesa_classifier(config, features, config.epochs, towers=BUNDLED_PARAMS["towers"])
        t0 = time.perf_counter()
        clf.fit(data.train_df, views=blank_views(data.train_df["candidate_id"]))
        train_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        proba = clf.predict_proba(data.test_df, views=blank_views(data.test_df["candidate_id"]))
        predict_s = time.perf_counter() - t0
        return MethodResult(
            np.asarray(proba), train_s, predict_s, _mesa_size(clf), {"epochs_run": _epochs_run(clf)}
        )

    return run


register_method(
    MethodSpec(
        "mesa_archive",
        "MESA (archive features, bundled recipe)",
        "MESA from scratch on the archive's default KOI columns, physics tower only (the bundled recipe)",
        _mesa_bundled_recipe("archive"),
    )
)
register_method(
    MethodSpec(
        "mesa_archive_default",
        "MESA (archive features, default recipe, physics tower)",
        "MESA's default (FT-Transformer, ensemble of 2, batch 64) on the archive's default KOI columns, "
        "physics tower only",
        mesa_method("archive", towers="physics"),
    )
)
register_method(
    MethodSpec(
        "lgbm_tabular_archive",
        "LightGBM tabular (archive)",
        "TabularLightGBM, archive preset (the archive's default KOI columns)",
        _lgbm_method("tabular", "archive"),
        requires=("lightgbm",),
    )
)


register_method(
    MethodSpec(
        "mesa_full_gaia",
        "MESA (full + Gaia DR2)",
        "MESA default on the full_gaia preset (Gaia DR2 stellar properties, Berger et al. 2018)",
        mesa_method("full_gaia"),
    )
)
register_method(
    MethodSpec(
        "lgbm_tabular_full_gaia",
        "LightGBM tabular (full + Gaia DR2)",
        "TabularLightGBM, full_gaia preset",
        _lgbm_method("tabular", "full_gaia"),
        requires=("lightgbm",),
    )
)
#: Earlier method names still accepted by ``--methods``: name → the method it now is. The ``full_ephemeris``
#: preset became ``full`` when the ephemeris group joined it, so its methods are the ``full`` ones.
METHOD_ALIASES: dict[str, str] = {
    "mesa_full_ephemeris": "mesa_full",
    "lgbm_tabular_full_ephemeris": "lgbm_tabular_full",
}
