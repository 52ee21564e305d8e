"""Vetters' metrics: what a catalog vetter asks of a classifier beyond accuracy.

* :func:`recall_at_precision` — recall of CONFIRMED at 99 % precision against FALSE POSITIVE (ExoMiner's
  headline figure, Valizadegan et al. 2022: 0.936 on DR25 with real light curves), on the CONFIRMED/FP
  rows scored ``P(CONFIRMED) / (P(CONFIRMED) + P(FALSE POSITIVE))``.
* :func:`binned_accuracy` — accuracy per bin of a catalog column (transit SNR and orbital period; bins in
  :data:`exomesa.defaults.VETTING_BINS`, documented there and in docs/results_schema.md).
* :func:`uncertainty_summary` — for ensembles: the mean per-class std, and whether it is larger on the
  KOIs the model gets wrong (a useful uncertainty should be).

Pure NumPy; no files.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from exomesa.data import CLASSES
from exomesa.defaults import VETTING_BINS, VETTING_PRECISION

__all__ = [
    "binary_scores_confirmed_vs_fp",
    "recall_at_precision",
    "binned_accuracy",
    "uncertainty_summary",
    "vetting_metrics",
]


def recall_at_precision(y_bin: np.ndarray, score: np.ndarray, precision: float = VETTING_PRECISION) -> dict:
    """Largest recall over score thresholds whose precision is ≥ ``precision``.

    Args:
        y_bin: [M] 0/1 (1 = positive); score: [M] higher = more positive.

    Returns:
        ``recall`` (0.0 when no threshold reaches the precision; None + ``recall_reason`` without both
        classes), ``threshold`` (score cut, predicted positive when ``score >= threshold``), ``precision``
        (the target), ``n_positive``, ``n_negative``.
    """
    y = np.asarray(y_bin).astype(bool)
    s = np.asarray(score, dtype=np.float64)
    out: dict[str, Any] = {
        "precision": float(precision),
        "n_positive": int(y.sum()),
        "n_negative": int((~y).sum()),
    }
    if y.all() or not y.any():
        return {**out, "recall": None, "threshold": None, "recall_reason": "needs both classes"}
    order = np.argsort(-s, kind="mergesort")
    s_sorted, y_sorted = s[order], y[order]
    last = np.r_[np.flatnonzero(np.diff(s_sorted) != 0), len(s) - 1]  # last index of each distinct score
    tp = np.cumsum(y_sorted)[last]
    prec = tp / (last + 1)
    ok = np.flatnonzero(prec >= precision)
    if ok.size == 0:
        return {**out, "recall": 0.0, "threshold": None}
    best = ok[np.argmax(tp[ok])]
    return {**out, "recall": float(tp[best] / y.sum()), "threshold": float(s_sorted[last[best]])}


def binned_accuracy(
    y_true: np.ndarray, y_pred: np.ndarray, values: np.ndarray, edges: Sequence[float]
) -> list[dict[str, Any]]:
    """Accuracy in each bin ``[lo, hi)`` of ``values`` [N]; rows with a missing value form a last bin."""
    v = np.asarray(values, dtype=np.float64)
    correct = np.asarray(y_true) == np.asarray(y_pred)
    rows = []
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        m = (v >= lo) & (v < hi)
        rows.append(
            {
                "bin": f"[{lo:g}, {hi:g})",
                "n": int(m.sum()),
                "accuracy": float(correct[m].mean()) if m.any() else None,
            }
        )
    m = ~np.isfinite(v)
    if m.any():
        rows.append({"bin": "missing", "n": int(m.sum()), "accuracy": float(correct[m].mean())})
    return rows


def uncertainty_summary(y_true: np.ndarray, proba: np.ndarray, proba_std: np.ndarray) -> dict[str, Any]:
    """Mean per-class std [C] of the ensemble members, and the mean std of the predicted class on correct
    vs wrong predictions (``proba``, ``proba_std``: [N, C])."""
    pred = proba.argmax(axis=1)
    std_pred = proba_std[np.arange(len(pred)), pred]
    correct = pred == np.asarray(y_true)
    return {
        "mean_proba_std": {c: float(proba_std[:, i].mean()) for i, c in enumerate(CLASSES)},
        "mean_std_predicted_class_correct": float(std_pred[correct].mean()) if correct.any() else None,
        "mean_std_predicted_class_wrong": float(std_pred[~correct].mean()) if (~correct).any() else None,
    }


def binary_scores_confirmed_vs_fp(
    y_true: np.ndarray, proba: np.ndarray, classes: Sequence[str] = CLASSES
) -> tuple[np.ndarray, np.ndarray]:
    """Rows whose true label is CONFIRMED or FALSE POSITIVE, as (is_confirmed [M] int, score [M] float).

    ``score = P(CONFIRMED) / (P(CONFIRMED) + P(FALSE POSITIVE))``, i.e. the model's preference between the two,
    ignoring its CANDIDATE mass.
    """
    ic, ifp = list(classes).index("CONFIRMED"), list(classes).index("FALSE POSITIVE")
    keep = (y_true == ic) | (y_true == ifp)
    pc, pfp = proba[keep, ic], proba[keep, ifp]
    score = pc / np.maximum(pc + pfp, 1e-12)
    return (y_true[keep] == ic).astype(np.int64), score


def vetting_metrics(
    y_true: np.ndarray,
    proba: np.ndarray,
    strata: Mapping[str, np.ndarray] | None = None,
    proba_std: np.ndarray | None = None,
) -> dict[str, Any]:
    """The ``vetting`` block of test_results.json (docs/results_schema.md).

    Args:
        y_true: [N] class indices; proba: [N, 3] in CLASSES order; strata: catalog column → [N] values
            (those in VETTING_BINS are binned); proba_std: [N, 3] ensemble std (optional).
    """
    y_bin, score = binary_scores_confirmed_vs_fp(np.asarray(y_true), np.asarray(proba), CLASSES)
    pred = np.asarray(proba).argmax(axis=1)
    out: dict[str, Any] = {
        "confirmed_recall_at_precision": recall_at_precision(y_bin, score),
        "accuracy_by_bin": {
            col: binned_accuracy(y_true, pred, np.asarray(strata[col], dtype=np.float64), VETTING_BINS[col])
            for col in VETTING_BINS
            if strata is not None and col in strata
        },
    }
    if proba_std is not None:
        out["uncertainty"] = uncertainty_summary(y_true, np.asarray(proba), np.asarray(proba_std))
    return out
