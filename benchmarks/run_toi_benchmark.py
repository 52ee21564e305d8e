"""Run the TESS benchmark: TOI vetting and Kepler → TESS transfer (:mod:`exomesa.benchmark.toi`).

    python benchmarks/run_toi_benchmark.py                 # full 5-fold run -> benchmarks/results_toi.json
    python benchmarks/run_toi_benchmark.py --quick --out /tmp/toi.json   # smoke run (minutes)

Writes the results JSON (schema ``exomesa-benchmark-toi/1``, with the TOI table's source and export date) and
prints the Markdown table quoted in the README. Run heavy runs under ``flock /tmp/exomesa-heavy.lock nice``.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

from exomesa.benchmark.toi import TOI_METHODS, markdown_table, run_toi_benchmark
from exomesa.errors import ExomesaError

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=HERE / "results_toi.json", help="results JSON file")
    parser.add_argument("--methods", nargs="+", choices=list(TOI_METHODS), help="methods (default all)")
    parser.add_argument("--folds", type=int, nargs="+", help="fold indices to run (default all 5)")
    parser.add_argument("--epochs", type=int, help="MESA epochs (default: the MESA default, early stopping)")
    parser.add_argument("--finetune_epochs", type=int, help="fine-tuning epochs (default: as --epochs)")
    parser.add_argument("--device", default="cpu", help="torch device (default cpu)")
    parser.add_argument(
        "--quick", action="store_true", help="600 TOIs, 1,000 KOIs, 1 fold, 2 epochs, tiny tsfresh"
    )
    parser.add_argument("--force", action="store_true", help="overwrite --out")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        if args.out.exists() and not args.force:
            raise ExomesaError(f"{args.out} exists; pass --force to overwrite it.")
        quick = {"n_tois": 600, "n_kepler": 1000, "folds": [0], "epochs": 2, "finetune_epochs": 2,
                 "n_estimators": 50, "tsfresh_preset": "tiny"} if args.quick else {}  # fmt: skip
        params = {"epochs": args.epochs, "finetune_epochs": args.finetune_epochs, "folds": args.folds} | quick
        command = "python benchmarks/run_toi_benchmark.py " + " ".join(argv or sys.argv[1:])
        args.out.parent.mkdir(parents=True, exist_ok=True)

        def save(results: dict) -> None:  # after every fold, so a stopped run keeps its finished folds
            results["command"] = command
            results["quick"] = bool(args.quick)
            args.out.write_text(json.dumps(results, indent=2, default=str) + "\n", encoding="utf-8")

        results = run_toi_benchmark(methods=args.methods, device=args.device, on_fold=save, **params)
        save(results)
    except ExomesaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(markdown_table(results))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
