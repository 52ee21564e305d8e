"""ExoFOP-TESS exports: the TIC is star_id (no kepid), the TOI name candidate_id; old TESS files still load."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from exomesa import sources
from exomesa.data import load_catalog
from exomesa.sources import toi_exofop

SAMPLE = Path(__file__).parents[1] / "data" / "exofop_toi_sample.csv"


def test_export_is_keyed_by_tic_and_toi() -> None:
    assert sources.detect(SAMPLE).name == "toi"
    df = load_catalog(SAMPLE)
    assert "kepid" not in df.columns and "kepoi_name" not in df.columns
    row = df.set_index("candidate_id").loc["TOI-114.01"]
    assert row["star_id"] == row["tic_id"] == 25155310 and row["mission"] == "TESS"
    assert toi_exofop.SOURCE.is_leaky("TFOPWG Disposition") and not toi_exofop.SOURCE.is_leaky(
        "Period (days)"
    )


def test_embedded_table_and_files() -> None:
    assert toi_exofop.toi_path().is_file() and toi_exofop.SOURCE.export_date == "2024-09-30"
    assert toi_exofop.LIGHTCURVES.cache_glob.format(id=7) == "tess*-0000000000000007-*_lc.fits"


def test_old_tess_file_with_tic_in_kepid_loads(tmp_path: Path) -> None:
    """A TESS train_data.csv of an earlier version: the TIC in kepid, the TOI name in kepoi_name."""
    old = pd.DataFrame(
        {"disposition": ["CONFIRMED", "CANDIDATE"], "period": [3.2, 1.1], "kepid": [25155310, 7],
         "kepoi_name": ["TOI-114.01", "TOI-9.01"], "mission": "TESS", "tic_id": [25155310, 7], "toi": [114.01, 9.01]}
    )  # fmt: skip
    old.to_csv(tmp_path / "train_data.csv", index=False)
    df = load_catalog(tmp_path / "train_data.csv")
    assert df["candidate_id"].tolist() == ["TOI-114.01", "TOI-9.01"] and df["star_id"].tolist() == [
        25155310,
        7,
    ]
    assert "kepid" not in df.columns and "kepoi_name" not in df.columns
