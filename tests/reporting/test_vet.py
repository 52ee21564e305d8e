"""`exomesa vet`: pages, verdict, attributions, bad input, and real-curve diagnostics pinned on ../shared."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import numpy as np
import pytest

from exomesa.cli import main
from exomesa.defaults import VETTING
from exomesa.errors import ExomesaError

MULTIQUARTER = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "kepler-multiquarter"


def test_pages_are_self_contained_and_complete(vet_pages: Path) -> None:
    names = sorted(p.name for p in vet_pages.iterdir())
    assert names == ["K00002.01.html", "K00752.01.html", "index.html", "vet.json"]
    index = (vet_pages / "index.html").read_text()
    assert 'href="K00752.01.html"' in index and "<script>" in index
    sheet = (vet_pages / "K00752.01.html").read_text()
    assert "http://" not in sheet and "https://" not in sheet and '<link rel="stylesheet"' not in sheet
    for text in (
        "Identity and provenance",
        "SHA-256",
        "Orbital period",
        "days",
        "rendered",
        "cannot be made",  # rendered curve: no light-curve diagnostics
        "single model: no ensemble spread",
        "Integrated Gradients",
        "Nearest known objects",
        "centroid offset",
    ):
        assert text in sheet, text
    assert len(re.findall(r'src="data:image/svg\+xml;base64,', sheet)) >= 3 + VETTING["neighbors"]
    sha = re.search(r"<td class=\"l\">SHA-256</td><td class=\"\">([0-9a-f]{64})</td>", sheet)
    assert sha, "the model's SHA-256 is on the sheet"


def test_records_verdict_and_attributions(tiny_model: Path) -> None:
    from exomesa.data import load_dr25
    from exomesa.evaluation.protocol import load_model
    from exomesa.evaluation.vetting import vet_records

    clf = load_model(tiny_model)
    df = load_dr25().set_index("kepoi_name").loc[["K00752.01", "K00002.01"]].reset_index()
    records = vet_records(clf, df)
    for rec in records:
        p = np.array(list(rec["proba"].values()))
        assert p.sum() == pytest.approx(1.0) and rec["predicted"] == max(rec["proba"], key=rec["proba"].get)
        top2 = np.sort(p)[::-1][:2]
        assert rec["needs_human"] == (top2[0] - top2[1] < VETTING["margin_threshold"])
        assert rec["proba_std"] is None and "no ensemble spread" in rec["uncertainty_reason"]
        why = rec["why"]
        assert len(why["top"]) == VETTING["top_features"] and why["local_strip"].shape == (201,)
        assert abs(why["delta"]) < 0.02  # IG completeness: attributions sum to P(x) - P(baseline)
        assert [n["disposition"] for n in rec["neighbors"]] and len(rec["neighbors"]) == VETTING["neighbors"]
        assert rec["name"] not in {n["name"] for n in rec["neighbors"]}


def test_lightgbm_attributions_are_shap_values() -> None:
    pytest.importorskip("lightgbm")
    from exomesa.baselines import TabularLightGBM
    from exomesa.data import load_dr25
    from exomesa.evaluation.explain import explain

    df = load_dr25()
    df = df[df["koi_disposition"].notna()].sample(n=200, random_state=1)
    clf = TabularLightGBM(n_estimators=20).fit(df)
    att = explain(clf, df.head(5))
    assert att["features"].shape == (5, len(clf.feature_names_)) and "TreeSHAP" in att["method"]
    assert np.isfinite(att["features"]).all() and np.abs(att["features"]).sum() > 0
    # SHAP values add up: bias + contributions = the booster's raw score of the explained class
    X = clf._design(df.head(5), None).to_numpy(np.float64)
    X = np.where(np.isnan(X), clf.medians_[None, :], X)
    raw = clf.booster_.predict(X, raw_score=True)
    full = clf.booster_.predict(X, pred_contrib=True).reshape(5, raw.shape[1], -1)
    rows = np.arange(5)
    assert np.allclose(
        full[rows, att["target"], :-1].sum(1) + full[rows, att["target"], -1], raw[rows, att["target"]]
    )
    assert np.allclose(full[rows, att["target"], :-1], att["features"], atol=1e-5)


def test_baseline_model_gets_a_sheet(tmp_path: Path) -> None:
    pytest.importorskip("lightgbm")
    from exomesa.baselines import TabularLightGBM
    from exomesa.data import load_dr25

    df = load_dr25()
    model = (
        TabularLightGBM(n_estimators=10)
        .fit(df[df["koi_disposition"].notna()].head(200))
        .save(tmp_path / "b.json")
    )
    out = tmp_path / "v"
    assert main(["vet", "--model_path", str(model), "--koi", "K00752.01", "--out", str(out)]) == 0
    sheet = (out / "K00752.01.html").read_text()
    assert "TreeSHAP" in sheet and "no bank of training embeddings" in sheet


def test_unknown_koi_existing_out_and_foreign_fits_write_nothing(
    tiny_model: Path, tmp_path: Path, capsys
) -> None:
    out = tmp_path / "v"
    assert main(["vet", "--model_path", str(tiny_model), "--koi", "K99999.01", "--out", str(out)]) == 2
    assert "K99999.01" in capsys.readouterr().err and not out.exists()
    out.mkdir()
    assert main(["vet", "--model_path", str(tiny_model), "--koi", "K00752.01", "--out", str(out)]) == 2
    assert "--force" in capsys.readouterr().err and not any(out.iterdir())
    if not MULTIQUARTER.is_dir():
        pytest.skip(f"{MULTIQUARTER} absent (../shared): foreign-FITS check skipped")
    fits = tmp_path / "fits"
    fits.mkdir()
    (fits / "a_llc.fits").symlink_to(sorted(MULTIQUARTER.glob("kplr006862328-*_llc.fits"))[0])
    out2 = tmp_path / "v2"
    args = [
        "vet",
        "--model_path",
        str(tiny_model),
        "--koi",
        "K00752.01",
        "--fits_dir",
        str(fits),
        "--out",
        str(out2),
    ]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "none of the files belongs" in err and "Kepler 6862328" in err and not out2.exists()


def test_select_candidates_names() -> None:
    from exomesa.data import load_dr25
    from exomesa.evaluation.vet_inputs import select_candidates

    cat = load_dr25()
    assert select_candidates(cat, ["752.01", "K00002.01"])["kepoi_name"].tolist() == [
        "K00752.01",
        "K00002.01",
    ]
    with pytest.raises(ExomesaError, match="no 'toi' column"):
        select_candidates(cat, tois=["101.01"])


@pytest.mark.skipif(not MULTIQUARTER.is_dir(), reason=f"{MULTIQUARTER} absent (../shared is not checked out)")
def test_real_multiquarter_diagnostics_are_pinned(tiny_model: Path, tmp_path: Path) -> None:
    from exomesa.data import load_dr25
    from exomesa.evaluation.vet_inputs import real_curves
    from exomesa.lightcurves.diagnostics import run_diagnostics
    from exomesa.lightcurves.files import find_fits_files

    out = tmp_path / "r"
    args = ["vet", "--model_path", str(tiny_model), "--koi", "K00351.01", "K00865.01"]
    assert main([*args, "--fits_dir", str(MULTIQUARTER), "--out", str(out)]) == 0
    sheet = (out / "K00351.01.html").read_text()
    assert (
        "real</b> (fits)" in sheet and "6 other KOI(s) are masked" in sheet and "cannot be made" not in sheet
    )
    assert "8067 ± 48 / 7870 ± 29 ppm" in sheet and "3 of 5 expected transits observed" in sheet
    assert "11 of 12 expected transits observed" in (out / "K00865.01.html").read_text()
    # the 3.5 sigma odd/even difference is evidence: it raises the flag unless the verdict is FALSE POSITIVE
    cand = {c["name"]: c for c in json.loads((out / "vet.json").read_text())["candidates"]}["K00351.01"]
    (odd_even,) = [e for e in cand["evidence"] if e["check"] == "odd_even"]
    assert odd_even["sigma"] == pytest.approx(3.54, abs=0.02) and "3.5 σ ≥ 3 σ" in odd_even["text"]
    if cand["predicted"] == "FALSE POSITIVE":
        assert odd_even["text"] in cand["supporting_evidence"]
    else:
        assert cand["needs_human"] and odd_even["text"] in cand["human_reasons"]
        assert 'id="needs-human"' in sheet
    assert html.escape(odd_even["text"], quote=False) in sheet

    cat = load_dr25()
    curves = real_curves(cat[cat["kepid"].isin([11442793, 6862328])], find_fits_files(MULTIQUARTER))
    expected = {  # odd depth, even depth [ppm], odd-even sigma, secondary [ppm], expected/observed transits
        "K00351.01": (8066.8, 7869.7, 3.54, 16.5, 5, 3),
        "K00865.01": (7202.8, 6913.7, 2.37, -66.3, 12, 11),
    }
    for name, (odd, even, sig, sec, n_exp, n_obs) in expected.items():
        c, row = curves[name], cat.set_index("kepoi_name").loc[name]
        d = run_diagnostics(c.time, c.flux, c.flux_err, row["koi_period"], c.epoch, row["koi_duration"])
        assert d.odd_even.depth_odd_ppm == pytest.approx(odd, abs=0.5)
        assert d.odd_even.depth_even_ppm == pytest.approx(even, abs=0.5)
        assert d.odd_even.significance_sigma == pytest.approx(sig, abs=0.02)
        assert d.secondary.depth_ppm == pytest.approx(sec, abs=0.5)
        assert (d.per_transit.n_expected, d.per_transit.n_observed) == (n_exp, n_obs)
    assert curves["K00351.01"].n_other_kois == 6  # Kepler-90's other planets masked


def test_human_flag_uses_margin_and_ensemble_spread() -> None:
    from exomesa.evaluation.vetting import human_flag

    assert human_flag(np.array([0.8, 0.15, 0.05]), None)[0] is False
    flag, margin, reasons = human_flag(np.array([0.45, 0.40, 0.15]), None)
    assert flag and margin == pytest.approx(0.05) and "margin" in reasons[0]
    flag, _, reasons = human_flag(np.array([0.8, 0.15, 0.05]), np.array([0.2, 0.1, 0.05]))
    assert flag and "ensemble std 0.20" in reasons[0]


def test_vet_json_summary(vet_pages: Path) -> None:
    import json

    summary = json.loads((vet_pages / "vet.json").read_text())
    assert [c["name"] for c in summary["candidates"]] == ["K00752.01", "K00002.01"]
    assert set(summary["timings_seconds"]) == {"inputs", "records", "pages", "total"}
    assert len(summary["meta"]["model_sha256"]) == 64


def test_toi_is_looked_up_in_the_embedded_toi_table(tmp_path: Path, capsys) -> None:
    pytest.importorskip("lightgbm")
    from exomesa.baselines import TabularLightGBM
    from exomesa.data import load_catalog

    tois = load_catalog("toi")
    model = TabularLightGBM(features="toi", n_estimators=10).fit(tois.head(300)).save(tmp_path / "t.json")
    out = tmp_path / "v"
    assert main(["vet", "--model_path", str(model), "--toi", "101.01", "--out", str(out)]) == 0
    sheet = (out / "TOI-101.01.html").read_text()
    assert "TOI-101.01" in sheet and "rendered" in sheet
    assert re.search(r"TIC id</td><td[^>]*>231663901</td>", sheet)  # an id, not 2.316639e+08
    assert main(["vet", "--model_path", str(model), "--toi", "99999.01", "--out", str(tmp_path / "w")]) == 2
    err = capsys.readouterr().err
    assert "not in the embedded TESS TOI table: TOI 99999.01" in err and not (tmp_path / "w").exists()
