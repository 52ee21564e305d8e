"""Today's MESA on the real views it ships, against LightGBM, on the KOIs that have a real view (folds 0-1).

KOIs: the DR25 KOIs of ``exomesa.lightcurves.embedded_views()`` (4,121; every one has AstroNet's real global
view, 970 a real local view, the rest a local view cut from the global one), so view presence is constant and
cannot be a shortcut. Folds: the study's ``group_kfold(all 8,054 DR25 KOIs, 5, 42)`` restricted to these KOIs
(the folds of ``lc_models.py``), folds 0 and 1 only (time-boxed).

Methods (one model each, ensemble 1, seed 0, ``features="full"``):

* ``mesa_lc_astronet`` / ``mesa_lc_patch``: towers="lightcurve", lc_encoder astronet / patch, real views;
* ``mesa_real``: towers="both" (defaults otherwise), real views;
* ``mesa_rendered``: the same with views=None (views rendered from the catalog) on the same KOIs;
* ``lgbm_tabular_full``: ``TabularLightGBM(features="full")``.

Metrics: 3-class accuracy, macro-F1, ROC-AUC CONFIRMED vs FALSE POSITIVE (``exomesa.evaluation.metrics`` via
the runner's ``fold_metrics``), and the wall time of each ``fit``. Every finished fit is written to
``mesa_today.json`` at once (a timeout still leaves numbers).

Run (≈ 15-20 min with the two folds in parallel on 2 cores)::

    cd <repo> && export PYTHONPATH=$PWD/src OMP_NUM_THREADS=1
    python benchmarks/real_views/mesa_today.py --epochs 30 --folds 0 --out /tmp/mt0.json &   # one core each
    python benchmarks/real_views/mesa_today.py --epochs 30 --folds 1 --out /tmp/mt1.json
    wait; python benchmarks/real_views/mesa_today.py --merge /tmp/mt0.json /tmp/mt1.json   # → mesa_today.json

(or sequentially: ``--folds 0 1``, which writes ``mesa_today.json`` directly.)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

from exomesa.benchmark.runner import fold_metrics
from exomesa.data import CLASSES, LABEL, group_kfold, labels_to_index, load_dr25

OUT = Path(__file__).with_name("mesa_today.json")


def methods(epochs: int) -> dict[str, dict]:
    tr = {"epochs": epochs, "ensemble": 1, "ensemble_workers": 1, "seed": 0}
    return {
        "lgbm_tabular_full": {},
        "mesa_lc_astronet": {
            "model": {"towers": "lightcurve", "lc_encoder": "astronet"},
            "train": tr,
            "views": "real",
        },
        "mesa_lc_patch": {
            "model": {"towers": "lightcurve", "lc_encoder": "patch"},
            "train": tr,
            "views": "real",
        },
        "mesa_real": {"model": {"towers": "both"}, "train": tr, "views": "real"},
        # the LC-only fits above ran all their epochs without early stopping: the same with more epochs
        "mesa_lc_astronet_long": {
            "model": {"towers": "lightcurve", "lc_encoder": "astronet"},
            "train": {**tr, "epochs": 2 * epochs},
            "views": "real",
        },
        "mesa_lc_patch_long": {
            "model": {"towers": "lightcurve", "lc_encoder": "patch"},
            "train": {**tr, "epochs": 100},
            "views": "real",
        },
        "mesa_rendered": {"model": {"towers": "both"}, "train": tr, "views": None},
    }


def save(res: dict, out: Path = OUT) -> None:
    out.write_text(json.dumps(res, indent=1) + "\n")


def summarize(res: dict) -> None:
    for m in res["methods"].values():
        folds = [f for f in m["folds"].values() if "accuracy" in f]
        if folds:
            m["mean"] = {
                k: round(float(np.mean([f[k] for f in folds])), 4)
                for k in ("accuracy", "macro_f1", "roc_auc_confirmed_vs_fp", "fit_s")
            }
            m["mean"]["n_folds"] = len(folds)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--folds", type=int, nargs="+", default=[0, 1])
    ap.add_argument("--methods", nargs="+", default=None)
    ap.add_argument("--n", type=int, default=0, help="subsample KOIs (smoke test only)")
    ap.add_argument(
        "--out", type=Path, default=OUT, help="results file (one per process when folds run in parallel)"
    )
    ap.add_argument(
        "--merge", type=Path, nargs="+", default=None, help="merge these results files into --out and exit"
    )
    a = ap.parse_args()
    if a.merge:
        res: dict = {}
        for f in a.merge:
            part = json.loads(f.read_text())
            meths = part.pop("methods")
            res.update(part)
            for name, m in meths.items():
                e = res.setdefault("methods", {}).setdefault(name, {"settings": m["settings"], "folds": {}})
                e["folds"].update(m["folds"])
        res["methods"] = {
            n: {**m, "folds": dict(sorted(m["folds"].items()))} for n, m in res["methods"].items()
        }
        summarize(res)
        save(res, a.out)
        return

    from exomesa import MesaClassifier
    from exomesa.baselines import TabularLightGBM
    from exomesa.data import candidate_column
    from exomesa.lightcurves import embedded_views

    cat = load_dr25().reset_index(drop=True)
    fold_all = np.full(len(cat), -1)
    for k, (_, te) in enumerate(group_kfold(cat, 5, 42)):
        fold_all[te] = k
    views_all = embedded_views()
    col = candidate_column(cat)
    keep = cat[col].astype(str).isin(set(np.asarray(views_all.candidate_id).astype(str))).to_numpy()
    df = cat[keep].reset_index(drop=True)
    fold = fold_all[keep]
    if a.n:
        sel = np.random.default_rng(0).choice(len(df), a.n, replace=False)
        df, fold = df.iloc[np.sort(sel)].reset_index(drop=True), fold[np.sort(sel)]
    y = np.asarray(labels_to_index(df[LABEL]))
    names = df[col].astype(str).to_numpy()
    idx = views_all.index_of()
    views = views_all.take(np.array([idx[n] for n in names]))  # rows in df's order
    n_real_local = int((np.asarray(views.provenance).astype(str) == "astronet").sum())

    res = json.loads(a.out.read_text()) if a.out.exists() and not a.n else {}
    res.update(
        {
            "kois": int(len(df)),
            "kois_with_real_local_view": n_real_local,
            "per_class": {c: int((y == i).sum()) for i, c in enumerate(CLASSES)},
            "folds": "group_kfold(all DR25 KOIs, 5, 42) restricted to the embedded-view KOIs (lc_models.py's folds)",
            "epochs": a.epochs,
            "threads": 1,
        }
    )
    res.setdefault("methods", {})
    specs = methods(a.epochs)
    for k in a.folds:
        tr, te = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
        for name in a.methods or list(specs):
            spec = specs[name]
            entry = res["methods"].setdefault(
                name, {"settings": {kk: v for kk, v in spec.items() if kk != "views"}, "folds": {}}
            )
            entry["settings"]["views"] = (
                "embedded (real)" if spec.get("views") else ("rendered" if "model" in spec else "none")
            )
            if "accuracy" in entry["folds"].get(str(k), {}):
                continue
            dtr, dte = df.iloc[tr].reset_index(drop=True), df.iloc[te].reset_index(drop=True)
            vtr = views.take(tr) if spec.get("views") else None
            vte = views.take(te) if spec.get("views") else None
            t0 = time.perf_counter()
            if name.startswith("lgbm"):
                clf = TabularLightGBM(features="full").fit(dtr)
                fit_s = time.perf_counter() - t0
                proba = clf.predict_proba(dte)
            else:
                clf = MesaClassifier(features="full", model=spec["model"], train=spec["train"])
                clf.fit(dtr, views=vtr)
                fit_s = time.perf_counter() - t0
                proba = clf.predict_proba(dte, views=vte)
            m = fold_metrics(y[te], np.asarray(proba))
            out = {
                key: round(float(m[key]), 4) for key in ("accuracy", "macro_f1", "roc_auc_confirmed_vs_fp")
            }
            out.update({"fit_s": round(fit_s, 1), "n_train": int(len(tr)), "n_test": int(len(te))})
            hist = getattr(clf, "history_", None)
            if isinstance(hist, list) and hist:
                out["epochs_run"] = len(hist)
            entry["folds"][str(k)] = out
            print(f"fold {k} {name}: {out}", flush=True)
            summarize(res)
            if not a.n:
                save(res, a.out)


if __name__ == "__main__":
    sys.exit(main())
