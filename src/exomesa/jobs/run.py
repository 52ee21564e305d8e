"""``exomesa run``: the whole job, prepare the split, train MESA, evaluate it, write the report.

from exomesa.jobs.run import run_pipeline
run_pipeline("runs/demo")                                        # prepare → train → evaluate → report
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from exomesa.data import load_catalog
from exomesa.defaults import MODEL_FILE, PREDICTIONS_FILE, REPORT_FILE, RESULTS_FILE, SPLIT_SEED
from exomesa.evaluation.scoring import sidecar_path
from exomesa.features import check_columns, resolve_feature_set, richest_preset
from exomesa.jobs.data import prepare_data
from exomesa.jobs.predict import predict_table
from exomesa.jobs.test import evaluate_model
from exomesa.jobs.train import train_mesa
from exomesa.utils import check_writable

__all__ = ["run_pipeline"]

logger = logging.getLogger(__name__)


def run_pipeline(
    out: str | Path = "runs/demo",
    *,
    source: str | Path = "dr25",
    features: str = "auto",
    seed: int | None = None,
    device: str | None = None,
    config: str | Path | None = None,
    lightcurves: str | Path | None = None,
    visualize: bool = True,
    force: bool = False,
    input: str | Path | None = None,  # noqa: A002 - the CLI's --input
    **settings: Any,
) -> dict[str, Any]:
    """The whole job: prepare the split, train MESA, evaluate it on the held-out stars, write the report.

    Writes ``out/data/``, ``out/output/`` and ``out/test_results/``; returns the test results dict.
    ``seed`` seeds the train/test split (None: ``SPLIT_SEED``) and the training; ``config`` and ``settings``
    (MESA settings by field name) go to :func:`train_mesa`.

    ``input``: a user's KOI table (e.g. the archive's ``cumulative.csv``). ``features`` ``"auto"`` then
    means the richest preset the table has the columns of; after the evaluation the table is scored into
    ``out/predictions.csv`` (sidecar ``out/predictions.model.json``), whose ``in_training`` column marks the
    rows that were training rows (their scores are no predictions). ``input`` None: ``"auto"`` is chosen
    from the training table by :func:`choose_features` (``full`` for DR25, ``toi`` for TESS TOIs).
    """
    out = Path(out)
    data, model_dir, results = out / "data", out / "output", out / "test_results"
    start = time.perf_counter()
    steps = 3 if input is None else 4
    user_predictions = out / PREDICTIONS_FILE
    if input is not None:
        check_writable([user_predictions, sidecar_path(user_predictions)], force, "predictions file")
        user = load_catalog(input, require_label=False)
        if features == "auto":
            features = richest_preset(user.columns, source=str(input))
            logger.info("features: %s (the richest preset whose columns %s has)", features, input)
        else:
            check_columns(resolve_feature_set(features), user, str(input))
    logger.info("[1/%d] prepare data into %s", steps, data)
    prepare_data(source, data, seed=SPLIT_SEED if seed is None else seed, force=force)
    logger.info("[2/%d] train MESA into %s", steps, model_dir)
    train_mesa(
        data / "train_data.csv", model_dir, features=features, lightcurves=lightcurves, force=force,
        config=config, **settings, seed=seed, device=device,
    )  # fmt: skip
    logger.info("[3/%d] evaluate on %s", steps, data / "test_data.csv")
    test_results = evaluate_model(
        model_dir / MODEL_FILE, data / "test_data.csv", results, lightcurves=lightcurves,
        visualize=visualize, force=force, **({"device": device} if device else {}),
    )  # fmt: skip
    if input is not None:
        logger.info("[4/4] score %s into %s", input, user_predictions)
        predict_table(model_dir / MODEL_FILE, input, user_predictions, lightcurves=lightcurves, force=force)
    logger.info(
        "done in %.0f s. Outputs:\n  data        %s\n  model       %s\n  metrics     %s\n  report      %s",
        time.perf_counter() - start, data, model_dir / MODEL_FILE, results / RESULTS_FILE, results / REPORT_FILE,
    )  # fmt: skip
    return test_results
