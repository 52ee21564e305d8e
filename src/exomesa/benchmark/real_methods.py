"""Methods of the real-view suite (``exomesa benchmark --suite real``): registry :data:`REAL_METHODS`.

Every method trains on a fold's real-view KOIs and predicts its test KOIs, whose views are real too
(``fold_data.train_views`` / ``test_views``), except ``mesa_rendered``, which renders the same rows' views from
the catalog. The fine-tuned methods start from the one rendered-view MESA that
:func:`exomesa.benchmark.suites.run_real_benchmark` pretrains on the DR25 KOIs of stars with no real view
(``context["pretrained_path"]``), so no test star is ever seen in pretraining.

Default methods (:data:`REAL_DEFAULT_METHODS`): ``lgbm_tabular_full``, ``tsfresh_lgbm_full`` (tsfresh on the
real views), ``mesa_rendered``, ``mesa_real``, ``mesa_real_finetune``, ``mesa_real_finetune_frozen``,
``mesa_lc_only`` (``towers="lightcurve"``, AstroNet's setting). Variants for the light-curve tower study
(``--methods``): ``mesa_real_noaug`` (augmentation off), ``mesa_real_astronet`` and ``mesa_lc_only_astronet``
(``lc_encoder="astronet"``).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

from exomesa.benchmark.methods import (
    BENCHMARK_METHODS,
    FoldData,
    MethodResult,
    MethodSpec,
    _epochs_run,
    _mesa_size,
    mesa_classifier,
)

if TYPE_CHECKING:
    from exomesa.benchmark.config import BenchmarkConfig

__all__ = ["REAL_DEFAULT_METHODS", "REAL_METHODS"]

#: Real-view suite method name → spec.
REAL_METHODS: dict[str, MethodSpec] = {
    "lgbm_tabular_full": BENCHMARK_METHODS["lgbm_tabular_full"],
    "tsfresh_lgbm_full": BENCHMARK_METHODS["tsfresh_lgbm_full"],
}


def _mesa_real_method(
    *, rendered: bool = False, finetune: bool = False, freeze: bool = False, **params: Any
) -> Callable[[FoldData, BenchmarkConfig, dict], MethodResult]:
    """A MESA adapter: ``rendered`` renders the fold's views from the catalog instead of the real ones;
    ``finetune`` starts from ``context["pretrained_path"]`` (``freeze``: head only); ``params`` go to
    MESA's settings by field name (towers, lc_encoder, augment)."""

    def run(data: FoldData, config: BenchmarkConfig, context: dict) -> MethodResult:
        epochs = config.finetune_epochs if finetune else config.epochs
        clf = mesa_classifier(config, "full", epochs, **params)
        fit_kwargs: dict[str, Any] = {}
        if finetune:
            fit_kwargs = {"pretrained": context["pretrained_path"], "freeze_backbone": freeze}
        train_views = None if rendered else data.train_views  # None: rendered from the catalog
        test_views = None if rendered else data.test_views
        t0 = time.perf_counter()
        clf.fit(data.train_df, views=train_views, **fit_kwargs)
        train_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        proba = clf.predict_proba(data.test_df, views=test_views)
        predict_s = time.perf_counter() - t0
        extra: dict[str, Any] = {"epochs_run": _epochs_run(clf), "augment": bool(clf.augment_)}
        if finetune:
            extra.update(
                pretrain_seconds=context.get("pretrain_seconds"),
                pretrain_kois=context.get("pretrain_kois"),
                freeze_backbone=freeze,
            )
        return MethodResult(np.asarray(proba), train_s, predict_s, _mesa_size(clf), extra)

    return run


def _register(name: str, label: str, description: str, run: Callable) -> None:
    REAL_METHODS[name] = MethodSpec(name, label, description, run)


_register(
    "mesa_rendered",
    "MESA, rendered views",
    "MESA (full) from scratch on the same rows with views rendered from the catalog",
    _mesa_real_method(rendered=True),
)
_register(
    "mesa_real",
    "MESA, real views",
    "MESA (full) from scratch on the real views (augmentation on: augment='auto' with real views)",
    _mesa_real_method(),
)
_register(
    "mesa_real_finetune",
    "MESA pretrained (rendered) + fine-tuned (real)",
    "MESA (full) pretrained on the DR25 KOIs of stars without real views (rendered views), then fully "
    "fine-tuned on the fold's real-view training KOIs",
    _mesa_real_method(finetune=True),
)
_register(
    "mesa_real_finetune_frozen",
    "MESA pretrained (rendered) + fine-tuned head (real)",
    "as mesa_real_finetune, with freeze_backbone=True (only the classifier head learns on real views)",
    _mesa_real_method(finetune=True, freeze=True),
)
_register(
    "mesa_lc_only",
    "MESA light-curve tower only, real views",
    "MESA with towers='lightcurve' on the real views (AstroNet's setting: no catalog columns)",
    _mesa_real_method(towers="lightcurve"),
)

#: The methods of a real-suite run without ``--methods``, in this order.
REAL_DEFAULT_METHODS: tuple[str, ...] = tuple(REAL_METHODS)

# light-curve tower study (not run by default; pick with --methods)
_register(
    "mesa_real_noaug",
    "MESA, real views, no augmentation",
    "as mesa_real with augment=False",
    _mesa_real_method(augment=False),
)
_register(
    "mesa_real_astronet",
    "MESA (AstroNet columns), real views",
    "as mesa_real with lc_encoder='astronet' (separate global/local 1-D conv columns)",
    _mesa_real_method(lc_encoder="astronet"),
)
_register(
    "mesa_lc_only_astronet",
    "MESA light-curve tower only (AstroNet columns), real views",
    "as mesa_lc_only with lc_encoder='astronet'",
    _mesa_real_method(towers="lightcurve", lc_encoder="astronet"),
)
