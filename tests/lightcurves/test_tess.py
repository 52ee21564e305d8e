"""TESS light curves: real SPOC views of a TOI, unmatched TIC files, rendered TOI views, the TESS download."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from exomesa.cli import main
from exomesa.data import load_catalog
from exomesa.lightcurves import ViewSet
from exomesa.lightcurves.render import render_params

SAMPLE = Path(__file__).parents[1] / "data" / "exofop_toi_sample.csv"
TOI114 = "tess2018206045859-s0001-0000000025155310-0120-s_lc.fits"
NOT_A_TOI = "tess2018206045859-s0001-0000000139754153-0120-s_lc.fits"


def test_real_toi_114_view_has_catalog_depth(shared_lightcurves: Path, tmp_path: Path) -> None:
    fits = tmp_path / "fits"
    fits.mkdir()
    (fits / TOI114).symlink_to(shared_lightcurves / TOI114)
    out = tmp_path / "v.npz"
    argv = ["lightcurves", "build", "--catalog", str(SAMPLE), "--fits_dir", str(fits), "--out", str(out)]
    assert main(argv) == 0
    views = ViewSet.load(out)
    assert list(views.kepoi_name) == ["TOI-114.01"] and list(views.source) == ["real"]
    depth_ppm = -float(np.median(views.local_view[0][95:106])) * 1e6  # bins within ~±0.5 durations' core
    assert depth_ppm == pytest.approx(7006, rel=0.15)


def test_tess_file_whose_tic_matches_no_row(shared_lightcurves: Path, tmp_path: Path, capsys) -> None:
    fits = tmp_path / "fits"
    fits.mkdir()
    (fits / NOT_A_TOI).symlink_to(shared_lightcurves / NOT_A_TOI)
    argv = [
        "lightcurves",
        "build",
        "--catalog",
        str(SAMPLE),
        "--fits_dir",
        str(fits),
        "--out",
        str(tmp_path / "v.npz"),
    ]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "TIC 139754153" in err and "matches a catalog row" in err and "Traceback" not in err
    assert "--catalog toi" in err and (tmp_path / "v.unmatched.csv").is_file()


def test_rendered_toi_noise_follows_snr_and_sectors() -> None:
    df = load_catalog(SAMPLE, require_label=False).iloc[[0, 0]].reset_index(drop=True)
    df["kepoi_name"] = ["TOI-1.01", "TOI-2.01"]
    df["koi_model_snr"] = 50.0
    df["koi_period"] = 5.0
    df["n_sectors"] = [1, 4]
    p = render_params(df)
    # 4x the sectors -> 4x the transits -> each bin holds 4x the points at the same per-point scatter:
    # with SNR fixed, sigma_point grows by sqrt(4) and sigma_bin falls by sqrt(4), so they cancel ...
    assert p["sigma_local"].iloc[0] == pytest.approx(p["sigma_local"].iloc[1], rel=1e-6)
    # ... while a higher SNR at the same coverage lowers the noise in proportion.
    df["koi_model_snr"] = [50.0, 100.0]
    df["n_sectors"] = 1
    p = render_params(df)
    assert p["sigma_local"].iloc[1] == pytest.approx(p["sigma_local"].iloc[0] / 2, rel=1e-6)
    # Without an SNR the per-point scatter is fixed, so 4x the sectors halves the per-bin noise.
    df["koi_model_snr"] = np.nan
    df["n_sectors"] = [1, 4]
    p = render_params(df)
    assert p["sigma_global"].iloc[1] == pytest.approx(p["sigma_global"].iloc[0] / 2, rel=1e-6)


def test_single_transit_toi_gets_a_flat_view_with_reason() -> None:
    df = load_catalog(SAMPLE, require_label=False)
    single = df["koi_period"].isna().to_numpy()
    assert single.sum() == 1
    p = render_params(df)
    assert "single-transit TOI" in p.loc[single, "flat_reason"].iloc[0]
    assert (p.loc[~single, "flat_reason"] == "").all()


def test_tess_download_through_lightkurve_offline(tmp_path: Path, monkeypatch) -> None:
    lightkurve = pytest.importorskip("lightkurve")
    from exomesa.lightcurves import download

    searched = []

    class _Result:
        def __len__(self) -> int:
            return 1

        def download_all(self, download_dir: str) -> None:  # what lightkurve writes: mastDownload/TESS/...
            folder = Path(download_dir) / "mastDownload" / "TESS" / "x"
            folder.mkdir(parents=True)
            (folder / "tess2018206045859-s0001-0000000025155310-0120-s_lc.fits").write_bytes(b"")

    def search(target: str, **kwargs):
        searched.append((target, kwargs))
        return _Result()

    monkeypatch.setattr(lightkurve, "search_lightcurve", search)
    paths = download.download_lightcurves("TESS", [25155310], tmp_path)
    assert searched == [("TIC 25155310", {"mission": "TESS", "author": "SPOC", "exptime": 120})]
    assert [p.name for p in paths] == [TOI114]
    assert download.download_lightcurves("TESS", [25155310], tmp_path) == paths  # cached: no second search
    assert len(searched) == 1
