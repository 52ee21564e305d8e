"""A FITS folder as people have it: files of other stars and other missions are listed and left out."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from exomesa.cli import main
from exomesa.lightcurves import ViewSet

SAMPLE = Path(__file__).parents[1] / "data" / "exofop_toi_sample.csv"
KEPLER = "kplr010666592-2009131105131_llc.fits"  # KIC 10666592 (K00002.01), in no TOI table
TOI114 = "tess2018206045859-s0001-0000000025155310-0120-s_lc.fits"
OTHER_TIC = "tess2018206045859-s0001-0000000139754153-0120-s_lc.fits"  # a TIC the sample lacks


def _folder(shared: Path, tmp_path: Path, names: list[str]) -> Path:
    fits = tmp_path / "fits"
    fits.mkdir()
    for name in names:
        (fits / name).symlink_to(shared / name)
    return fits


@pytest.mark.parametrize("sharded", [False, True], ids=["npz", "folder"])
def test_toi_build_lists_kepler_and_other_tess_files(shared_lightcurves, tmp_path, capsys, sharded):
    fits = _folder(shared_lightcurves, tmp_path, [KEPLER, TOI114, OTHER_TIC])
    out = tmp_path / ("views" if sharded else "views.npz")
    argv = ["lightcurves", "build", "--catalog", str(SAMPLE), "--fits_dir", str(fits), "--out", str(out)]
    assert main([*argv, "--workers", "1"]) == 0
    assert list(ViewSet.load(out).candidate_id) == ["TOI-114.01"]
    listed = out / "unmatched.csv" if sharded else tmp_path / "views.unmatched.csv"
    unmatched = pd.read_csv(listed)
    assert unmatched.columns.tolist() == ["file", "mission", "target"]
    assert sorted(zip(unmatched["mission"], unmatched["target"], strict=True)) == [
        ("Kepler", "KIC 10666592"),
        ("TESS", "TIC 139754153"),
    ]
    err = capsys.readouterr().err
    assert "2 light-curve file(s) match no catalog row" in err and str(listed) in err


def test_kepler_build_goes_on_past_tess_files_of_other_stars(shared_lightcurves, tmp_path):
    fits = _folder(shared_lightcurves, tmp_path, [KEPLER, TOI114, OTHER_TIC])
    out = tmp_path / "views.npz"
    argv = ["lightcurves", "build", "--catalog", "dr25", "--fits_dir", str(fits), "--out", str(out)]
    assert main([*argv, "--workers", "1"]) == 0
    assert list(ViewSet.load(out).candidate_id) == ["K00002.01"]
    unmatched = pd.read_csv(tmp_path / "views.unmatched.csv")
    assert set(unmatched["target"]) == {"TIC 25155310", "TIC 139754153"}
    assert set(unmatched["mission"]) == {"TESS"}
