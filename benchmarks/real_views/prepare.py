"""Match the DR24 AstroNet views to DR25 KOIs, build the 5 star-grouped folds and cache every array.

Writes ``$CACHE/prepared.npz`` (default cache /work/cache_realviews) and ``$CACHE/match.json`` (counts):

* KOI side: every DR25 KOI (8,054), with ``tce_row`` (row of its matched TCE in the views file, -1 if none),
  label index (CLASSES order), fold (0..4, star-grouped folds of the *matched* KOIs; -1 for KOIs without a
  view) and ``fold_all`` (the same recipe over all 8,054 KOIs, for the presence study).
* TCE side: ``tce_fold`` — the test fold of the TCE's star when that star hosts a matched KOI, else -1 (a star
  that is in no test fold: usable for pretraining in every fold). ``av_training_set`` stays a label.
* ``tce_depth`` [ppm] from the DR24 TCE table (joined on kepid + tce_plnt_num): the depth scalar of TCEs.

Matching (KOI → TCE): same ``kepid``, ``|tce_period − koi_period| ≤ 0.5 % koi_period`` and the epochs agree
modulo the period (``|Δt0 mod P| ≤ koi_duration``; the nearest epoch wins when two TCEs remain).

Run: ``PYTHONPATH=src python benchmarks/real_views/prepare.py``
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from exomesa.data import CLASSES, LABEL, group_kfold, labels_to_index, load_dr25

CACHE = Path(os.environ.get("REALVIEWS_CACHE", "/work/cache_realviews"))
SHARED = Path(os.environ.get("EXOMESA_SHARED", "/work/shared"))
VIEWS = SHARED / "data/views/kepler_dr24_global_views.npz"
TCE_TABLE = SHARED / "data/tce/q1_q17_dr24_tce.csv"
PERIOD_TOL = 0.005


def match(cat: pd.DataFrame, tce: pd.DataFrame, epoch_tol_h: float | None) -> tuple[np.ndarray, dict]:
    """[n_koi] TCE row per KOI (-1: none); counts of the matching steps."""
    k = (
        cat[["kepid", "koi_period", "koi_time0bk", "koi_duration"]]
        .reset_index()
        .rename(columns={"index": "koi"})
    )
    t = tce[["kepid", "tce_period", "tce_time0bk"]].reset_index().rename(columns={"index": "row"})
    p = k.merge(t, on="kepid")
    p = p[np.abs(p.tce_period - p.koi_period) <= PERIOD_TOL * p.koi_period].copy()
    per = p.koi_period.to_numpy()
    off = np.mod(p.tce_time0bk.to_numpy() - p.koi_time0bk.to_numpy() + per / 2, per) - per / 2
    p["off_h"] = np.abs(off) * 24
    counts = {"kois_period_match": int(p.koi.nunique())}
    if epoch_tol_h is not None:
        tol = np.maximum(p.koi_duration.fillna(0).to_numpy(), epoch_tol_h)
        p = p[p.off_h <= tol]
    p = p.sort_values(["koi", "off_h"]).drop_duplicates("koi")
    # one TCE claimed by two KOIs: keep the nearer epoch
    p = p.sort_values(["row", "off_h"]).drop_duplicates("row")
    rows = np.full(len(cat), -1)
    rows[p.koi.to_numpy()] = p.row.to_numpy()
    counts["kois_matched"] = int((rows >= 0).sum())
    return rows, counts


def main() -> None:
    CACHE.mkdir(parents=True, exist_ok=True)
    d = np.load(VIEWS)
    tce = pd.DataFrame(
        {k: d[k] for k in ("kepid", "tce_plnt_num", "tce_period", "tce_time0bk", "tce_duration")}
    )
    av = d["av_training_set"].astype(str)
    cat = load_dr25().reset_index(drop=True)
    y = np.asarray(labels_to_index(cat[LABEL]))

    report: dict = {"n_tce": len(tce), "n_tce_stars": int(tce.kepid.nunique()), "n_kois": len(cat)}
    report["av_training_set"] = pd.Series(av).value_counts().to_dict()
    report["tce_with_local_view"] = int(np.isfinite(d["local_view"]).all(axis=1).sum())
    for name, tol in (("period_only", None), ("epoch_duration", 0.0), ("epoch_duration_or_2h", 2.0)):
        rows, counts = match(cat, tce, tol)
        has = rows >= 0
        counts["per_class"] = {c: int((has & (y == i)).sum()) for i, c in enumerate(CLASSES)}
        counts["with_local_view"] = int(np.isfinite(d["local_view"][rows[has]]).all(axis=1).sum())
        report[f"match_{name}"] = counts
        print(name, counts)
    rows, _ = match(cat, tce, 0.0)  # within one koi_duration (the importer's tie-break rule)
    has = rows >= 0
    report["view_coverage_per_class"] = {
        c: round(float(has[y == i].mean()), 4) for i, c in enumerate(CLASSES)
    }
    report["matched_av_training_set_by_class"] = {
        c: pd.Series(av[rows[has & (y == i)]]).value_counts().to_dict() for i, c in enumerate(CLASSES)
    }

    # folds: star-grouped, stratified, on the matched KOIs (the setting) and on all KOIs
    sub = cat[has].reset_index(drop=True)
    fold = np.full(len(cat), -1)
    idx = np.flatnonzero(has)
    for k, (_, te) in enumerate(group_kfold(sub, 5, 42)):
        fold[idx[te]] = k
    fold_all = np.full(len(cat), -1)
    for k, (_, te) in enumerate(group_kfold(cat, 5, 42)):
        fold_all[te] = k
    star_fold = dict(zip(cat.kepid[has], fold[has], strict=True))
    tce_fold = np.array([star_fold.get(int(s), -1) for s in tce.kepid])
    star_fold_all = dict(zip(cat.kepid, fold_all, strict=True))
    tce_fold_all = np.array([star_fold_all.get(int(s), -1) for s in tce.kepid])
    report["tce_rows_on_test_fold_stars"] = int((tce_fold >= 0).sum())
    report["tce_rows_on_stars_without_matched_koi"] = int((tce_fold < 0).sum())

    # depth of every TCE from the DR24 TCE table (ppm); KOIs use koi_depth
    tt = pd.read_csv(TCE_TABLE, comment="#")
    tce_depth = tce.merge(
        tt[["kepid", "tce_plnt_num", "tce_depth"]], on=["kepid", "tce_plnt_num"], how="left"
    )
    tce_depth = tce_depth.tce_depth.to_numpy(np.float64)
    report["tce_depth_missing"] = int((~np.isfinite(tce_depth)).sum())
    koi_of_tce = np.full(len(tce), -1)
    koi_of_tce[rows[has]] = idx

    np.savez(
        CACHE / "prepared.npz",
        tce_row=rows,
        y=y,
        fold=fold,
        fold_all=fold_all,
        kepid=cat.kepid.to_numpy(),
        koi_depth=pd.to_numeric(cat.koi_depth, errors="coerce").to_numpy(np.float64),
        koi_period=cat.koi_period.to_numpy(np.float64),
        koi_duration=cat.koi_duration.to_numpy(np.float64),
        tce_fold=tce_fold,
        tce_fold_all=tce_fold_all,
        tce_depth=tce_depth,
        koi_of_tce=koi_of_tce,
        av=av,
        tce_kepid=tce.kepid.to_numpy(),
        tce_period=tce.tce_period.to_numpy(),
        tce_duration=tce.tce_duration.to_numpy(),
    )
    (CACHE / "match.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    sys.exit(main())
