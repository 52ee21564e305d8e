"""Per-subset metrics of the cached LC-only out-of-fold probabilities (KOIs with / without a real local view).

Run after lc_models.py: ``PYTHONPATH=src python benchmarks/real_views/summarize.py`` → results.json ``lc_subsets``.
"""

from __future__ import annotations

import numpy as np
from common import CACHE, VIEWS, fold_summary, prepared, update_results

p = prepared()
has = p["tce_row"] >= 0
with np.load(VIEWS) as d:
    real_local = np.isfinite(d["local_view"]).all(axis=1)
koi_real_local = np.zeros(len(p["y"]), bool)
koi_real_local[has] = real_local[p["tce_row"][has]]
fold = np.where(has, p["fold_all"], -1)
for path in sorted(CACHE.glob("lc_*.npz")):
    if path.stem.endswith("_nested"):
        continue
    proba = np.load(path)["proba"]
    if not np.isfinite(proba[has]).all():
        continue
    out = {
        "kois_with_real_local_view": fold_summary(p["y"], proba, np.where(koi_real_local, fold, -1)),
        "kois_without_real_local_view": fold_summary(
            p["y"], proba, np.where(has & ~koi_real_local, fold, -1)
        ),
    }
    print(
        path.stem,
        {s: (v["n"], v["accuracy"], v["macro_f1"], v["roc_auc_confirmed_vs_fp"]) for s, v in out.items()},
    )
    update_results("lc_subsets", path.stem[3:], out)
