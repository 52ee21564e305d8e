"""Speed of the light-curve layer: rendering every DR25 KOI, and building views from the shared FITS files.

Run from the repository root::

    python benchmarks/bench_lightcurves.py                 # writes benchmarks/results/lightcurves.json
    python benchmarks/bench_lightcurves.py --n_koi 500     # a quick partial run

What is timed:

* ``render``: :func:`exomesa.lightcurves.render_views` on all 8,054 KOIs of the embedded DR25 table (batman,
  with noise), one process;
* ``build_kepler``: :func:`exomesa.lightcurves.preprocess.build_views` of the whole DR25 catalog against the
  five shared FITS files in ``../shared/data/lightcurves`` (header indexing of all five, then reading,
  detrending, folding and binning the one Kepler file, which matches KOI K00002.01);
* ``tess_fold``: for each of the four TESS files, reading plus :func:`make_views` on a fixed synthetic
  ephemeris (P = 3 d, epoch = first cadence + 1 d, duration 3 h) — no DR25 KOI is on those stars, so this
  measures the cost of a 2-min-cadence sector (about 18,000 cadences).

Timings are wall-clock seconds on a shared machine; other jobs inflate them.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from exomesa.data import load_dr25
from exomesa.lightcurves import render_views
from exomesa.lightcurves.fitsio import read_lightcurve
from exomesa.lightcurves.preprocess import build_views, make_views
from exomesa.utils import write_json

REPO = Path(__file__).resolve().parents[1]
SHARED_LIGHTCURVES = REPO.parent / "shared" / "data" / "lightcurves"


def _machine() -> dict:
    info = {
        "platform": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "cpu_count": os.cpu_count(),
    }
    if hasattr(os, "sched_getaffinity"):
        info["cpus_available"] = len(os.sched_getaffinity(0))
    if hasattr(os, "getloadavg"):
        info["load_average_1_5_15_min"] = list(os.getloadavg())
    return info


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "benchmarks" / "results" / "lightcurves.json")
    parser.add_argument("--n_koi", type=int, default=None, help="render only the first N KOIs (default: all)")
    parser.add_argument("--fits_dir", type=Path, default=SHARED_LIGHTCURVES)
    args = parser.parse_args(argv)

    results: dict = {"machine_before": _machine()}
    catalog = load_dr25()
    subset = catalog if args.n_koi is None else catalog.iloc[: args.n_koi]

    start = time.perf_counter()
    views = render_views(subset)
    seconds = time.perf_counter() - start
    results["render"] = {
        "n_koi": len(views),
        "seconds": seconds,
        "ms_per_koi": 1e3 * seconds / max(len(views), 1),
        "sources": views.counts(),
        "all_finite": bool(np.isfinite(views.global_view).all() and np.isfinite(views.local_view).all()),
    }
    print(f"render: {len(views)} KOIs in {seconds:.1f} s ({results['render']['ms_per_koi']:.2f} ms/KOI)")

    files = sorted(args.fits_dir.glob("*.fits")) if args.fits_dir.is_dir() else []
    if files:
        start = time.perf_counter()
        real, skipped = build_views(catalog, files)
        seconds = time.perf_counter() - start
        results["build_kepler"] = {
            "n_files": len(files),
            "n_views": len(real),
            "kois": real.kepoi_name.tolist(),
            "n_skipped": len(skipped),
            "seconds": seconds,
        }
        if len(real):
            local = real.local_view[0]
            results["build_kepler"]["k00002_01_local_depth_ppm"] = float(-1e6 * np.mean(local[98:103]))
        print(f"build (DR25 x {len(files)} files): {len(real)} view(s) in {seconds:.2f} s")

        tess = []
        for path in (p for p in files if p.name.startswith("tess")):
            start = time.perf_counter()
            lc = read_lightcurve(path)
            read_s = time.perf_counter() - start
            make_views(lc, 3.0, lc.time[0] + 1.0 + lc.bjd_ref, 3.0, name=path.name)
            total_s = time.perf_counter() - start
            tess.append(
                {"file": path.name, "cadences": len(lc), "read_seconds": read_s, "total_seconds": total_s}
            )
            print(f"tess {path.name}: {len(lc)} cadences, read {read_s:.2f} s, read+fold {total_s:.2f} s")
        results["tess_fold"] = {
            "ephemeris": {"period_d": 3.0, "epoch": "first cadence + 1 d", "duration_h": 3.0},
            "files": tess,
        }
    else:
        results["build_kepler"] = {"skipped": f"no FITS files in {args.fits_dir}"}

    results["machine_after"] = _machine()
    write_json(args.out, results)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
