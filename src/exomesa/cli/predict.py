"""``exomesa predict``: score new candidates with a trained model, optionally with similar known KOIs.

    exomesa predict --model_path output/mesa_model.pth --input candidates.csv --output predictions.csv \
        [--lightcurves views.npz | --fits_dir DIR] [--neighbors 5]

The input may be a seed-format CSV or a NASA archive export; leaky columns in it (koi_score, flags, ...) are
ignored — the model reads only the feature columns stored in its checkpoint.
"""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from exomesa.data.catalog import CLASSES, is_leaky, load_catalog
from exomesa.errors import ExomesaError
from exomesa.utils import check_writable

__all__ = ["register", "predict", "score_candidates", "check_feature_columns"]

logger = logging.getLogger(__name__)

PROBA_COLUMNS = {c: "prob_" + c.lower().replace(" ", "_") for c in CLASSES}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add ``exomesa predict``."""
    p = subparsers.add_parser(
        "predict",
        help="score new candidates with a trained MESA model",
        description="Write one row per candidate: P(CONFIRMED), P(CANDIDATE), P(FALSE POSITIVE) (calibrated "
        "when the checkpoint holds a temperature), the predicted class, whether the light curve was real or "
        "rendered, and optionally the most similar known KOIs of the training catalog.",
    )
    p.add_argument("--model_path", type=Path, required=True, help="trained checkpoint (mesa_model.pth)")
    p.add_argument("--input", type=Path, required=True, help="candidates CSV (seed layout or archive export)")
    p.add_argument("--output", type=Path, default=Path("predictions.csv"), help="output CSV")
    src = p.add_mutually_exclusive_group()
    src.add_argument("--lightcurves", type=Path, default=None, help="views .npz of real light curves")
    src.add_argument(
        "--fits_dir", type=Path, default=None, help="folder of Kepler/TESS light-curve FITS files"
    )
    p.add_argument(
        "--neighbors", type=int, default=0, help="list the K most similar training KOIs (default 0)"
    )
    p.add_argument("--device", default="cpu", help="auto, cpu or cuda (default cpu)")
    p.add_argument("--force", action="store_true", help="overwrite --output if it exists")
    p.set_defaults(func=predict)


def _real_views(args: argparse.Namespace, catalog: pd.DataFrame):
    from exomesa.lightcurves import ViewSet

    if args.lightcurves is not None:
        return ViewSet.load(args.lightcurves)
    if args.fits_dir is not None:
        from exomesa.lightcurves.preprocess import build_views

        if not args.fits_dir.is_dir():
            raise ExomesaError(f"{args.fits_dir}: not a folder; --fits_dir needs a folder of FITS files.")
        files = sorted(
            f
            for f in args.fits_dir.rglob("*")
            if f.is_file() and f.name.lower().endswith((".fits", ".fits.gz"))
        )
        if not files:
            raise ExomesaError(
                f"{args.fits_dir}: no .fits files found (searched recursively); pass a folder of Kepler "
                "*_llc.fits / TESS *_lc.fits files, or leave out --fits_dir to use rendered light curves."
            )
        views, _skipped = build_views(catalog, files)
        return views
    return None


def check_feature_columns(clf, catalog: pd.DataFrame, source: str | Path) -> None:
    """Raise an :class:`ExomesaError` naming ``source`` when it lacks a column the model's features read."""
    from exomesa.features.groups import required_columns

    missing = [c for c in required_columns(clf.feature_set_) if c not in catalog.columns]
    if missing:
        shown = ", ".join(missing[:8]) + (f" ... ({len(missing)} in all)" if len(missing) > 8 else "")
        raise ExomesaError(
            f"{source}: missing {len(missing)} feature column(s) the model was trained on: {shown}. Give a table "
            "with the training columns (e.g. a NASA archive KOI export; empty values are imputed), or use a "
            "model trained with `exomesa train --features seed` for seed-format CSVs."
        )


def score_candidates(clf, catalog: pd.DataFrame, real_views=None, neighbors: int = 0) -> pd.DataFrame:
    """One output row per catalog row: probabilities, class, light-curve source, reason, neighbours.

    Rows without a usable ephemeris (flat view) or with every feature missing are kept, unscored, with the
    reason in the ``reason`` column.
    """
    from exomesa.evaluation.neighbors import nearest_neighbors
    from exomesa.features.groups import add_derived_features, feature_columns
    from exomesa.lightcurves import views_for_catalog

    views = views_for_catalog(catalog, real_views)
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
        scores = clf.outputs(sub, views=sub_views)  # probabilities and embeddings from one model pass
        proba = scores["proba"]
        rows = np.flatnonzero(ok)
        for j, cls in enumerate(clf.classes_):
            col = np.full(len(out), np.nan)
            col[rows] = proba[:, j]
            out[PROBA_COLUMNS[str(cls)]] = col
        out.loc[ok, "predicted"] = np.asarray(clf.classes_)[proba.argmax(axis=1)]
        if neighbors > 0:
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


def predict(args: argparse.Namespace) -> int:
    from exomesa.mesa.classifier import MesaClassifier

    check_writable(args.output, args.force, what="predictions file")
    if args.neighbors < 0:
        raise ExomesaError("--neighbors must be 0 or a positive number.")
    clf = MesaClassifier.load(args.model_path, device=args.device)
    if args.neighbors > 0 and len(clf.reference_["kepoi_name"]) == 0:
        raise ExomesaError(
            f"{args.model_path}: the checkpoint holds no training bank, so --neighbors cannot list similar "
            "KOIs; retrain it with this exomesa version, or leave out --neighbors."
        )
    catalog = load_catalog(args.input, require_label=False)
    check_feature_columns(clf, catalog, args.input)
    leaky = [c for c in catalog.columns if is_leaky(c)]
    if leaky:
        logger.info(
            "ignoring %d label column(s) in the input (never used as features): %s",
            len(leaky),
            ", ".join(leaky),
        )
    result = score_candidates(clf, catalog, _real_views(args, catalog), args.neighbors)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    result.to_csv(args.output, index=False)
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
        logger.warning("%d row(s) could not be scored; see the 'reason' column of %s", n_bad, args.output)
    logger.info("wrote %s", args.output)
    return 0
