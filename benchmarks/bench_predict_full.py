"""Wall clock of `exomesa predict --input dr25.csv --output p.csv` on every column of the embedded DR25 table.

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/bench_predict_full.py [--repeats 3]

The table is the embedded DR25 KOI table (8,054 rows, all 153 columns) written as CSV, so the automatic choice
takes the bundled ``kepler_full``, whose ``full`` preset includes the ``ephemeris`` group: scoring matches every
row against the DR25 catalog and the DR24 TCEs. No --model_path. Each repeat is a fresh Python process
(imports, model load, CSV read, ephemeris matching, scoring, CSV write). Also timed in this process: the
``ephemeris`` group alone on the same table (memo cleared before each run). Writes
benchmarks/results/predict_full.json (``--out`` elsewhere).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from exomesa._version import __version__
from exomesa.data import load_catalog, load_dr25

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling benchmark script
from bench_predict_archive import time_predict  # noqa: E402

OUT = Path(__file__).parent / "results" / "predict_full.json"


def ephemeris_seconds(table: Path, repeats: int) -> list[float]:
    """Seconds of the ``ephemeris`` group on the table as ``exomesa predict`` reads it (memo cleared)."""
    from exomesa.features import ephemeris_group

    catalog = load_catalog(table, require_label=False)
    times = []
    for _ in range(repeats):
        ephemeris_group._CACHE.clear()
        t0 = time.perf_counter()
        ephemeris_group.ephemeris_feature_frame(catalog)
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=OUT, help=f"results file (default {OUT})")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        table = Path(tmp) / "dr25.csv"
        load_dr25().to_csv(table, index=False)
        out = Path(tmp) / "p.csv"
        times = time_predict(table, out, args.repeats)
        res = pd.read_csv(out)
        sidecar = json.loads(out.with_name("p.model.json").read_text())
        eph = ephemeris_seconds(table, args.repeats)
    result = {
        "n_rows": len(res),
        "scored": int(res["scored"].sum()),
        "model": sidecar["model"],
        "engine": sidecar.get("engine"),
        "seconds": [round(t, 2) for t in times],
        "median_seconds": round(float(np.median(times)), 2),
        "ephemeris_group_seconds": [round(t, 2) for t in eph],
        "ephemeris_group_median_seconds": round(float(np.median(eph)), 2),
        "timing": "fresh process per repeat (imports, model load, read, ephemeris matching, score, write)",
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_1min_after": round(os.getloadavg()[0], 2),
        "exomesa": __version__,
        "command": "python benchmarks/bench_predict_full.py",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
