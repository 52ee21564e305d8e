"""`exomesa test` end to end: files written, JSON schema, report references, bad input.

The fast tests use a stand-in classifier that honours the model interface (exomesa.interface.TrainedModel), so the wiring is tested in a second; the `slow` tests train a tiny real
MesaClassifier on 200 DR25 KOIs.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exomesa.cli import main
from exomesa.defaults import FIGURE_FILES, SPLIT_SEED, TEST_SIZE
from exomesa.evaluation import protocol
from exomesa.jobs import test as test_job

CLASSES = ("CONFIRMED", "CANDIDATE", "FALSE POSITIVE")
SEED_FEATURES = ["koi_period", "koi_depth", "koi_prad", "koi_steff", "koi_srad", "koi_duration"]


class StandInClassifier:
    """Deterministic stand-in with the MesaClassifier interface (a depth-driven toy model)."""

    classes_ = np.array(CLASSES)
    temperature_ = 1.7
    feature_set_ = {
        "planet": ["koi_period", "koi_depth", "koi_prad", "koi_duration"],
        "stellar": ["koi_steff", "koi_srad"],
    }
    history_ = [
        {
            "epoch": e,
            "train_loss": 1.0 / e,
            "train_contrastive": 0.7 / e,
            "train_classification": 0.3 / e,
            "train_accuracy": 0.4 + 0.1 * e,
            "val_loss": 1.2 / e,
            "val_accuracy": 0.4 + 0.08 * e,
            "val_macro_f1": 0.35 + 0.08 * e,
            "lr": 1e-4,
            "seconds": 1.0,
            "best_epoch": 2,
        }
        for e in (1, 2, 3)
    ]

    def _logits(self, df: pd.DataFrame) -> np.ndarray:
        z = np.log(df["koi_depth"].to_numpy(float)) - np.log(1500.0)
        return np.column_stack([-z, np.zeros_like(z), z]) * 1.5

    def predict_proba(self, df, views=None, calibrated=True):
        logits = self._logits(df) / (self.temperature_ if calibrated else 1.0)
        e = np.exp(logits - logits.max(1, keepdims=True))
        return e / e.sum(1, keepdims=True)

    def embed(self, df, views=None):
        rng = np.random.default_rng(0)
        base = rng.normal(size=(len(df), 8))
        lc = base + 0.3 * rng.normal(size=base.shape)
        norm = lambda x: x / np.linalg.norm(x, axis=1, keepdims=True)  # noqa: E731
        return {"lightcurve": norm(lc), "physics": norm(base), "fused": np.hstack([lc, base])}

    def outputs(self, df, views=None):
        return {
            "proba": self.predict_proba(df, views),
            "proba_uncalibrated": self.predict_proba(df, views, calibrated=False),
            **self.embed(df, views),
        }

    kind = "mesa"

    def model_name(self):
        return type(self).__name__

    def missing_view_mode(self):
        return "render"

    def predict(self, df, views=None):
        return self.classes_[self.predict_proba(df, views).argmax(axis=1)]

    def proba_spread(self, df, views=None):
        return None

    def towers_read(self):
        return "both"

    def features_read(self):
        return self.feature_set_

    def training_reference(self):
        return {}

    def n_training_rows(self):
        return None

    def training_history(self):
        return list(self.history_)

    def calibration_temperature(self):
        return float(self.temperature_)

    def version_built(self):
        return None

    def summary(self):
        return {
            "class": self.model_name(),
            "calibration temperature (fitted on validation)": self.temperature_,
        }


@pytest.fixture
def seed_csv(tmp_path) -> Path:
    rng = np.random.default_rng(0)
    n = 36
    df = pd.DataFrame(
        {
            "disposition": np.array(CLASSES)[np.arange(n) % 3],
            "period": rng.uniform(1, 50, n),
            "depth": rng.uniform(100, 5000, n),
            "planet_radius": rng.uniform(1, 10, n),
            "stellar_temp": rng.uniform(4500, 6500, n),
            "stellar_radius": rng.uniform(0.7, 1.5, n),
            "duration": rng.uniform(1, 6, n),
        }
    )
    path = tmp_path / "test_data.csv"
    df.to_csv(path, index=False)
    return path


@pytest.fixture
def stand_in(monkeypatch, tmp_path) -> Path:
    model = tmp_path / "model" / "mesa_model.pth"
    model.parent.mkdir()
    model.write_bytes(b"stand-in")
    monkeypatch.setattr(protocol, "load_model", lambda path, device="cpu": StandInClassifier())
    monkeypatch.setattr(test_job, "load_model", lambda path, device="cpu": StandInClassifier())
    return model


def _assert_schema(res: dict, n: int, temperature: float = 1.7) -> None:
    assert res["n_samples"] == n and res["classes"] == list(CLASSES)
    for key in ("summary", "classification", "ranking", "calibration", "alignment", "run"):
        assert key in res, key
    c = res["classification"]
    assert 0 <= c["accuracy"] <= 1 and len(c["confusion_matrix"]) == 3
    assert sum(map(sum, c["confusion_matrix"])) == n
    assert set(res["ranking"]["one_vs_rest"]) == set(CLASSES)
    assert {"roc_auc", "pr_auc"} <= set(res["ranking"]["confirmed_vs_false_positive"])
    cal = res["calibration"]
    assert cal["n_bins"] == 15 and cal["temperature"] == pytest.approx(temperature)
    assert cal["ece"] is not None and cal["ece_uncalibrated"] is not None
    ret = res["alignment"]["retrieval"]
    assert set(ret["lightcurve_to_physics"]) >= {"recall@1", "recall@5", "recall@10"}
    assert ret["chance"]["recall@1"] == pytest.approx(1 / n)
    assert set(res["alignment"]["cosine"]["per_class"]) == set(CLASSES)
    # the documented keys (docs/results_schema.md)
    assert set(res) >= {"n_samples", "classes", "class_counts", "predicted_counts", "summary"}
    assert set(res["summary"]) == {
        "accuracy",
        "balanced_accuracy",
        "macro_f1",
        "macro_roc_auc",
        "confirmed_vs_fp_roc_auc",
        "confirmed_vs_fp_pr_auc",
        "ece",
        "ece_uncalibrated",
        "retrieval_lc_to_phys_recall@1",
        "retrieval_chance_recall@1",
        "confirmed_recall_at_99_precision",  # issue 15
        "majority_baseline_accuracy",
        "majority_baseline_macro_f1",
    }
    assert set(res["majority_baseline"]) == {
        "class", "source", "class_counts", "accuracy", "balanced_accuracy", "macro_f1"
    }  # fmt: skip
    assert set(res["vetting"]["accuracy_by_bin"]) <= {"koi_model_snr", "koi_period"}
    assert set(c["classification_report"]) == {*CLASSES, "macro avg", "weighted avg"}
    for block in ("calibrated", "uncalibrated"):
        assert set(cal[block]) == {"ece", "nll", "brier", "mean_confidence", "accuracy", "reliability"}
        assert (
            len(cal[block]["reliability"]["bin_edges"]) == 16
            and len(cal[block]["reliability"]["count"]) == 15
        )
    for direction in ("lightcurve_to_physics", "physics_to_lightcurve"):
        assert set(ret[direction]) == {
            "recall@1",
            "recall@5",
            "recall@10",
            "median_rank",
            "mean_reciprocal_rank",
        }
    assert {"n", "matched_mean", "mismatched_mean", "gap"} <= set(res["alignment"]["cosine"])
    assert {"model_path", "test_data", "lightcurve_sources", "n_test", "figures", "timings_seconds"} <= set(
        res["run"]
    )


def test_visualize_writes_every_file_and_report_references_figures(stand_in, seed_csv, tmp_path) -> None:
    out = tmp_path / "test_results"
    rc = main(
        [
            "test",
            "--model_path",
            str(stand_in),
            "--test_data",
            str(seed_csv),
            "--output_dir",
            str(out),
            "--visualize",
        ]
    )
    assert rc == 0
    for name in ["test_results.json", "predictions.csv", "report.html", *FIGURE_FILES.values()]:
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    res = json.loads((out / "test_results.json").read_text())
    _assert_schema(res, 36)
    assert res["run"]["lightcurve_sources"] == {"rendered": 36}
    assert res["run"]["figures"] == FIGURE_FILES
    # values: the toy model predicts from depth only; accuracy agrees with predictions.csv
    pred = pd.read_csv(out / "predictions.csv")
    assert list(pred.columns) == [
        "candidate_id",
        "kepoi_name",
        "true_label",
        "predicted_label",
        "prob_confirmed",
        "prob_candidate",
        "prob_false_positive",
        "correct",
        "lightcurve_source",
    ]
    assert len(pred) == 36 and pred["correct"].mean() == pytest.approx(res["classification"]["accuracy"])
    np.testing.assert_allclose(
        pred[["prob_confirmed", "prob_candidate", "prob_false_positive"]].sum(1), 1, atol=1e-5
    )
    html = (out / "report.html").read_text()
    for name in FIGURE_FILES.values():
        assert f'data-file="{name}"' in html, name
    assert html.count("data:image/png;base64,") == len(FIGURE_FILES)
    assert "rendered" in html and "StandInClassifier" in html


def test_without_visualize_and_force(stand_in, seed_csv, tmp_path, capsys) -> None:
    out = tmp_path / "res"
    args = ["test", "--model_path", str(stand_in), "--test_data", str(seed_csv), "--output_dir", str(out)]
    assert main(args) == 0
    assert sorted(p.name for p in out.iterdir()) == ["predictions.csv", "report.html", "test_results.json"]
    assert "data:image/png" not in (out / "report.html").read_text()
    # a second run refuses to overwrite test_results.json ...
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "test_results.json already exists" in err and "--force" in err
    # ... unless --force
    assert main([*args, "--force"]) == 0


def test_missing_feature_column_is_a_clear_error(stand_in, seed_csv, tmp_path, capsys) -> None:
    df = pd.read_csv(seed_csv).drop(columns=["stellar_temp"])
    bad = tmp_path / "no_teff.csv"
    df.to_csv(bad, index=False)
    rc = main(
        ["test", "--model_path", str(stand_in), "--test_data", str(bad), "--output_dir", str(tmp_path / "o")]
    )
    assert rc == 2
    err = capsys.readouterr().err
    assert "koi_steff" in err and "no_teff.csv" in err


def test_single_class_test_set_gives_null_auc(stand_in, seed_csv, tmp_path) -> None:
    df = pd.read_csv(seed_csv)
    df["disposition"] = "CONFIRMED"
    one = tmp_path / "one_class.csv"
    df.to_csv(one, index=False)
    out = tmp_path / "o"
    assert (
        main(
            [
                "test",
                "--model_path",
                str(stand_in),
                "--test_data",
                str(one),
                "--output_dir",
                str(out),
                "--visualize",
            ]
        )
        == 0
    )
    res = json.loads((out / "test_results.json").read_text())
    cv = res["ranking"]["confirmed_vs_false_positive"]
    assert cv["roc_auc"] is None and cv["roc_auc_reason"] == "only one class present in y_true"
    assert res["summary"]["macro_roc_auc"] is None


class NanSafeStandIn(StandInClassifier):
    """The stand-in, tolerating the DR25 rows whose depth is missing."""

    def _logits(self, df: pd.DataFrame) -> np.ndarray:
        depth = np.nan_to_num(df["koi_depth"].to_numpy(float), nan=1500.0)
        z = np.log(np.clip(depth, 1.0, None)) - np.log(1500.0)
        return np.column_stack([-z, np.zeros_like(z), z]) * 1.5


def test_without_test_data_uses_the_embedded_dr25_test_split(monkeypatch, tmp_path) -> None:
    from exomesa.data import load_dr25, split_catalog

    model = tmp_path / "mesa_model.pth"
    model.write_bytes(b"stand-in")
    monkeypatch.setattr(protocol, "load_model", lambda path, device="cpu": NanSafeStandIn())
    monkeypatch.setattr(test_job, "load_model", lambda path, device="cpu": NanSafeStandIn())
    out = tmp_path / "o"
    assert main(["test", "--model_path", str(model), "--output_dir", str(out)]) == 0
    res = json.loads((out / "test_results.json").read_text())
    expected = split_catalog(load_dr25(), TEST_SIZE, SPLIT_SEED)[1]
    assert res["run"]["test_data"].startswith("dr25 test split")
    assert res["n_samples"] == len(expected) == res["run"]["n_test"]
    pred = pd.read_csv(out / "predictions.csv")
    assert pred["kepoi_name"].tolist() == expected["kepoi_name"].astype(str).tolist()


def test_missing_model_and_views_files(seed_csv, tmp_path, capsys) -> None:
    rc = main(
        [
            "test",
            "--model_path",
            str(tmp_path / "nope.pth"),
            "--test_data",
            str(seed_csv),
            "--output_dir",
            str(tmp_path / "o"),
        ]
    )
    assert rc == 2 and "nope.pth: model file not found" in capsys.readouterr().err


# ----------------------------------------------------------------------------- with a real tiny model
@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory) -> tuple[Path, Path]:
    api = pytest.importorskip("exomesa.mesa.classifier")
    from exomesa.data import load_dr25, split_catalog

    train, test = split_catalog(load_dr25(), test_size=0.2, seed=42)
    train = train.sample(200, random_state=0)
    folder = tmp_path_factory.mktemp("tiny")
    clf = api.MesaClassifier.from_settings(epochs=2, batch_size=32, seed=0, device="cpu")
    clf.fit(train)
    model = folder / "mesa_model.pth"
    clf.save(model)
    test_path = folder / "test_data.csv"
    test.sample(120, random_state=0).to_csv(test_path, index=False)
    return model, test_path


@pytest.mark.slow
def test_real_model_visualize(tiny_model, tmp_path) -> None:
    model, test_path = tiny_model
    out = tmp_path / "test_results"
    rc = main(
        [
            "test",
            "--model_path",
            str(model),
            "--test_data",
            str(test_path),
            "--output_dir",
            str(out),
            "--visualize",
        ]
    )
    assert rc == 0
    for name in ["test_results.json", "predictions.csv", "report.html", *FIGURE_FILES.values()]:
        assert (out / name).is_file(), name
    res = json.loads((out / "test_results.json").read_text())
    assert res["n_samples"] == 120 and res["alignment"]["n_pairs"] == 120
    html = (out / "report.html").read_text()
    assert all(f'data-file="{name}"' in html for name in FIGURE_FILES.values())
    assert html.count("data:image/png;base64,") == len(FIGURE_FILES)
    assert "http://" not in html and "https://" not in html  # one offline page
    _check_values_against_model(model, test_path, out, res)


def _check_values_against_model(model: Path, test_path: Path, out: Path, res: dict) -> None:
    """Every headline number of test_results.json, recomputed independently from the model's probabilities."""
    import torch
    from sklearn.metrics import (
        average_precision_score,
        balanced_accuracy_score,
        confusion_matrix,
        f1_score,
        roc_auc_score,
    )

    from exomesa.data import labels_to_index, load_catalog
    from exomesa.mesa.classifier import MesaClassifier

    ckpt = torch.load(model, map_location="cpu", weights_only=True)
    clf = MesaClassifier.load(model)
    df = load_catalog(str(test_path), require_label=True).reset_index(drop=True)
    y = labels_to_index(df["koi_disposition"])
    proba = clf.predict_proba(df)  # calibrated with the checkpoint's temperature
    raw = clf.predict_proba(df, calibrated=False)
    pred = pd.read_csv(out / "predictions.csv")
    cols = ["prob_confirmed", "prob_candidate", "prob_false_positive"]
    np.testing.assert_allclose(pred[cols].to_numpy(), proba, atol=2e-6)
    assert pred["kepoi_name"].tolist() == df["kepoi_name"].astype(str).tolist()
    assert pred["true_label"].tolist() == df["koi_disposition"].tolist()
    assert (pred["predicted_label"] == np.array(CLASSES)[proba.argmax(1)]).all()

    _assert_schema(res, 120, temperature=float(ckpt["temperature"]))
    c, yp = res["classification"], proba.argmax(1)
    assert c["accuracy"] == pytest.approx(np.mean(yp == y))
    assert c["balanced_accuracy"] == pytest.approx(balanced_accuracy_score(y, yp))
    assert c["macro_f1"] == pytest.approx(f1_score(y, yp, average="macro"))
    assert c["confusion_matrix"] == confusion_matrix(y, yp, labels=[0, 1, 2]).tolist()
    for i, name in enumerate(CLASSES):
        b = res["ranking"]["one_vs_rest"][name]
        assert b["roc_auc"] == pytest.approx(roc_auc_score(y == i, proba[:, i]))
        assert b["pr_auc"] == pytest.approx(average_precision_score(y == i, proba[:, i]))
    keep = (y == 0) | (y == 2)
    score = proba[keep, 0] / (proba[keep, 0] + proba[keep, 2])
    cvfp = res["ranking"]["confirmed_vs_false_positive"]
    assert cvfp["roc_auc"] == pytest.approx(roc_auc_score(y[keep] == 0, score))
    assert res["summary"]["confirmed_vs_fp_roc_auc"] == cvfp["roc_auc"]

    def ece(p: np.ndarray) -> float:  # 15 equal-width bins (lo, hi] of the top-class probability
        conf, hit = p.max(1), (p.argmax(1) == y)
        bins = np.clip(np.ceil(conf * 15).astype(int) - 1, 0, 14)
        return sum(
            abs(hit[bins == b].mean() - conf[bins == b].mean()) * np.mean(bins == b) for b in set(bins)
        )

    assert res["calibration"]["ece"] == pytest.approx(ece(proba), abs=1e-9)
    assert res["calibration"]["ece_uncalibrated"] == pytest.approx(ece(raw), abs=1e-9)
    assert res["alignment"]["retrieval"]["chance"] == {
        "recall@1": 1 / 120,
        "recall@5": 5 / 120,
        "recall@10": 10 / 120,
    }
    emb = clf.embed(df)
    matched = np.einsum("nd,nd->n", emb["lightcurve"], emb["physics"])
    assert res["alignment"]["cosine"]["matched_mean"] == pytest.approx(matched.mean(), abs=1e-5)


@pytest.mark.slow
def test_checkpoint_statistics_are_never_refitted(tiny_model, tmp_path) -> None:
    """A KOI scores the same whether it is evaluated in the full test table or in a 10-row slice of it."""
    model, test_path = tiny_model
    part = tmp_path / "part.csv"
    full = pd.read_csv(test_path)
    full.iloc[:10].to_csv(part, index=False)
    preds = []
    for name, src in (("full", test_path), ("part", part)):
        out = tmp_path / name
        assert (
            main(["test", "--model_path", str(model), "--test_data", str(src), "--output_dir", str(out)]) == 0
        )
        preds.append(pd.read_csv(out / "predictions.csv"))
    cols = ["prob_confirmed", "prob_candidate", "prob_false_positive"]
    np.testing.assert_allclose(preds[1][cols].to_numpy(), preds[0][cols].to_numpy()[:10], atol=2e-6)


@pytest.mark.slow
def test_not_a_checkpoint(tiny_model, tmp_path, capsys) -> None:
    _, test_path = tiny_model
    bogus = tmp_path / "bogus.pth"
    bogus.write_bytes(b"this is not a checkpoint")
    rc = main(
        [
            "test",
            "--model_path",
            str(bogus),
            "--test_data",
            str(test_path),
            "--output_dir",
            str(tmp_path / "o"),
        ]
    )
    assert rc == 2
    assert "bogus.pth" in capsys.readouterr().err


@pytest.fixture(autouse=True)
def _drop_cli_log_handlers():
    """main() binds a log handler to the (captured) stderr of the test; remove it afterwards."""
    yield
    import logging

    logging.getLogger("exomesa").handlers.clear()
