"""The NASA archive TOI table: archive names → canonical names, keyed by tid."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from exomesa import sources
from exomesa.data import load_catalog


def test_archive_toi_table(tmp_path: Path) -> None:
    path = tmp_path / "TOI_2024.csv"
    path.write_text(
        "# This file was produced by the NASA Exoplanet Archive\n"
        + pd.DataFrame(
            {
                "toi": [101.01, 102.01],
                "tid": [231663901, 149603524],
                "tfopwg_disp": ["KP", "FP"],
                "pl_orbper": [1.43, 4.41],
                "pl_tranmid": [2458325.3, 2458326.0],
                "st_tmag": [10.1, 9.6],
            }
        ).to_csv(index=False)  # fmt: skip
    )
    assert sources.detect(path, ["toi", "tid", "tfopwg_disp"]).name == "toi_archive"
    df = load_catalog(path)
    assert df["candidate_id"].tolist() == ["TOI-101.01", "TOI-102.01"]
    assert df["star_id"].tolist() == [231663901, 149603524] and df["tess_mag"].tolist() == [10.1, 9.6]
    assert df["koi_disposition"].tolist() == ["CONFIRMED", "FALSE POSITIVE"] and "kepid" not in df.columns
    assert "toi_archive" in sources.get("toi_archive").presets
