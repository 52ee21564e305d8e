"""`exomesa data prepare` and `exomesa data download` (offline, on a recorded response)."""

from __future__ import annotations

import io
import json
import urllib.error
from pathlib import Path

import pandas as pd
import pytest

from exomesa.cli import main
from exomesa.data import CLASSES, load_catalog
from exomesa.data.download import archive_query_url, download_koi_table
from exomesa.errors import ExomesaError

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.slow
def test_prepare_on_embedded_dr25(tmp_path: Path) -> None:
    out = tmp_path / "d"
    assert main(["data", "prepare", "--out", str(out)]) == 0
    train = load_catalog(out / "train_data.csv")
    test = load_catalog(out / "test_data.csv")
    assert len(train) + len(test) == 8054
    assert not set(train.kepid) & set(test.kepid)
    p = train.koi_disposition.value_counts(normalize=True) - test.koi_disposition.value_counts(normalize=True)
    assert p.abs().max() < 0.02
    header = pd.read_csv(out / "train_data.csv", nrows=0).columns.tolist()
    assert header[:9] == [
        "disposition",
        "period",
        "depth",
        "planet_radius",
        "stellar_temp",
        "stellar_radius",
        "duration",
        "kepid",
        "kepoi_name",
    ]
    assert "koi_score" not in header and "koi_fpflag_nt" not in header
    # every column the full preset reads, and the same ephemeris features as the embedded table's rows
    from exomesa.features import required_columns, resolve_feature_set
    from exomesa.features.ephemeris_group import ephemeris_feature_frame

    assert set(required_columns(resolve_feature_set("full"))) <= set(train.columns)
    assert {"ra", "dec", "koi_period_err1", "koi_time0bk_err1"} <= set(header)
    dr25 = load_catalog("dr25").set_index("candidate_id").loc[test["candidate_id"]].reset_index()
    pd.testing.assert_frame_equal(ephemeris_feature_frame(test), ephemeris_feature_frame(dr25))
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["counts"]["train"]["total"] == len(train)
    # refuses to overwrite without --force, one clear line, exit code 2
    assert main(["data", "prepare", "--out", str(out)]) == 2
    assert main(["data", "prepare", "--out", str(out), "--force"]) == 0


def test_prepare_bad_source_is_clean_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "prepare", "--out", str(tmp_path), "--source", str(tmp_path / "missing.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "missing.csv" in err and "Traceback" not in err


class _Response(io.BytesIO):
    def __enter__(self):  # noqa: D105
        return self

    def __exit__(self, *exc):  # noqa: D105
        return False


def test_download_uses_recorded_response(tmp_path: Path) -> None:
    payload = (DATA / "archive_cumulative_sample.csv").read_bytes()
    seen = {}

    def opener(url, timeout):
        seen["url"], seen["timeout"] = url, timeout
        return _Response(payload)

    path = download_koi_table("cumulative", tmp_path, opener=opener, timeout=5)
    assert path == tmp_path / "cumulative.csv"
    assert "select+%2A+from+cumulative" in seen["url"] and "format=csv" in seen["url"]
    assert len(load_catalog(path)) == 7
    # cached: a second call does not hit the network
    assert download_koi_table("cumulative", tmp_path, opener=None) == path


def test_download_offline_message(tmp_path: Path) -> None:
    def offline(url, timeout):
        raise urllib.error.URLError("Name or service not known")

    with pytest.raises(ExomesaError, match="could not reach the NASA Exoplanet Archive.*embedded DR25"):
        download_koi_table("cumulative", tmp_path, opener=offline, retries=0)
    assert not (tmp_path / "cumulative.csv").exists()


def test_download_rejects_non_table(tmp_path: Path) -> None:
    with pytest.raises(ExomesaError, match="not a KOI table"):
        download_koi_table(
            "cumulative", tmp_path, opener=lambda u, timeout: _Response(b"<html>error</html>"), retries=0
        )


def test_unknown_table() -> None:
    with pytest.raises(ExomesaError, match="unknown archive table"):
        archive_query_url("planets")


# --- every bad-input case through the CLI: one `error:` line naming the file and what is wrong, exit 2 -------
_SEED_HEADER = "disposition,period,depth,planet_radius,stellar_temp,stellar_radius,duration"
_BAD_INPUTS = {
    "missing": (None, "file not found"),
    "empty": ("", "the file is empty"),
    "unknown_columns": ("a,b,c\n1,2,3\n", "none of the known column sets"),
    "text_in_numbers": (
        f"{_SEED_HEADER}\nCONFIRMED,1.2,100,1,5000,1,2\nCANDIDATE,abc,100,1,5000,1,2\n",
        "column 'koi_period' must hold numbers, but row 2 has 'abc'",
    ),
    "unknown_disposition": (
        f"{_SEED_HEADER}\nCONFIRMED,1.2,100,1,5000,1,2\nPLANET,1.3,100,1,5000,1,2\n",
        "unknown disposition value(s) ['PLANET'] in column 'koi_disposition' (first at row 2)",
    ),
    "duplicate_names": (
        f"kepoi_name,{_SEED_HEADER}\nK1,CONFIRMED,1.2,100,1,5000,1,2\nK1,CANDIDATE,1.3,100,1,5000,1,2\n",
        "duplicate KOI name 'K1' at rows [1, 2]",
    ),
    "ragged": ("disposition,period,depth\nCONFIRMED,1,2,3,4\n", "more fields than the header"),
}


@pytest.mark.parametrize("case", sorted(_BAD_INPUTS))
def test_prepare_bad_input_is_one_clear_line(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, expected = _BAD_INPUTS[case]
    source = tmp_path / f"{case}.csv"
    if text is not None:
        source.write_text(text)
    out = tmp_path / "out"
    assert main(["data", "prepare", "--out", str(out), "--source", str(source)]) == 2
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if line.startswith("error: ")]
    assert len(errors) == 1 and "Traceback" not in err
    assert str(source) in errors[0] and expected in errors[0]
    assert not out.exists()  # nothing written


def _small_table(path: Path, n: int = 40) -> Path:
    classes = ["CONFIRMED", "CANDIDATE", "FALSE POSITIVE"]
    rows = [
        f"{100 + i // 2},K{i:05d}.01,{classes[i % 3]},{1 + i},{100 + 10 * i},1.0,5000,1.0,3.0"
        for i in range(n)
    ]
    path.write_text(f"kepid,kepoi_name,{_SEED_HEADER}\n" + "\n".join(rows) + "\n")
    return path


def test_prepare_small_table_manifest_and_groups(tmp_path: Path) -> None:
    out = tmp_path / "d"
    source = _small_table(tmp_path / "koi.csv")
    assert main(["data", "prepare", "--out", str(out), "--source", str(source), "--seed", "3"]) == 0
    train, test = load_catalog(out / "train_data.csv"), load_catalog(out / "test_data.csv")
    assert len(train) + len(test) == 40 and not set(train.kepid) & set(test.kepid)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["source"] == str(source) and manifest["seed"] == 3
    for name, part in (("train", train), ("test", test)):
        expected = {c: int((part.koi_disposition == c).sum()) for c in CLASSES}
        assert manifest["counts"][name] == expected | {"total": len(part)}
    before = (out / "train_data.csv").read_bytes()
    assert main(["data", "prepare", "--out", str(out), "--source", str(source), "--seed", "4"]) == 2
    assert (out / "train_data.csv").read_bytes() == before  # not overwritten without --force


def test_prepare_output_problems_are_clean_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = _small_table(tmp_path / "koi.csv")
    a_file = tmp_path / "file.txt"
    a_file.write_text("mine")
    assert main(["data", "prepare", "--out", str(a_file), "--source", str(source)]) == 2
    assert "is a file" in capsys.readouterr().err and a_file.read_text() == "mine"
    assert main(["data", "prepare", "--out", str(a_file / "sub"), "--source", str(source)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot write the prepared data") and "Traceback" not in err
    few = tmp_path / "few.csv"
    few.write_text(f"{_SEED_HEADER}\nCONFIRMED,1.2,100,1,5000,1,2\nCANDIDATE,1.3,100,1,5000,1,2\n")
    assert main(["data", "prepare", "--out", str(tmp_path / "o"), "--source", str(few)]) == 2
    assert f"error: {few}: cannot split 2 star(s)" in capsys.readouterr().err


def test_download_cache_dir_not_writable(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    a_file = tmp_path / "cache"
    a_file.write_text("")
    assert main(["data", "download", "--cache_dir", str(a_file)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: cannot create the cache folder") and "--cache_dir" in err


def test_download_broken_response_is_offline_message(tmp_path: Path) -> None:
    import http.client

    def broken(url, timeout):
        raise http.client.IncompleteRead(b"kepid,kepoi")

    with pytest.raises(ExomesaError, match="could not reach the NASA Exoplanet Archive"):
        download_koi_table("cumulative", tmp_path, opener=broken, retries=0)
