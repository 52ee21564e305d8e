"""Ephemeris matching: speed, purity on DR25/TOIs, and whether the ``ephemeris`` feature group helps.

Writes ``benchmarks/results/ephemeris.json``:

* ``timing``: matching all 8,054 DR25 KOIs against themselves and the 20,367 DR24 TCEs (median of 5 runs, the
  tables already in memory), and the same for the TOI table;
* ``dr25`` / ``toi``: the ``exomesa ephemeris`` summaries (contaminated candidates and their disposition mix; the
  dispositions are read only for this report);
* ``lightgbm``: ``TabularLightGBM`` (default settings, one thread; the benchmark method ``lgbm_tabular_full``)
  on ``full`` and on ``full`` without its ``ephemeris`` group (``full_without_ephemeris``), on the 5
  star-grouped folds of all DR25 KOIs (``group_kfold``, the benchmark's folds and seed);
* ``mesa``: MESA (physics tower, ensemble 1, default preset otherwise: ``mesa_method(features,
  towers="physics", ensemble=1)``, no light curve rendered) on the first ``--mesa_folds`` of the same folds,
  the same two feature sets. ``exomesa benchmark --methods mesa_full`` runs the default recipe (both towers)
  on ``full``.

Until the group joined ``full``, these keys were ``full`` (now ``full_without_ephemeris``) and
``full_ephemeris`` (now ``full``); the stored results were renamed, their numbers are unchanged.

Run::

    OMP_NUM_THREADS=1 PYTHONPATH=src python benchmarks/bench_ephemeris.py --mesa_folds 5
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

from exomesa.benchmark.config import BenchmarkConfig
from exomesa.benchmark.methods import FoldData, MethodResult, _lgbm_method, mesa_method
from exomesa.benchmark.runner import fold_metrics
from exomesa.data import LABEL, group_kfold, labels_to_index, load_catalog
from exomesa.data.tce import load_dr24_tces
from exomesa.defaults import SPLIT_SEED
from exomesa.features import resolve_feature_set
from exomesa.features.ephemeris import ephemeris_table, find_matches, tce_ephemeris_table
from exomesa.features.ephemeris_group import match_catalog
from exomesa.jobs.ephemeris import summarize_matches

OUT = Path(__file__).parent / "results" / "ephemeris.json"
#: The compared feature sets: ``full`` without its ``ephemeris`` group, and ``full``.
FEATURE_SETS: dict[str, dict[str, list[str]]] = {
    "full_without_ephemeris": {g: c for g, c in resolve_feature_set("full").items() if g != "ephemeris"},
    "full": resolve_feature_set("full"),
}


def timing() -> dict:
    dr25, tces = load_catalog("dr25"), load_dr24_tces()
    toi = load_catalog("toi", require_label=False)
    out = {}
    for name, cat, parents in (("dr25_vs_self_and_dr24_tces", dr25, tces), ("toi_vs_self", toi, None)):
        runs = []
        for _ in range(5):
            t0 = time.perf_counter()
            table = ephemeris_table(cat)
            par = tce_ephemeris_table(parents, cat) if parents is not None else None
            find_matches(table, par)
            runs.append(time.perf_counter() - t0)
        out[name] = {"median_s": float(np.median(runs)), "runs_s": runs, "n_candidates": len(cat)}
    return out


def _mean_std(folds: list[dict]) -> dict:
    keys = ("accuracy", "macro_f1", "roc_auc_confirmed_vs_fp", "pr_auc_confirmed_vs_fp", "ece")
    return {
        k: {"mean": float(np.mean([f[k] for f in folds])), "std": float(np.std([f[k] for f in folds]))}
        for k in keys
    }


def _method(kind: str, name: str) -> Callable[[FoldData, BenchmarkConfig, dict], MethodResult]:
    """The benchmark's LightGBM method on feature set ``name``, or MESA with this benchmark's recipe (physics
    tower only)."""
    if kind == "lightgbm":
        return _lgbm_method("tabular", FEATURE_SETS[name])
    return mesa_method(FEATURE_SETS[name], towers="physics", ensemble=1)


def models(kind: str, n_folds: int, save=None) -> dict:
    """``kind`` ("lightgbm"/"mesa") with each feature set on the first ``n_folds`` folds, fold by fold (both
    sets on a fold before the next fold, so a partial run still compares like with like); ``save(out)`` after
    each."""
    df = load_catalog("dr25")
    folds = group_kfold(df, 5, SPLIT_SEED)[:n_folds]
    y = labels_to_index(df[LABEL])
    config = BenchmarkConfig(seed=SPLIT_SEED, n_jobs=1, workers=1).resolved()
    out: dict = {name: {"folds": []} for name in FEATURE_SETS}
    for k, (tr, te) in enumerate(folds):
        data = FoldData(k, df.iloc[tr].reset_index(drop=True), df.iloc[te].reset_index(drop=True), None, None)
        for preset in FEATURE_SETS:
            t0 = time.perf_counter()
            result = _method(kind, preset)(data, config, {})
            metrics = fold_metrics(y[te], np.asarray(result.proba))
            metrics["fold"] = k
            metrics["seconds"] = time.perf_counter() - t0
            out[preset]["folds"].append(metrics)
            out[preset]["summary"] = _mean_std(out[preset]["folds"])
            out[preset]["n_folds"] = len(out[preset]["folds"])
            print(kind, preset, k, round(metrics["accuracy"], 4), round(metrics["macro_f1"], 4), flush=True)
            if save is not None:
                save(out)
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--mesa_folds", type=int, default=5, help="folds of MESA to run (0: none)")
    ap.add_argument("--skip_lightgbm", action="store_true", help="keep the LightGBM results already written")
    args = ap.parse_args(argv)
    result = json.loads(OUT.read_text()) if OUT.is_file() else {}
    result["timing"] = timing()
    dr25 = load_catalog("dr25")
    toi = load_catalog("toi", require_label=False)
    result["dr25"] = summarize_matches(dr25, match_catalog(dr25))
    result["toi"] = summarize_matches(toi, match_catalog(toi))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2) + "\n")

    def saver(key: str, note: str):
        def save(out: dict) -> None:
            result[key] = {**out, "recipe": note}
            OUT.write_text(json.dumps(result, indent=2) + "\n")

        return save

    if not args.skip_lightgbm:
        note = "TabularLightGBM (default settings, as lgbm_tabular_full), n_jobs=1"
        models("lightgbm", 5, saver("lightgbm", note))
    if args.mesa_folds:
        note = "mesa_method(features, towers='physics', ensemble=1): MESA physics tower, ensemble 1, default preset"
        models("mesa", args.mesa_folds, saver("mesa", note))
    print(json.dumps({k: result[k] for k in ("timing",)}, indent=2))


if __name__ == "__main__":
    main()
