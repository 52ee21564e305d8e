"""Methods of the real-view suite (``exomesa benchmark --suite real``): registry :data:`REAL_METHODS`.

Every method trains on a fold's real-view KOIs and predicts its test KOIs, whose views are real too
(``fold_data.train_views`` / ``test_views``), except ``mesa_rendered``, which renders the same rows' views from
the catalog. The fine-tuned methods start from the one rendered-view MESA that
:func:`exomesa.benchmark.suites.run_real_benchmark` pretrains on the DR25 KOIs of stars with no real view
(``context["pretrained_path"]``), so no test star is ever seen in pretraining.

Default methods (:data:`REAL_DEFAULT_METHODS`): ``lgbm_tabular_full``, ``lgbm_view_pca_full`` (the ``full``
columns plus 16 principal components of the global view, fitted on the training fold), ``tsfresh_lgbm_full``
(tsfresh on the real views), ``mesa_rendered`` (the default MESA with every view rendered from the catalog),
``mesa_real`` (the default MESA on the real views) and ``mesa_lc_only`` (the default MESA with
``towers="lightcurve"``, AstroNet's setting). Variants (``--methods``): ``mesa_real_no_infonce``
(``contrastive_weight=0``), ``mesa_real_no_aux`` (no unimodal heads), ``mesa_real_patch`` and
``mesa_lc_only_patch`` (the patch-Transformer light-curve tower), ``mesa_real_noaug`` (augmentation off), and
the fine-tuning recipes ``mesa_real_finetune`` / ``mesa_real_finetune_frozen``.
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

#: Principal components of the global view that ``lgbm_view_pca_full`` adds to the ``full`` columns.
VIEW_PCA_COMPONENTS = 16


def _view_pca_method(
    n_components: int = VIEW_PCA_COMPONENTS,
) -> Callable[[FoldData, BenchmarkConfig, dict], MethodResult]:
    """LightGBM on the ``full`` columns plus ``n_components`` principal components of the global view (each
    view scaled to unit depth), the PCA fitted on the training fold's views only."""

    def run(data: FoldData, config: BenchmarkConfig, context: dict) -> MethodResult:
        from sklearn.decomposition import PCA

        from exomesa.baselines import TabularLightGBM
        from exomesa.features import resolve_feature_set

        def shapes(views: Any) -> np.ndarray:
            g = np.asarray(views.global_view, dtype=np.float64)  # [N, 2001]
            return g / np.maximum(np.abs(g.min(axis=1, keepdims=True)), 1e-6)

        names = [f"view_pca_{i}" for i in range(n_components)]
        t0 = time.perf_counter()
        pca = PCA(n_components, random_state=config.seed).fit(shapes(data.train_views))
        train_df = data.train_df.assign(
            **dict(zip(names, pca.transform(shapes(data.train_views)).T, strict=True))
        )
        features = resolve_feature_set("full")
        features["diagnostics"] = [*features.get("diagnostics", []), *names]
        model = TabularLightGBM(
            features=features, n_estimators=config.n_estimators, seed=config.seed, n_jobs=config.n_jobs
        ).fit(train_df)
        train_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        test_df = data.test_df.assign(
            **dict(zip(names, pca.transform(shapes(data.test_views)).T, strict=True))
        )
        proba = model.predict_proba(test_df)
        predict_s = time.perf_counter() - t0
        extra = {"pca_explained_variance": float(np.sum(pca.explained_variance_ratio_))}
        return MethodResult(np.asarray(proba), train_s, predict_s, model.model_size(), extra)

    return run


#: Real-view suite method name → spec.
REAL_METHODS: dict[str, MethodSpec] = {
    "lgbm_tabular_full": BENCHMARK_METHODS["lgbm_tabular_full"],
    "lgbm_view_pca_full": MethodSpec(
        "lgbm_view_pca_full",
        "LightGBM, full columns + 16 view PCA components",
        "LightGBM on the full columns plus 16 principal components of the real global view (PCA fitted on "
        "the training fold)",
        _view_pca_method(),
    ),
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


#: Epochs of the light-curve tower's pretraining on TCE labels (``mesa_real_tce``).
TCE_PRETRAIN_EPOCHS = 10


def _mesa_real_tce_method() -> Callable[[FoldData, BenchmarkConfig, dict], MethodResult]:
    """The default MESA whose light-curve tower is first pretrained on the ``av_training_set`` labels of the
    TCEs in ``--tces`` (KOIs or not) on every star except the test fold's."""

    def run(data: FoldData, config: BenchmarkConfig, context: dict) -> MethodResult:
        from exomesa.errors import ExomesaError
        from exomesa.lightcurves.astronet import read_tce_pretraining
        from exomesa.mesa.pretrain import pretrain_lightcurve_tower

        if not config.tces:
            raise ExomesaError(
                "the method mesa_real_tce needs --tces FILE (an AstroNet views file of DR24 TCEs)."
            )
        clf = mesa_classifier(config, "full", config.epochs)
        tces = read_tce_pretraining(config.tces)
        test_stars = set(data.test_df["kepid"].astype(int))
        keep = ~np.isin(tces["kepid"], list(test_stars))
        epochs = 1 if config.quick else TCE_PRETRAIN_EPOCHS
        t0 = time.perf_counter()
        state = pretrain_lightcurve_tower(
            clf.settings()[0],
            tces["global_view"][keep],
            tces["local_view"][keep],
            tces["label"][keep],
            epochs=epochs,
            seed=config.seed,
        )
        pretrain_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        clf.fit(data.train_df, views=data.train_views, lc_state=state)
        train_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        proba = clf.predict_proba(data.test_df, views=data.test_views)
        predict_s = time.perf_counter() - t0
        extra = {
            "epochs_run": _epochs_run(clf),
            "pretrain_tces": int(keep.sum()),
            "pretrain_tces_dropped_on_test_stars": int((~keep).sum()),
            "pretrain_epochs": epochs,
            "pretrain_seconds": pretrain_s,
        }
        return MethodResult(np.asarray(proba), train_s + pretrain_s, predict_s, _mesa_size(clf), extra)

    return run


def _register(name: str, label: str, description: str, run: Callable) -> None:
    REAL_METHODS[name] = MethodSpec(name, label, description, run)


_register(
    "mesa_rendered",
    "MESA, rendered views",
    "the default MESA (full) on the same rows with every view rendered from the catalog",
    _mesa_real_method(rendered=True, missing_view="render"),
)
_register(
    "mesa_real",
    "MESA, real views",
    "the default MESA (full) on the real views (augmentation on: augment='auto' with real views)",
    _mesa_real_method(),
)
_register(
    "mesa_lc_only",
    "MESA light-curve tower only, real views",
    "the default MESA with towers='lightcurve' on the real views (AstroNet's setting: no catalog columns)",
    _mesa_real_method(towers="lightcurve"),
)

#: The methods of a real-suite run without ``--methods``, in this order.
REAL_DEFAULT_METHODS: tuple[str, ...] = tuple(REAL_METHODS)

# variants and ablations (not run by default; pick with --methods)
_register(
    "mesa_real_no_infonce",
    "MESA, real views, no InfoNCE",
    "as mesa_real with contrastive_weight=0 (no alignment term)",
    _mesa_real_method(contrastive_weight=0.0),
)
_register(
    "mesa_real_tce",
    "MESA, real views, light-curve tower pretrained on TCEs",
    "as mesa_real, the light-curve tower first pretrained on the av_training_set labels of the --tces TCEs of "
    "every star outside the test fold",
    _mesa_real_tce_method(),
)
_register(
    "mesa_real_no_aux",
    "MESA, real views, no unimodal heads",
    "as mesa_real with aux_heads=False",
    _mesa_real_method(aux_heads=False),
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
    "mesa_real_noaug",
    "MESA, real views, no augmentation",
    "as mesa_real with augment=False",
    _mesa_real_method(augment=False),
)
_register(
    "mesa_real_patch",
    "MESA (patch Transformer), real views",
    "as mesa_real with lc_encoder='patch' (the light-curve tower of earlier versions)",
    _mesa_real_method(lc_encoder="patch"),
)
_register(
    "mesa_lc_only_patch",
    "MESA light-curve tower only (patch Transformer), real views",
    "as mesa_lc_only with lc_encoder='patch'",
    _mesa_real_method(towers="lightcurve", lc_encoder="patch"),
)
