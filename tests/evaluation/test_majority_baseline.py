"""The always-majority-class baseline every evaluation reports beside the model's score."""

from __future__ import annotations

import numpy as np
import pytest

from exomesa.data import CLASSES
from exomesa.evaluation.metrics import evaluate, majority_baseline


def test_majority_of_the_training_data_when_known_else_of_the_test_data() -> None:
    y = np.array([1] * 7 + [0] * 2 + [2])  # test: 7 CANDIDATE, 2 CONFIRMED, 1 FALSE POSITIVE
    test_side = majority_baseline(y)
    assert test_side["class"] == "CANDIDATE" and test_side["source"] == "test data"
    assert test_side["accuracy"] == pytest.approx(0.7)
    assert test_side["macro_f1"] == pytest.approx((2 * 0.7 / 1.7) / 3)  # F1 of CANDIDATE, 0 for the others
    assert test_side["balanced_accuracy"] == pytest.approx(1 / 3)
    train_side = majority_baseline(y, CLASSES, {"CONFIRMED": 10, "CANDIDATE": 5, "FALSE POSITIVE": 90})
    assert train_side["class"] == "FALSE POSITIVE" and train_side["source"] == "training data"
    assert train_side["accuracy"] == pytest.approx(0.1)
    assert train_side["class_counts"] == {"CONFIRMED": 10, "CANDIDATE": 5, "FALSE POSITIVE": 90}
    assert majority_baseline(y, CLASSES, {"CONFIRMED": 0})["source"] == "test data"  # empty counts: unknown


def test_evaluate_writes_the_baseline_beside_the_model_score() -> None:
    rng = np.random.default_rng(0)
    y = rng.integers(0, 3, 200)
    proba = rng.dirichlet(np.ones(3), 200)
    before = evaluate(y, proba)
    after = evaluate(y, proba, train_class_counts={"CONFIRMED": 3, "CANDIDATE": 1, "FALSE POSITIVE": 2})
    assert before["majority_baseline"]["source"] == "test data"
    assert after["majority_baseline"] == {
        **after["majority_baseline"],
        "class": "CONFIRMED",
        "source": "training data",
        "accuracy": pytest.approx(np.mean(y == 0)),
    }
    s = after["summary"]
    assert s["majority_baseline_accuracy"] == after["majority_baseline"]["accuracy"]
    assert s["majority_baseline_macro_f1"] == after["majority_baseline"]["macro_f1"]
    # the model's own numbers do not depend on the baseline
    for key in ("accuracy", "macro_f1", "macro_roc_auc", "ece"):
        assert before["summary"][key] == after["summary"][key]
