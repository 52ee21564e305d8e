"""Parallel, sharded, resumable view building (exomesa.lightcurves.parallel) on the real FITS files of ../shared.

One Dask LocalCluster (2 worker processes) is shared by the module; every mode must give the serial arrays.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exomesa.cli import main
from exomesa.data import load_catalog
from exomesa.errors import ExomesaError
from exomesa.jobs import lightcurves as jobs
from exomesa.lightcurves import ViewSet, parallel
from exomesa.lightcurves.preprocess import build_views
from exomesa.lightcurves.shards import FAILURE_COLUMNS, read_manifest, shard_name

SHARED = Path(__file__).resolve().parents[2].parent / "shared"  # as tests/conftest.py
LIGHTCURVES = SHARED / "data" / "lightcurves"
MULTIQUARTER = SHARED / "data" / "kepler-multiquarter"
KOI2_FILE = "kplr010666592-2009131105131_llc.fits"
KEPIDS = [10666592, 11442793, 6862328, 1865864]  # KOI-2, Kepler-90 (7 KOIs), K00865, K04926


@pytest.fixture(scope="module")
def real_inputs() -> tuple[pd.DataFrame, list[Path]]:
    """DR25 rows of the four Kepler stars plus TOI-113.01 / TOI-114.01 (ExoFOP, BJD epochs), and 52 files."""
    if not (LIGHTCURVES.is_dir() and MULTIQUARTER.is_dir()):
        pytest.skip(f"real light-curve fixtures not found under {SHARED / 'data'} (../shared is absent)")
    dr25 = load_catalog("dr25", require_label=False)
    kepler = dr25[dr25["kepid"].isin(KEPIDS)][
        ["kepid", "kepoi_name", "koi_period", "koi_time0bk", "koi_duration"]
    ]
    tess = pd.DataFrame(
        {
            "tic_id": [97409519, 25155310],
            "kepoi_name": ["TOI-113.01", "TOI-114.01"],
            "koi_period": [3.372877, 3.2887898269345],
            "koi_time0": [2458327.053085, 2458327.519958],
            "koi_duration": [2.63426, 3.4367717302261],
        }
    )
    catalog = pd.concat([tess, kepler], ignore_index=True)  # TESS rows first: catalog order is kept
    files = sorted(LIGHTCURVES.glob("*.fits")) + sorted(MULTIQUARTER.glob("*.fits"))
    assert len(files) == 52
    return catalog, files


@pytest.fixture(scope="module")
def serial_views(real_inputs) -> ViewSet:
    """The reference: the original one-process build_views."""
    views, _ = build_views(*real_inputs)
    assert len(views) == 12
    return views


@pytest.fixture(scope="module")
def cluster():
    pytest.importorskip("distributed")
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as c:
        yield c


def assert_same(a: ViewSet, b: ViewSet) -> None:
    assert a.kepoi_name.tolist() == b.kepoi_name.tolist()
    assert a.source.tolist() == b.source.tolist()
    assert np.array_equal(a.global_view, b.global_view) and np.array_equal(a.local_view, b.local_view)


def test_dask_cluster_equals_serial(real_inputs, serial_views, cluster, tmp_path):
    out = tmp_path / "views"
    result = parallel.build_views_parallel(
        *real_inputs, out, scheduler=cluster.scheduler_address, shard_size=2, progress=False
    )
    assert result.mode == "dask" and result.n_stars == 6 and result.n_shards == 3 and result.n_views == 12
    assert result.dashboard  # the dashboard address is reported
    assert_same(ViewSet.load(out), serial_views)
    assert sorted(p.name for p in out.iterdir()) == [
        "failures.csv",
        "manifest.json",
        *(shard_name(i) for i in range(3)),
        "unmatched.csv",
    ]
    assert pd.read_csv(out / "failures.csv").columns.tolist() == FAILURE_COLUMNS


def test_process_pool_fallback_equals_serial(real_inputs, serial_views, tmp_path, monkeypatch):
    monkeypatch.setattr(parallel, "distributed_available", lambda: False)
    catalog, files = real_inputs
    files = [f for f in files if f.parent == LIGHTCURVES]  # KOI-2 and the two TOIs: keep the test short
    out = tmp_path / "views.npz"
    result = parallel.build_views_parallel(catalog, files, out, workers=2, shard_size=2, progress=False)
    assert result.mode == "processes" and result.n_views == 3
    assert_same(ViewSet.load(out), serial_views.select(["TOI-113.01", "TOI-114.01", "K00002.01"]))
    assert not Path(f"{out}.shards").exists() and (tmp_path / "views.failures.csv").is_file()
    with pytest.raises(ExomesaError, match="--force"):
        parallel.build_views_parallel(catalog, files, out, workers=2, progress=False)


def test_killed_run_resumes_to_the_same_result(real_inputs, serial_views, tmp_path, monkeypatch):
    catalog, files = real_inputs
    catalog = catalog[catalog["kepid"].isin([10666592, 6862328]) | catalog["tic_id"].notna()]
    expected = serial_views.select(catalog["kepoi_name"])
    out = tmp_path / "views"
    build = parallel.build_views_parallel
    kwargs = {"workers": 1, "shard_size": 1, "progress": False}

    written = []
    real_write = parallel.write_shard

    def interrupt_after_first_shard(*args, **kw):
        if written:
            raise KeyboardInterrupt
        written.append(real_write(*args, **kw))
        return written[-1]

    monkeypatch.setattr(parallel, "write_shard", interrupt_after_first_shard)
    with pytest.raises(KeyboardInterrupt):
        build(catalog, files, out, **kwargs)
    monkeypatch.setattr(parallel, "write_shard", real_write)
    assert not read_manifest(out)["complete"]
    with pytest.raises(ExomesaError, match="unfinished"):
        ViewSet.load(out)

    result = build(catalog, files, out, **kwargs)  # same arguments: resumes
    assert (result.n_shards, result.n_shards_skipped) == (4, 1)
    assert_same(ViewSet.load(out), expected)

    (out / shard_name(2)).unlink()  # a lost shard is rebuilt, the others are kept
    mtimes = {i: (out / shard_name(i)).stat().st_mtime_ns for i in (0, 1, 3)}
    result = build(catalog, files, out, **kwargs)
    assert result.n_shards_skipped == 3
    assert mtimes == {i: (out / shard_name(i)).stat().st_mtime_ns for i in (0, 1, 3)}
    assert_same(ViewSet.load(out), expected)

    result = build(catalog, files, out, **kwargs)  # finished: nothing to do
    assert result.mode == "resume" and result.n_shards_skipped == 4
    with pytest.raises(ExomesaError, match="other params"):
        build(catalog, files, out, workers=1, shard_size=2, progress=False)
    assert build(catalog, files, out, workers=1, shard_size=2, force=True, progress=False).n_shards == 2
    assert_same(ViewSet.load(out), expected)


def test_broken_files_are_listed_and_do_not_stop_the_run(real_inputs, cluster, tmp_path):
    fits_dir = tmp_path / "fits"
    fits_dir.mkdir()
    (fits_dir / KOI2_FILE).symlink_to(LIGHTCURVES / KOI2_FILE)
    (fits_dir / "kplr000000011-2009131105131_llc.fits").write_bytes(b"not a FITS file\n" * 500)
    data = (LIGHTCURVES / KOI2_FILE).read_bytes()
    (fits_dir / "kplr000000012-2009131105131_llc.fits").write_bytes(data[: len(data) // 3])  # truncated
    (fits_dir / "notes.fits").write_bytes(b"garbage")  # not named like a MAST file, header unreadable
    catalog = pd.DataFrame(
        {
            "kepid": [10666592, 11, 12],
            "kepoi_name": ["K00002.01", "K90011.01", "K90012.01"],
            "koi_period": [2.204735, 3.0, 4.0],
            "koi_time0bk": [121.3585417, 120.0, 120.5],
            "koi_duration": [3.88864, 2.0, 2.0],
        }
    )
    out = tmp_path / "views"
    result = jobs.build_lightcurve_views(
        catalog, out, fits_dir=fits_dir, scheduler=cluster.scheduler_address, shard_size=1
    )
    assert result.n_views == 1 and result.n_failed_stars == 2
    failures = pd.read_csv(out / "failures.csv", keep_default_na=False)
    read = failures[failures["stage"] == "read"]
    assert sorted(read["candidate_id"]) == ["K90011.01", "K90012.01"]
    assert "notes.fits" in failures.loc[failures["stage"] == "index", "file"].tolist()
    assert ViewSet.load(out).kepoi_name.tolist() == ["K00002.01"]


def test_cli_builds_a_shard_folder_and_resumes(tmp_path, capsys):
    if not LIGHTCURVES.is_dir():
        pytest.skip(f"real light-curve fixtures not found at {LIGHTCURVES} (../shared is absent)")
    catalog = tmp_path / "koi.csv"
    pd.DataFrame(
        {
            "kepid": [10666592],
            "kepoi_name": ["K00002.01"],
            "koi_period": [2.204735],
            "koi_time0bk": [121.3585417],
            "koi_duration": [3.88864],
        }
    ).to_csv(catalog, index=False)
    fits_dir = tmp_path / "fits"
    fits_dir.mkdir()
    (fits_dir / KOI2_FILE).symlink_to(LIGHTCURVES / KOI2_FILE)
    out = tmp_path / "views"
    argv = ["lightcurves", "build", "--catalog", str(catalog), "--fits_dir", str(fits_dir), "--out", str(out)]
    assert main([*argv, "--workers", "2"]) == 0
    assert main(argv) == 0
    assert "1 shard(s) finished already, 0 to build" in capsys.readouterr().err
    assert ViewSet.load(out).kepoi_name.tolist() == ["K00002.01"]
    assert main([*argv[:-1], str(tmp_path / "views.txt")]) == 2
    assert ".npz" in capsys.readouterr().err
    other = tmp_path / "other"
    other.mkdir()
    (other / "notes.txt").write_text("mine")
    assert main([*argv[:-1], str(other)]) == 2  # a folder that is not a shard folder is never written into
    assert "--force" in capsys.readouterr().err and not (other / "manifest.json").exists()


@pytest.mark.skipif(not Path("/proc/self/status").is_file(), reason="needs Linux /proc")
def test_worker_peak_memory_is_its_own_not_its_parents() -> None:
    """A Dask worker or subprocess is started by fork + exec, and Linux carries the parent's resident size into
    the child's ru_maxrss; the per-worker peak memory the build reports must be the child's own (VmHWM)."""
    import subprocess
    import sys

    from exomesa.utils import peak_rss_mib

    ballast = np.ones(50_000_000)  # 400 MB resident in this (parent) process
    assert peak_rss_mib() > 400
    code = "from exomesa.utils import peak_rss_mib; print(peak_rss_mib())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert 0 < float(out.stdout) < 200  # numpy + exomesa.utils, not the parent's 400 MB (ru_maxrss says ~470)
    del ballast
