"""`exomesa predict`: round trip, ignored leaky columns, unscorable rows, neighbours."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exomesa import MesaClassifier
from exomesa.catalog import load_dr25, split_catalog
from exomesa.cli import main

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame, MesaClassifier]:
    train, test = split_catalog(load_dr25(), test_size=0.2, seed=42)
    clf = MesaClassifier(features="full", epochs=2, seed=0).fit(train.head(300))
    path = tmp_path_factory.mktemp("model") / "mesa_model.pth"
    clf.save(path)
    return path, test.head(40).reset_index(drop=True), clf


def test_predict_matches_api_and_ignores_leaky_columns(tiny, tmp_path: Path) -> None:
    model, cands, clf = tiny
    clean = cands.drop(
        columns=[
            "koi_score",
            "koi_fpflag_nt",
            "koi_fpflag_ss",
            "koi_fpflag_co",
            "koi_fpflag_ec",
            "koi_pdisposition",
            "koi_disposition",
            "kepler_name",
        ]
    )
    leaky = cands.copy()
    leaky["koi_score"] = 1.0 - leaky["koi_score"]  # scrambled answers must change nothing
    leaky["koi_disposition"] = "CONFIRMED"
    outs = []
    for name, df in (("clean", clean), ("leaky", leaky)):
        src = tmp_path / f"{name}.csv"
        df.to_csv(src, index=False)
        out = tmp_path / f"{name}_pred.csv"
        assert main(["predict", "--model_path", str(model), "--input", str(src), "--output", str(out)]) == 0
        outs.append(pd.read_csv(out))
    cols = ["prob_confirmed", "prob_candidate", "prob_false_positive"]
    np.testing.assert_array_equal(outs[0][cols].to_numpy(), outs[1][cols].to_numpy())
    np.testing.assert_allclose(outs[0][cols].to_numpy(), clf.predict_proba(clean), rtol=1e-6, atol=1e-7)
    assert set(outs[0]["lightcurve"]) == {"rendered"}
    np.testing.assert_allclose(outs[0][cols].sum(axis=1), 1.0, atol=1e-5)


def test_unscorable_rows_are_kept_with_reason(tiny, tmp_path: Path) -> None:
    model, cands, _ = tiny
    df = cands.head(5).copy()
    df.loc[1, "koi_period"] = np.nan  # no ephemeris
    df.loc[3, "koi_duration"] = -1.0  # non-physical
    src, out = tmp_path / "c.csv", tmp_path / "p.csv"
    df.to_csv(src, index=False)
    assert main(["predict", "--model_path", str(model), "--input", str(src), "--output", str(out)]) == 0
    res = pd.read_csv(out)
    assert len(res) == 5
    assert res["scored"].tolist() == [True, False, True, False, True]
    assert res.loc[1, "reason"].startswith("no usable ephemeris")
    assert res.loc[[1, 3], "prob_confirmed"].isna().all()
    assert res.loc[[0, 2, 4], "prob_confirmed"].notna().all()


def test_neighbours_come_from_training_bank(tiny, tmp_path: Path) -> None:
    model, cands, clf = tiny
    src, out = tmp_path / "c.csv", tmp_path / "p.csv"
    cands.head(10).to_csv(src, index=False)
    assert (
        main(
            [
                "predict",
                "--model_path",
                str(model),
                "--input",
                str(src),
                "--output",
                str(out),
                "--neighbors",
                "3",
            ]
        )
        == 0
    )
    res = pd.read_csv(out)
    bank = set(clf.reference_["kepoi_name"])
    for j in (1, 2, 3):
        assert res[f"neighbor{j}"].isin(bank).all()
        assert res[f"neighbor{j}_disposition"].isin(["CONFIRMED", "CANDIDATE", "FALSE POSITIVE"]).all()
    sims = res[["neighbor1_similarity", "neighbor2_similarity", "neighbor3_similarity"]].to_numpy()
    assert (np.diff(sims, axis=1) <= 1e-6).all() and (np.abs(sims) <= 1 + 1e-6).all()


def test_predict_refuses_to_overwrite(tiny, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model, cands, _ = tiny
    src, out = tmp_path / "c.csv", tmp_path / "p.csv"
    cands.head(3).to_csv(src, index=False)
    out.write_text("mine\n")
    assert main(["predict", "--model_path", str(model), "--input", str(src), "--output", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert out.read_text() == "mine\n"


def test_predict_missing_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "c.csv"
    load_dr25().head(3).to_csv(src, index=False)
    assert (
        main(
            [
                "predict",
                "--model_path",
                str(tmp_path / "none.pth"),
                "--input",
                str(src),
                "--output",
                str(tmp_path / "o.csv"),
            ]
        )
        == 2
    )
    assert "none.pth" in capsys.readouterr().err
