"""``exomesa baseline``: train and evaluate the LightGBM baselines on the same data as MESA.

    exomesa baseline train --method tsfresh --features full            # embedded DR25 training split
    exomesa baseline train --method tabular --data_path data/train_data.csv --features seed
    exomesa baseline test --model_path output/baseline_tsfresh.json --visualize
    exomesa baseline test --model_path output/baseline_tabular.json --test_data data/test_data.csv

``train`` writes ``<output_dir>/baseline_<method>.json`` (a JSON model file: LightGBM text model, feature
names, imputer medians; no pickle). ``test`` is an alias of ``exomesa test`` (which takes a baseline model file too); it writes ``test_results.json`` (the schema of ``exomesa test``),
``predictions.csv`` and ``report.html`` into ``--output_dir`` (default ``test_results_<method>``); with
``--visualize`` also the confusion matrix, ROC curves and reliability diagram (and, for tsfresh, the
light-curve gallery). Without ``--data_path``/``--test_data`` the embedded DR25 table is split exactly as
``exomesa train``/``exomesa test`` split it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from exomesa.baselines import BASELINE_METHODS
from exomesa.cli._types import int_at_least, non_negative_int, positive_float, positive_int
from exomesa.defaults import LGBM_PARAMS as L
from exomesa.defaults import TSFRESH_N_JOBS, TSFRESH_PRESET, baseline_file

__all__ = ["register"]


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``exomesa baseline train`` and ``exomesa baseline test``."""
    from exomesa.baselines import TSFRESH_PRESETS
    from exomesa.cli._evaluate import add_test_arguments

    parser = subparsers.add_parser(
        "baseline",
        help="LightGBM baselines (tabular, TSFresh + LightGBM) with the same data and outputs as MESA",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="baseline_command", metavar="{train,test}")
    parser.set_defaults(func=lambda args: parser.print_help() or 1)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--lightcurves",
            default=None,
            help="views .npz from `exomesa lightcurves build`; others are rendered",
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

    t = sub.add_parser("train", help="fit a baseline and save it as JSON")
    t.add_argument(
        "--method", choices=BASELINE_METHODS, default="tsfresh", help="tabular or tsfresh (default tsfresh)"
    )
    t.add_argument(
        "--data_path",
        default=None,
        help="labelled KOI table (archive CSV/IPAC or seed CSV); default: the embedded DR25 training split",
    )
    t.add_argument(
        "--features",
        default="auto",
        help="tabular feature preset: seed, archive, full, shared or toi; auto = toi for TESS TOI tables, else "
        "the richest of full, archive, seed whose columns the table has (default auto)",
    )
    t.add_argument(
        "--output_dir", default="output", help="folder for baseline_<method>.json (default output)"
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
        "test", help="alias of `exomesa test`: evaluate a saved baseline (results JSON, predictions, report)"
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
