"""Does the default MESA gain anything from *whether* a KOI has a real view? (all DR25 KOIs, folds 0-1)

Recipes (one model each, ensemble 1, seed 0, ``features="full"``, the default settings otherwise):

* ``with_views``: the default: the shipped real views where a KOI has one, the light-curve branch masked (a
  learned "no view" vector) elsewhere, training views masked at random per class (``balance_views``) so that
  every class has the same share of rows with a view;
* ``with_views_unbalanced``: the same without ``balance_views`` (presence left as informative as it is);
* ``no_views``: the same recipe with no view at all (every row masked): the reference.

Criterion: on the KOIs without a real view, ``with_views`` scores within 0.5 pt accuracy of ``no_views``.
Folds: ``group_kfold(all 8,054 DR25 KOIs, 5, 42)`` (the benchmark's folds). Every finished fit is written to
``presence_mesa.json`` at once.

Run (≈ 30 min on 2 cores, the two folds side by side)::

    cd <repo> && export PYTHONPATH=$PWD/src OMP_NUM_THREADS=1
    python benchmarks/real_views/presence_mesa.py --folds 0 --out /tmp/p0.json &
    python benchmarks/real_views/presence_mesa.py --folds 1 --out /tmp/p1.json; wait
    python benchmarks/real_views/presence_mesa.py --merge /tmp/p0.json /tmp/p1.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from exomesa.benchmark.runner import fold_metrics
from exomesa.data import LABEL, group_kfold, labels_to_index, load_dr25

OUT = Path(__file__).with_name("presence_mesa.json")
KEYS = ("accuracy", "macro_f1", "roc_auc_confirmed_vs_fp")
RECIPES = {
    "with_views": {"model": {}, "train": {}, "views": "shipped"},
    "with_views_unbalanced": {"model": {}, "train": {"balance_views": False}, "views": "shipped"},
    "no_views": {"model": {"missing_view": "mask"}, "train": {}, "views": "none"},
}


def metrics(y: np.ndarray, proba: np.ndarray) -> dict[str, float]:
    m = fold_metrics(y, proba)
    return {k: round(float(m[k]), 4) for k in KEYS}


def summarize(res: dict) -> None:
    for rec in res["recipes"].values():
        for subset in ("all", "without_view", "with_view"):
            rows = [f[subset] for f in rec["folds"].values()]
            if rows:
                rec.setdefault("mean", {})[subset] = {
                    k: round(float(np.mean([r[k] for r in rows])), 4) for k in KEYS
                }
    ref = res["recipes"].get("no_views", {}).get("folds", {})
    for name, rec in res["recipes"].items():
        common = sorted(set(rec["folds"]) & set(ref))
        if name != "no_views" and common:
            diffs = [
                rec["folds"][k]["without_view"]["accuracy"] - ref[k]["without_view"]["accuracy"]
                for k in common
            ]
            rec["delta_accuracy_without_view_pt"] = round(100 * float(np.mean(diffs)), 2)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--folds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--recipes", nargs="+", default=list(RECIPES))
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--merge", type=Path, nargs="+", default=None)
    a = ap.parse_args()
    if a.merge:
        res: dict = {}
        for f in a.merge:
            part = json.loads(f.read_text())
            recipes = part.pop("recipes")
            res.update(part)
            for name, rec in recipes.items():
                res.setdefault("recipes", {}).setdefault(name, {"folds": {}})["folds"].update(rec["folds"])
        summarize(res)
        a.out.write_text(json.dumps(res, indent=1) + "\n")
        return 0

    from exomesa import MesaClassifier
    from exomesa.data import candidate_column
    from exomesa.lightcurves import ViewSet, embedded_views

    cat = load_dr25().reset_index(drop=True)
    real = set(np.asarray(embedded_views().candidate_id).astype(str))
    has = cat[candidate_column(cat)].astype(str).isin(real).to_numpy()
    y = np.asarray(labels_to_index(cat[LABEL]))
    res = json.loads(a.out.read_text()) if a.out.exists() else {}
    res.update({"kois": int(len(cat)), "kois_with_view": int(has.sum()), "epochs": a.epochs, "ensemble": 1})
    res.setdefault("recipes", {})
    folds = group_kfold(cat, 5, 42)
    for k in a.folds:
        tr, te = folds[k]
        for name in a.recipes:
            spec = RECIPES[name]
            rec = res["recipes"].setdefault(name, {"settings": spec, "folds": {}})
            train = {"epochs": a.epochs, "ensemble": 1, "ensemble_workers": 1, "seed": 0, **spec["train"]}
            clf = MesaClassifier(features="full", model=spec["model"] or None, train=train)
            views = ViewSet.empty() if spec["views"] == "none" else None
            t0 = time.perf_counter()
            clf.fit(cat.iloc[tr].reset_index(drop=True), views=views)
            fit_s = time.perf_counter() - t0
            proba = np.asarray(clf.predict_proba(cat.iloc[te].reset_index(drop=True), views=views))
            yt, ht = y[te], has[te]
            rec["folds"][str(k)] = {
                "all": metrics(yt, proba),
                "without_view": metrics(yt[~ht], proba[~ht]),
                "with_view": metrics(yt[ht], proba[ht]),
                "n_test": int(len(te)),
                "n_test_without_view": int((~ht).sum()),
                "fit_s": round(fit_s, 1),
            }
            print(f"fold {k} {name}: {rec['folds'][str(k)]}", flush=True)
            summarize(res)
            a.out.write_text(json.dumps(res, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
