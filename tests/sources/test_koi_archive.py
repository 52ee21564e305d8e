"""NASA archive KOI exports, and Kepler tables written by earlier versions (keys kepid/kepoi_name only)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from exomesa import sources
from exomesa.data import load_catalog, split_catalog
from exomesa.errors import ExomesaError

SAMPLE = Path(__file__).parents[1] / "data" / "archive_cumulative_sample.csv"


def test_archive_export_is_detected_and_keyed() -> None:
    raw = sources.read_table(SAMPLE)
    assert sources.detect(SAMPLE) is None  # not told by the file head
    assert sources.detect(SAMPLE, raw.columns).name == "koi_archive"
    df = load_catalog(SAMPLE)
    assert (df["candidate_id"] == df["kepoi_name"]).all() and (df["star_id"] == df["kepid"]).all()
    assert (df["mission"] == "Kepler").all()


def test_old_prepared_file_loads(tmp_path: Path) -> None:
    """A train_data.csv of an earlier version: seed layout + kepid, kepoi_name (no neutral keys)."""
    old = pd.DataFrame(
        {"disposition": ["CONFIRMED", "FALSE POSITIVE", "CANDIDATE", "CONFIRMED"], "period": [1.0, 2.0, 3.0, 4.0],
         "kepid": [11, 11, 12, 13], "kepoi_name": ["K1.01", "K1.02", "K2.01", "K3.01"], "mission": "Kepler"}
    )  # fmt: skip
    old.to_csv(tmp_path / "train_data.csv", index=False)
    df = load_catalog(tmp_path / "train_data.csv")
    assert df["candidate_id"].tolist() == ["K1.01", "K1.02", "K2.01", "K3.01"]
    assert df["star_id"].tolist() == [11, 11, 12, 13] and df["kepid"].tolist() == [11, 11, 12, 13]
    train, test = split_catalog(df, 0.5, seed=0)
    assert not set(train.star_id) & set(test.star_id)


def test_native_and_neutral_keys_must_agree(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    pd.DataFrame(
        {"koi_period": [1.0], "koi_disposition": ["CONFIRMED"], "kepid": [5], "star_id": [6]}
    ).to_csv(path, index=False)
    with pytest.raises(ExomesaError, match="'kepid' and 'star_id' disagree at row 1"):
        load_catalog(path)
