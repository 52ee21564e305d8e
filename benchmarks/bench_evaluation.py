"""Time `test.py` (= `exomesa test`) on the embedded DR25 test split, with and without --visualize.

    python benchmarks/bench_evaluation.py                               # trains a default model first
    python benchmarks/bench_evaluation.py --model_path output/mesa_model.pth
    python benchmarks/bench_evaluation.py --train_epochs 10             # a quicker stand-in model

Each timing runs the original command line (`python test.py --model_path ... --output_dir ...`) in a fresh
process, so it includes Python/torch start-up, loading the DR25 table, rendering the light-curve views,
inference, metrics and (with --visualize) every figure incl. t-SNE. The first run starts from an empty cache
folder (parses the DR25 table, renders the test views); the others read both from that cache, as a user's
runs after the first do. The goal on 2 CPU cores: < 5 s without and < 60 s with --visualize. Results go to
benchmarks/results/evaluation.json.
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

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "evaluation.json"


def train_default_model(path: Path, epochs: int | None, seed: int) -> float:
    """Train MesaClassifier on the DR25 training split (rendered views) and save it; returns seconds."""
    from exomesa.data import load_dr25, split_catalog
    from exomesa.mesa.classifier import MesaClassifier

    train, _ = split_catalog(load_dr25(), test_size=0.2, seed=42)
    params = {"seed": seed}
    if epochs is not None:
        params["epochs"] = epochs
    t0 = time.perf_counter()
    clf = MesaClassifier.from_settings(**params).fit(train)
    clf.save(path)
    return time.perf_counter() - t0


def time_test(model: Path, out: Path, visualize: bool, threads: int, cache: Path) -> dict:
    """Run `python test.py` once in a fresh process with ``EXOMESA_CACHE=cache``; returns wall seconds and
    the key results."""
    cmd = [
        sys.executable,
        str(ROOT / "test.py"),
        "--model_path",
        str(model),
        "--output_dir",
        str(out),
        "--force",
    ]
    if visualize:
        cmd.append("--visualize")
    env = {
        **os.environ,
        "OMP_NUM_THREADS": str(threads),
        "MKL_NUM_THREADS": str(threads),
        "MPLBACKEND": "Agg",
        "EXOMESA_CACHE": str(cache),
    }
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"test.py failed ({proc.returncode}):\n{proc.stderr}")
    res = json.loads((out / "test_results.json").read_text())
    return {
        "command": " ".join(["python test.py", *cmd[2:]]),
        "wall_seconds": round(wall, 2),
        "in_process_seconds": res["run"]["seconds"],
        "phase_seconds": res["run"].get("timings_seconds", {}),
        "n_test": res["n_samples"],
        "summary": res["summary"],
        "projection_notes": res["run"].get("projection_notes", {}),
        "log_tail": proc.stderr.strip().splitlines()[-6:],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model_path", default=None, help="trained checkpoint (default: train one first)")
    ap.add_argument(
        "--train_epochs", type=int, default=None, help="epochs of the model trained when none is given"
    )
    ap.add_argument("--threads", type=int, default=2, help="CPU threads for the timed runs (default 2)")
    ap.add_argument("--out", default=str(RESULTS), help="results JSON")
    args = ap.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="exomesa-bench-eval-") as tmp:
        tmp = Path(tmp)
        record: dict = {
            "machine": {
                "platform": platform.platform(),
                "python": platform.python_version(),
                "cpu_count": os.cpu_count(),
                "threads": args.threads,
                "load_average_before": os.getloadavg(),
            }
        }
        if args.model_path:
            model = Path(args.model_path)
            record["model"] = {"path": str(model), "trained_here": False}
        else:
            model = tmp / "mesa_model.pth"
            secs = train_default_model(model, args.train_epochs, seed=42)
            record["model"] = {
                "path": "(trained by this benchmark, default MesaClassifier"
                + (f", epochs={args.train_epochs})" if args.train_epochs else ")"),
                "trained_here": True,
                "train_seconds": round(secs, 1),
            }
            print(f"trained a model in {secs:.0f} s")
        # A private cache folder, empty at first: the cold run parses the DR25 table and renders the test
        # views, later runs read both back from the cache (as every run after a user's first does).
        cache = tmp / "cache"
        runs = [
            ("without_visualize_cold_cache", False),
            ("without_visualize", False),
            ("with_visualize", True),
        ]
        for key, visualize in runs:
            record[key] = time_test(model, tmp / key, visualize, args.threads, cache)
            print(f"{key}: {record[key]['wall_seconds']:.1f} s wall ({record[key]['n_test']} KOIs)")
        record["cache"] = (
            "without_visualize_cold_cache ran first with an empty EXOMESA_CACHE folder (DR25 table parsed, "
            "test views rendered); the other two ran after it with that cache filled"
        )
        record["goal_seconds"] = {"without_visualize": 5, "with_visualize": 60}
        record["machine"]["load_average_after"] = os.getloadavg()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
