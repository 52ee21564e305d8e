"""Run the exomesa accuracy/cost benchmark (a thin wrapper around ``exomesa.benchmark``).

    python benchmarks/run_benchmark.py            # full 5-fold run -> benchmarks/results.json, RESULTS.md
    python benchmarks/run_benchmark.py --quick    # smoke run into a temporary folder
    python benchmarks/run_benchmark.py --render_only   # rebuild RESULTS.md (e.g. after results/*.json change)

Same options as ``exomesa benchmark --help``; the default output folder is this script's folder.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from exomesa.cli.benchmark import add_arguments, command_line, config_from_args
from exomesa.errors import ExomesaError
from exomesa.jobs.benchmark import run_benchmark_command

HERE = Path(__file__).resolve().parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_arguments(parser)
    args = parser.parse_args(argv)
    command = command_line(args, prog="python benchmarks/run_benchmark.py")
    if args.out_dir is None and not args.quick:
        args.out_dir = str(HERE)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        run_benchmark_command(
            config_from_args(args),
            args.out_dir,
            force=args.force,
            render_only=args.render_only,
            update=args.update,
            command=command,
        )
    except ExomesaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
