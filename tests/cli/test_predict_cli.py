"""`exomesa predict`: round trip, ignored leaky columns, unscorable rows, neighbours."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exomesa import MesaClassifier
from exomesa.cli import main
from exomesa.data import load_dr25, split_catalog
from exomesa.features import required_columns

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame, MesaClassifier]:
    train, test = split_catalog(load_dr25(), test_size=0.2, seed=42)
    # a model that renders missing views (the design of earlier versions and of every model trained without
    # real views); the default, which masks them, is tested below
    clf = MesaClassifier.from_settings(features="full", epochs=2, seed=0, missing_view="render")
    clf.fit(train.head(300))
    path = tmp_path_factory.mktemp("model") / "mesa_model.pth"
    clf.save(path)
    return path, test.head(40).reset_index(drop=True), clf


def test_the_default_model_reads_the_shipped_real_views_and_masks_the_rest(tmp_path: Path) -> None:
    from exomesa.lightcurves import embedded_views

    train, test = split_catalog(load_dr25(), test_size=0.2, seed=42)
    clf = MesaClassifier.from_settings(features="full", epochs=1, seed=0, ensemble=1).fit(train.head(200))
    assert clf.missing_view_mode() == "mask"
    model = clf.save(tmp_path / "mesa_model.pth")
    shipped = set(np.asarray(embedded_views().candidate_id).astype(str))
    cands = test.head(30).reset_index(drop=True)
    has = cands["candidate_id"].astype(str).isin(shipped).to_numpy()
    assert 0 < has.sum() < len(cands)
    src, out = tmp_path / "c.csv", tmp_path / "p.csv"
    cands.to_csv(src, index=False)
    assert main(["predict", "--model_path", str(model), "--input", str(src), "--output", str(out)]) == 0
    res = pd.read_csv(out)
    assert res["lightcurve"].tolist() == ["real" if h else "none" for h in has]
    assert res["scored"].all()
    cols = ["prob_confirmed", "prob_candidate", "prob_false_positive"]
    np.testing.assert_allclose(res[cols].to_numpy(), clf.predict_proba(cands), rtol=1e-5, atol=1e-6)


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


def test_unscorable_rows_are_kept_with_reason(
    tiny, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    model, cands, clf = tiny
    df = cands.head(6).copy()
    df.loc[1, "koi_period"] = np.nan  # no ephemeris
    df.loc[3, "koi_duration"] = -1.0  # non-physical
    keys = ("candidate_id", "star_id", "mission")  # read by the ephemeris group, never features
    df.loc[5, [c for c in required_columns(clf.feature_set_) if c not in keys]] = np.nan  # nothing to score
    src, out = tmp_path / "c.csv", tmp_path / "p.csv"
    df.to_csv(src, index=False)
    assert main(["predict", "--model_path", str(model), "--input", str(src), "--output", str(out)]) == 0
    res = pd.read_csv(out)
    assert len(res) == 6 and res["kepoi_name"].tolist() == df["kepoi_name"].tolist()
    assert res["scored"].tolist() == [True, False, True, False, True, False]
    assert res.loc[1, "reason"].startswith("no usable ephemeris")
    assert res.loc[3, "reason"].startswith("no usable ephemeris")
    assert res.loc[5, "reason"] == "all feature values missing"
    assert res.loc[[1, 3, 5], "prob_confirmed"].isna().all()
    assert res.loc[[0, 2, 4], "prob_confirmed"].notna().all()
    # the scored rows are unaffected by the unscorable ones
    cols = ["prob_confirmed", "prob_candidate", "prob_false_positive"]
    np.testing.assert_allclose(
        res.loc[[0, 2, 4], cols].to_numpy(), clf.predict_proba(df.iloc[[0, 2, 4]]), rtol=1e-6, atol=1e-7
    )
    err = capsys.readouterr().err
    assert "scored 3 of 6" in err and "3 row(s) could not be scored" in err


def test_seed_format_csv_needs_a_seed_model(tiny, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A seed-layout CSV (no KOI names, no kepid) scores with a `--features seed` model and is a clear
    one-line error for a model trained on the full feature set."""
    model, cands, _ = tiny
    seed = pd.DataFrame(
        {
            "period": cands["koi_period"].head(4),
            "depth": cands["koi_depth"].head(4),
            "planet_radius": cands["koi_prad"].head(4),
            "stellar_temp": cands["koi_steff"].head(4),
            "stellar_radius": cands["koi_srad"].head(4),
            "duration": cands["koi_duration"].head(4),
        }
    )
    src = tmp_path / "seed.csv"
    seed.to_csv(src, index=False)
    out = tmp_path / "p.csv"
    assert main(["predict", "--model_path", str(model), "--input", str(src), "--output", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert (
        err.startswith("error: ") and "seed.csv" in err and "koi_impact" in err and "--features seed" in err
    )
    assert not out.exists()

    train, _ = split_catalog(load_dr25(), test_size=0.2, seed=42)
    seed_model = MesaClassifier.from_settings(features="seed", epochs=1, seed=0).fit(train.head(120))
    seed_path = seed_model.save(tmp_path / "seed_model.pth")
    assert main(["predict", "--model_path", str(seed_path), "--input", str(src), "--output", str(out)]) == 0
    res = pd.read_csv(out)
    assert res["kepoi_name"].tolist() == [f"row-{i:06d}" for i in range(1, 5)]
    assert res["kepid"].isna().all()  # no placeholder ids in the output
    # rows without a KOI name have no shipped real view: the default model masks their light-curve branch
    assert res["scored"].all() and set(res["lightcurve"]) == {"none"}


def test_fits_dir_gives_a_real_light_curve(tiny, tmp_path: Path, shared_lightcurves: Path) -> None:
    """KOI-2 (K00002.01, kepid 10666592) has a Kepler file in the shared fixtures; the others are rendered."""
    model, _, clf = tiny
    dr25 = load_dr25()
    df = dr25[dr25["kepoi_name"].isin(["K00001.01", "K00002.01"])]
    src, out = tmp_path / "c.csv", tmp_path / "p.csv"
    df.to_csv(src, index=False)
    args = ["predict", "--model_path", str(model), "--input", str(src), "--output", str(out)]
    assert main([*args, "--fits_dir", str(shared_lightcurves), "--neighbors", "2"]) == 0
    res = pd.read_csv(out).set_index("kepoi_name")
    assert res.loc["K00002.01", "lightcurve"] == "real" and res.loc["K00001.01", "lightcurve"] == "rendered"
    assert res["scored"].all() and res["neighbor2"].notna().all()
    rendered = clf.predict_proba(df[df["kepoi_name"] == "K00002.01"])
    assert not np.allclose(
        res.loc[["K00002.01"], ["prob_confirmed", "prob_candidate"]].to_numpy(), rendered[:, :2]
    )


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
    bank = set(clf.reference_["candidate_id"])
    for j in (1, 2, 3):
        assert res[f"neighbor{j}"].isin(bank).all()
        assert res[f"neighbor{j}_disposition"].isin(["CONFIRMED", "CANDIDATE", "FALSE POSITIVE"]).all()
    sims = res[["neighbor1_similarity", "neighbor2_similarity", "neighbor3_similarity"]].to_numpy()
    assert (np.diff(sims, axis=1) <= 1e-6).all() and (np.abs(sims) <= 1 + 1e-6).all()
    np.testing.assert_array_equal(sims, np.round(sims, 4))  # written as 4-decimal cosines
    # the neighbours are the top-3 cosines of the candidate's light-curve embedding against the training
    # physics embeddings (light curve -> physics retrieval)
    emb = clf.embed(cands.head(10))["lightcurve"]
    cos = emb @ clf.reference_["physics"].T
    top = np.sort(cos, axis=1)[:, ::-1][:, :3]
    np.testing.assert_allclose(sims, top, atol=1e-4)
    assert res["neighbor1"].tolist() == list(clf.reference_["candidate_id"][cos.argmax(axis=1)])


def test_neighbours_need_a_training_bank(tiny, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import torch

    model, cands, _ = tiny
    data = torch.load(model, map_location="cpu", weights_only=True)
    data["reference"] = {}
    bare = tmp_path / "bare.pth"
    torch.save(data, bare)
    src, out = tmp_path / "c.csv", tmp_path / "p.csv"
    cands.head(3).to_csv(src, index=False)
    args = ["predict", "--model_path", str(bare), "--input", str(src), "--output", str(out)]
    assert main([*args, "--neighbors", "2"]) == 2
    assert "training bank" in capsys.readouterr().err and not out.exists()
    assert main(args) == 0  # scoring alone still works


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


@pytest.fixture(autouse=True)
def _drop_cli_log_handlers():
    """main() binds a log handler to the (captured) stderr of the test; remove it afterwards."""
    yield
    import logging

    logging.getLogger("exomesa").handlers.clear()


def test_embedded_real_views_are_selected_by_name(tiny, tmp_path: Path) -> None:
    """``--lightcurves embedded``: the shipped real views where a KOI has one (K00002.01), rendered elsewhere."""
    model, _, clf = tiny
    dr25 = load_dr25()
    df = dr25[dr25["kepoi_name"].isin(["K00001.01", "K00002.01"])]
    src, out = tmp_path / "c.csv", tmp_path / "p.csv"
    df.to_csv(src, index=False)
    args = ["predict", "--model_path", str(model), "--input", str(src), "--output", str(out)]
    assert main([*args, "--lightcurves", "embedded"]) == 0
    res = pd.read_csv(out).set_index("kepoi_name")
    assert res.loc["K00002.01", "lightcurve"] == "real" and res.loc["K00001.01", "lightcurve"] == "rendered"
    rendered = clf.predict_proba(df[df["kepoi_name"] == "K00001.01"])
    np.testing.assert_allclose(
        res.loc[["K00001.01"], ["prob_confirmed", "prob_candidate", "prob_false_positive"]].to_numpy(),
        rendered,
        rtol=1e-5,
        atol=1e-6,
    )
