"""Catalog LightGBM, view PCA, and fusion with the light-curve model's scores; the view-presence study.

Uses the cached arrays of prepare.py and the out-of-fold LC probabilities of lc_models.py:
``$CACHE/lc_<setting>.npz`` (test-fold scores) and ``$CACHE/lc_<setting>_nested.npz`` (inner out-of-fold
scores of each outer fold's training KOIs, for stacking without leakage).

Sections written to results.json:

* ``catalog``: ``lgbm_tabular_full`` and ``lgbm_view_pca_full`` (16 PCA components of the 2001-bin global
  view, PCA fitted on the training fold's KOIs) on the matched KOIs, under both fold assignments (``issue``:
  star-grouped folds made on the matched KOIs alone, as the issue's table; ``all``: the folds of all 8,054 KOIs
  restricted to the matched ones, which the LC models use).
* ``fusion``: late fusion (weighted geometric mean of LightGBM and LC probabilities, weights listed; w=0.3
  declared in advance, the others are a sweep reported for information) and LightGBM stacking on
  catalog columns + LC log-odds (training rows' LC scores from the nested inner folds).
* ``presence``: all 8,054 KOIs, folds ``all``; accuracy on the KOIs WITHOUT a view for the no-view recipe
  (LightGBM, catalog only) and for stacking with LC features missing for no-view KOIs, with and without
  random masking of real-view training KOIs (masking rates per class make P(view | class) equal in training).

Run: ``PYTHONPATH=src python benchmarks/real_views/fusion.py --lc local_cut_tces_aug``
"""

from __future__ import annotations

import argparse
import warnings

import numpy as np
import pandas as pd
from common import CACHE, VIEWS, fold_summary, prepared, update_results
from sklearn.decomposition import PCA
from sklearn.impute import SimpleImputer

from exomesa.data import load_dr25
from exomesa.features import add_derived_features, feature_columns, required_columns, resolve_feature_set

warnings.filterwarnings("ignore", category=UserWarning)


def tabular_full() -> np.ndarray:
    """[8054, F] the ``full`` preset's columns (derived ones computed), non-finite → NaN (cached)."""
    path = CACHE / "tab_full.npy"
    if path.exists():
        return np.load(path)
    cat = load_dr25().reset_index(drop=True)
    fs = resolve_feature_set("full")
    cols = feature_columns(fs)
    frame = add_derived_features(cat[required_columns(fs)].reset_index(drop=True))
    X = np.column_stack([pd.to_numeric(frame[c], errors="coerce").to_numpy(np.float64) for c in cols])
    X[~np.isfinite(X)] = np.nan
    np.save(path, X)
    return X


def lgbm(seed: int = 42):
    import lightgbm

    return lightgbm.LGBMClassifier(
        n_estimators=300,
        learning_rate=0.05,
        num_leaves=31,
        min_child_samples=20,
        random_state=seed,
        deterministic=True,
        n_jobs=1,
        verbose=-1,
    )


def fit_predict(Xtr, ytr, Xte, impute_cols: int | None = None, sample_weight=None) -> np.ndarray:
    """Median-impute the first ``impute_cols`` columns (all when None; the exomesa baseline's recipe), keep NaN
    in the others (LightGBM's native missing values), fit, predict [N, 3]."""
    k = Xtr.shape[1] if impute_cols is None else impute_cols
    imp = SimpleImputer(strategy="median", keep_empty_features=True).fit(Xtr[:, :k])
    Xtr = np.column_stack([imp.transform(Xtr[:, :k]), Xtr[:, k:]])
    Xte = np.column_stack([imp.transform(Xte[:, :k]), Xte[:, k:]])
    m = lgbm().fit(Xtr, ytr, sample_weight=sample_weight)
    return m.predict_proba(Xte)


def lc_logodds(proba: np.ndarray) -> np.ndarray:
    """[N, 3] LC probabilities → [N, 2] log(P_C/P_FP), log(P_CAND/P_FP) (NaN stays NaN)."""
    lp = np.log(np.clip(proba, 1e-6, 1))
    return np.stack([lp[:, 0] - lp[:, 2], lp[:, 1] - lp[:, 2]], axis=1)


def main(lc_name: str, catalog: bool = True) -> None:
    p = prepared()
    y = p["y"]
    has = p["tce_row"] >= 0
    X = tabular_full()
    with np.load(VIEWS) as d:
        gv = d["global_view"][p["tce_row"][has]]
    G = np.full((len(y), 2001), np.nan, np.float32)
    G[has] = gv

    # ---------------------------------------------------------------- catalog and PCA, both fold assignments
    for fold_name, fold in (
        (("issue", p["fold"]), ("all", np.where(has, p["fold_all"], -1))) if catalog else ()
    ):
        res = {}
        for method in ("lgbm_tabular_full", "lgbm_view_pca_full"):
            proba = np.full((len(y), 3), np.nan)
            for k in range(5):
                te = np.flatnonzero(fold == k)
                tr = np.flatnonzero((fold >= 0) & (fold != k))
                Xtr, Xte = X[tr], X[te]
                if method == "lgbm_view_pca_full":
                    pca = PCA(16, random_state=0).fit(G[tr])
                    Xtr = np.column_stack([Xtr, pca.transform(G[tr])])
                    Xte = np.column_stack([Xte, pca.transform(G[te])])
                proba[te] = fit_predict(Xtr, y[tr], Xte)
            res[method] = fold_summary(y, proba, fold)
            print(fold_name, method, {k: v for k, v in res[method].items() if "folds" not in k}, flush=True)
            if fold_name == "all":
                np.save(CACHE / f"oof_{method}.npy", proba)
        update_results("catalog", f"folds_{fold_name}", res)

    # ---------------------------------------------------------------- fusion on the matched KOIs (folds "all")
    fold = np.where(has, p["fold_all"], -1)
    lgb = np.load(CACHE / "oof_lgbm_tabular_full.npy")
    lc = np.load(CACHE / f"lc_{lc_name}.npz")["proba"]
    fus: dict = {"lc_setting": lc_name, "lc_only": fold_summary(y, lc, fold)}
    for w in (0.1, 0.2, 0.3, 0.4, 0.5):
        lp = (1 - w) * np.log(np.clip(lgb, 1e-9, 1)) + w * np.log(np.clip(lc, 1e-9, 1))
        pr = np.exp(lp - lp.max(1, keepdims=True))
        pr /= pr.sum(1, keepdims=True)
        fus[f"late_geomean_w{w}"] = fold_summary(y, pr, fold)
        pa = (1 - w) * lgb + w * lc
        fus[f"late_mean_w{w}"] = fold_summary(y, pa, fold)
    nested_path = CACHE / f"lc_{lc_name}_nested.npz"
    if nested_path.exists():
        inner = np.load(nested_path)["inner"]
        fa = p["fold_all"]
        # outer folds whose training KOIs with a view all have an inner out-of-fold score
        ready = [k for k in range(5) if np.isfinite(inner[k][has & (fa != k)]).all()]
        fus["stack_folds"] = ready
        proba = np.full((len(y), 3), np.nan)
        for k in ready:
            tr, te = np.flatnonzero((fold >= 0) & (fold != k)), np.flatnonzero(fold == k)
            Ftr = np.column_stack([X[tr], lc_logodds(inner[k, tr])])
            Fte = np.column_stack([X[te], lc_logodds(lc[te])])
            proba[te] = fit_predict(Ftr, y[tr], Fte, impute_cols=X.shape[1])
        fus["stack_lgbm_catalog_plus_lc"] = fold_summary(y, proba, fold)
    for key, val in fus.items():
        if isinstance(val, dict):
            print(key, {k: v for k, v in val.items() if "folds" not in k}, flush=True)
    update_results("fusion", lc_name, fus)

    # ---------------------------------------------------------------- presence study: all 8,054 KOIs
    if not nested_path.exists() or not ready:
        return
    no_view = ~has
    pres: dict = {
        "n_kois": int(len(y)),
        "n_without_view": int(no_view.sum()),
        "folds": ready,
        "view_rate_per_class": {
            c: round(float(has[y == i].mean()), 4) for i, c in enumerate(("C", "CAND", "FP"))
        },
    }
    rng = np.random.default_rng(0)
    recipes = {}
    for recipe in ("no_views", "stack_unmasked", "stack_masked", "late_fusion_w0.3"):
        proba = np.full((len(y), 3), np.nan)
        for k in ready:
            tr, te = np.flatnonzero(fa != k), np.flatnonzero(fa == k)
            if recipe in ("no_views", "late_fusion_w0.3"):
                proba[te] = fit_predict(X[tr], y[tr], X[te])
                if recipe == "late_fusion_w0.3":
                    v = te[has[te]]
                    lp = 0.7 * np.log(np.clip(proba[v], 1e-9, 1)) + 0.3 * np.log(np.clip(lc[v], 1e-9, 1))
                    pr = np.exp(lp - lp.max(1, keepdims=True))
                    proba[v] = pr / pr.sum(1, keepdims=True)
                continue
            ftr = lc_logodds(inner[k, tr])  # NaN for no-view KOIs
            if recipe == "stack_masked":
                rate = np.array([has[tr][y[tr] == c].mean() for c in range(3)])
                keep_prob = rate.min() / rate  # P(view kept | class) = min rate for every class
                drop = has[tr] & (rng.random(len(tr)) > keep_prob[y[tr]])
                ftr = ftr.copy()
                ftr[drop] = np.nan
            Ftr = np.column_stack([X[tr], ftr])
            Fte = np.column_stack([X[te], lc_logodds(lc[te])])
            proba[te] = fit_predict(Ftr, y[tr], Fte, impute_cols=X.shape[1])
        recipes[recipe] = {
            "all_kois": fold_summary(y, proba, np.where(np.isin(fa, ready), fa, -1)),
            "kois_without_view": fold_summary(y, proba, np.where(no_view & np.isin(fa, ready), fa, -1)),
            "kois_with_view": fold_summary(y, proba, np.where(has & np.isin(fa, ready), fa, -1)),
        }
        print(
            recipe,
            {
                s: (v["accuracy"], v["macro_f1"], v["roc_auc_confirmed_vs_fp"])
                for s, v in recipes[recipe].items()
            },
            flush=True,
        )
    pres["recipes"] = recipes
    base = recipes["no_views"]["kois_without_view"]["accuracy"]
    pres["delta_accuracy_without_view_vs_no_views"] = {
        r: round(recipes[r]["kois_without_view"]["accuracy"] - base, 4) for r in recipes
    }
    update_results("presence", lc_name, pres)


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--lc", default="local_cut_tces_aug")
    ap.add_argument("--skip-catalog", action="store_true", help="reuse the cached catalog LightGBM scores")
    a = ap.parse_args()
    main(a.lc, catalog=not a.skip_catalog)
