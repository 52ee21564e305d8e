"""``exomesa lightcurves build|render`` through exomesa.cli.main, offline."""

from __future__ import annotations

from pathlib import Path

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

    assert "building views" not in err  # stderr is not a terminal: no bar unless asked for
    assert main(argv) == 2  # refuses to overwrite
    assert "--force" in capsys.readouterr().err
    assert main([*argv, "--force", "--progress"]) == 0
    assert "building views: 100%" in capsys.readouterr().err  # stars done, with the failures' count


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
    assert "could not download" in err and "KIC 10666592" in err and "--fits_dir" in err
    assert "2 star(s) in a row failed" in err and "Traceback" not in err
    assert len(calls) == 2 * 3  # both stars, each retried 3 times, then MAST is taken to be unreachable
    assert not (tmp_path / "v.npz").exists()


class _FakeSearch:
    """What lightkurve.search_lightcurve returns: ``len`` and ``download_all(download_dir=...)``."""

    def __init__(self, source=None) -> None:
        self.source = source

    def __len__(self) -> int:
        return 0 if self.source is None else 1

    def download_all(self, download_dir: str) -> None:
        folder = Path(download_dir) / "mastDownload" / "Kepler" / self.source.stem[:13]
        folder.mkdir(parents=True, exist_ok=True)
        (folder / self.source.name).write_bytes(self.source.read_bytes())


def test_download_failure_of_one_star_is_listed_and_the_run_goes_on(
    shared_lightcurves, tiny_catalog, tmp_path, monkeypatch, capsys
):
    lightkurve = pytest.importorskip("lightkurve")
    from exomesa.lightcurves import download

    def search(target, **kwargs):
        if target == "KIC 757450":
            raise ConnectionError("read timed out")
        return _FakeSearch(shared_lightcurves / KEPLER_FILE)

    monkeypatch.setattr(lightkurve, "search_lightcurve", search)
    monkeypatch.setattr(download, "_sleep", lambda seconds: None)
    out = tmp_path / "v.npz"
    argv = ["lightcurves", "build", "--catalog", str(tiny_catalog), "--download", "--out", str(out)]
    assert main([*argv, "--cache_dir", str(tmp_path / "c")]) == 0
    assert ViewSet.load(out).kepoi_name.tolist() == ["K00002.01"]
    failures = pd.read_csv(tmp_path / "v.failures.csv", keep_default_na=False)
    row = failures[failures["stage"] == "download"]
    assert row["star"].tolist() == ["KIC 757450"] and "read timed out" in row["reason"].iloc[0]
    err = capsys.readouterr().err
    assert "listed in the failures, going on" in err and "1 star(s) failed" in err


def test_downloads_are_rate_limited(tmp_path, monkeypatch):
    lightkurve = pytest.importorskip("lightkurve")
    from exomesa.lightcurves import download

    now, sleeps, requests = [100.0], [], []

    def sleep(seconds: float) -> None:
        sleeps.append(round(seconds, 6))
        now[0] += seconds

    def search(target, **kwargs):
        requests.append((target, now[0]))
        now[0] += 0.25  # each search takes 0.25 s; MAST has nothing for these stars
        return _FakeSearch()

    monkeypatch.setattr(lightkurve, "search_lightcurve", search)
    monkeypatch.setattr(download, "_sleep", sleep)
    monkeypatch.setattr(download, "_clock", lambda: now[0])
    failures: list = []
    paths = download.download_lightcurves(
        "Kepler", [3, 1, 2], tmp_path, min_interval_s=1.0, failures=failures
    )
    assert paths == [] and sleeps == [0.75, 0.75]
    assert [t for t, _ in requests] == ["KIC 1", "KIC 2", "KIC 3"]
    assert [b - a for (_, a), (_, b) in zip(requests, requests[1:], strict=False)] == [1.0, 1.0]
    assert [f[0] for f in failures] == ["KIC 1", "KIC 2", "KIC 3"]
    assert all(f[2] == "download" and "MAST has no Kepler long-cadence" in f[4] for f in failures)


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
