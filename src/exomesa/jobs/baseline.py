"""``exomesa baseline train``: fit a LightGBM baseline and write its model file.

from exomesa.jobs.baseline import train_baseline
train_baseline("tsfresh", "data/train_data.csv", "output/")      # output/baseline_tsfresh.json
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from exomesa.defaults import baseline_file
from exomesa.evaluation.runner import load_labelled_table, load_views
from exomesa.jobs.train import choose_features
from exomesa.utils import check_writable

__all__ = ["train_baseline"]

logger = logging.getLogger(__name__)


def train_baseline(
    method: str = "tsfresh",
    data_path: str | Path | None = None,
    output_dir: str | Path = "output",
    *,
    lightcurves: str | Path | None = None,
    force: bool = False,
    **params: Any,
) -> Path:
    """Fit the ``method`` baseline (``tabular`` | ``tsfresh``) and save ``baseline_<method>.json``.

    ``params`` go to the baseline's constructor. Returns the path of the saved model.
    """
    from exomesa.baselines.lightgbm import make_baseline  # imports scikit-learn and LightGBM

    model_path = Path(output_dir) / baseline_file(method)
    check_writable(model_path, force, what="baseline model")
    df, desc = load_labelled_table(data_path, 0)
    if params.get("features", "auto") == "auto":  # as exomesa train: toi for TOI tables, else the richest
        params["features"] = choose_features(df, "auto")
    views = load_views(lightcurves)
    if views is not None and method == "tabular":
        logger.warning("--lightcurves is ignored by the tabular baseline (it reads no light curves)")
    model = make_baseline(method, **params)
    logger.info("training the %s baseline on %s (%d KOIs)", method, desc, len(df))
    t0 = time.perf_counter()
    model.fit(df, views=views)
    logger.info("trained in %.1f s; most informative features:", time.perf_counter() - t0)
    for name, share in model.feature_importance(top=5):
        logger.info("  %-45s %5.1f%% of the split gain", name, 100 * share)
    model.save(model_path)
    logger.info("wrote %s", model_path)
    return model_path
