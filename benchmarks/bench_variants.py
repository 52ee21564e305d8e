"""Accuracy of MESA (or LightGBM) variants on single cross-validation folds: the search behind the defaults.

    python benchmarks/bench_variants.py '{"learning_rate": 1e-3}' --fold 0
    python benchmarks/bench_variants.py '{"features": "seed", "epochs": 100}' --fold 0
    python benchmarks/bench_variants.py '{"learning_rate": 0.03, "n_estimators": 600}' --lgbm --fold 1

Runs one ``MesaClassifier.from_settings(**params)`` (default settings plus the JSON given) — or, with ``--lgbm``, one
LightGBM classifier on the raw ``full`` feature columns with those LightGBM parameters — on fold ``--fold``
of the benchmark's folds (``group_kfold(load_dr25(), 5, seed=42)``, rendered views), and appends a record
(params, fold, accuracy, macro-F1, epochs, seconds) to ``benchmarks/results/variants.json``. One torch
thread, so two variants can run side by side on a 2-core machine. The table of the variants we tried is in
``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np
import torch

from exomesa.data import CLASSES, LABEL, group_kfold, labels_to_index, load_dr25
from exomesa.lightcurves import views_for_catalog
from exomesa.mesa.trainer import macro_f1

RESULTS = Path(__file__).resolve().parent / "results" / "variants.json"


def run_mesa(params: dict, df, views, tr: np.ndarray, te: np.ndarray) -> dict:
    from exomesa.mesa.classifier import MesaClassifier

    clf = MesaClassifier.from_settings(**{"seed": 42, **params})
    t0 = time.perf_counter()
    clf.fit(df.iloc[tr].reset_index(drop=True), views=views.take(tr))
    seconds = time.perf_counter() - t0
    proba = clf.predict_proba(df.iloc[te].reset_index(drop=True), views=views.take(te))
    history = clf.history_
    return {
        "proba": proba,
        "seconds": seconds,
        "epochs": len(history),
        "best_epoch": history[-1]["best_epoch"],
    }


def run_lgbm(params: dict, df, tr: np.ndarray, te: np.ndarray) -> dict:
    import lightgbm as lgb

    from exomesa.features import PRESETS, add_derived_features, feature_columns

    frame = add_derived_features(df)
    cols = feature_columns(PRESETS["full"])
    x = frame[cols].to_numpy(dtype=float)
    y = labels_to_index(df[LABEL])
    settings = {"n_estimators": 300, "learning_rate": 0.05, "num_leaves": 31, "verbose": -1, "n_jobs": 1}
    model = lgb.LGBMClassifier(**{**settings, "random_state": 42, **params})
    t0 = time.perf_counter()
    model.fit(x[tr], y[tr])
    return {"proba": model.predict_proba(x[te]), "seconds": time.perf_counter() - t0}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("params", help="JSON object of MesaClassifier (or LightGBM) parameters")
    parser.add_argument("--fold", type=int, default=0, help="test fold of group_kfold(5, seed=42)")
    parser.add_argument("--lgbm", action="store_true", help="a LightGBM variant on the full columns")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    params = json.loads(args.params)
    torch.set_num_threads(1)

    df = load_dr25()
    tr, te = group_kfold(df, 5, seed=42)[args.fold]
    if args.lgbm:
        res = run_lgbm(params, df, tr, te)
    else:
        res = run_mesa(params, df, views_for_catalog(df), tr, te)
    y = labels_to_index(df[LABEL].iloc[te])
    pred = np.asarray(res.pop("proba")).argmax(axis=1)
    record = {
        "method": "lightgbm" if args.lgbm else "mesa",
        "params": params,
        "fold": args.fold,
        "accuracy": round(float(np.mean(pred == y)), 4),
        "macro_f1": round(macro_f1(y, pred, len(CLASSES)), 4),
        **{k: (round(v, 1) if isinstance(v, float) else v) for k, v in res.items()},
    }
    print(json.dumps(record))
    records = json.loads(args.out.read_text()) if args.out.is_file() else []
    records.append(record)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(records, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
