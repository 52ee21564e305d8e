"""Scoring speed of `exomesa predict` on all 8,054 DR25 KOIs (issue #7).

    python benchmarks/bench_predict.py [--model_path output/mesa_model.pth]

Rendering the light curves is timed separately and excluded from the scoring rate, as the goal states
(>= 5,000 KOIs/s without neighbours, >= 2,000 KOIs/s with K = 5 neighbours against the training catalog).
Without --model_path a small default-size model is trained for 2 epochs (speed does not depend on accuracy).
Writes benchmarks/results/predict.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import torch

from exomesa import MesaClassifier, __version__
from exomesa.data import load_dr25, split_catalog
from exomesa.evaluation.scoring import score_candidates
from exomesa.lightcurves import render_views

OUT = Path(__file__).parent / "results" / "predict.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--model_path", type=Path, default=None)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    torch.set_num_threads(2)
    df = load_dr25()
    if args.model_path:
        clf = MesaClassifier.load(args.model_path)
    else:
        train, _ = split_catalog(df, 0.2, 42)
        clf = MesaClassifier.from_settings(features="full", epochs=2, seed=0).fit(train)
    t0 = time.perf_counter()
    views = render_views(df)
    render_s = time.perf_counter() - t0
    score_candidates(clf, df.head(256), views.take(range(256)))  # warm-up
    timings = {}
    for k in (0, 5):
        best = float("inf")
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            out = score_candidates(clf, df, views, neighbors=k)
            best = min(best, time.perf_counter() - t0)
        timings[k] = best
        assert int(out["scored"].sum()) > 0
    result = {
        "n_kois": len(df),
        "render_seconds": round(render_s, 2),
        "score_seconds": round(timings[0], 3),
        "score_kois_per_second": round(len(df) / timings[0]),
        "score_with_5_neighbors_seconds": round(timings[5], 3),
        "score_with_5_neighbors_kois_per_second": round(len(df) / timings[5]),
        "reference_bank_size": len(clf.reference_["kepoi_name"]),
        "goal": ">= 5000 KOIs/s without neighbours, >= 2000 KOIs/s with K=5 (rendering excluded)",
        "met": len(df) / timings[0] >= 5000 and len(df) / timings[5] >= 2000,
        "timing": f"best of {args.repeats}",
        "machine": f"{platform.machine()} {platform.processor() or ''}".strip(),
        "torch_threads": torch.get_num_threads(),
        "exomesa": __version__,
        "torch": torch.__version__,
        "command": "python benchmarks/bench_predict.py",
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
