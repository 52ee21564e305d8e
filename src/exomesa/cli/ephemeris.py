"""``exomesa ephemeris``: list candidates whose signal matches another signal's ephemeris (contamination)."""

from __future__ import annotations

import argparse
from pathlib import Path

from exomesa.cli._types import non_negative_float

__all__ = ["register", "ephemeris"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``ephemeris``."""
    p = subparsers.add_parser(
        "ephemeris",
        help="find contaminated candidates by ephemeris matching (writes matches.csv + a summary JSON)",
        description="Match every candidate's period and epoch against the other candidates of the catalog (and "
        "the Kepler DR24 TCEs for Kepler tables), at small-integer period ratios, and write one row per match "
        "(contaminated candidate, parent, ratio, epoch offset, significance, separation, depth ratio, mechanism) "
        "and a summary named after OUT (matches.csv -> matches.summary.json). Dispositions are never read for "
        "the matching.",
    )
    p.add_argument(
        "--catalog",
        default="dr25",
        help="'dr25' (embedded Kepler, default), 'toi' (embedded TESS) or a table path",
    )
    p.add_argument("--out", type=Path, default=Path("matches.csv"), help="output CSV (default: matches.csv)")
    p.add_argument(
        "--min_significance",
        type=non_negative_float,
        default=3.0,
        help="smallest match significance kept [sigma] (default 3)",
    )
    p.add_argument("--force", action="store_true", help="overwrite existing output files")
    p.set_defaults(func=ephemeris)


def ephemeris(args: argparse.Namespace) -> int:
    from exomesa.jobs.ephemeris import match_ephemerides

    match_ephemerides(args.catalog, args.out, force=args.force, min_significance=args.min_significance)
    return 0
