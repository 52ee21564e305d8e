r"""``exomesa test``: evaluate a trained model (MESA checkpoint or baseline model file) on a labelled KOI table.

    exomesa test --model_path output/mesa_model.pth --test_data data/test_data.csv \
        --output_dir test_results --visualize
    exomesa test --model_path output/mesa_model.pth              # the embedded DR25 test split
    python test.py --model_path output/mesa_model.pth --visualize  # the original command line

Writes ``test_results.json`` (schema: docs/results_schema.md), ``predictions.csv`` and ``report.html``
into ``--output_dir``; with ``--visualize`` also the figures, each embedded in the report. The test table is
transformed with the statistics stored in the checkpoint (never refitted).
"""

from __future__ import annotations

import argparse

from exomesa.cli._evaluate import add_test_arguments

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``exomesa test``."""
    p = subparsers.add_parser(
        "test",
        help="evaluate a trained model: metrics JSON, predictions CSV, HTML report (+ figures)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_test_arguments(p)
