"""`exomesa data prepare` and `exomesa data download` (offline, on a recorded response)."""

from __future__ import annotations

import io
import json
import urllib.error
from pathlib import Path

import pandas as pd
import pytest

from exomesa.catalog import load_catalog
from exomesa.cli import main
from exomesa.download import archive_query_url, download_koi_table
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
