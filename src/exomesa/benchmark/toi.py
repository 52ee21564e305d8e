"""The TESS benchmark: vetting TOIs, and transfer from Kepler, on TIC-grouped folds of the embedded TOI table.

Protocol (:func:`run_toi_benchmark`; ``benchmarks/run_toi_benchmark.py`` writes ``benchmarks/results_toi.json``):

* Data: the 7,215 labelled TOIs of the embedded ExoFOP-TESS table (exported 2024-09-30;
  :mod:`exomesa.data.toi`), folds from ``group_kfold(toi, 5, seed)``: stratified by disposition, grouped by TIC
  ID, so no star is in a training and a test fold at once. Kepler: all 8,054 DR25 KOIs.
* Views: rendered from each catalog's own parameters (:func:`~exomesa.lightcurves.views_for_catalog`); TOI
  noise follows the planet SNR and the listed sectors; the 100 labelled single-transit TOIs get flat views.
* Features: the columns both catalogs share, the ``shared`` preset (seed five + duration + SNR), for every
  transfer method; the LightGBM and MESA ``toi`` rows use every non-leaky TOI column (``toi`` preset).
* Methods (:data:`TOI_METHODS`):

  - ``mesa_kepler_zero_shot``: MESA trained on all of Kepler DR25, scoring the TOI test fold as is;
  - ``mesa_kepler_finetune`` / ``mesa_kepler_finetune_frozen``: that Kepler model fine-tuned on the TOI
    training folds, fully or with ``freeze_backbone=True``;
  - ``mesa_toi_scratch`` (``shared``) / ``mesa_toi_scratch_toi`` (``toi`` preset): MESA trained on TOIs only;
  - ``lgbm_tabular_shared`` / ``lgbm_tabular_toi``, ``tsfresh_lgbm_shared``: the LightGBM baselines.

* Metrics per fold as the Kepler benchmark (:func:`exomesa.benchmark.runner.fold_metrics`), mean ± std.
"""

from __future__ import annotations

import datetime as _dt
import logging
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from exomesa.benchmark.probes import machine_info, versions
from exomesa.benchmark.runner import fold_metrics, summarize
from exomesa.data import LABEL, group_kfold, labels_to_index, load_catalog
from exomesa.data.toi import data_provenance
from exomesa.defaults import LGBM_PARAMS, SPLIT_SEED, TSFRESH_PRESET

__all__ = ["TOI_METHODS", "TOI_SCHEMA", "run_toi_benchmark"]

logger = logging.getLogger(__name__)

TOI_SCHEMA = "exomesa-benchmark-toi/1"
#: method name → (label, description)
TOI_METHODS: dict[str, tuple[str, str]] = {
    "mesa_kepler_zero_shot": ("MESA Kepler → TESS zero-shot", "trained on all DR25 KOIs (shared), no TOI"),
    "mesa_kepler_finetune": (
        "MESA Kepler-pretrained, fine-tuned",
        "DR25 model fully fine-tuned on TOI folds",
    ),
    "mesa_kepler_finetune_frozen": (
        "MESA Kepler-pretrained, frozen backbone",
        "DR25 model fine-tuned on TOI folds with freeze_backbone=True",
    ),
    "mesa_toi_scratch": ("MESA TOI from scratch (shared)", "MESA on the TOI training folds, shared preset"),
    "mesa_toi_scratch_toi": ("MESA TOI from scratch (toi)", "MESA on the TOI training folds, toi preset"),
    "lgbm_tabular_shared": ("LightGBM tabular (shared)", "TabularLightGBM, shared preset"),
    "lgbm_tabular_toi": ("LightGBM tabular (toi)", "TabularLightGBM, toi preset"),
    "tsfresh_lgbm_shared": ("TSFresh + LightGBM (shared)", "TsfreshLightGBM, shared preset + view features"),
}


def _subset_stars(df: pd.DataFrame, n: int | None, seed: int) -> pd.DataFrame:
    """About ``n`` rows: whole stars drawn at random (so grouping stays meaningful)."""
    if n is None or n >= len(df):
        return df.reset_index(drop=True)
    stars = df["star_id"].unique()
    rng = np.random.default_rng(seed)
    chosen = set(rng.permutation(stars)[: max(1, int(len(stars) * n / len(df)))].tolist())
    return df[df["star_id"].isin(chosen)].reset_index(drop=True)


def _mesa(features: str, seed: int, epochs: int | None, device: str) -> Any:
    from exomesa.mesa.classifier import MesaClassifier

    train: dict[str, Any] = {"seed": seed, "device": device}
    if epochs is not None:
        train["epochs"] = epochs
    return MesaClassifier(features=features, train=train)


def _timed(fn, *args, **kwargs) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - t0


def run_toi_benchmark(
    *,
    n_splits: int = 5,
    seed: int = SPLIT_SEED,
    methods: Sequence[str] | None = None,
    epochs: int | None = None,
    finetune_epochs: int | None = None,
    n_estimators: int = LGBM_PARAMS["n_estimators"],
    tsfresh_preset: str = TSFRESH_PRESET,
    n_tois: int | None = None,
    n_kepler: int | None = None,
    folds: Sequence[int] | None = None,
    device: str = "cpu",
    on_fold: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Run the TESS benchmark (see module docstring) and return the results dict (schema :data:`TOI_SCHEMA`).

    ``n_tois`` / ``n_kepler`` / ``folds`` / ``epochs`` shrink the run for a smoke test; ``None`` = everything.
    ``on_fold`` gets the results so far after every fold (the script saves them, so a long run that is
    stopped keeps its finished folds; ``protocol.completed_folds`` says which).
    """
    from exomesa.baselines import make_baseline
    from exomesa.data import load_dr25
    from exomesa.lightcurves import views_for_catalog

    start = time.perf_counter()
    methods = list(methods or TOI_METHODS)
    unknown = sorted(set(methods) - set(TOI_METHODS))
    if unknown:
        from exomesa.errors import ExomesaError

        raise ExomesaError(f"unknown TOI benchmark method(s) {unknown}; choose from {list(TOI_METHODS)}.")
    toi = _subset_stars(load_catalog("toi"), n_tois, seed)
    toi_views = views_for_catalog(toi)
    y = labels_to_index(toi[LABEL].tolist())
    fold_pairs = group_kfold(toi, n_splits, seed)
    run_folds = list(folds) if folds is not None else list(range(n_splits))
    results: dict[str, list[dict[str, Any]]] = {m: [] for m in methods}
    tmp = tempfile.TemporaryDirectory(prefix="exomesa-toi-bench-")
    pretrain: dict[str, Any] = {}

    needs_kepler = any(m.startswith("mesa_kepler") for m in methods)
    if needs_kepler:
        kepler = _subset_stars(load_dr25(), n_kepler, seed)
        kepler_views = views_for_catalog(kepler)
        clf, secs = _timed(_mesa("shared", seed, epochs, device).fit, kepler, views=kepler_views)
        path = Path(tmp.name) / "kepler_shared.pth"
        clf.save(path)
        pretrain = {"kepler_kois": len(kepler), "seconds": round(secs, 2), "epochs_run": len(clf.history_)}
        kepler_clf = clf
        logger.info("Kepler model (shared features) trained on %d KOIs in %.0f s", len(kepler), secs)

    done: list[int] = []

    def assemble() -> dict[str, Any]:
        return _results(toi, toi_views, pretrain, needs_kepler, results, methods, start,
                        n_splits=n_splits, seed=seed, run_folds=run_folds, completed=done, epochs=epochs,
                        finetune_epochs=finetune_epochs, n_estimators=n_estimators,
                        tsfresh_preset=tsfresh_preset, device=device)  # fmt: skip

    for k in run_folds:
        tr, te = fold_pairs[k]
        train_df, test_df = toi.iloc[tr].reset_index(drop=True), toi.iloc[te].reset_index(drop=True)
        train_v, test_v = toi_views.take(tr), toi_views.take(te)
        for name in methods:
            extra: dict[str, Any] = {}
            if name == "mesa_kepler_zero_shot":
                model, train_s = kepler_clf, 0.0
                extra["pretrain_seconds"] = pretrain["seconds"]
            elif name.startswith("mesa_kepler_finetune"):
                frozen = name.endswith("frozen")
                model = _mesa("shared", seed, finetune_epochs, device)
                _, train_s = _timed(
                    model.fit, train_df, views=train_v, pretrained=path, freeze_backbone=frozen
                )
                extra.update(pretrain_seconds=pretrain["seconds"], freeze_backbone=frozen)
            elif name.startswith("mesa_toi_scratch"):
                model = _mesa("toi" if name.endswith("_toi") else "shared", seed, epochs, device)
                _, train_s = _timed(model.fit, train_df, views=train_v)
            else:
                method = "tsfresh" if name.startswith("tsfresh") else "tabular"
                kwargs: dict[str, Any] = {"n_estimators": n_estimators, "seed": seed}
                if method == "tsfresh":
                    kwargs.update(tsfresh_preset=tsfresh_preset, cache_dir=str(Path(tmp.name) / "tsfresh"))
                features = "toi" if name.endswith("_toi") else "shared"
                model = make_baseline(method, features=features, **kwargs)
                _, train_s = _timed(model.fit, train_df, views=train_v)
            proba, predict_s = _timed(model.predict_proba, test_df, views=test_v)
            if model.kind == "mesa" and name != "mesa_kepler_zero_shot":
                extra["epochs_run"] = len(model.training_history())
            row = {"fold": k, "n_train": len(train_df), "n_test": len(test_df)}
            row.update(fold_metrics(y[te], np.asarray(proba)))
            row.update(
                train_seconds=train_s, throughput_kois_per_s=len(test_df) / max(predict_s, 1e-9), **extra
            )
            results[name].append(row)
            logger.info("fold %d %-28s accuracy %.3f macro-F1 %.3f (%.0f s)", k, name, row["accuracy"],
                        row["macro_f1"], train_s)  # fmt: skip
        done.append(k)
        if on_fold is not None:
            on_fold(assemble())
    tmp.cleanup()
    return assemble()


def _results(
    toi: pd.DataFrame,
    toi_views: Any,
    pretrain: dict[str, Any],
    needs_kepler: bool,
    results: dict[str, list[dict[str, Any]]],
    methods: Sequence[str],
    start: float,
    *,
    n_splits: int,
    seed: int,
    run_folds: list[int],
    completed: list[int],
    epochs: int | None,
    finetune_epochs: int | None,
    n_estimators: int,
    tsfresh_preset: str,
    device: str,
) -> dict[str, Any]:
    """The results dict (schema :data:`TOI_SCHEMA`) of the folds finished so far."""
    sources = toi_views.provenance_counts() if hasattr(toi_views, "provenance_counts") else {}
    return {
        "schema": TOI_SCHEMA,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "dataset": {
            **data_provenance("toi"),
            "n_tois": len(toi),
            "n_stars": int(toi["star_id"].nunique()),
            "counts": toi[LABEL].value_counts().to_dict(),
            "views": {"source": toi_views.counts(), "provenance": sources},
            "kepler": data_provenance("dr25") | pretrain if needs_kepler else None,
        },
        "protocol": {
            "folds": f"group_kfold(toi, {n_splits}, seed={seed}): stratified by disposition, grouped by TIC ID",
            "run_folds": run_folds,
            "completed_folds": list(completed),
            "epochs": epochs,
            "finetune_epochs": finetune_epochs,
            "n_estimators": n_estimators,
            "tsfresh_preset": tsfresh_preset,
            "device": device,
        },
        "methods": {
            m: {
                "label": TOI_METHODS[m][0],
                "description": TOI_METHODS[m][1],
                "folds": results[m],
                "summary": summarize(results[m]),
            }  # fmt: skip
            for m in methods
        },
        "machine": machine_info(),
        "versions": versions(),
        "wall_seconds": round(time.perf_counter() - start, 1),
    }


def markdown_table(results: dict[str, Any]) -> str:
    """The README/RESULTS table of a TOI benchmark run: one row per method, mean ± std over folds."""

    def ms(stat: dict[str, Any] | None, pct: bool = True) -> str:
        if not stat or stat.get("mean") is None:
            return "–"
        f = 100.0 if pct else 1.0
        return f"{f * stat['mean']:.1f} ± {f * stat['std']:.1f}" if pct else f"{stat['mean']:.0f}"

    lines = [
        "| method | accuracy % | macro-F1 % | ROC-AUC CONFIRMED vs FP % | train s / fold |",
        "|---|---|---|---|---|",
    ]
    for spec in results["methods"].values():
        s = spec["summary"]
        lines.append(
            f"| {spec['label']} | {ms(s.get('accuracy'))} | {ms(s.get('macro_f1'))} | "
            f"{ms(s.get('roc_auc_confirmed_vs_fp'))} | {ms(s.get('train_seconds'), pct=False)} |"
        )
    return "\n".join(lines)
