"""What one MESA training epoch costs as the catalog grows (issue 14: training stays single-process).

    python benchmarks/bench_epoch_scale.py                      # 6,445 / 25,000 / 100,000 KOIs
    python benchmarks/bench_epoch_scale.py --sizes 6445 25000 100000 1000000   # the recorded run

The DR25 training split is repeated (new KOI names and star ids; the rendered views repeated with it, so no
rendering is timed) up to each size, and one member of MESA's default architecture trains for one epoch
(15 % validation split, grouped by star; the epoch time includes the validation pass, as the trainer records
it). Also recorded: the process's peak memory. 1M KOIs need ~9 GB for the views alone. Writes
benchmarks/results/epoch_scale.json; times are wall-clock seconds on the 2-core machine (one torch thread,
``defaults.TRAIN_THREADS``), loaded or not as the file's ``load_average`` says.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import time
from pathlib import Path

import numpy as np

from exomesa.data import load_dr25, split_catalog
from exomesa.defaults import SPLIT_SEED, TEST_SIZE
from exomesa.lightcurves import ViewSet, views_for_catalog
from exomesa.mesa.classifier import MesaClassifier

OUT = Path(__file__).parent / "results" / "epoch_scale.json"


def grown(train, views: ViewSet, n: int):
    """``train`` rows and their views repeated up to ``n`` rows, with unique KOI names and star ids."""
    idx = np.arange(n) % len(train)
    df = train.iloc[idx].reset_index(drop=True)
    copy = np.arange(n) // len(train)
    df["kepoi_name"] = [f"{name}-{c}" for name, c in zip(df["kepoi_name"], copy, strict=True)]
    df["kepid"] = df["kepid"].to_numpy() + copy * 10**9
    v = views.take(idx)
    return df, ViewSet(
        kepoi_name=df["kepoi_name"].to_numpy().astype(str),
        global_view=v.global_view,
        local_view=v.local_view,
        source=v.source,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[6445, 25_000, 100_000])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    train, _ = split_catalog(load_dr25(), test_size=TEST_SIZE, seed=SPLIT_SEED)
    views = views_for_catalog(train)
    runs = []
    for n in args.sizes:
        df, v = grown(train, views, n)
        clf = MesaClassifier.from_settings(epochs=1, ensemble=1, patience=0, seed=0)
        t0 = time.perf_counter()
        clf.fit(df, views=v)
        row = {
            "kois": n,
            "epoch_seconds": round(clf.history_[0]["seconds"], 1),
            "fit_seconds": round(time.perf_counter() - t0, 1),
            "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 0),
        }
        print(row, flush=True)
        runs.append(row)
        del df, v, clf  # the next size's peak is its own (sizes grow, so the lifetime peak is too)
        gc.collect()
        _write(args.out, runs)  # after every size: a larger one that runs out of memory keeps the rest
    print(f"wrote {args.out}")


def _write(out: Path, runs: list[dict]) -> None:
    per_koi = runs[-1]["epoch_seconds"] / runs[-1]["kois"]
    result = {
        "model": "MESA default architecture, one member (FT-Transformer physics tower, batch 64)",
        "runs": runs,
        "seconds_per_1000_kois": round(1000 * per_koi, 2),
        "linear_1m_epoch_minutes": round(per_koi * 1_000_000 / 60, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "command": "python benchmarks/bench_epoch_scale.py",
    }
    out.write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
