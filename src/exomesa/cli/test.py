"""`exomesa test` subcommand (placeholder until its issue lands)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add this module's subcommand(s) to the top-level parser (nothing yet)."""
