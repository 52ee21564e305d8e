"""The seed CSV layout: seed names → canonical names, rows named and starred when the file has no keys."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from exomesa import sources
from exomesa.data import load_catalog


def test_seed_csv_without_keys(tmp_path: Path) -> None:
    path = tmp_path / "seed.csv"
    pd.DataFrame(
        {"disposition": ["CONFIRMED", "FALSE POSITIVE"], "period": [1.5, 2.5], "depth": [100.0, 200.0]}
    ).to_csv(path, index=False)
    assert sources.detect(path, ["disposition", "period", "depth"]).name == "seed_csv"
    df = load_catalog(path)
    assert df["candidate_id"].tolist() == ["row-000001", "row-000002"] == df["kepoi_name"].tolist()
    assert df["star_id"].tolist() == [-1, -2] and df["koi_period"].tolist() == [1.5, 2.5]
    assert (df["mission"] == "Kepler").all()
