"""TESS TOI tables: the reader, labels, leak guard, bad input, embedded table, prepare and the ExoFOP download."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exomesa.cli import main
from exomesa.data import load_catalog
from exomesa.data.toi import BKJD_OFFSET, is_exofop_file, toi_path
from exomesa.errors import ExomesaError
from exomesa.features import resolve_feature_set

SAMPLE = Path(__file__).parent / "data" / "exofop_toi_sample.csv"  # BOM + comment line, 15 real TOIs


def _sample_lines() -> list[str]:
    return SAMPLE.read_text(encoding="utf-8-sig").splitlines()


def _write(tmp_path: Path, lines: list[str], name: str = "t.csv") -> Path:
    path = tmp_path / name
    path.write_text("\ufeff" + "\n".join(lines) + "\n", encoding="utf-8")
    return path


def _edit(tmp_path: Path, column: str, row: int, value: str) -> Path:
    """The sample with one cell changed (row 0 = first data row)."""
    df = pd.read_csv(SAMPLE, skiprows=1, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    df.loc[row, column] = value
    path = tmp_path / "edited.csv"
    path.write_text("\ufeffThis file was produced by the Exoplanet Follow-up Observing Program\n\n" + df.to_csv(
        index=False), encoding="utf-8")  # fmt: skip
    return path


def test_exofop_export_is_detected_and_mapped() -> None:
    assert is_exofop_file(SAMPLE)
    df = load_catalog(SAMPLE, require_label=False)
    row = df.set_index("candidate_id").loc["TOI-114.01"]
    assert row["star_id"] == row["tic_id"] == 25155310 and row["toi"] == 114.01 and row["mission"] == "TESS"
    assert row["koi_period"] == pytest.approx(3.28879, rel=1e-4)
    assert row["koi_depth"] == pytest.approx(7006, rel=1e-3)
    assert row["koi_time0bk"] == pytest.approx(row["koi_time0"] - BKJD_OFFSET)
    assert row["koi_time0"] > 2_450_000  # BJD
    assert row["koi_disposition"] == "CONFIRMED"  # KP
    assert df["koi_disposition"].isna().sum() == 1  # the blank one kept for predict


def test_labels_map_and_blank_is_dropped_for_training(caplog: pytest.LogCaptureFixture) -> None:
    raw = pd.read_csv(SAMPLE, skiprows=1, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    expected = {"CP": "CONFIRMED", "KP": "CONFIRMED", "PC": "CANDIDATE", "APC": "CANDIDATE",
                "FP": "FALSE POSITIVE", "FA": "FALSE POSITIVE"}  # fmt: skip
    with caplog.at_level("INFO"):
        df = load_catalog(SAMPLE)
    assert len(df) == len(raw) - 1 and "1 TOI(s) without a TFOPWG disposition left out" in caplog.text
    codes = dict(zip("TOI-" + raw["TOI"], raw["TFOPWG Disposition"], strict=True))
    for name, label in zip(df["candidate_id"], df["koi_disposition"], strict=True):
        assert expected[codes[name]] == label


def test_archive_toi_table_names(tmp_path: Path) -> None:
    path = tmp_path / "archive_toi.csv"
    path.write_text(
        "# NASA Exoplanet Archive TOI table\n"
        "toi,tid,tfopwg_disp,pl_orbper,pl_tranmid,pl_trandurh,pl_trandep,pl_rade,st_teff,st_rad,st_logg,st_tmag\n"
        "114.01,25155310,KP,3.28879,2458326.1,3.44,7006,10.1,5900,1.2,4.3,9.8\n"
        "1234.1,5,FP,1.5,2459000.5,2.0,500,2.0,5000,0.9,4.5,11.0\n"
    )
    df = load_catalog(path)
    assert list(df["candidate_id"]) == ["TOI-114.01", "TOI-1234.10"]
    assert list(df["koi_disposition"]) == ["CONFIRMED", "FALSE POSITIVE"]
    assert df["tess_mag"].tolist() == [9.8, 11.0] and df["koi_slogg"].iloc[0] == 4.3


@pytest.mark.parametrize(
    ("column", "value", "expect"),
    [
        ("TFOPWG Disposition", "XX", "unknown TFOPWG disposition code(s) ['XX']"),
        ("TOI", "101.01", "duplicate TOI number TOI-101.01"),
        ("Period (days)", "-1", "must be positive"),
        ("Period (days)", "0", "must be positive"),
        ("Transit Epoch (BJD)", "1326.0", "looks like BTJD"),
    ],
)
def test_bad_toi_input_is_one_clear_line(tmp_path: Path, column: str, value: str, expect: str) -> None:
    path = _edit(tmp_path, column, 1, value)
    with pytest.raises(ExomesaError) as info:
        load_catalog(path)
    msg = str(info.value)
    assert expect in msg and str(path) in msg and "\n" not in msg


def test_toi_table_without_tic_column(tmp_path: Path) -> None:
    lines = _sample_lines()
    lines[2] = lines[2].replace('"TIC ID"', '"Star"')
    with pytest.raises(ExomesaError, match="needs its TIC column"):
        load_catalog(_write(tmp_path, lines))


def test_leak_guard_refuses_toi_follow_up_columns() -> None:
    for col in ("Spectroscopy Observations", "TFOPWG Disposition", "Comments", "Source", "SG1A priority",
                "Master priority", "Date TOI Alerted (by TESS Project)", "time_series_observations"):  # fmt: skip
        with pytest.raises(ExomesaError, match="refusing to use"):
            resolve_feature_set({"planet": ["koi_period", col]})
    toi = resolve_feature_set("toi")
    flat = [c for cols in toi.values() for c in cols]
    assert "koi_smet" not in flat and not any(c.endswith("_err") for c in flat)


def test_embedded_table_counts() -> None:
    assert toi_path().stat().st_size < 1_400_000
    df = load_catalog("toi")
    assert len(df) == 7215 and df["candidate_id"].is_unique
    assert df["koi_disposition"].value_counts().to_dict() == {
        "CANDIDATE": 5045, "FALSE POSITIVE": 1167, "CONFIRMED": 1003}  # fmt: skip
    assert len(load_catalog("toi", require_label=False)) == 7236
    assert int(df["koi_period"].isna().sum()) == 100  # single transits (101 with the unlabelled ones)


def test_prepare_toi_is_tic_grouped_and_stratified(tmp_path: Path) -> None:
    assert main(["data", "prepare", "--source", "toi", "--out", str(tmp_path / "d")]) == 0
    train = pd.read_csv(tmp_path / "d" / "train_data.csv")
    test = pd.read_csv(tmp_path / "d" / "test_data.csv")
    assert len(train) + len(test) == 7215
    assert not set(train["tic_id"]) & set(test["tic_id"]) and (train["star_id"] == train["tic_id"]).all()
    share_train = train["disposition"].value_counts(normalize=True)
    share_test = test["disposition"].value_counts(normalize=True)
    assert np.abs(share_train - share_test).max() < 0.02
    manifest = json.loads((tmp_path / "d" / "manifest.json").read_text())
    assert (
        manifest["provenance"]["export_date"] == "2024-09-30" and manifest["provenance"]["mission"] == "TESS"
    )
    again = load_catalog(tmp_path / "d" / "train_data.csv")  # the prepared file reads back as TESS rows
    assert (again["mission"] == "TESS").all() and again["candidate_id"].str.startswith("TOI-").all()


class _Response:
    def __init__(self, payload: bytes) -> None:
        self.payload = payload

    def __enter__(self) -> _Response:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def read(self) -> bytes:
        return self.payload


def test_download_toi_from_recorded_response(tmp_path: Path) -> None:
    from exomesa.data.download import EXOFOP_TOI_URL, download_koi_table

    urls = []

    def opener(url: str, timeout: float) -> _Response:
        urls.append(url)
        return _Response(SAMPLE.read_bytes())

    path = download_koi_table("toi", tmp_path, opener=opener, timeout=5)
    assert urls == [EXOFOP_TOI_URL] and path.name == "toi.csv"
    assert len(load_catalog(path, require_label=False)) == 15
    assert download_koi_table("toi", tmp_path, opener=None) == path  # cached, no request


def test_download_toi_offline_message(tmp_path: Path) -> None:
    from exomesa.data.download import download_koi_table

    def offline(url: str, timeout: float) -> _Response:
        raise OSError("Name or service not known")

    with pytest.raises(ExomesaError, match="could not reach ExoFOP-TESS.*--source toi"):
        download_koi_table("toi", tmp_path, opener=offline, retries=0)
