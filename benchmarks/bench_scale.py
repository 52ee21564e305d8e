"""Scaling of light-curve view building: stars/s with 1 and 2 Dask workers on a synthetic Kepler-format corpus.

Run from the repository root (needs ``pip install 'exomesa[distributed]'``)::

    python benchmarks/bench_scale.py                 # 2,000 stars; writes benchmarks/results/scale.json
    python benchmarks/bench_scale.py --n 300         # a quick run

The corpus: ``--n`` Kepler long-cadence files written with astropy in the MAST layout (primary header with
KEPLERID and TELESCOP='Kepler'; a LIGHTCURVE table with TIME [BKJD], PDCSAP_FLUX, PDCSAP_FLUX_ERR, QUALITY),
one quarter each (90 d at 29.4-min cadence, ~4,400 points), holding a box-shaped transit (period 1-20 d, depth
300-10,000 ppm, duration 1.5-6 h) on a slow sinusoidal trend with white noise (100-400 ppm), some quality-flagged
cadences, and a second KOI on one star in five. One file in 200 (at least 3) is broken on purpose (half garbage
bytes, half truncated copies); the matching synthetic catalog has the stars' KOIs.

What is measured, each with :func:`exomesa.lightcurves.parallel.build_views_parallel` into a shard folder:

* ``workers_1`` / ``workers_2``: wall time, stars/s, on a Dask LocalCluster (processes, 1 thread each) started
  beforehand (its start-up is reported apart); the peak resident memory of a worker process (from the tasks);
* ``scaling_efficiency``: (stars/s with 2) / (2 × stars/s with 1);
* ``resume_check_s``: a rerun of the finished 2-worker build (manifest, input hash, nothing to do), and
  ``resume_check_inputs_2000_stars_s``: its input side (index names, match the catalog, hash sizes/mtimes) for
  2,000 stub files, whatever ``--n`` is;
* ``worker_memory_vs_stars``: the peak resident memory of a worker, 2 workers on a fresh cluster, for the first
  ``--memory_sizes`` stars of the corpus and for all of it (the goal: flat in the number of stars);
* ``failed_stars`` (must equal ``broken_files``) and whether both runs gave bit-identical views;
* ``real_star_s``: the one-process time per star of the three full-mission stars in
  ``../shared/data/kepler-multiquarter`` (Q1-Q17, 9 KOIs), when present;
* ``projection_200k_on_100_cores``: 200,000 stars / (100 × per-worker stars/s × measured efficiency), for the
  synthetic one-quarter stars and for real full-mission stars (real_star_s per star).

Timings are wall-clock seconds on a shared 2-core machine; other jobs inflate them.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from exomesa.lightcurves import ViewSet
from exomesa.lightcurves.parallel import build_views_parallel
from exomesa.lightcurves.preprocess import build_views
from exomesa.utils import write_json

REPO = Path(__file__).resolve().parents[1]
MULTIQUARTER = REPO.parent / "shared" / "data" / "kepler-multiquarter"
CADENCE_D = 0.0204335  # Kepler long cadence, 29.4 min
QUARTER_D = 90.0


def _fits_name(kepid: int) -> str:
    return f"kplr{kepid:09d}-2009350155506_llc.fits"


def write_kepler_file(
    path: Path, kepid: int, time_bkjd: np.ndarray, flux: np.ndarray, quality: np.ndarray
) -> None:
    """One Kepler-format long-cadence light-curve file (what exomesa.lightcurves.fitsio reads)."""
    from astropy.io import fits

    primary = fits.PrimaryHDU()
    primary.header["TELESCOP"] = "Kepler"
    primary.header["KEPLERID"] = kepid
    primary.header["OBJECT"] = f"KIC {kepid}"
    cols = [
        fits.Column(name="TIME", format="D", unit="BJD - 2454833", array=time_bkjd),
        fits.Column(name="PDCSAP_FLUX", format="E", unit="e-/s", array=flux.astype(np.float32)),
        fits.Column(
            name="PDCSAP_FLUX_ERR", format="E", unit="e-/s", array=np.full(flux.size, 30.0, np.float32)
        ),
        fits.Column(name="QUALITY", format="J", array=quality.astype(np.int32)),
    ]
    table = fits.BinTableHDU.from_columns(cols, name="LIGHTCURVE")
    table.header["BJDREFI"] = 2454833
    table.header["BJDREFF"] = 0.0
    fits.HDUList([primary, table]).writeto(path, overwrite=True)


def make_corpus(folder: Path, n: int, seed: int = 0) -> tuple[pd.DataFrame, list[Path], int]:
    """``n`` synthetic Kepler files in ``folder`` and their catalog; returns (catalog, files, broken files)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    n_broken = max(3, n // 200)
    broken = set(rng.choice(n, size=n_broken, replace=False).tolist())
    rows, files = [], []
    t = 170.0 + np.arange(0.0, QUARTER_D, CADENCE_D)
    for i in range(n):
        kepid = 100000 + i
        path = folder / _fits_name(kepid)
        n_koi = 2 if rng.random() < 0.2 else 1
        flux = 1.0 + 0.002 * np.sin(2 * np.pi * t / rng.uniform(8, 30) + rng.uniform(0, 6.3))
        for k in range(n_koi):
            period = rng.uniform(1.0, 20.0)
            t0 = 170.0 + rng.uniform(0, period)
            dur_h = rng.uniform(1.5, 6.0)
            depth = rng.uniform(300, 10000)
            phase = np.mod(t - t0 + 0.5 * period, period) - 0.5 * period
            flux = flux - depth * 1e-6 * (np.abs(phase) < dur_h / 48.0)
            rows.append(
                {
                    "kepid": kepid,
                    "kepoi_name": f"K{kepid:06d}.{k + 1:02d}",
                    "koi_period": period,
                    "koi_time0bk": t0,
                    "koi_duration": dur_h,
                    "koi_depth": depth,
                }
            )
        flux = 5000.0 * (flux + rng.normal(0, rng.uniform(100, 400) * 1e-6, t.size))
        quality = np.where(rng.random(t.size) < 0.01, 128, 0)
        write_kepler_file(path, kepid, t, flux, quality)
        if i in broken:
            if len(files) % 2:
                path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])  # truncated download
            else:
                path.write_bytes(rng.bytes(20000))  # garbage
        files.append(path)
    return pd.DataFrame(rows), files, n_broken


def _machine() -> dict:
    info = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpu_count": os.cpu_count(),
    }
    if hasattr(os, "getloadavg"):
        info["load_average_1_5_15_min"] = list(os.getloadavg())
    return info


def timed_build(catalog: pd.DataFrame, files: list[Path], out: Path, workers: int) -> dict:
    """Build on a LocalCluster of ``workers`` processes started beforehand; returns the measurements."""
    from distributed import Client, LocalCluster

    start = time.perf_counter()
    with LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        with Client(cluster) as client:
            cluster_start = time.perf_counter() - start
            client.run(lambda: __import__("exomesa.lightcurves.parallel"))  # import on the workers first
            result = build_views_parallel(
                catalog, files, out, scheduler=client, shard_size=200, progress=False
            )
    return {
        "workers": workers,
        "cluster_start_s": round(cluster_start, 2),
        "wall_s": round(result.seconds, 2),
        "stars_per_s": round(result.n_stars / result.seconds, 2),
        "views": result.n_views,
        "failed_stars": result.n_failed_stars,
        "peak_worker_rss_mb": round(result.peak_rss_mb, 1),
    }


def real_star_seconds() -> float | None:
    """One-process seconds per full-mission star (Q1-Q17) on the shared multi-quarter files."""
    if not MULTIQUARTER.is_dir():
        return None
    from exomesa.data import load_catalog

    dr25 = load_catalog("dr25", require_label=False)
    catalog = dr25[dr25["kepid"].isin([11442793, 6862328, 1865864])]
    files = sorted(MULTIQUARTER.glob("*.fits"))
    start = time.perf_counter()
    build_views(catalog, files)
    return (time.perf_counter() - start) / 3


def plan_and_hash_seconds(folder: Path, n: int = 2000) -> float:
    """The input-side work of a resume check for ``n`` stars: index ``n`` file names, match a catalog, hash
    every file's name/size/mtime and KOI row (the files are empty stubs: the check never opens them)."""
    from exomesa.lightcurves.shards import star_fingerprint
    from exomesa.lightcurves.star_tasks import plan_star_tasks

    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i in range(n):
        path = folder / _fits_name(500000 + i)
        path.touch()
        files.append(path)
    catalog = pd.DataFrame(
        {
            "kepid": 500000 + np.arange(n),
            "kepoi_name": [f"K{500000 + i}.01" for i in range(n)],
            "koi_period": 3.0,
            "koi_time0bk": 170.0,
            "koi_duration": 2.0,
        }
    )
    start = time.perf_counter()
    tasks, _ = plan_star_tasks(catalog, files)
    [star_fingerprint(t) for t in tasks]
    return time.perf_counter() - start


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="synthetic stars (files)")
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "scale.json")
    parser.add_argument(
        "--memory_sizes", type=int, nargs="*", default=[250, 1000],
        help="smaller corpus prefixes whose per-worker peak memory is measured too (2 workers)",
    )  # fmt: skip
    parser.add_argument(
        "--workdir", type=Path, default=None, help="where the corpus goes (default: a temp dir)"
    )
    args = parser.parse_args(argv)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="exomesa-bench-scale-"))
    try:
        start = time.perf_counter()
        catalog, files, n_broken = make_corpus(work / "fits", args.n)
        corpus_s = time.perf_counter() - start
        print(f"corpus: {len(files)} files, {len(catalog)} KOIs, {n_broken} broken, {corpus_s:.1f} s")

        runs = {}
        for workers in (1, 2):
            runs[workers] = timed_build(catalog, files, work / f"views_{workers}", workers)
            print(f"{workers} worker(s): {runs[workers]}")
        identical = _same(ViewSet.load(work / "views_1"), ViewSet.load(work / "views_2"))

        start = time.perf_counter()
        rerun = build_views_parallel(
            catalog, files, work / "views_2", workers=2, shard_size=200, progress=False
        )
        resume_s = time.perf_counter() - start
        assert rerun.mode == "resume"
        print(f"resume check on the finished run: {resume_s:.2f} s")

        memory = []
        for size in sorted(s for s in args.memory_sizes if 0 < s < args.n):
            head = files[:size]
            kepids = {100000 + i for i in range(size)}
            sub = timed_build(catalog[catalog["kepid"].isin(kepids)], head, work / f"views_m{size}", 2)
            memory.append({"stars": size, "peak_worker_rss_mb": sub["peak_worker_rss_mb"]})
            print(f"{size} stars, 2 workers: peak {sub['peak_worker_rss_mb']} MB per worker")
        memory.append({"stars": args.n, "peak_worker_rss_mb": runs[2]["peak_worker_rss_mb"]})

        plan_2000_s = plan_and_hash_seconds(work / "stubs")
        print(f"resume-check input side for 2,000 stars: {plan_2000_s:.2f} s")

        efficiency = runs[2]["stars_per_s"] / (2 * runs[1]["stars_per_s"])
        per_worker = runs[1]["stars_per_s"]
        real_s = real_star_seconds()
        cores, stars = 100, 200_000

        def project(per_worker_rate: float) -> float:
            return stars / (cores * per_worker_rate * min(efficiency, 1.0))

        results = {
            "machine": _machine(),
            "corpus": {
                "stars": args.n,
                "kois": len(catalog),
                "broken_files": n_broken,
                "points_per_file": int(np.arange(0.0, QUARTER_D, CADENCE_D).size),
                "file_kb": round(np.mean([f.stat().st_size for f in files[:50]]) / 1024, 1),
                "write_s": round(corpus_s, 1),
            },
            "workers_1": runs[1],
            "workers_2": runs[2],
            "scaling_efficiency": round(efficiency, 3),
            "worker_memory_vs_stars": memory,
            "identical_views_1_vs_2_workers": identical,
            "resume_check_s": round(resume_s, 3),
            "resume_check_inputs_2000_stars_s": round(plan_2000_s, 3),
            "failed_stars": runs[2]["failed_stars"],
            "failed_equals_broken": runs[2]["failed_stars"] == n_broken == runs[1]["failed_stars"],
            "real_star_s": None if real_s is None else round(real_s, 3),
            "projection_200k_on_100_cores": {
                "assumes": "per-worker rate of the 1-worker run, the measured 2-worker efficiency held at 100 "
                "workers (capped at 1), scheduler overhead (~1 ms/task) and file I/O not limiting",
                "synthetic_one_quarter_h": round(project(per_worker) / 3600, 3),
                "real_full_mission_h": None if real_s is None else round(project(1.0 / real_s) / 3600, 3),
            },
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        write_json(args.out, results)
        print(f"wrote {args.out}")
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    return 0


def _same(a: ViewSet, b: ViewSet) -> bool:
    return (
        a.kepoi_name.tolist() == b.kepoi_name.tolist()
        and np.array_equal(a.global_view, b.global_view)
        and np.array_equal(a.local_view, b.local_view)
    )


if __name__ == "__main__":
    raise SystemExit(main())
