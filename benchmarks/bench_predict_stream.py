"""Streaming predict: peak memory and throughput from 10k to 1M rows (the memory must stay flat).

Each size runs in a fresh process (so its peak resident memory is its own): a synthetic candidates table of
N rows (DR25 rows repeated with new names) is written as CSV, then scored with
``stream_predictions(..., chunk_size=--chunk_size)`` (default: ``defaults.PREDICT_CHUNK_SIZE``) by a small MESA
model trained here (1 epoch, seed features). ``--towers physics`` trains a table-only MESA (no light curve
rendered: what the bundled models are); the default, two towers, renders a light curve per row (~22 min for
1M rows). The recorded runs:

    python benchmarks/bench_predict_stream.py --towers both --chunk_size 10000 --sizes 10000 100000 1000000 \
        --out benchmarks/results/predict_stream_both_1m.json
    python benchmarks/bench_predict_stream.py --towers physics --chunk_size 10000 --sizes 10000 100000 1000000 \
        --out benchmarks/results/predict_stream_physics_1m.json
    python benchmarks/bench_predict_stream.py --towers both --chunk_size 50000 --sizes 10000 100000 \
        --out benchmarks/results/predict_stream_chunk50k.json

Writes benchmarks/results/predict_stream.json by default (or ``--out``). Per size: ``peak_rss_mb`` (the process's high-water
mark) and, sampled every 50 ms, the median resident memory over the first and the last quarter of the run (a leak
shows as a last quarter above the first; fragmentation spikes move only the peak).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from exomesa.defaults import PREDICT_CHUNK_SIZE

COLUMNS = [
    "kepid", "kepoi_name", "koi_period", "koi_depth", "koi_prad", "koi_steff", "koi_srad", "koi_duration",
    "koi_impact", "koi_model_snr", "koi_num_transits", "koi_ror", "koi_dor",
]  # fmt: skip


class _RssSampler(threading.Thread):
    """Samples this process's resident memory [MiB] every ``every`` seconds (Linux: /proc/self/statm)."""

    def __init__(self, every: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.every = every
        self.samples: list[float] = []
        self._stop_event = threading.Event()
        self._page_mb = os.sysconf("SC_PAGE_SIZE") / 2**20

    def run(self) -> None:
        statm = Path("/proc/self/statm")
        while not self._stop_event.wait(self.every) and statm.exists():
            self.samples.append(int(statm.read_text().split()[1]) * self._page_mb)

    def stop(self) -> dict:
        """Stops sampling; the median resident memory of the run's first and last quarter, and the samples."""
        self._stop_event.set()
        self.join()
        n = len(self.samples)
        if n < 8:
            return {}
        q = n // 4
        return {
            "rss_median_first_quarter_mb": round(statistics.median(self.samples[:q]), 1),
            "rss_median_last_quarter_mb": round(statistics.median(self.samples[-q:]), 1),
            "rss_samples": n,
        }


def _child(model: str, table: str, out: str, chunk: int) -> None:
    from exomesa.evaluation.streaming import stream_predictions
    from exomesa.utils import peak_rss_mib

    sampler = _RssSampler()
    sampler.start()
    t0 = time.perf_counter()
    summary = stream_predictions(model, table, out, chunk_size=chunk, progress=False, force=True)
    seconds = time.perf_counter() - t0
    steady = sampler.stop()
    peak = (
        peak_rss_mib()
    )  # not ru_maxrss: a subprocess child's ru_maxrss includes this script's parent process
    print(json.dumps({**summary, "seconds": round(seconds, 2), "peak_rss_mb": round(peak, 1), **steady}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--chunk_size", type=int, default=PREDICT_CHUNK_SIZE)
    parser.add_argument("--towers", default="both", choices=["both", "physics"])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "predict_stream.json")
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], args.child[1], args.child[2], int(args.child[3]))
        return

    import numpy as np

    from exomesa import MesaClassifier
    from exomesa.data import load_dr25

    dr25 = load_dr25()
    work = Path(tempfile.mkdtemp(prefix="exomesa-stream-"))
    model = (
        MesaClassifier.from_settings(features="seed", epochs=1, seed=0, towers=args.towers)
        .fit(dr25.iloc[:2000])
        .save(work / "m.pth")
    )
    base = dr25[COLUMNS].reset_index(drop=True)
    runs = []
    for n in args.sizes:
        table = work / f"t{n}.csv"
        reps = int(np.ceil(n / len(base)))
        frame = base.iloc[np.arange(n) % len(base)].copy()
        frame["kepoi_name"] = [f"S{i:08d}.01" for i in range(n)]
        frame["kepid"] = np.arange(n) + 10**8
        frame.to_csv(table, index=False)
        del frame
        t0 = time.perf_counter()
        res = subprocess.run(
            [sys.executable, __file__, "--child", str(model), str(table), str(work / f"o{n}.csv"),
             str(args.chunk_size)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        row = json.loads(res.stdout.strip().splitlines()[-1])
        row.update(
            rows_requested=n, repeats_of_dr25=reps, wall_with_startup_s=round(time.perf_counter() - t0, 2)
        )
        row["rows_per_s"] = round(row["rows"] / row["seconds"], 1)
        print(row, flush=True)
        runs.append(row)
        table.unlink()
    out = args.out
    label = "MESA seed features, 1 epoch" + (", physics tower only" if args.towers == "physics" else "")
    out.write_text(json.dumps({"chunk_size": args.chunk_size, "model": label, "runs": runs}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
