"""Shared pieces of the real-view measurements: cached arrays, view preparation, metrics."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import accuracy_score, f1_score

from exomesa.evaluation.metrics import binary_scores_confirmed_vs_fp

CACHE = Path(os.environ.get("REALVIEWS_CACHE", "/work/cache_realviews"))
SHARED = Path(os.environ.get("EXOMESA_SHARED", "/work/shared"))
VIEWS = SHARED / "data/views/kepler_dr24_global_views.npz"
HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
CLASSES = ("CONFIRMED", "CANDIDATE", "FALSE POSITIVE")
AV_CLASSES = ("PC", "AFP", "NTP")
GLOBAL_POOL = 5  # 2001 bins → 401 (edge-padded by 2 each side, then averaged in fives; centre bin kept)


def prepared() -> dict[str, np.ndarray]:
    """The arrays written by prepare.py."""
    with np.load(CACHE / "prepared.npz") as d:
        return {k: d[k] for k in d.files}


def pooled_global(g: np.ndarray) -> np.ndarray:
    """[N, 2001] → [N, 401] mean over 5 bins (edge padded so the transit stays in the centre bin)."""
    g = np.pad(g, ((0, 0), (2, 2)), mode="edge")
    return g.reshape(len(g), -1, GLOBAL_POOL).mean(axis=2)


def cut_local(g: np.ndarray, period: np.ndarray, duration: np.ndarray) -> np.ndarray:
    """Local views [N, 201] cut from global views [N, 2001] with AstroNet's local geometry.

    AstroNet's local view: 201 bins of width 0.16 durations whose centres span ±(4 − 0.08) durations; the global
    view: 2001 bins of width P/2001 over [−P/2, P/2]. The global view is linearly interpolated at the local bin
    centres (phase clipped to ±P/2). ``period`` and ``duration`` in days; then re-normalised to median 0,
    minimum −1 as AstroNet does.
    """
    n = len(g)
    gc = (np.arange(2001) + 0.5) / 2001 - 0.5  # global bin centres, in phase [−0.5, 0.5]
    lc = np.linspace(-4 + 0.08, 4 - 0.08, 201)  # local bin centres, in durations
    out = np.empty((n, 201), np.float32)
    for i in range(n):
        ph = np.clip(lc * duration[i] / period[i], -0.5, 0.5)
        out[i] = np.interp(ph, gc, g[i])
    med = np.median(out, axis=1, keepdims=True)
    out = out - med
    mn = -out.min(axis=1, keepdims=True)
    return (out / np.where(mn > 0, mn, 1)).astype(np.float32)


def metrics(y: np.ndarray, proba: np.ndarray) -> dict[str, float]:
    """3-class accuracy, macro-F1 and ROC-AUC CONFIRMED vs FALSE POSITIVE (the benchmark's definitions)."""
    from sklearn.metrics import roc_auc_score

    pred = proba.argmax(axis=1)
    yb, s = binary_scores_confirmed_vs_fp(y, proba, CLASSES)
    return {
        "accuracy": float(accuracy_score(y, pred)),
        "macro_f1": float(f1_score(y, pred, average="macro")),
        "roc_auc_confirmed_vs_fp": float(roc_auc_score(yb, s)),
    }


def fold_summary(y: np.ndarray, proba: np.ndarray, fold: np.ndarray) -> dict[str, Any]:
    """Per-fold metrics and their means (rows with fold < 0 or NaN probabilities left out)."""
    ok = (fold >= 0) & np.isfinite(proba).all(axis=1)
    per = [metrics(y[ok & (fold == k)], proba[ok & (fold == k)]) for k in sorted(set(fold[ok]))]
    out: dict[str, Any] = {"n": int(ok.sum())}
    for key in ("accuracy", "macro_f1", "roc_auc_confirmed_vs_fp"):
        vals = [p[key] for p in per]
        out[key] = round(float(np.mean(vals)), 4)
        out[key + "_std"] = round(float(np.std(vals)), 4)
        out[key + "_folds"] = [round(v, 4) for v in vals]
    return out


def update_results(section: str, key: str, value: Any) -> None:
    """Merge one entry into results.json (created if missing)."""
    res = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    res.setdefault(section, {})[key] = value
    RESULTS.write_text(json.dumps(res, indent=1, sort_keys=False) + "\n")
