"""The vetting sheet's "is it on target?" section: ephemeris matches and centroid offsets."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from exomesa.evaluation.on_target import on_target_records


def test_sheet_lists_the_parent_and_flags_a_contaminated_koi(tiny_model: Path, tmp_path: Path) -> None:
    from exomesa.cli import main

    out = tmp_path / "v"
    assert main(["vet", "--model_path", str(tiny_model), "--koi", "K00006.01", "--out", str(out)]) == 0
    html = (out / "K00006.01.html").read_text(encoding="utf-8")
    assert 'id="on-target"' in html and "K01759.01" in html and "psf overlap" in html
    assert "false-positive evidence: the ephemeris matches K01759.01 at 1:1" in html
    assert "No centroid offsets in the catalog row" in html  # DR25 has none for KOI-6.01
    assert 'id="needs-human"' in html or "FALSE POSITIVE" in html


def test_records_without_matches_or_centroids() -> None:
    df = pd.DataFrame({"kepoi_name": ["A"], "koi_dikco_msky": [2.0], "koi_dikco_msky_err": [0.5]})
    (rec,) = on_target_records(df, None)
    assert rec["matches_as_child"] == [] and rec["false_positive_evidence"]
    assert rec["centroids"][0]["significance"] == 4.0
    assert "not on the target" in rec["evidence"][0]
