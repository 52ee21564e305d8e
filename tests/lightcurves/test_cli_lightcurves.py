"""``exomesa lightcurves build|render`` through exomesa.cli.main, offline."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exomesa.cli import main
from exomesa.lightcurves import ViewSet

KEPLER_FILE = "kplr010666592-2009131105131_llc.fits"


@pytest.fixture
def tiny_catalog(tmp_path):
    path = tmp_path / "koi.csv"
    pd.DataFrame(
        {
            "kepid": [10666592, 10666592, 757450],
            "kepoi_name": ["K00002.01", "K00002.02", "K00889.01"],
            "koi_disposition": ["CONFIRMED", "FALSE POSITIVE", "CONFIRMED"],
            "koi_period": [2.204735, 1.5, 8.884923],
            "koi_time0bk": [121.3585417, 121.0, 134.452],
            "koi_duration": [3.88864, 48.0, 2.078],
            "koi_depth": [6674.7, 100.0, 15400.0],
        }
    ).to_csv(path, index=False)
    return path


def test_build_on_the_shared_kepler_file(shared_lightcurves, tiny_catalog, tmp_path, capsys):
    fits_dir = tmp_path / "fits"
    fits_dir.mkdir()
    (fits_dir / KEPLER_FILE).symlink_to(shared_lightcurves / KEPLER_FILE)
    out = tmp_path / "views.npz"
    argv = [
        "lightcurves",
        "build",
        "--catalog",
        str(tiny_catalog),
        "--fits_dir",
        str(fits_dir),
        "--out",
        str(out),
    ]
    assert main(argv) == 0
    views = ViewSet.load(out)
    assert views.kepoi_name.tolist() == ["K00002.01"] and views.source.tolist() == ["real"]
    assert -0.0071 < views.local_view[0, 100] < -0.0063
    err = capsys.readouterr().err
    assert "built 1 real view(s)" in err and "K00002.02" in err  # skipped: duration longer than the period

    assert main(argv) == 2  # refuses to overwrite
    assert "--force" in capsys.readouterr().err
    assert main([*argv, "--force"]) == 0


def test_build_errors(tiny_catalog, tmp_path, capsys):
    out = tmp_path / "views.npz"
    assert main(["lightcurves", "build", "--catalog", str(tiny_catalog), "--out", str(out)]) == 2
    assert "--fits_dir" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert (
        main(
            [
                "lightcurves",
                "build",
                "--catalog",
                str(tiny_catalog),
                "--fits_dir",
                str(empty),
                "--out",
                str(out),
            ]
        )
        == 2
    )
    assert "no *.fits files" in capsys.readouterr().err
    bad_out = [
        "lightcurves",
        "build",
        "--catalog",
        str(tiny_catalog),
        "--fits_dir",
        str(empty),
        "--out",
        "v.txt",
    ]
    assert main(bad_out) == 2
    assert ".npz" in capsys.readouterr().err
    assert not out.exists()


def test_download_offline_gives_a_clear_error(tiny_catalog, tmp_path, monkeypatch, capsys):
    lightkurve = pytest.importorskip("lightkurve")
    from exomesa.lightcurves import download

    calls = []

    def offline(*args, **kwargs):
        calls.append(args)
        raise ConnectionError("Name or service not known")

    monkeypatch.setattr(lightkurve, "search_lightcurve", offline)
    monkeypatch.setattr(download, "_sleep", lambda seconds: None)
    argv = [
        "lightcurves",
        "build",
        "--catalog",
        str(tiny_catalog),
        "--download",
        "--cache_dir",
        str(tmp_path / "c"),
        "--out",
        str(tmp_path / "v.npz"),
    ]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "could not download" in err and "KIC 757450" in err and "--fits_dir" in err
    assert len(calls) == 3  # retried


def test_render_command(tiny_catalog, tmp_path):
    out = tmp_path / "rendered.npz"
    assert main(["lightcurves", "render", "--catalog", str(tiny_catalog), "--out", str(out)]) == 0
    views = ViewSet.load(out)
    assert views.source.tolist() == ["rendered", "flat", "rendered"]
    assert np.isfinite(views.local_view).all()


def test_build_out_is_a_folder_or_unwritable(shared_lightcurves, tiny_catalog, tmp_path, capsys):
    folder = tmp_path / "views.npz"
    folder.mkdir()
    base = ["lightcurves", "build", "--catalog", str(tiny_catalog), "--fits_dir", str(shared_lightcurves)]
    assert main([*base, "--out", str(folder), "--force"]) == 2
    assert "is a folder" in capsys.readouterr().err
    a_file = tmp_path / "file.txt"
    a_file.write_text("")
    assert main([*base, "--out", str(a_file / "v.npz")]) == 2
    err = capsys.readouterr().err
    assert "error: --out" in err and "not a writable folder" in err and "Traceback" not in err


def test_download_without_lightkurve_says_what_to_install(tiny_catalog, tmp_path, monkeypatch, capsys):
    import sys

    monkeypatch.setitem(sys.modules, "lightkurve", None)  # import lightkurve -> ImportError
    argv = [
        "lightcurves",
        "build",
        "--catalog",
        str(tiny_catalog),
        "--download",
        "--out",
        str(tmp_path / "v.npz"),
    ]
    assert main([*argv, "--cache_dir", str(tmp_path / "c")]) == 2
    err = capsys.readouterr().err
    assert "pip install 'exomesa[download]'" in err and "--fits_dir" in err and "Traceback" not in err
