"""What a vetting sheet knows beyond the score: a training row says so (sheet, index, vet.json); false-positive
evidence raises the needs-a-human flag; vet.json holds what the sheet shows."""

from __future__ import annotations

import json
import re
from html import unescape
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from exomesa.cli import main
from exomesa.defaults import VETTING
from exomesa.evaluation.vetting import evidence_items, flag_reasons, record_summary
from exomesa.lightcurves.diagnostics import OddEven, Secondary


@pytest.fixture(scope="module")
def training_name(tiny_model: Path) -> str:
    """A candidate the tiny model was trained on (not a README example)."""
    from exomesa.evaluation.protocol import load_model

    names = [str(n) for n in load_model(tiny_model).training_reference()["candidate_id"]]
    assert "K00752.01" not in names and "K00006.01" not in names
    return sorted(names)[0]


@pytest.fixture(scope="module")
def context_pages(tiny_model: Path, training_name: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``exomesa vet`` for a training row, K00752.01 (not one) and K00006.01 (an ephemeris match)."""
    out = tmp_path_factory.mktemp("context") / "v"
    names = [training_name, "K00752.01", "K00006.01"]
    args = ["vet", "--model_path", str(tiny_model), "--koi", *names, "--out", str(out), "--no_explain"]
    assert main(args) == 0
    return out


def _sheet_facts(html: str) -> dict:
    """What a reader sees on a sheet: training mark, flag, its reasons, supporting evidence, neighbours."""
    mark = re.search(r'id="training-row" data-in-training="(\w+)"', html)
    reasons = re.search(r'<ul id="human-reasons">(.*?)</ul>', html, re.S)
    supporting = re.search(r'<ul id="supporting-evidence">(.*?)</ul>', html, re.S)
    table = re.search(r'<table id="neighbor-table">.*?<tbody>(.*?)</tbody>', html, re.S)
    neighbors = []
    if table:
        for row in re.findall(r"<tr>(.*?)</tr>", table.group(1), re.S):
            cells = [unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            neighbors.append((cells[0], cells[1], cells[2]))
    no_nb = re.search(r'<p class="null" id="no-neighbors">No neighbours \((.*?)\)\.</p>', html, re.S)
    return {
        "in_training": {"yes": True, "no": False, "unknown": None}[mark.group(1)],
        "needs_human": 'id="needs-human"' in html,
        "no_flag": 'id="no-flag"' in html,
        "human_reasons": [unescape(x) for x in re.findall(r"<li>(.*?)</li>", reasons.group(1), re.S)]
        if reasons
        else [],
        "supporting_evidence": [unescape(x) for x in re.findall(r"<li>(.*?)</li>", supporting.group(1), re.S)]
        if supporting
        else [],
        "neighbors": neighbors,
        "neighbors_reason": unescape(no_nb.group(1)) if no_nb else None,
    }


def test_training_row_is_marked_on_the_sheet_the_index_and_vet_json(
    context_pages: Path, training_name: str
) -> None:
    summary = {c["name"]: c for c in json.loads((context_pages / "vet.json").read_text())["candidates"]}
    assert summary[training_name]["in_training"] is True and summary["K00752.01"]["in_training"] is False
    assert summary[training_name]["training_label"] in {"CONFIRMED", "CANDIDATE", "FALSE POSITIVE"}
    sheet = (context_pages / f"{training_name}.html").read_text()
    assert "was one of this model's training rows" in sheet and "not a prediction" in sheet
    assert "Not a training row of this model" in (context_pages / "K00752.01.html").read_text()
    index = (context_pages / "index.html").read_text()
    assert "<th" in index and "Training row" in index and "1 were training rows of the model" in index
    cells = dict(re.findall(r'<a href="([^"]+)\.html">.*?<td class="l training" data-v="(\w+)"', index, re.S))
    assert cells == {training_name: "yes", "K00752.01": "no", "K00006.01": "no"}


def test_vet_json_agrees_with_every_sheet(context_pages: Path) -> None:
    data = json.loads((context_pages / "vet.json").read_text())
    assert "neighbors_reason" not in data["meta"]  # per candidate now, where the sheet has it
    for cand in data["candidates"]:
        facts = _sheet_facts((context_pages / f"{cand['name']}.html").read_text())
        assert facts["in_training"] == cand["in_training"], cand["name"]
        assert facts["needs_human"] == cand["needs_human"] and facts["no_flag"] != cand["needs_human"]
        assert facts["human_reasons"] == (cand["human_reasons"] if cand["needs_human"] else [])
        assert facts["supporting_evidence"] == cand["supporting_evidence"]
        shown = [(n["name"], n["disposition"], f"{n['similarity']:.3f}") for n in cand["neighbors"]]
        assert facts["neighbors"] == shown and len(shown) == VETTING["neighbors"]
        assert cand["neighbors_reason"] is None and facts["neighbors_reason"] is None
    contaminated = next(c for c in data["candidates"] if c["name"] == "K00006.01")
    assert any(e["check"] == "on_target" for e in contaminated["evidence"])


def test_baseline_sheet_says_training_rows_unknown_and_why_no_neighbours(tmp_path: Path) -> None:
    pytest.importorskip("lightgbm")
    from exomesa.baselines import TabularLightGBM
    from exomesa.data import load_dr25

    df = load_dr25()
    model = TabularLightGBM(n_estimators=5).fit(df[df["koi_disposition"].notna()].head(300))
    path = model.save(tmp_path / "m.json")
    out = tmp_path / "v"
    assert main(["vet", "--model_path", str(path), "--koi", "K00752.01", "--out", str(out)]) == 0
    (cand,) = json.loads((out / "vet.json").read_text())["candidates"]
    facts = _sheet_facts((out / "K00752.01.html").read_text())
    assert cand["in_training"] is None and facts["in_training"] is None
    assert "does not list its training rows" in cand["in_training_reason"]
    assert facts["neighbors"] == [] and facts["neighbors_reason"] == cand["neighbors_reason"]
    assert "no bank of training embeddings" in cand["neighbors_reason"]


def _diag(odd_even_sigma: float, secondary_sigma: float) -> SimpleNamespace:
    """The two parts of a :class:`~exomesa.lightcurves.diagnostics.LightCurveDiagnostics` the rule reads."""
    return SimpleNamespace(
        odd_even=OddEven(depth_odd_ppm=8067.0, depth_even_ppm=7870.0, significance_sigma=odd_even_sigma),
        secondary=Secondary(depth_ppm=40.0, depth_err_ppm=10.0, significance_sigma=secondary_sigma),
    )


def test_light_curve_evidence_at_three_sigma_raises_the_flag() -> None:
    thr = VETTING["evidence_sigma"]
    assert thr == 3.0
    confident = np.array([0.9, 0.08, 0.02])  # margin 0.82, no spread: the model alone would not flag it
    assert flag_reasons(confident, None, evidence_items(_diag(2.9, 2.9), None, None), "CONFIRMED")[0] is False
    evidence = evidence_items(_diag(3.54, 4.0), None, None)
    assert [e["check"] for e in evidence] == ["odd_even", "secondary"]
    flag, margin, reasons, supporting = flag_reasons(confident, None, evidence, "CONFIRMED")
    assert flag and margin == pytest.approx(0.82) and supporting == []
    assert "odd/even depth difference 3.5 σ ≥ 3 σ" in reasons[0] and "secondary eclipse" in reasons[1]
    # the same evidence agrees with a FALSE POSITIVE verdict: shown as support, no flag
    flag, _, reasons, supporting = flag_reasons(confident, None, evidence, "FALSE POSITIVE")
    assert not flag and reasons == [] and len(supporting) == 2
    # NaN significances (too little data) are no evidence
    assert evidence_items(_diag(float("nan"), float("nan")), None, None) == []


def test_catalog_dv_odd_even_statistic_is_evidence() -> None:
    # koi_bin_oedp_sig is the probability that odd and even depths agree (-1: not computed)
    for p, fires in (
        (0.0013, True),
        (0.0, True),
        (0.0027, False),
        (0.5, False),
        (-1.0, False),
        (None, False),
    ):
        items = evidence_items(None, pd.Series({"koi_bin_oedp_sig": p}), None)
        assert bool(items) == fires, p
    (item,) = evidence_items(None, pd.Series({"koi_bin_oedp_sig": 0.0013}), None)
    assert item["check"] == "dv_odd_even" and item["sigma"] == pytest.approx(3.21, abs=0.01)
    assert "koi_bin_oedp_sig = 0.0013" in item["text"]
    on_target = {"false_positive_reasons": ["false-positive evidence: the ephemeris matches X"]}
    assert evidence_items(None, None, on_target)[0]["check"] == "on_target"


def test_unscored_row_keeps_its_reason_first() -> None:
    flag, margin, reasons, _ = flag_reasons(
        None, None, evidence_items(_diag(5.0, 0.0), None, None), "", "no P"
    )
    assert flag and margin is None and reasons[0] == "no P" and "odd/even" in reasons[1]


def test_summary_is_json_and_holds_what_the_sheet_shows() -> None:
    rec = {
        "name": "K1",
        "mission": "Kepler",
        "in_training": True,
        "training_label": "CONFIRMED",
        "predicted": "CONFIRMED",
        "proba": {"CONFIRMED": 0.9},
        "proba_std": None,
        "uncertainty_reason": "single model",
        "margin": 0.8,
        "needs_human": True,
        "human_reasons": ["x"],
        "evidence": [{"check": "odd_even", "sigma": 3.5, "text": "x"}],
        "lightcurve": {
            "source": "rendered",
            "provenance": "",
            "files": [],
            "periods": [],
            "global": np.zeros(3),
        },
        "lc_diagnostics": None,
        "lc_diagnostics_reason": "rendered",
        "catalog_diagnostics": [],
        "neighbors": [
            {"name": "K2", "disposition": "CONFIRMED", "similarity": 0.5, "local_view": np.zeros(3)}
        ],
    }
    s = record_summary(rec)
    json.dumps(s)
    assert s["in_training"] is True and s["neighbors"] == [
        {"name": "K2", "disposition": "CONFIRMED", "similarity": 0.5}
    ]
