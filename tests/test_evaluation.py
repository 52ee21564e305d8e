"""Metrics on hand-made arrays with known answers."""

from __future__ import annotations

import json

import numpy as np
import pytest

from exomesa.errors import ExomesaError
from exomesa.evaluation.metrics import (
    CLASSES,
    alignment_scores,
    evaluate,
    expected_calibration_error,
    reliability_curve,
    retrieval_recall,
)
from exomesa.utils import to_jsonable


def _onehot(y: np.ndarray, n: int = 3, hot: float = 1.0) -> np.ndarray:
    p = np.full((len(y), n), (1.0 - hot) / (n - 1))
    p[np.arange(len(y)), y] = hot
    return p


@pytest.fixture
def balanced() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(1)
    y = np.repeat([0, 1, 2], 20)
    logits = rng.normal(size=(60, 3))
    logits[np.arange(60), y] += 1.0
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    return y, p


def test_perfect_predictions() -> None:
    y = np.array([0, 1, 2, 0, 1, 2, 2])
    r = evaluate(y, _onehot(y))
    c = r["classification"]
    assert c["accuracy"] == 1.0 and c["balanced_accuracy"] == 1.0 and c["macro_f1"] == 1.0
    assert c["confusion_matrix"] == [[2, 0, 0], [0, 2, 0], [0, 0, 3]]
    assert r["ranking"]["macro_roc_auc"] == 1.0
    assert r["ranking"]["confirmed_vs_false_positive"]["roc_auc"] == 1.0
    assert r["ranking"]["confirmed_vs_false_positive"]["n"] == 5  # 2 CONFIRMED + 3 FALSE POSITIVE
    assert r["calibration"]["ece"] == pytest.approx(0.0)
    assert r["class_counts"] == {"CONFIRMED": 2, "CANDIDATE": 2, "FALSE POSITIVE": 3}
    assert r["alignment"] is None and "alignment_reason" in r


def test_known_confusion_and_report() -> None:
    y = np.array([0, 0, 1, 1, 2, 2])
    pred = np.array([0, 1, 1, 1, 2, 0])
    r = evaluate(y, _onehot(pred, hot=0.8))
    c = r["classification"]
    assert c["accuracy"] == pytest.approx(4 / 6)
    assert c["confusion_matrix"] == [[1, 1, 0], [0, 2, 0], [1, 0, 1]]
    assert c["confusion_matrix_normalized"][0] == [0.5, 0.5, 0.0]
    assert c["balanced_accuracy"] == pytest.approx((0.5 + 1.0 + 0.5) / 3)
    rep = c["classification_report"]
    assert rep["CANDIDATE"]["precision"] == pytest.approx(2 / 3)
    assert rep["CONFIRMED"]["support"] == 2
    assert set(rep) == {*CLASSES, "macro avg", "weighted avg"}
    assert not any(k.endswith("_reason") for row in rep.values() for k in row)  # all defined here
    never = evaluate(y, _onehot(np.array([0, 0, 1, 1, 1, 0]), hot=0.8))["classification"]
    fp = never["classification_report"]["FALSE POSITIVE"]
    assert fp["precision"] is None and fp["precision_reason"] == "class never predicted"


def test_confirmed_vs_fp_score_ignores_candidate_mass() -> None:
    # True C rows score P(C)/(P(C)+P(FP)) high despite large CANDIDATE mass; CANDIDATE rows are excluded.
    y = np.array([0, 0, 2, 2, 1])
    p = np.array([[0.2, 0.7, 0.1], [0.3, 0.6, 0.1], [0.1, 0.6, 0.3], [0.05, 0.05, 0.9], [0.9, 0.05, 0.05]])
    cv = evaluate(y, p)["ranking"]["confirmed_vs_false_positive"]
    assert cv["n"] == 4 and cv["n_positive"] == 2
    assert cv["roc_auc"] == 1.0 and cv["pr_auc"] == 1.0


def test_single_class_gives_null_with_reason_not_crash() -> None:
    y = np.zeros(8, dtype=int)
    p = np.random.default_rng(0).dirichlet([1, 1, 1], size=8)
    r = evaluate(y, p)
    for name in CLASSES:
        b = r["ranking"]["one_vs_rest"][name]
        assert b["roc_auc"] is None and b["roc_auc_reason"] == "only one class present in y_true"
        assert b["pr_auc"] is None and b["pr_auc_reason"]
    assert r["ranking"]["macro_roc_auc"] is None and r["ranking"]["macro_roc_auc_reason"]
    assert r["ranking"]["confirmed_vs_false_positive"]["roc_auc"] is None
    assert r["summary"]["confirmed_vs_fp_roc_auc"] is None
    # recall of an absent class is undefined -> None, and the whole dict is valid JSON (no NaN)
    rep = r["classification"]["classification_report"]
    assert (
        rep["CANDIDATE"]["recall"] is None and rep["CANDIDATE"]["recall_reason"] == "class absent from y_true"
    )
    assert "recall_reason" not in rep["CONFIRMED"]
    json.dumps(to_jsonable(r), allow_nan=False)


def test_two_of_three_classes_macro_auc_reason() -> None:
    y = np.array([0, 0, 2, 2])
    r = evaluate(y, _onehot(y, hot=0.9))
    rk = r["ranking"]
    assert rk["one_vs_rest"]["CANDIDATE"]["roc_auc"] is None
    assert rk["macro_roc_auc"] == 1.0 and "CANDIDATE" in rk["macro_roc_auc_reason"]


def test_ece_known_value() -> None:
    # 4 samples, top probability 0.9 each (one bin), 2 correct: |0.5 - 0.9| = 0.4.
    y = np.array([0, 0, 0, 0])
    p = np.array([[0.9, 0.05, 0.05]] * 2 + [[0.05, 0.9, 0.05]] * 2)
    assert expected_calibration_error(y, p, n_bins=15) == pytest.approx(0.4)
    # Two bins: conf 0.6 (1/1 correct) and 0.95 (0/1 correct): 0.5*0.4 + 0.5*0.95 = 0.675
    y2 = np.array([0, 0])
    p2 = np.array([[0.6, 0.3, 0.1], [0.025, 0.95, 0.025]])
    assert expected_calibration_error(y2, p2, n_bins=15) == pytest.approx(0.675)
    curve = reliability_curve(y2, p2, n_bins=15)
    assert curve["count"].sum() == 2 and len(curve["bin_edges"]) == 16
    assert curve["count"][8] == 1 and curve["count"][14] == 1  # 0.6 in (0.533, 0.6], 0.95 in (0.933, 1]


def test_calibration_before_after(balanced) -> None:
    y, p = balanced
    sharp = p**3 / (p**3).sum(1, keepdims=True)
    r = evaluate(y, p, proba_uncalibrated=sharp, temperature=3.0)
    cal = r["calibration"]
    assert cal["temperature"] == 3.0 and cal["n_bins"] == 15
    assert cal["ece"] == pytest.approx(expected_calibration_error(y, p))
    assert cal["ece_uncalibrated"] == pytest.approx(expected_calibration_error(y, sharp))
    assert cal["calibrated"]["nll"] > 0 and 0 <= cal["calibrated"]["brier"] <= 2
    no_uncal = evaluate(y, p)["calibration"]
    assert no_uncal["ece_uncalibrated"] is None and no_uncal["ece_uncalibrated_reason"]


def test_retrieval_identity_and_permutation() -> None:
    rng = np.random.default_rng(0)
    a = rng.normal(size=(50, 16))
    r = retrieval_recall(a, a, chunk_size=7)  # chunks must not change the answer
    assert r["recall@1"] == 1.0 and r["median_rank"] == 1.0 and r["mean_reciprocal_rank"] == 1.0
    # Pairs scrambled: the true partner is (almost never) the top hit.
    perm = np.roll(np.arange(50), 1)
    r2 = retrieval_recall(a, a[perm])
    assert r2["recall@1"] == 0.0
    # All-identical keys: every key ties, so recall@k is the chance level k/N.
    r3 = retrieval_recall(a, np.ones((50, 16)))
    assert r3["recall@1"] == pytest.approx(1 / 50) and r3["recall@10"] == pytest.approx(10 / 50)


def test_alignment_scores_cosines_and_chance() -> None:
    a = np.eye(4)  # orthogonal rows: matched cosine 1, mismatched 0
    y = np.array([0, 0, 1, 2])
    al = alignment_scores(a, a * 3.0, y)  # scale does not matter (cosine)
    assert al["retrieval"]["lightcurve_to_physics"]["recall@1"] == 1.0
    assert al["retrieval"]["chance"] == {"recall@1": 0.25, "recall@5": 1.0, "recall@10": 1.0}
    assert al["cosine"]["matched_mean"] == pytest.approx(1.0)
    assert al["cosine"]["mismatched_mean"] == pytest.approx(0.0)
    assert al["cosine"]["per_class"]["CONFIRMED"]["n"] == 2
    assert al["cosine"]["per_class"]["CANDIDATE"]["gap"] == pytest.approx(1.0)
    # mismatched mean of row i = mean_j!=i cos(a_i, b_j), checked against brute force
    rng = np.random.default_rng(3)
    x, z = rng.normal(size=(9, 5)), rng.normal(size=(9, 5))
    xn, zn = x / np.linalg.norm(x, axis=1, keepdims=True), z / np.linalg.norm(z, axis=1, keepdims=True)
    s = xn @ zn.T
    brute = (s.sum() - np.trace(s)) / (9 * 8)
    assert alignment_scores(x, z)["cosine"]["mismatched_mean"] == pytest.approx(brute)


def test_evaluate_with_embeddings_summary(balanced) -> None:
    y, p = balanced
    emb = np.random.default_rng(2).normal(size=(60, 8))
    r = evaluate(y, p, lc_emb=emb, phys_emb=emb)
    assert r["summary"]["retrieval_lc_to_phys_recall@1"] == 1.0
    assert r["summary"]["retrieval_chance_recall@1"] == pytest.approx(1 / 60)
    assert set(r) >= {
        "n_samples",
        "classes",
        "class_counts",
        "summary",
        "classification",
        "ranking",
        "calibration",
        "alignment",
    }


@pytest.mark.parametrize(
    ("y", "p", "match"),
    [
        (np.array([0, 1]), np.ones((2, 2)) / 2, "shape"),
        (np.array([0, 1, 2]), np.ones((2, 3)) / 3, "rows"),
        (np.array([0, 5]), np.ones((2, 3)) / 3, "outside"),
        (np.array([], dtype=int), np.ones((0, 3)), "empty"),
        (np.array([0, 1]), np.array([[np.nan, 0.5, 0.5], [0.3, 0.3, 0.4]]), "not finite"),
    ],
)
def test_bad_inputs_raise_clear_errors(y, p, match) -> None:
    with pytest.raises(ExomesaError, match=match):
        evaluate(y, p)
