"""The ``exomesa`` command line: one console script, one module per subcommand group.

Each module in ``exomesa.cli`` named in :data:`COMMAND_MODULES` exposes ``register(subparsers)`` that adds its
subcommand(s) and sets ``func`` (a callable taking the parsed ``argparse.Namespace`` and returning an exit
code). The CLI only wires library functions together; it holds no science.

Examples::

    exomesa data prepare --out data/
    exomesa train --data_path data/train_data.csv --epochs 50
    exomesa test --model_path output/mesa_model.pth --test_data data/test_data.csv --visualize
    exomesa run --out runs/demo          # the whole pipeline on the embedded DR25 table
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from exomesa._version import __version__
from exomesa.cli._types import Parser
from exomesa.errors import ExomesaError

__all__ = ["main", "build_parser", "COMMAND_MODULES"]

COMMAND_MODULES = [
    "data",
    "lightcurves",
    "train",
    "test",
    "run",
    "predict",
    "baseline",
    "benchmark",
    "vet",
    "ephemeris",
]

logger = logging.getLogger("exomesa")


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with every subcommand registered."""
    parser = Parser(
        prog="exomesa",
        description="Vet transit candidates (Kepler KOIs, TESS TOIs) with MESA (Multimodal Exoplanet Semantic "
        "Alignment) and LightGBM baselines. `exomesa COMMAND --help` describes each command.",
    )
    parser.add_argument("--version", action="version", version=f"exomesa {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="show debug messages")
    parser.add_argument("-q", "--quiet", action="store_true", help="show warnings and errors only")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"exomesa.cli.{name}")
        module.register(subparsers)
    return parser


def _configure_logging(verbose: bool, quiet: bool) -> None:
    level = logging.DEBUG if verbose else logging.WARNING if quiet else logging.INFO
    root = logging.getLogger("exomesa")
    root.handlers.clear()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        logging.Formatter("%(message)s" if not verbose else "%(levelname)s %(name)s: %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(level)
    root.propagate = False


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``exomesa`` console script; returns the process exit code."""
    parser = build_parser()
    args = parser.parse_args(list(argv) if argv is not None else None)
    _configure_logging(getattr(args, "verbose", False), getattr(args, "quiet", False))
    func = getattr(args, "func", None)
    if func is None:
        parser.print_help()
        return 1
    try:
        return int(func(args) or 0)
    except ExomesaError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 2
    except KeyboardInterrupt:  # pragma: no cover - interactive
        sys.stderr.write("interrupted\n")
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
