"""Test-set metrics for a three-class KOI vetting model: classification, ranking, calibration, alignment.

Pure NumPy / scikit-learn; no torch, no files. :func:`evaluate` takes integer labels and class
probabilities (and optionally the two contrastive embeddings) and returns one nested, JSON-able ``dict``
(see ``docs/results_schema.md``). A metric that cannot be computed on the given data (e.g. a ROC-AUC when
only one class is present) is ``None`` with a sibling ``<name>_reason`` string; it never raises.

Example::

    from exomesa.evaluation.metrics import evaluate
    results = evaluate(y_true, proba, proba_uncalibrated=proba_raw, lc_emb=z_lc, phys_emb=z_phys)
    results["summary"]["accuracy"], results["alignment"]["retrieval"]["lightcurve_to_physics"]["recall@1"]
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    average_precision_score,
    balanced_accuracy_score,
    classification_report,
    confusion_matrix,
    f1_score,
    roc_auc_score,
)

from exomesa.data import CLASSES
from exomesa.errors import ExomesaError
from exomesa.evaluation.vetting_metrics import binary_scores_confirmed_vs_fp, vetting_metrics

__all__ = [
    "CLASSES",
    "ECE_BINS",
    "RETRIEVAL_KS",
    "evaluate",
    "classification_metrics",
    "majority_baseline",
    "ranking_metrics",
    "binary_scores_confirmed_vs_fp",
    "reliability_curve",
    "expected_calibration_error",
    "calibration_metrics",
    "retrieval_ranks",
    "retrieval_recall",
    "alignment_scores",
    "l2_normalize",
]

logger = logging.getLogger(__name__)

#: Number of equal-width confidence bins on [0, 1] for the expected calibration error.
ECE_BINS = 15
#: Cut-offs k of the cross-modal retrieval recall@k.
RETRIEVAL_KS: tuple[int, ...] = (1, 5, 10)

_EPS = 1e-12


# --------------------------------------------------------------------------------------------- input checks
def _check_inputs(
    y_true: np.ndarray, proba: np.ndarray, classes: Sequence[str]
) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true)
    p = np.asarray(proba, dtype=np.float64)
    n_classes = len(classes)
    if y.ndim != 1:
        raise ExomesaError(f"y_true must be a 1-D array of class indices, got shape {y.shape}.")
    if p.ndim != 2 or p.shape[1] != n_classes:
        raise ExomesaError(
            f"proba must have shape [N, {n_classes}] (one column per class {list(classes)}), got {p.shape}."
        )
    if p.shape[0] != y.shape[0]:
        raise ExomesaError(f"y_true has {y.shape[0]} rows but proba has {p.shape[0]}; they must match.")
    if y.shape[0] == 0:
        raise ExomesaError("cannot evaluate an empty test set (0 rows); check the test data file.")
    if not np.issubdtype(y.dtype, np.integer):
        if np.issubdtype(y.dtype, np.floating) and np.all(np.isfinite(y)) and np.all(y == np.round(y)):
            y = y.astype(np.int64)
        else:
            raise ExomesaError("y_true must hold integer class indices (use exomesa.data.labels_to_index).")
    bad = (y < 0) | (y >= n_classes)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ExomesaError(
            f"y_true row {row} has class index {int(y[row])}, outside 0..{n_classes - 1} ({list(classes)})."
        )
    if not np.all(np.isfinite(p)):
        row = int(np.flatnonzero(~np.all(np.isfinite(p), axis=1))[0])
        raise ExomesaError(f"proba row {row} is not finite ({p[row].tolist()}); the model produced NaN/inf.")
    return y.astype(np.int64), p


def l2_normalize(x: np.ndarray) -> np.ndarray:
    """Rows scaled to unit Euclidean norm (zero rows stay zero). ``x``: [N, D] → [N, D] float64."""
    x = np.asarray(x, dtype=np.float64)
    norm = np.linalg.norm(x, axis=1, keepdims=True)
    return x / np.maximum(norm, _EPS)


# ------------------------------------------------------------------------------------------ classification
def classification_metrics(y_true: np.ndarray, y_pred: np.ndarray, classes: Sequence[str] = CLASSES) -> dict:
    """Accuracy, balanced accuracy, macro-F1, confusion matrix and the per-class report.

    ``y_true``, ``y_pred``: [N] int class indices. The confusion matrix is ``[true, predicted]`` counts;
    the normalised one divides each row by its true-class count (rows of absent classes are ``None``).
    Precision of a class that is never predicted, or recall of a class that is absent, is ``None``.
    """
    labels = list(range(len(classes)))
    cm = confusion_matrix(y_true, y_pred, labels=labels)
    row_sums = cm.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        cm_norm = np.where(row_sums > 0, cm / np.maximum(row_sums, 1), np.nan)
    out: dict[str, Any] = {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "balanced_accuracy": float(_balanced_accuracy(y_true, y_pred)),
        # Macro-F1 over the classes present in y_true or y_pred (a class absent from both has no F1).
        "macro_f1": float(f1_score(y_true, y_pred, average="macro")),
        "confusion_matrix": cm.tolist(),
        "confusion_matrix_normalized": cm_norm.tolist(),
        "classification_report": _report_dict(y_true, y_pred, classes),
    }
    return out


def majority_baseline(
    y_true: np.ndarray,
    classes: Sequence[str] = CLASSES,
    train_class_counts: Mapping[str, int] | None = None,
) -> dict[str, Any]:
    """The test-set scores of always answering one class: the most frequent class of the training data when
    its class counts are known (``train_class_counts``), else of the test data itself.

    ``y_true``: [N] int class indices. Returns ``{"class", "source": "training data" | "test data",
    "class_counts": {class: int} (of that source), "accuracy", "balanced_accuracy", "macro_f1"}``; the metrics
    are those of :func:`classification_metrics` for the constant prediction (ties go to the first class).
    """
    y = np.asarray(y_true, dtype=int)
    known = train_class_counts is not None and sum(int(v) for v in train_class_counts.values()) > 0
    if known:
        counts = np.array([int(train_class_counts.get(c, 0)) for c in classes])
    else:
        counts = np.bincount(y, minlength=len(classes))
    k = int(np.argmax(counts))
    m = classification_metrics(y, np.full_like(y, k), classes)
    return {
        "class": str(classes[k]),
        "source": "training data" if known else "test data",
        "class_counts": {str(c): int(n) for c, n in zip(classes, counts, strict=True)},
        "accuracy": m["accuracy"],
        "balanced_accuracy": m["balanced_accuracy"],
        "macro_f1": m["macro_f1"],
    }


def _balanced_accuracy(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    # sklearn warns when y_pred holds classes absent from y_true; the value (mean recall over present
    # classes) is what we want either way.

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return balanced_accuracy_score(y_true, y_pred)


def _report_dict(y_true: np.ndarray, y_pred: np.ndarray, classes: Sequence[str]) -> dict:
    report = classification_report(
        y_true,
        y_pred,
        labels=list(range(len(classes))),
        target_names=list(classes),
        output_dict=True,
        zero_division=np.nan,
    )
    # Keep a fixed shape: one entry per class + macro/weighted averages; NaN → None via to_jsonable later.
    out: dict[str, Any] = {}
    for key in [*classes, "macro avg", "weighted avg"]:
        row = report.get(key, {})
        out[key] = {m: _none_if_nan(row.get(m)) for m in ("precision", "recall", "f1-score", "support")}
        if out[key]["support"] is not None:
            out[key]["support"] = int(out[key]["support"])
        if key in classes:
            for metric, why in _REPORT_NULL_REASONS.items():
                if out[key][metric] is None:
                    out[key][f"{metric}_reason"] = why
    return out


#: Why a per-class entry of the classification report is ``None``.
_REPORT_NULL_REASONS = {
    "precision": "class never predicted",
    "recall": "class absent from y_true",
    "f1-score": "precision and recall both undefined",
}


def _none_if_nan(v: Any) -> Any:
    if v is None:
        return None
    v = float(v)
    return None if not np.isfinite(v) else v


# ---------------------------------------------------------------------------------------------- ranking
def _auc_pair(y_bin: np.ndarray, score: np.ndarray) -> dict:
    """ROC-AUC and PR-AUC (average precision) of a binary problem, or ``None`` + reason."""
    n_pos = int(y_bin.sum())
    n = int(y_bin.size)
    out: dict[str, Any] = {"n": n, "n_positive": n_pos}
    if n == 0:
        reason = "no rows"
    elif n_pos == 0 or n_pos == n:
        reason = "only one class present in y_true"
    else:
        reason = None
    if reason is None:
        out["roc_auc"] = float(roc_auc_score(y_bin, score))
        out["pr_auc"] = float(average_precision_score(y_bin, score))
        out["pr_auc_chance"] = n_pos / n
    else:
        out["roc_auc"] = None
        out["roc_auc_reason"] = reason
        out["pr_auc"] = None
        out["pr_auc_reason"] = reason
        out["pr_auc_chance"] = (n_pos / n) if n else None
    return out


def ranking_metrics(y_true: np.ndarray, proba: np.ndarray, classes: Sequence[str] = CLASSES) -> dict:
    """One-vs-rest ROC-AUC / PR-AUC per class, their macro mean, and CONFIRMED vs FALSE POSITIVE.

    ``proba``: [N, C]. PR-AUC is average precision; ``pr_auc_chance`` is the positive fraction (the PR-AUC of
    a random ranking). Undefined values are ``None`` with a ``*_reason``.
    """
    per_class = {
        name: _auc_pair((y_true == i).astype(np.int64), proba[:, i]) for i, name in enumerate(classes)
    }
    out: dict[str, Any] = {"one_vs_rest": per_class}
    for metric in ("roc_auc", "pr_auc"):
        values = [v[metric] for v in per_class.values() if v[metric] is not None]
        missing = [k for k, v in per_class.items() if v[metric] is None]
        out[f"macro_{metric}"] = float(np.mean(values)) if values else None
        if missing:
            out[f"macro_{metric}_reason"] = (
                f"averaged over {len(values)} of {len(classes)} classes; undefined for {', '.join(missing)} "
                "(only one class present in y_true)"
                if values
                else "undefined for every class (only one class present in y_true)"
            )
    if "CONFIRMED" in classes and "FALSE POSITIVE" in classes:
        y_bin, score = binary_scores_confirmed_vs_fp(y_true, proba, classes)
        out["confirmed_vs_false_positive"] = _auc_pair(y_bin, score)
        out["confirmed_vs_false_positive"]["score"] = "P(CONFIRMED) / (P(CONFIRMED) + P(FALSE POSITIVE))"
    return out


# ------------------------------------------------------------------------------------------ calibration
def reliability_curve(y_true: np.ndarray, proba: np.ndarray, n_bins: int = ECE_BINS) -> dict:
    """Per-bin accuracy vs confidence of the top-class probability.

    Bins are ``n_bins`` equal-width intervals ``(lo, hi]`` on [0, 1] (the first also holds 0). Returns
    ``{"bin_edges": [n_bins+1], "count": [n_bins] int, "accuracy": [n_bins], "confidence": [n_bins]}``;
    accuracy/confidence of empty bins are NaN.
    """
    y_true = np.asarray(y_true)
    proba = np.asarray(proba, dtype=np.float64)
    conf = proba.max(axis=1)
    correct = (proba.argmax(axis=1) == y_true).astype(np.float64)
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    idx = np.clip(np.ceil(conf * n_bins).astype(np.int64) - 1, 0, n_bins - 1)
    count = np.bincount(idx, minlength=n_bins)
    sum_acc = np.bincount(idx, weights=correct, minlength=n_bins)
    sum_conf = np.bincount(idx, weights=conf, minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        acc = np.where(count > 0, sum_acc / np.maximum(count, 1), np.nan)
        mean_conf = np.where(count > 0, sum_conf / np.maximum(count, 1), np.nan)
    return {"bin_edges": edges, "count": count, "accuracy": acc, "confidence": mean_conf}


def expected_calibration_error(y_true: np.ndarray, proba: np.ndarray, n_bins: int = ECE_BINS) -> float:
    """ECE of the max probability: ``sum_b (n_b / N) * |accuracy_b - confidence_b|`` over equal-width bins.

    ``y_true``: [N] int; ``proba``: [N, C]. 0 is perfectly calibrated; 1 is the worst possible.
    """
    curve = reliability_curve(y_true, proba, n_bins)
    count = curve["count"]
    n = count.sum()
    if n == 0:
        return float("nan")
    gap = np.abs(np.nan_to_num(curve["accuracy"]) - np.nan_to_num(curve["confidence"]))
    return float(np.sum(count / n * gap))


def _calibration_block(y_true: np.ndarray, proba: np.ndarray, n_bins: int) -> dict:
    p = np.clip(proba, _EPS, 1.0)
    n = y_true.size
    onehot = np.zeros_like(proba)
    onehot[np.arange(n), y_true] = 1.0
    curve = reliability_curve(y_true, proba, n_bins)
    return {
        "ece": expected_calibration_error(y_true, proba, n_bins),
        "nll": float(-np.mean(np.log(p[np.arange(n), y_true]))),
        "brier": float(np.mean(np.sum((proba - onehot) ** 2, axis=1))),
        "mean_confidence": float(proba.max(axis=1).mean()),
        "accuracy": float(np.mean(proba.argmax(axis=1) == y_true)),
        "reliability": {
            "bin_edges": curve["bin_edges"].tolist(),
            "count": curve["count"].tolist(),
            "accuracy": curve["accuracy"].tolist(),
            "confidence": curve["confidence"].tolist(),
        },
    }


def calibration_metrics(
    y_true: np.ndarray,
    proba: np.ndarray,
    proba_uncalibrated: np.ndarray | None = None,
    *,
    temperature: float | None = None,
    n_bins: int = ECE_BINS,
) -> dict:
    """ECE (``n_bins`` bins of the max probability), NLL and Brier score before/after temperature scaling.

    ``proba`` is what the model reports (calibrated: softmax(logits / T)); ``proba_uncalibrated`` is
    softmax(logits) or ``None``. ``temperature`` is recorded as given (fitted on the validation split in
    training).
    """
    out: dict[str, Any] = {"n_bins": n_bins, "temperature": temperature}
    out["calibrated"] = _calibration_block(y_true, proba, n_bins)
    if proba_uncalibrated is None:
        out["uncalibrated"] = None
        out["uncalibrated_reason"] = "uncalibrated probabilities were not provided"
    else:
        out["uncalibrated"] = _calibration_block(y_true, proba_uncalibrated, n_bins)
    out["ece"] = out["calibrated"]["ece"]
    out["ece_uncalibrated"] = None if out["uncalibrated"] is None else out["uncalibrated"]["ece"]
    if out["uncalibrated"] is None:
        out["ece_uncalibrated_reason"] = out["uncalibrated_reason"]
    return out


# -------------------------------------------------------------------------------------------- alignment
def retrieval_ranks(
    query: np.ndarray, keys: np.ndarray, chunk_size: int = 1024
) -> tuple[np.ndarray, np.ndarray]:
    """For each query i, how many keys score above / tie with its own pair key i (cosine similarity).

    ``query``, ``keys``: [N, D], row i of each is a matched pair. Returns ``(n_greater [N], n_ties [N])``
    where ``n_ties`` counts other keys j != i with exactly the same cosine. Works in chunks of
    ``chunk_size`` queries so memory stays O(chunk_size * N).
    """
    q = l2_normalize(query)
    k = l2_normalize(keys)
    n = q.shape[0]
    greater = np.empty(n, dtype=np.int64)
    ties = np.empty(n, dtype=np.int64)
    for start in range(0, n, chunk_size):
        stop = min(start + chunk_size, n)
        sim = q[start:stop] @ k.T  # [chunk, N]
        rows = np.arange(stop - start)
        own = sim[rows, np.arange(start, stop)][:, None]
        greater[start:stop] = (sim > own).sum(axis=1)
        ties[start:stop] = (sim == own).sum(axis=1) - 1  # minus the pair itself
    return greater, ties


def retrieval_recall(
    query: np.ndarray, keys: np.ndarray, ks: Sequence[int] = RETRIEVAL_KS, chunk_size: int = 1024
) -> dict:
    """Cross-modal retrieval: for each query, rank all N keys by cosine; a hit if its own pair is in the top k.

    Ties are broken at random in expectation: a query with ``g`` better keys and ``t`` tied others is a hit
    with probability ``clip((k - g) / (t + 1), 0, 1)``. Returns ``{"recall@k": float, ..., "median_rank":
    float (1 = best), "mean_reciprocal_rank": float}``; ``recall@k`` for k >= N is 1.
    """
    greater, ties = retrieval_ranks(query, keys, chunk_size)
    out: dict[str, Any] = {}
    for k in ks:
        hit = np.clip((k - greater) / (ties + 1.0), 0.0, 1.0)
        out[f"recall@{k}"] = float(hit.mean())
    rank = greater + 1 + ties / 2.0  # expected 1-based rank under random tie-breaking
    out["median_rank"] = float(np.median(rank))
    out["mean_reciprocal_rank"] = float(np.mean(1.0 / rank))
    return out


def alignment_scores(
    lc_emb: np.ndarray,
    phys_emb: np.ndarray,
    y_true: np.ndarray | None = None,
    *,
    classes: Sequence[str] = CLASSES,
    ks: Sequence[int] = RETRIEVAL_KS,
    chunk_size: int = 1024,
) -> dict:
    """How well the light-curve and physics projections of the same KOI line up.

    ``lc_emb``, ``phys_emb``: [N, P] projections (re-normalised here). Returns retrieval recall@k in both
    directions next to the chance level ``min(k, N) / N``, and the mean cosine of matched pairs (i, i)
    vs mismatched pairs (i, j != i), overall and per true class of the light-curve row.
    """
    a = l2_normalize(lc_emb)
    b = l2_normalize(phys_emb)
    if a.ndim != 2 or a.shape != b.shape:
        raise ExomesaError(
            f"light-curve and physics embeddings must both be [N, P] with the same shape, got {a.shape} "
            f"and {b.shape}."
        )
    n = a.shape[0]
    out: dict[str, Any] = {"n_pairs": n, "dim": int(a.shape[1])}
    if n < 2:
        out["retrieval"] = None
        out["retrieval_reason"] = "retrieval needs at least 2 pairs"
    else:
        out["retrieval"] = {
            "lightcurve_to_physics": retrieval_recall(a, b, ks, chunk_size),
            "physics_to_lightcurve": retrieval_recall(b, a, ks, chunk_size),
            "chance": {f"recall@{k}": min(k, n) / n for k in ks},
        }
    matched = np.einsum("nd,nd->n", a, b)  # [N] cosine of each KOI's own pair
    row_total = a @ b.sum(axis=0)  # [N] sum over all j of cos(a_i, b_j)
    mismatched_row = (row_total - matched) / max(n - 1, 1)  # [N] mean over j != i

    def block(mask: np.ndarray) -> dict:
        m = int(mask.sum())
        if m == 0:
            return {"n": 0, "matched_mean": None, "mismatched_mean": None, "gap": None, "reason": "no rows"}
        if n < 2:
            return {
                "n": m,
                "matched_mean": float(matched[mask].mean()),
                "mismatched_mean": None,
                "gap": None,
                "reason": "mismatched pairs need at least 2 rows",
            }
        mm, mis = float(matched[mask].mean()), float(mismatched_row[mask].mean())
        return {"n": m, "matched_mean": mm, "mismatched_mean": mis, "gap": mm - mis}

    out["cosine"] = block(np.ones(n, dtype=bool))
    if y_true is not None:
        y_true = np.asarray(y_true)
        out["cosine"]["per_class"] = {name: block(y_true == i) for i, name in enumerate(classes)}
    return out


# --------------------------------------------------------------------------------------------- evaluate
def evaluate(
    y_true: np.ndarray,
    proba: np.ndarray,
    *,
    classes: Sequence[str] = CLASSES,
    proba_uncalibrated: np.ndarray | None = None,
    lc_emb: np.ndarray | None = None,
    phys_emb: np.ndarray | None = None,
    temperature: float | None = None,
    n_bins: int = ECE_BINS,
    strata: dict[str, np.ndarray] | None = None,
    proba_std: np.ndarray | None = None,
    train_class_counts: Mapping[str, int] | None = None,
) -> dict:
    """All test-set metrics in one JSON-able dict (schema: ``docs/results_schema.md``).

    Parameters
    ----------
    y_true : [N] int
        True class indices into ``classes``.
    proba : [N, C] float
        Predicted class probabilities (calibrated, as the model reports them); the prediction is the argmax.
    proba_uncalibrated : [N, C] float, optional
        Probabilities before temperature scaling, for the before/after ECE.
    lc_emb, phys_emb : [N, P] float, optional
        Light-curve and physics projections of the same rows, for the alignment scores.
    temperature : float, optional
        The temperature the calibrated probabilities used (recorded only).
    strata : {column: [N]}, optional
        Catalog columns for the accuracy-by-bin of the ``vetting`` block (koi_model_snr, koi_period).
    proba_std : [N, C] float, optional
        Per-class std of an ensemble's members (``vetting.uncertainty``).
    train_class_counts : {class: int}, optional
        Class counts of the model's training rows, for the ``majority_baseline`` block (without them, the
        majority class of the test set is used, and the block says so).

    Returns
    -------
    dict with keys ``n_samples``, ``classes``, ``class_counts``, ``summary``, ``classification``,
    ``ranking``, ``calibration``, ``alignment`` (``None`` + ``alignment_reason`` without embeddings),
    ``vetting``, ``majority_baseline`` (:func:`majority_baseline`).
    """
    y, p = _check_inputs(y_true, proba, classes)
    y_pred = p.argmax(axis=1)
    counts = np.bincount(y, minlength=len(classes))
    results: dict[str, Any] = {
        "n_samples": int(y.size),
        "classes": list(classes),
        "class_counts": {name: int(counts[i]) for i, name in enumerate(classes)},
        "predicted_counts": {
            name: int(c) for name, c in zip(classes, np.bincount(y_pred, minlength=len(classes)), strict=True)
        },
    }
    if np.count_nonzero(counts) < 2:
        logger.warning("the test set holds a single class (%s); AUCs are undefined", classes[int(y[0])])
    results["classification"] = classification_metrics(y, y_pred, classes)
    results["ranking"] = ranking_metrics(y, p, classes)
    p_uncal = None
    if proba_uncalibrated is not None:
        _, p_uncal = _check_inputs(y, proba_uncalibrated, classes)
    results["calibration"] = calibration_metrics(y, p, p_uncal, temperature=temperature, n_bins=n_bins)
    if lc_emb is not None and phys_emb is not None:
        lc_emb, phys_emb = np.asarray(lc_emb), np.asarray(phys_emb)
        if lc_emb.shape[0] != y.size:
            raise ExomesaError(f"embeddings have {lc_emb.shape[0]} rows but y_true has {y.size}.")
        results["alignment"] = alignment_scores(lc_emb, phys_emb, y, classes=classes)
    else:
        results["alignment"] = None
        results["alignment_reason"] = "light-curve/physics embeddings were not provided"

    results["vetting"] = vetting_metrics(y, p, strata, proba_std)
    results["majority_baseline"] = majority_baseline(y, classes, train_class_counts)
    cvfp = results["ranking"].get("confirmed_vs_false_positive", {})
    align = results["alignment"] or {}
    retrieval = align.get("retrieval") or {}
    results["summary"] = {
        "accuracy": results["classification"]["accuracy"],
        "balanced_accuracy": results["classification"]["balanced_accuracy"],
        "macro_f1": results["classification"]["macro_f1"],
        "macro_roc_auc": results["ranking"]["macro_roc_auc"],
        "confirmed_vs_fp_roc_auc": cvfp.get("roc_auc"),
        "confirmed_vs_fp_pr_auc": cvfp.get("pr_auc"),
        "confirmed_recall_at_99_precision": results["vetting"]["confirmed_recall_at_precision"]["recall"],
        "ece": results["calibration"]["ece"],
        "ece_uncalibrated": results["calibration"]["ece_uncalibrated"],
        "retrieval_lc_to_phys_recall@1": (retrieval.get("lightcurve_to_physics") or {}).get("recall@1"),
        "retrieval_chance_recall@1": (retrieval.get("chance") or {}).get("recall@1"),
        "majority_baseline_accuracy": results["majority_baseline"]["accuracy"],
        "majority_baseline_macro_f1": results["majority_baseline"]["macro_f1"],
    }
    return results
