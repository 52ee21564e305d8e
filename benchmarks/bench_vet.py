"""Time `exomesa vet`: sheets for the 1,609 DR25 test KOIs (attributions included), and one sheet.

    python benchmarks/bench_vet.py                          # trains a default-size MESA for 1 epoch first
    python benchmarks/bench_vet.py --model_path output/mesa_model.pth

Speed depends on the architecture, not on how well the model is trained, so by default a default-size
MesaClassifier is trained for --train_epochs (1) on the DR25 training split. Each timing runs the `exomesa vet`
command line in a fresh process (Python/torch start-up, DR25 table, rendered views, model pass, Integrated
Gradients, neighbours, page writing) with --threads torch/OpenMP threads. Goals on 2 CPU cores: all test KOIs
< 180 s, one sheet < 5 s. Results go to benchmarks/results/vet.json (with the phase timings vet.json records).
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
RESULTS = ROOT / "benchmarks" / "results" / "vet.json"


def run_vet(model: Path, kois: list[str], out: Path, threads: int, cache: Path) -> dict:
    """One `exomesa vet` in a fresh process; wall seconds, the phase timings and page sizes."""
    cmd = [sys.executable, "-c", "import sys; from exomesa.cli import main; sys.exit(main())", "-q", "vet"]
    cmd += ["--model_path", str(model), "--out", str(out), "--koi", *kois]
    env = {
        **os.environ,
        "OMP_NUM_THREADS": str(threads),
        "MKL_NUM_THREADS": str(threads),
        "EXOMESA_CACHE": str(cache),
    }
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"exomesa vet failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    summary = json.loads((out / "vet.json").read_text())
    pages = [p for p in out.glob("*.html") if p.name != "index.html"]
    return {
        "n_sheets": len(pages),
        "wall_seconds": round(wall, 2),
        "phase_seconds": summary["timings_seconds"],
        "mean_sheet_kib": round(sum(p.stat().st_size for p in pages) / max(len(pages), 1) / 1024, 1),
        "index_kib": round((out / "index.html").stat().st_size / 1024, 1),
        "needs_human": sum(c["needs_human"] for c in summary["candidates"]),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model_path", default=None, help="trained checkpoint (default: train one first)")
    ap.add_argument("--train_epochs", type=int, default=1, help="epochs of the stand-in model (default 1)")
    ap.add_argument("--threads", type=int, default=2, help="CPU threads for the timed runs (default 2)")
    ap.add_argument("--out", default=str(RESULTS), help="results JSON")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    from exomesa.data import load_dr25, split_catalog

    train, test = split_catalog(load_dr25(), test_size=0.2, seed=42)
    record: dict = {
        "machine": {
            "platform": platform.platform(),
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
            "threads": args.threads,
            "load_average_before": os.getloadavg(),
        }
    }
    with tempfile.TemporaryDirectory(prefix="exomesa-bench-vet-") as tmp:
        tmp = Path(tmp)
        if args.model_path:
            model = Path(args.model_path)
            record["model"] = {"path": str(model), "trained_here": False}
        else:
            from exomesa.mesa.classifier import MesaClassifier

            model = tmp / "mesa_model.pth"
            t0 = time.perf_counter()
            MesaClassifier.from_settings(epochs=args.train_epochs, seed=42).fit(train).save(model)
            record["model"] = {
                "path": f"(default-size MesaClassifier trained here for {args.train_epochs} epoch(s))",
                "train_seconds": round(time.perf_counter() - t0, 1),
            }
        cache = tmp / "cache"
        kois = test["kepoi_name"].astype(str).tolist()
        record["one_sheet_cold_cache"] = run_vet(model, ["K00752.01"], tmp / "one_cold", args.threads, cache)
        record["one_sheet"] = run_vet(model, ["K00752.01"], tmp / "one", args.threads, cache)
        print(f"one sheet: {record['one_sheet']['wall_seconds']} s")
        record["test_split"] = run_vet(model, kois, tmp / "all", args.threads, cache)
        print(f"{len(kois)} sheets: {record['test_split']['wall_seconds']} s")
    record["goal_seconds"] = {"test_split": 180, "one_sheet": 5}
    record["machine"]["load_average_after"] = os.getloadavg()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
