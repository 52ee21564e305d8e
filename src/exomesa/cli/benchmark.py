"""``exomesa benchmark``: every method on identical star-grouped CV folds -> results.json + RESULTS.md
(the text of :data:`DESCRIPTION`). The methods offered are the users' ones (:data:`DEFAULT_METHODS` and the
others registered in :mod:`exomesa.benchmark.methods`); experiment variants register themselves from
``benchmarks/mesa_variants.py``."""

from __future__ import annotations

import argparse
import shlex

from exomesa.benchmark.config import SUITES, BenchmarkConfig
from exomesa.benchmark.methods import BENCHMARK_METHODS, DEFAULT_METHODS
from exomesa.benchmark.real_methods import REAL_DEFAULT_METHODS
from exomesa.cli._types import LIGHTCURVES_HELP, add_device, int_at_least, non_negative_int, positive_int
from exomesa.defaults import BENCHMARK_REAL_SUITE, LGBM_PARAMS, N_FOLDS, SPLIT_SEED, TSFRESH_PRESET

__all__ = ["register", "add_arguments", "command_line", "config_from_args", "run", "DESCRIPTION"]

#: What ``exomesa benchmark --help`` prints above the options (plain text).
DESCRIPTION = """\
Run every method on identical star-grouped cross-validation folds and write results.json and RESULTS.md.

examples:
  exomesa benchmark                      # full 5-fold run -> benchmarks/results.json, RESULTS.md
  exomesa benchmark --quick              # smoke run (600 KOIs, one fold) into a temporary folder
  exomesa benchmark --methods lgbm_tabular_full,tsfresh_lgbm_full --folds 0
  exomesa benchmark --render_only        # rebuild RESULTS.md from the results JSON files
  exomesa benchmark --suite real         # only the KOIs with a shipped real view -> results_real.json
"""


def _int_list(text: str) -> list[int]:
    try:
        return [int(x) for x in text.split(",") if x.strip()]
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected comma-separated fold numbers, got {text!r}") from exc


def _str_list(text: str) -> list[str]:
    return [x.strip() for x in text.split(",") if x.strip()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The benchmark's options (shared by ``exomesa benchmark`` and ``benchmarks/run_benchmark.py``)."""
    parser.add_argument(
        "--quick", action="store_true", help="smoke run: 600 KOIs, one fold, 1 epoch, tiny presets"
    )
    parser.add_argument(
        "--out_dir",
        default=None,
        help="folder for results.json and RESULTS.md (default: benchmarks/; --quick: a new temporary folder)",
    )
    parser.add_argument("--force", action="store_true", help="overwrite existing results files")
    parser.add_argument(
        "--render_only", action="store_true", help="only rebuild RESULTS.md from the JSON files"
    )
    parser.add_argument(
        "--update",
        action="store_true",
        help="replace only the --methods rows of the existing results (with --force); other rows are kept",
    )
    parser.add_argument(
        "--suite",
        choices=SUITES,
        default="default",
        help="default: all DR25 KOIs (results.json); real: only the KOIs with a real view, shipped or in "
        "--lightcurves (results_real.json)",
    )
    parser.add_argument(
        "--pretrain_epochs",
        type=positive_int,
        default=None,
        help=f"--suite real: epochs of the rendered-view pretraining (default {BENCHMARK_REAL_SUITE['pretrain_epochs']})",
    )
    parser.add_argument(
        "--tces",
        default=None,
        help="--suite real: AstroNet views file of labelled DR24 TCEs; the method mesa_real_tce pretrains the "
        "light-curve tower on the TCEs of each fold's training stars",
    )
    parser.add_argument(
        "--methods",
        type=_str_list,
        default=None,
        help="comma-separated methods to run (default: "
        + ", ".join(DEFAULT_METHODS)
        + "; also, by name: "
        + ", ".join(m for m in BENCHMARK_METHODS if m not in DEFAULT_METHODS)
        + "; --suite real default: "
        + ", ".join(REAL_DEFAULT_METHODS)
        + ")",
    )
    parser.add_argument(
        "--folds", type=_int_list, default=None, help="test folds to run, e.g. 0,1 (default all)"
    )
    parser.add_argument(
        "--n_splits", type=int_at_least(2), default=N_FOLDS, help=f"number of CV folds (default {N_FOLDS})"
    )
    parser.add_argument(
        "--seed",
        type=non_negative_int,
        default=SPLIT_SEED,
        help=f"seed of folds and models (default {SPLIT_SEED})",
    )
    parser.add_argument(
        "--n_kois", type=int_at_least(10), default=None, help="random subset of KOIs (default all; quick 600)"
    )
    parser.add_argument(
        "--lightcurves",
        default=None,
        help=LIGHTCURVES_HELP,
    )
    parser.add_argument(
        "--epochs", type=positive_int, default=None, help="MESA epochs (default: the model's; quick 1)"
    )
    parser.add_argument(
        "--finetune_epochs",
        type=positive_int,
        default=None,
        help="MESA fine-tuning epochs (default --epochs)",
    )
    parser.add_argument(
        "--batch_size", type=positive_int, default=None, help="MESA batch size (default: the model's)"
    )
    add_device(parser)
    parser.add_argument(
        "--n_estimators",
        type=positive_int,
        default=None,
        help=f"LightGBM boosting rounds (default {LGBM_PARAMS['n_estimators']})",
    )
    parser.add_argument(
        "--tsfresh_preset",
        default=None,
        help=f"tsfresh preset: transit, tiny, efficient (default {TSFRESH_PRESET})",
    )
    parser.add_argument(
        "--tsfresh_n_jobs", type=non_negative_int, default=0, help="tsfresh worker processes (default 0)"
    )
    parser.add_argument(
        "--n_jobs",
        type=positive_int,
        default=None,
        help=f"LightGBM threads (default {LGBM_PARAMS['n_jobs']}, or 1 with --workers > 1)",
    )
    parser.add_argument(
        "--workers",
        type=positive_int,
        default=None,
        help="processes running folds/methods side by side, one torch thread each (default min(2, CPUs); "
        "quick 1); the numbers do not depend on it, the wall time does",
    )


def command_line(args: argparse.Namespace, prog: str = "exomesa benchmark") -> str:
    """The command that reproduces ``args``: ``prog`` plus every option that differs from its default."""
    parser = argparse.ArgumentParser(add_help=False)
    add_arguments(parser)
    parts = [prog]
    for action in parser._actions:
        dest = action.dest
        value = getattr(args, dest, action.default)
        if value == action.default or dest in ("force", "out_dir") and args.quick:
            continue
        flag = action.option_strings[0]
        if isinstance(action, argparse._StoreTrueAction):
            parts.append(flag)
        else:
            text = ",".join(str(v) for v in value) if isinstance(value, list) else str(value)
            parts += [flag, shlex.quote(text)]
    return " ".join(parts)


def config_from_args(args: argparse.Namespace) -> BenchmarkConfig:
    """The :class:`~exomesa.benchmark.config.BenchmarkConfig` of parsed arguments."""
    return BenchmarkConfig(
        n_splits=args.n_splits,
        seed=args.seed,
        quick=args.quick,
        n_kois=args.n_kois,
        folds=args.folds,
        methods=args.methods,
        epochs=args.epochs,
        finetune_epochs=args.finetune_epochs,
        batch_size=args.batch_size,
        device=args.device,
        n_estimators=args.n_estimators,
        tsfresh_preset=args.tsfresh_preset,
        tsfresh_n_jobs=args.tsfresh_n_jobs,
        n_jobs=args.n_jobs,
        workers=args.workers,
        lightcurves=args.lightcurves,
        suite=args.suite,
        tces=args.tces,
        pretrain_epochs=args.pretrain_epochs,
    )


def run(args: argparse.Namespace) -> int:
    """Run the benchmark with parsed arguments; returns the exit code."""
    # imported here: the runner imports scikit-learn's metrics (~1.5 s), which `exomesa --help` need not pay
    from exomesa.jobs.benchmark import run_benchmark_command

    run_benchmark_command(
        config_from_args(args),
        args.out_dir,
        force=args.force,
        render_only=args.render_only,
        update=args.update,
        command=command_line(args),
    )
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``exomesa benchmark``."""
    parser = subparsers.add_parser(
        "benchmark",
        help="compare MESA and the LightGBM baselines on identical CV folds",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(parser)
    parser.set_defaults(func=run)
