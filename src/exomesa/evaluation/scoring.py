"""Scoring new candidates with any trained model (MESA or a baseline): one row per candidate.

    from exomesa.evaluation.scoring import predict_table
    predict_table("output/mesa_model.pth", "candidates.csv", "predictions.csv", neighbors=5)

Each output row has P(CONFIRMED), P(CANDIDATE), P(FALSE POSITIVE) (calibrated when the model holds a
temperature), the predicted class, whether the light curve was real or rendered, and optionally the most
similar known KOIs of the training catalog (MESA only: it keeps a bank of training embeddings).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from exomesa.data import CLASSES, is_leaky, load_catalog
from exomesa.errors import ExomesaError
from exomesa.utils import check_writable

__all__ = ["PROBA_COLUMNS", "real_views", "score_candidates", "predict_table"]

logger = logging.getLogger(__name__)

#: Class → probability column of the output.
PROBA_COLUMNS = {c: "prob_" + c.lower().replace(" ", "_") for c in CLASSES}


def real_views(
    catalog: pd.DataFrame, lightcurves: str | Path | None = None, fits_dir: str | Path | None = None
) -> Any:
    """Real views for ``catalog`` from a views file or a folder of FITS files (None: none given)."""
    from exomesa.lightcurves import ViewSet

    if lightcurves is not None:
        return ViewSet.load(Path(lightcurves))
    if fits_dir is not None:
        from exomesa.lightcurves.jobs import find_fits_files
        from exomesa.lightcurves.preprocess import build_views

        files = find_fits_files(fits_dir)
        if not files:
            raise ExomesaError(
                f"{fits_dir}: no .fits files found (searched recursively); pass a folder of Kepler "
                "*_llc.fits / TESS *_lc.fits files, or leave out --fits_dir to use rendered light curves."
            )
        views, _skipped = build_views(catalog, files)
        return views
    return None


def score_candidates(
    clf, catalog: pd.DataFrame, real_views=None, neighbors: int = 0, *, view_cache: str | Path | None = "auto"
) -> pd.DataFrame:
    """One output row per catalog row: probabilities, class, light-curve source, reason, neighbours.

    ``view_cache``: the rendered-views cache folder (``"auto"``: ``$EXOMESA_CACHE/views``; None: no cache).
    Rows without a usable ephemeris (flat view) or with every feature missing are kept, unscored, with the
    reason in the ``reason`` column.
    """
    from exomesa.evaluation.neighbors import nearest_neighbors
    from exomesa.evaluation.protocol import model_outputs
    from exomesa.features import add_derived_features, feature_columns
    from exomesa.lightcurves import views_for_catalog

    views = views_for_catalog(catalog, real_views, cache_dir=view_cache)
    frame = add_derived_features(catalog)
    feats = [c for c in feature_columns(clf.feature_set_) if c in frame.columns]
    all_missing = frame[feats].isna().all(axis=1).to_numpy() if feats else np.ones(len(frame), bool)
    reason = np.full(len(catalog), "", dtype=object)
    reason[views.source == "flat"] = "no usable ephemeris (period/duration missing or non-physical)"
    reason[all_missing] = "all feature values missing"
    ok = reason == ""

    out = pd.DataFrame({"kepoi_name": catalog["kepoi_name"].to_numpy()})
    if "kepid" in catalog.columns:
        kepid = pd.to_numeric(catalog["kepid"], errors="coerce").astype("Int64")
        # negative ids are placeholders load_catalog gives rows without a kepid: leave them empty
        out["kepid"] = kepid.where(kepid >= 0).to_numpy()
    for col in PROBA_COLUMNS.values():
        out[col] = np.nan
    out["predicted"] = ""
    out["lightcurve"] = views.source
    out["scored"] = ok
    out["reason"] = reason
    if ok.any():
        sub = catalog.loc[ok].reset_index(drop=True)
        sub_views = views.take(np.flatnonzero(ok))
        scores = model_outputs(clf, sub, sub_views)  # probabilities and embeddings from one model pass
        proba = scores["proba"]
        rows = np.flatnonzero(ok)
        for j, cls in enumerate(clf.classes_):
            col = np.full(len(out), np.nan)
            col[rows] = proba[:, j]
            out[PROBA_COLUMNS[str(cls)]] = col
        out.loc[ok, "predicted"] = np.asarray(clf.classes_)[proba.argmax(axis=1)]
        if neighbors > 0 and "lightcurve" in scores:
            ref = clf.reference_
            idx, sim = nearest_neighbors(
                scores["lightcurve"],
                np.asarray(ref["physics"], dtype=np.float32),
                neighbors,
                query_names=sub["kepoi_name"].to_numpy(),
                bank_names=np.asarray(ref["kepoi_name"]),
            )
            names = np.asarray(ref["kepoi_name"], dtype=object)
            labels = np.asarray(ref["disposition"], dtype=object)
            columns: dict[str, np.ndarray] = {}
            for j in range(idx.shape[1]):
                name = np.full(len(out), "", dtype=object)
                disposition = np.full(len(out), "", dtype=object)
                similarity = np.full(len(out), np.nan)
                name[rows] = names[idx[:, j]]
                disposition[rows] = labels[idx[:, j]]
                similarity[rows] = np.round(sim[:, j].astype(np.float64), 4)
                columns[f"neighbor{j + 1}"] = name
                columns[f"neighbor{j + 1}_disposition"] = disposition
                columns[f"neighbor{j + 1}_similarity"] = similarity
            out = pd.concat([out, pd.DataFrame(columns, index=out.index)], axis=1)
    return out


def predict_table(
    model_path: str | Path,
    input_path: str | Path,
    output: str | Path,
    *,
    lightcurves: str | Path | None = None,
    fits_dir: str | Path | None = None,
    neighbors: int = 0,
    device: str = "cpu",
    force: bool = False,
) -> pd.DataFrame:
    """Score every row of the table at ``input_path`` with the model at ``model_path`` (MESA or baseline)
    and write ``output`` (CSV); returns the written frame."""
    from exomesa.evaluation.protocol import check_feature_columns, load_model

    output = Path(output)
    check_writable(output, force, what="predictions file")
    if neighbors < 0:
        raise ExomesaError("--neighbors must be 0 or a positive number.")
    clf = load_model(model_path, device=device)
    reference = getattr(clf, "reference_", None)
    bank = None if reference is None else reference.get("physics")
    if neighbors > 0 and (bank is None or len(bank) == 0):
        raise ExomesaError(
            f"{model_path}: the model holds no bank of training embeddings (a baseline, a one-tower MESA or an "
            "old checkpoint), so --neighbors cannot list similar KOIs; use a two-tower MESA checkpoint written "
            "by this exomesa version, or leave out --neighbors."
        )
    catalog = load_catalog(input_path, require_label=False)
    check_feature_columns(clf, catalog, input_path)
    leaky = [c for c in catalog.columns if is_leaky(c)]
    if leaky:
        logger.info(
            "ignoring %d label column(s) in the input (never used as features): %s",
            len(leaky),
            ", ".join(leaky),
        )
    result = score_candidates(clf, catalog, real_views(catalog, lightcurves, fits_dir), neighbors)
    output.parent.mkdir(parents=True, exist_ok=True)
    result.to_csv(output, index=False)
    n_bad = int((~result["scored"]).sum())
    counts = result.loc[result["scored"], "predicted"].value_counts().to_dict()
    logger.info(
        "scored %d of %d candidate(s) (%s); light curves: %s",
        len(result) - n_bad,
        len(result),
        ", ".join(f"{k}: {v}" for k, v in counts.items()) or "none",
        ", ".join(f"{k}: {v}" for k, v in result["lightcurve"].value_counts().items()),
    )
    if n_bad:
        logger.warning("%d row(s) could not be scored; see the 'reason' column of %s", n_bad, output)
    logger.info("wrote %s", output)
    return result
