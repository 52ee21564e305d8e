"""Wall clock of `exomesa predict --input cumulative.csv --output p.csv` (issue #17), start-up included.

    flock /tmp/exomesa-heavy.lock nice python benchmarks/bench_predict_archive.py [--repeats 3]

The table is the archive's default 49-column KOI export layout (``#`` header lines) with 9,564 rows, the size
of the real ``cumulative.csv``: the 8,054 embedded DR25 KOIs plus 1,510 of them again under new names with
every number perturbed by 1 % (seeded). No --model_path: the bundled model is chosen automatically. Each
repeat is a fresh Python process (imports, model load, CSV read, scoring, CSV write). Goal: < 5 s.
Writes benchmarks/results/predict_archive.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from exomesa import __version__
from exomesa.bundled import write_archive_table
from exomesa.data import load_dr25

OUT = Path(__file__).parent / "results" / "predict_archive.json"
N_ROWS = 9564
GOAL_S = 5.0


def archive_table(path: Path, n_rows: int = N_ROWS, seed: int = 0) -> Path:
    """DR25 in the archive layout, topped up to ``n_rows`` with renamed, 1 %-perturbed copies."""
    df = load_dr25()
    rng = np.random.default_rng(seed)
    extra = df.sample(n_rows - len(df), random_state=seed).copy()
    extra["kepoi_name"] = [f"K9{i:04d}.01" for i in range(len(extra))]
    numeric = [c for c in extra.columns if pd.api.types.is_float_dtype(extra[c])]
    extra[numeric] = extra[numeric] * (1 + 0.01 * rng.standard_normal((len(extra), len(numeric))))
    return write_archive_table(pd.concat([df, extra], ignore_index=True), path)


def time_predict(table: Path, out: Path, repeats: int) -> list[float]:
    """Wall seconds of ``exomesa predict --input table --output out`` in ``repeats`` fresh processes."""
    cmd = [
        sys.executable, "-c", "import sys; from exomesa.cli import main; sys.exit(main())",
        "predict", "--input", str(table), "--output", str(out), "--force",
    ]  # fmt: skip
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=dict(os.environ))
        times.append(time.perf_counter() - t0)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        table = archive_table(Path(tmp) / "cumulative.csv")
        out = Path(tmp) / "p.csv"
        times = time_predict(table, out, args.repeats)
        res = pd.read_csv(out)
        sidecar = json.loads(out.with_name("p.model.json").read_text())
    result = {
        "n_rows": len(res),
        "n_columns_in": 49,
        "scored": int(res["scored"].sum()),
        "model": sidecar["model"],
        "engine": sidecar.get("engine"),
        "seconds": [round(t, 2) for t in times],
        "best_seconds": round(min(times), 2),
        "median_seconds": round(float(np.median(times)), 2),
        "goal": f"< {GOAL_S} s incl. start-up for 9,564 rows, no --model_path",
        "met": bool(np.median(times) < GOAL_S),
        "timing": "fresh process per repeat (imports, model load, read, score, write)",
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_1min_after": round(os.getloadavg()[0], 2),
        "exomesa": __version__,
        "command": "python benchmarks/bench_predict_archive.py",
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
