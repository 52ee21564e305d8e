"""``exomesa baseline train`` / ``exomesa baseline test``: the LightGBM baselines on the same data as MESA
(the help texts are :data:`DESCRIPTION`, :data:`TRAIN_DESCRIPTION`; ``baseline test`` is ``exomesa test``,
with its defaults)."""

from __future__ import annotations

import argparse
from pathlib import Path

from exomesa.baselines import BASELINE_METHODS
from exomesa.cli._types import (
    LIGHTCURVES_HELP,
    add_features,
    int_at_least,
    non_negative_int,
    positive_float,
    positive_int,
)
from exomesa.defaults import LGBM_PARAMS as L
from exomesa.defaults import TSFRESH_N_JOBS, TSFRESH_PRESET, baseline_file

__all__ = ["register", "DESCRIPTION", "TRAIN_DESCRIPTION"]

#: What ``exomesa baseline --help`` prints (plain text: argparse prints it as written).
DESCRIPTION = """\
Train and evaluate the LightGBM baselines (tabular, and TSFresh features of the light curves + LightGBM) on
the same data as MESA. Without --data_path / --test_data the embedded DR25 table is split exactly as
exomesa train / exomesa test split it.

examples:
  exomesa baseline train --method tsfresh                  # embedded DR25 training split -> output/
  exomesa baseline train --method tabular --data_path data/train_data.csv --features seed
  exomesa baseline test --model_path output/baseline_tsfresh.json --visualize
  exomesa baseline test --model_path output/baseline_tabular.json --output_dir test_results_tabular
"""

#: What ``exomesa baseline train --help`` prints.
TRAIN_DESCRIPTION = (
    "Fit a LightGBM baseline (median imputation + LightGBM; with --method tsfresh also TSFresh features of "
    "the global and local views) on a labelled KOI/TOI table and write <output_dir>/baseline_<method>.json: "
    "a JSON model file (the LightGBM text model, feature names, imputer medians; no pickle) that exomesa "
    "test, predict and vet read like a MESA checkpoint."
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``exomesa baseline train`` and ``exomesa baseline test``."""
    from exomesa.baselines import TSFRESH_PRESETS
    from exomesa.cli._evaluate import add_test_arguments
    from exomesa.cli.test import DESCRIPTION as TEST_DESCRIPTION

    parser = subparsers.add_parser(
        "baseline",
        help="LightGBM baselines (tabular, TSFresh + LightGBM) with the same data and outputs as MESA",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="baseline_command", metavar="{train,test}")
    parser.set_defaults(func=lambda args: parser.print_help() or 1)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--lightcurves",
            default=None,
            help=LIGHTCURVES_HELP,
        )
        p.add_argument("--force", action="store_true", help="overwrite existing output files")
        p.add_argument(
            "--cache_dir",
            default="auto",
            help="tsfresh feature cache folder (default: $EXOMESA_CACHE/tsfresh or ~/.cache/exomesa/tsfresh)",
        )
        p.add_argument(
            "--no_cache", action="store_true", help="do not read or write the tsfresh feature cache"
        )

    t = sub.add_parser("train", help="fit a baseline and save it as JSON", description=TRAIN_DESCRIPTION)
    t.add_argument(
        "--method", choices=BASELINE_METHODS, default="tsfresh", help="tabular or tsfresh (default tsfresh)"
    )
    t.add_argument(
        "--data_path",
        default=None,
        help="labelled KOI/TOI table (archive CSV/IPAC, ExoFOP export or seed CSV); default: the embedded "
        "DR25 training split",
    )
    add_features(
        t, "toi for TESS TOI tables, else the richest of full, archive, seed whose columns the table has"
    )
    t.add_argument(
        "--output_dir",
        default="output",
        help="folder for baseline_<method>.json (default output, as exomesa train)",
    )
    for name, kind, what in (
        ("seed", non_negative_int, "LightGBM seed"),
        ("n_estimators", positive_int, "boosting rounds"),
        ("learning_rate", positive_float, "LightGBM learning rate"),
        ("num_leaves", int_at_least(2), "maximum leaves per tree"),
        ("n_jobs", positive_int, "LightGBM threads"),
    ):
        t.add_argument(f"--{name}", type=kind, default=L[name], help=f"{what} (default {L[name]})")
    t.add_argument(
        "--tsfresh_preset",
        choices=list(TSFRESH_PRESETS),
        default=TSFRESH_PRESET,
        help=f"tsfresh feature preset (default {TSFRESH_PRESET}; see exomesa.baselines.tsfresh_features)",
    )
    t.add_argument(
        "--tsfresh_n_jobs",
        type=non_negative_int,
        default=TSFRESH_N_JOBS,
        help=f"tsfresh worker processes (default {TSFRESH_N_JOBS})",
    )
    common(t)
    t.set_defaults(func=_train_main)

    e = sub.add_parser(
        "test",
        help="alias of `exomesa test`: evaluate a saved baseline (results JSON, predictions, report)",
        description=f"exomesa test under another name: the same options and defaults, except that --model_path "
        f"defaults to output/{baseline_file('tsfresh')}.\n\n" + TEST_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_test_arguments(e, model_path=f"output/{baseline_file('tsfresh')}")
    e.set_defaults(func=_test_main)


def _train_main(args: argparse.Namespace) -> int:
    from exomesa.jobs.baseline import train_baseline

    params = {
        k: getattr(args, k) for k in ("features", "seed", "n_estimators", "learning_rate", "num_leaves")
    }
    params["n_jobs"] = args.n_jobs
    if args.method == "tsfresh":
        params.update(
            tsfresh_preset=args.tsfresh_preset,
            tsfresh_n_jobs=args.tsfresh_n_jobs,
            cache_dir=None if args.no_cache else args.cache_dir,
        )
    train_baseline(
        args.method,
        args.data_path,
        Path(args.output_dir),
        lightcurves=args.lightcurves,
        force=args.force,
        **params,
    )
    return 0


def _test_main(args: argparse.Namespace) -> int:
    from exomesa.cli._evaluate import run

    return run(args)
