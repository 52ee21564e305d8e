"""Catalog layer: loaders on fixtures and the embedded table, leak guard, splits, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exomesa.data import (
    CLASSES,
    LABEL,
    check_no_leak,
    dr25_path,
    group_kfold,
    is_leaky,
    labels_to_index,
    load_catalog,
    load_dr25,
    split_catalog,
    to_seed_layout,
)
from exomesa.errors import ExomesaError

DATA = Path(__file__).parent / "data"


def _seed_csv(path: Path, rows: int = 12) -> Path:
    rng = np.random.default_rng(1)
    df = pd.DataFrame(
        {
            "disposition": [CLASSES[i % 3] for i in range(rows)],
            "period": rng.uniform(1, 50, rows),
            "depth": rng.uniform(100, 5000, rows),
            "planet_radius": rng.uniform(1, 10, rows),
            "stellar_temp": rng.uniform(4000, 6500, rows),
            "stellar_radius": rng.uniform(0.7, 1.5, rows),
            "duration": rng.uniform(1, 6, rows),
        }
    )
    df.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def dr25() -> pd.DataFrame:
    return load_dr25()


def test_dr25_is_the_real_table(dr25: pd.DataFrame) -> None:
    # the archive's 153 columns + candidate_id, star_id (= kepoi_name, kepid) + mission ("Kepler"; TOI rows "TESS")
    assert dr25.shape == (8054, 156)
    assert (dr25["mission"] == "Kepler").all()
    counts = dr25[LABEL].value_counts().to_dict()
    assert counts == {"FALSE POSITIVE": 3976, "CONFIRMED": 2281, "CANDIDATE": 1797}
    row = dr25.set_index("kepoi_name").loc["K00002.01"]
    assert row["koi_period"] == pytest.approx(2.204735, abs=1e-5)
    assert row["koi_depth"] == pytest.approx(6674.7)
    assert dr25["kepoi_name"].is_unique


def test_load_catalog_dr25_keyword(dr25: pd.DataFrame) -> None:
    assert load_catalog("dr25").shape == dr25.shape


def test_archive_csv_with_comments(tmp_path: Path) -> None:
    text = (DATA / "archive_cumulative_sample.csv").read_text()
    path = tmp_path / "export.csv"
    path.write_text(
        "# This file was produced by the NASA Exoplanet Archive\n# COLUMN koi_period: days\n" + text
    )
    df = load_catalog(path)
    assert len(df) == 7
    assert df.loc[df.kepoi_name == "K00002.01", "koi_disposition"].item() == "CONFIRMED"
    assert df["koi_period"].dtype == float


def test_seed_csv_maps_to_canonical(tmp_path: Path) -> None:
    df = load_catalog(_seed_csv(tmp_path / "seed.csv"))
    for col in ("koi_period", "koi_depth", "koi_prad", "koi_steff", "koi_srad", "koi_duration", LABEL):
        assert col in df.columns
    assert df["kepoi_name"].tolist()[:2] == ["row-000001", "row-000002"]
    assert df["kepid"].is_unique  # each row its own star when no kepid is given


def test_prepared_layout_round_trips(dr25: pd.DataFrame, tmp_path: Path) -> None:
    part = dr25.head(30)
    path = tmp_path / "p.csv"
    to_seed_layout(part, ["koi_impact", "koi_quarters"]).to_csv(path, index=False)
    back = load_catalog(path)
    assert back["kepoi_name"].tolist() == part["kepoi_name"].tolist()
    np.testing.assert_allclose(back["koi_period"], part["koi_period"])
    assert back["koi_quarters"].tolist() == part["koi_quarters"].astype(str).tolist()  # leading zeros kept


@pytest.mark.parametrize(
    "column",
    [
        "koi_score",
        "koi_fpflag_co",
        "koi_pdisposition",
        "kepler_name",
        "koi_vet_stat",
        "koi_disp_prov",
        "koi_comment",
        "koi_tce_delivname",
        "koi_datalink_dvr",
        "disposition",
        "koi_disposition",
    ],
)
def test_leak_guard_refuses(column: str) -> None:
    assert is_leaky(column)
    with pytest.raises(ExomesaError, match="vetting outcome"):
        check_no_leak(["koi_period", column])


def test_leak_guard_allows_physics() -> None:
    physics = ["koi_period", "koi_depth", "koi_steff", "koi_model_snr"]
    assert check_no_leak(physics) is None  # no error for physical columns
    assert not any(is_leaky(c) for c in physics)
    assert is_leaky("koi_score") and is_leaky("koi_fpflag_nt")


def test_split_grouped_and_stratified(dr25: pd.DataFrame) -> None:
    train, test = split_catalog(dr25, test_size=0.2, seed=42)
    assert len(train) + len(test) == 8054
    assert not set(train.kepid) & set(test.kepid)
    p_train = train[LABEL].value_counts(normalize=True)
    p_test = test[LABEL].value_counts(normalize=True)
    assert (p_train - p_test).abs().max() < 0.02
    assert abs(len(test) / 8054 - 0.2) < 0.01
    again, _ = split_catalog(dr25, test_size=0.2, seed=42)
    assert again["kepoi_name"].tolist() == train["kepoi_name"].tolist()
    other, _ = split_catalog(dr25, test_size=0.2, seed=7)
    assert other["kepoi_name"].tolist() != train["kepoi_name"].tolist()


def test_group_kfold_partitions(dr25: pd.DataFrame) -> None:
    folds = group_kfold(dr25, n_splits=5, seed=0)
    tests = np.concatenate([te for _, te in folds])
    assert np.array_equal(np.sort(tests), np.arange(len(dr25)))
    for tr, te in folds:
        assert not set(dr25.kepid.iloc[tr]) & set(dr25.kepid.iloc[te])


def test_labels_to_index() -> None:
    assert labels_to_index(["CONFIRMED", "FALSE POSITIVE", "CANDIDATE"]).tolist() == [0, 2, 1]
    with pytest.raises(ExomesaError):
        labels_to_index(["PLANET"])


# --- bad input -------------------------------------------------------------------------------------------
def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ExomesaError, match="not found"):
        load_catalog(tmp_path / "nope.csv")


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(ExomesaError, match="empty"):
        load_catalog(tmp_path / "e.csv")


def test_unknown_columns(tmp_path: Path) -> None:
    (tmp_path / "u.csv").write_text("a,b,c\n1,2,3\n")
    with pytest.raises(ExomesaError, match="none of the known column sets"):
        load_catalog(tmp_path / "u.csv")


def test_text_in_numeric_column(tmp_path: Path) -> None:
    path = _seed_csv(tmp_path / "s.csv")
    df = pd.read_csv(path)
    df["depth"] = df["depth"].astype(object)
    df.loc[3, "depth"] = "deep"
    df.to_csv(path, index=False)
    with pytest.raises(ExomesaError, match=r"'koi_depth'.*row 4.*'deep'"):
        load_catalog(path)


def test_unknown_disposition(tmp_path: Path) -> None:
    path = _seed_csv(tmp_path / "s.csv")
    df = pd.read_csv(path)
    df.loc[5, "disposition"] = "PLANET?"
    df.to_csv(path, index=False)
    with pytest.raises(ExomesaError, match=r"unknown disposition.*PLANET\?.*row 6"):
        load_catalog(path)


def test_duplicate_koi_names(tmp_path: Path) -> None:
    path = _seed_csv(tmp_path / "s.csv")
    df = pd.read_csv(path)
    df["kepoi_name"] = [f"K{i:05d}.01" for i in range(len(df))]
    df.loc[7, "kepoi_name"] = "K00001.01"
    df.to_csv(path, index=False)
    with pytest.raises(ExomesaError, match=r"duplicate KOI name 'K00001.01' at rows \[2, 8\]"):
        load_catalog(path)


def test_missing_label_when_required(tmp_path: Path) -> None:
    path = _seed_csv(tmp_path / "s.csv")
    pd.read_csv(path).drop(columns=["disposition"]).to_csv(path, index=False)
    with pytest.raises(ExomesaError, match="no disposition column"):
        load_catalog(path)
    assert LABEL not in load_catalog(path, require_label=False).columns


def test_single_class_cannot_be_split(tmp_path: Path) -> None:
    path = _seed_csv(tmp_path / "s.csv")
    df = pd.read_csv(path)
    df["disposition"] = "CONFIRMED"
    df.to_csv(path, index=False)
    with pytest.raises(ExomesaError, match="single class"):
        split_catalog(load_catalog(path))


def test_dr25_cache_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, dr25: pd.DataFrame) -> None:
    from exomesa.data import catalog

    monkeypatch.setenv("EXOMESA_CACHE", str(tmp_path))
    catalog._dr25_cached.cache_clear()
    try:
        first = load_dr25()  # parses the IPAC file and writes the cache
        assert len(list(tmp_path.glob("dr25-*.csv"))) == 1
        catalog._dr25_cached.cache_clear()
        second = load_dr25()  # reads the cache
        pd.testing.assert_frame_equal(first, second)
        pd.testing.assert_frame_equal(first, dr25)
    finally:
        catalog._dr25_cached.cache_clear()


def test_dr25_is_found_without_importing_epos(dr25: pd.DataFrame) -> None:
    import sys

    assert dr25_path().name == "q1_q17_dr25_koi.tbl"
    assert not [m for m in sys.modules if m == "EPOS" or m.startswith("EPOS.")]


def test_comments_only_and_header_only_files(tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text("# exported by the archive\n# nothing else\n")
    with pytest.raises(ExomesaError, match=r"c\.csv: no header row or data"):
        load_catalog(tmp_path / "c.csv")
    (tmp_path / "h.csv").write_text(
        "disposition,period,depth,planet_radius,stellar_temp,stellar_radius,duration\n"
    )
    with pytest.raises(ExomesaError, match=r"h\.csv: .*no data rows"):
        load_catalog(tmp_path / "h.csv")


def test_row_longer_than_header(tmp_path: Path) -> None:
    # Without a check pandas would silently move the extra leading cells into the index.
    (tmp_path / "r.csv").write_text("disposition,period,depth\nCONFIRMED,1,2,3,4\nCANDIDATE,1,2\n")
    with pytest.raises(ExomesaError, match=r"r\.csv: .*more fields than the header"):
        load_catalog(tmp_path / "r.csv")
    (tmp_path / "r2.csv").write_text("disposition,period,depth\nCONFIRMED,1,2\nCANDIDATE,1,2,3\n")
    with pytest.raises(ExomesaError, match=r"r2\.csv: not a readable CSV.*line 3"):
        load_catalog(tmp_path / "r2.csv")


def test_blank_koi_name(tmp_path: Path) -> None:
    path = _seed_csv(tmp_path / "s.csv")
    df = pd.read_csv(path)
    df["kepoi_name"] = [f"K{i:05d}.01" for i in range(len(df))]
    df.loc[4, "kepoi_name"] = None
    df.to_csv(path, index=False)
    with pytest.raises(ExomesaError, match=r"'kepoi_name' is empty at row 5"):
        load_catalog(path)


def test_fractional_kepid(tmp_path: Path) -> None:
    path = _seed_csv(tmp_path / "s.csv")
    df = pd.read_csv(path)
    df["kepid"] = np.arange(len(df), dtype=float) + 100
    df.loc[2, "kepid"] = 101.5
    df.to_csv(path, index=False)
    with pytest.raises(ExomesaError, match=r"'kepid' must hold whole numbers.*row 3 has 101\.5"):
        load_catalog(path)
