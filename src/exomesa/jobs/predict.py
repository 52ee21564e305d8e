"""``exomesa predict``: score a table with a trained or bundled model and write the predictions.

    from exomesa.jobs.predict import predict_table
    predict_table("output/mesa_model.pth", "candidates.csv", "predictions.csv", neighbors=5)
    predict_table(None, "cumulative.csv", "p.csv")    # the richest bundled model the table supports

Writes the CSV and its sidecar ``<output>.model.json`` (:func:`exomesa.evaluation.scoring.sidecar_path`);
the columns are described in :mod:`exomesa.evaluation.scoring`. ``--chunk_size`` / Parquet / ``--scheduler``
stream the table instead (:func:`exomesa.evaluation.streaming.stream_predictions`).
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from exomesa.evaluation.scoring import score_table, sidecar_path
from exomesa.evaluation.streaming import stream_predictions
from exomesa.utils import check_writable, write_json

__all__ = ["predict_table", "stream_predictions"]

logger = logging.getLogger(__name__)


def predict_table(
    model_path: str | Path | None,
    input_path: str | Path,
    output: str | Path,
    *,
    lightcurves: str | Path | None = None,
    fits_dir: str | Path | None = None,
    neighbors: int = 0,
    device: str = "cpu",
    allow_missing: bool = False,
    force: bool = False,
) -> pd.DataFrame:
    """Score every row of the table at ``input_path`` (:func:`~exomesa.evaluation.scoring.score_table`) and
    write ``output`` (CSV) and its sidecar JSON; returns the written frame."""
    output = Path(output)
    check_writable([output, sidecar_path(output)], force, what="predictions file")
    result, sidecar = score_table(
        model_path, input_path, lightcurves=lightcurves, fits_dir=fits_dir, neighbors=neighbors, device=device,
        allow_missing=allow_missing,
    )  # fmt: skip
    output.parent.mkdir(parents=True, exist_ok=True)
    result.to_csv(output, index=False)
    write_json(sidecar_path(output), sidecar)
    n_train = sidecar["n_in_training"]
    n_bad = int((~result["scored"]).sum())
    counts = result.loc[result["scored"], "predicted"].value_counts().to_dict()
    logger.info(
        "scored %d of %d candidate(s) (%s); light curves: %s",
        len(result) - n_bad,
        len(result),
        ", ".join(f"{k}: {v}" for k, v in counts.items()) or "none",
        ", ".join(f"{k}: {v}" for k, v in result["lightcurve"].value_counts().items()),
    )
    if n_train:
        logger.warning(
            "%d row(s) were training rows of the model (in_training): their scores are not predictions",
            n_train,
        )
    if n_bad:
        logger.warning("%d row(s) could not be scored; see the 'reason' column of %s", n_bad, output)
    logger.info("wrote %s and %s", output, sidecar_path(output))
    return result
