"""Training and inference speed of MESA on the embedded DR25 table (CPU).

    python benchmarks/bench_training.py            # one epoch + a full default run (a few minutes)
    python benchmarks/bench_training.py --quick    # one epoch only

Measures, on the DR25 training split (``split_catalog(load_dr25(), 0.2, 42)[0]``, ~6,400 KOIs, rendered
views computed once and excluded from the timings):

* ``epoch_seconds``: one training epoch (no validation split) at the default size;
* ``full_run``: a default ``MesaClassifier().fit`` (early stopping) -- seconds, epochs, best epoch, and
  accuracy / macro-F1 on the held-out DR25 test split;
* ``inference_kois_per_second``: ``predict_proba`` with aligned views (preprocessing included, rendering not);
* ``peak_rss_mb``: the process's peak resident memory.

Writes ``benchmarks/results/training.json``. The machine is a shared 2-core CPU, so times are rough.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import time
from pathlib import Path

import numpy as np
import torch

from exomesa import __version__
from exomesa.data import LABEL, labels_to_index, load_dr25, split_catalog
from exomesa.lightcurves import render_views
from exomesa.mesa.classifier import MesaClassifier
from exomesa.mesa.trainer import macro_f1
from exomesa.utils import write_json

RESULTS = Path(__file__).resolve().parent / "results" / "training.json"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="time one epoch only")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)

    df = load_dr25()
    train, test = split_catalog(df, 0.2, 42)
    t0 = time.perf_counter()
    train_views, test_views = render_views(train), render_views(test)
    render_s = time.perf_counter() - t0
    result: dict = {
        "exomesa_version": __version__,
        "torch": torch.__version__,
        "machine": platform.processor() or platform.machine(),
        "torch_threads": torch.get_num_threads(),
        "n_train": len(train),
        "n_test": len(test),
        "render_seconds": round(render_s, 2),
    }

    one = MesaClassifier.from_settings(epochs=1, val_split=0, seed=0).fit(train, views=train_views)
    result["epoch_seconds"] = round(one.history_[0]["seconds"], 2)
    result["n_parameters"] = one.n_parameters_
    print(f"one epoch over {len(train)} KOIs: {result['epoch_seconds']} s ({one.n_parameters_} parameters)")

    t0 = time.perf_counter()
    for _ in range(3):
        one.predict_proba(test, test_views)
    result["inference_kois_per_second"] = round(3 * len(test) / (time.perf_counter() - t0))
    print(f"inference: {result['inference_kois_per_second']} KOIs/s")

    if not args.quick:
        t0 = time.perf_counter()
        clf = MesaClassifier().fit(train, views=train_views)
        seconds = time.perf_counter() - t0
        y = labels_to_index(test[LABEL])
        pred = clf.predict_proba(test, test_views).argmax(1)
        result["full_run"] = {
            "seconds": round(seconds, 1),
            "epochs": len(clf.history_),
            "best_epoch": clf.history_[-1]["best_epoch"],
            "mean_epoch_seconds": round(float(np.mean([h["seconds"] for h in clf.history_])), 2),
            "test_accuracy": round(float(np.mean(pred == y)), 4),
            "test_macro_f1": round(macro_f1(y, pred), 4),
            "params": clf.settings_record(),
        }
        print(f"default run: {result['full_run']}")

    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    result["goals"] = {"epoch_seconds": 3.0, "full_run_seconds": 180.0, "peak_rss_mb": 2048}
    write_json(args.out, result)
    print(json.dumps({k: v for k, v in result.items() if k != "full_run"}, indent=1))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
