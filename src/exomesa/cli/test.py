"""``exomesa test``: evaluate a trained model on a labelled table (the text of :data:`DESCRIPTION`)."""

from __future__ import annotations

import argparse

from exomesa.cli._evaluate import add_test_arguments

__all__ = ["register", "DESCRIPTION"]

#: What ``exomesa test --help`` prints above the options (plain text: argparse prints it as written).
DESCRIPTION = """\
Evaluate a trained model (a MESA checkpoint or a baseline model file) on a labelled KOI or TOI table.

examples:
  exomesa test --model_path output/mesa_model.pth                  # the embedded DR25 test split
  exomesa test --model_path output/mesa_model.pth --test_data data/test_data.csv --visualize
  exomesa test --model_path output/baseline_tsfresh.json --output_dir test_results_tsfresh

Writes test_results.json (schema: the docs' results-schema page), predictions.csv and report.html into
--output_dir (default test_results); with --visualize also the figures, each embedded in the report. The test
table is transformed with the statistics stored in the model (never refitted).
"""


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``exomesa test``."""
    p = subparsers.add_parser(
        "test",
        help="evaluate a trained model: metrics JSON, predictions CSV, HTML report (+ figures)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_test_arguments(p)
