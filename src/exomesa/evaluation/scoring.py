"""Scoring new candidates with any trained model (MESA or a baseline): one row per candidate.

    from exomesa.evaluation.scoring import predict_table
    predict_table("output/mesa_model.pth", "candidates.csv", "predictions.csv", neighbors=5)

    predict_table(None, "cumulative.csv", "p.csv")    # the richest bundled model the table supports

Each output row has P(CONFIRMED), P(CANDIDATE), P(FALSE POSITIVE) (calibrated when the model holds a
temperature), the predicted class, whether the light curve was real, rendered or not read (``none``: a
physics-only model), ``missing_features`` (how many of the model's features the row lacks, imputed as in
training), ``in_training`` (the KOI was a training row of the model, so its score is no prediction), the
``model`` used, and optionally the most similar known KOIs of the training catalog (MESA only: it keeps a
bank of training embeddings). A sidecar ``<output>.model.json`` records which model scored the table and why.
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

__all__ = ["PROBA_COLUMNS", "real_views", "score_candidates", "predict_table", "sidecar_path"]

logger = logging.getLogger(__name__)

#: Class → probability column of the output.
PROBA_COLUMNS = {c: "prob_" + c.lower().replace(" ", "_") for c in CLASSES}
#: Class → per-class ensemble std column (MESA only; 0 for a single model). Issue 15.
STD_COLUMNS = {c: "score_std_" + c.lower().replace(" ", "_") for c in CLASSES}


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


def _single_transit_tois(catalog: pd.DataFrame) -> np.ndarray:
    """[N] bool: TESS rows (``mission == "TESS"``) without a period."""
    if "mission" not in catalog.columns or "koi_period" not in catalog.columns:
        return np.zeros(len(catalog), dtype=bool)
    period = pd.to_numeric(catalog["koi_period"], errors="coerce")
    return (catalog["mission"].astype(str).eq("TESS") & period.isna()).to_numpy()


def score_candidates(
    clf, catalog: pd.DataFrame, real_views=None, neighbors: int = 0, *, view_cache: str | Path | None = "auto"
) -> pd.DataFrame:
    """One output row per catalog row: probabilities, class, light-curve source, reason, neighbours.

    ``view_cache``: the rendered-views cache folder (``"auto"``: ``$EXOMESA_CACHE/views``; None: no cache).
    Rows without a usable ephemeris (flat view) or with every feature missing are kept, unscored, with the
    reason in the ``reason`` column. Single-transit TOIs (TESS, no period) are scored on their tabular
    features with a flat view, and the ``reason`` column says so.
    """
    from exomesa.evaluation.neighbors import nearest_neighbors
    from exomesa.evaluation.protocol import model_outputs, model_towers
    from exomesa.features import add_derived_features, feature_columns
    from exomesa.lightcurves import views_for_catalog

    physics_only = model_towers(clf) == "physics"
    if physics_only:  # the model reads no light curve: do not render one
        from exomesa.bundled import blank_views

        views = blank_views(catalog["kepoi_name"].astype(str).to_numpy())
    else:
        views = views_for_catalog(catalog, real_views, cache_dir=view_cache)
    frame = add_derived_features(catalog, clf.feature_set_)
    model_feats = feature_columns(clf.feature_set_)
    n_missing = frame.reindex(columns=model_feats).isna().sum(axis=1).to_numpy()
    all_missing = n_missing == len(model_feats)
    reason = np.full(len(catalog), "", dtype=object)
    flat = views.source == "flat"
    # A single-transit TOI (TESS row without a period) has no view to fold but is scored on its tabular
    # features, with a flat view; any other flat row has a broken ephemeris and is left unscored. A model
    # that reads no light curve scores every row.
    single = flat & _single_transit_tois(catalog)
    if not physics_only:
        reason[flat & ~single] = "no usable ephemeris (period/duration missing or non-physical)"
    reason[all_missing] = "all feature values missing"
    ok = reason == ""
    reason[single & ok] = (
        "scored on tabular features only: single-transit TOI (no period), flat light-curve view"
    )

    out = pd.DataFrame({"kepoi_name": catalog["kepoi_name"].to_numpy()})
    if "kepid" in catalog.columns:
        kepid = pd.to_numeric(catalog["kepid"], errors="coerce").astype("Int64")
        # negative ids are placeholders load_catalog gives rows without a kepid: leave them empty
        out["kepid"] = kepid.where(kepid >= 0).to_numpy()
    for col in PROBA_COLUMNS.values():
        out[col] = np.nan
    out["predicted"] = ""
    out["lightcurve"] = "none" if physics_only else views.source
    out["missing_features"] = n_missing
    bank_names = (getattr(clf, "reference_", None) or {}).get("kepoi_name")
    if bank_names is not None and len(bank_names):
        out["in_training"] = catalog["kepoi_name"].astype(str).isin(set(map(str, bank_names))).to_numpy()
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
        if "proba_std" in scores:  # deep-ensemble spread (issue 15)
            for j, cls in enumerate(clf.classes_):
                col = np.full(len(out), np.nan)
                col[rows] = scores["proba_std"][:, j]
                out[STD_COLUMNS[str(cls)]] = col
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


def sidecar_path(output: str | Path) -> Path:
    """``p.csv`` → ``p.model.json``: which model scored the table, and why."""
    output = Path(output)
    return output.with_name(output.stem + ".model.json")


def _choose_model(
    model_path: str | Path | None, catalog: pd.DataFrame, input_path: str | Path, allow_missing: bool,
    device: str, light_curves_given: bool,
) -> tuple[Any, dict[str, Any]]:  # fmt: skip
    """The model to score ``catalog`` with and its record (``model``, ``reason``, ``imputed_columns``)."""
    from exomesa.bundled import choose_bundled, load_bundled, would_work
    from exomesa.evaluation.protocol import check_feature_columns, load_model
    from exomesa.features import required_columns

    if model_path is None:
        missions = sorted(set(catalog["mission"].dropna().astype(str))) if "mission" in catalog else []
        if len(missions) > 1:
            raise ExomesaError(
                f"{input_path}: rows of several missions ({', '.join(missions)}); score one mission per table."
            )
        choice = choose_bundled(
            catalog.columns,
            allow_missing=allow_missing,
            source=str(input_path),
            mission=missions[0] if missions else "kepler",
        )
        if light_curves_given and choice.entry.towers == "physics":
            raise ExomesaError(
                f"--lightcurves/--fits_dir: the chosen bundled model {choice.entry.name} reads the table only "
                "(no light curves); pass --model_path with a model trained with light curves, or leave those "
                "options out."
            )
        logger.info(
            "model: bundled %s (preset %s): %s", choice.entry.name, choice.entry.preset, choice.reason
        )
        clf = load_bundled(choice.entry, device=device)
        return clf, {**choice.to_dict(), "file": str(clf.bundled_file_), "engine": clf.engine_}
    clf = load_model(model_path, device=device)
    feature_set = getattr(clf, "feature_set_", None)
    missing = []
    if isinstance(feature_set, dict):
        missing = [c for c in required_columns(feature_set) if c not in catalog.columns]
    if missing and not allow_missing:
        try:
            check_feature_columns(clf, catalog, input_path)
        except ExomesaError as exc:
            hint = would_work(catalog.columns)
            extra = f" Or: {hint} (leave out --model_path)" if hint else ""
            raise ExomesaError(
                f"{str(exc).rstrip('.')}.{extra}; or pass --allow-missing to impute the missing columns."
            ) from exc
    record = {"model": str(model_path), "imputed_columns": missing, "reason": "--model_path given"}
    return clf, record


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
    """Score every row of the table at ``input_path`` and write ``output`` (CSV) and its sidecar JSON
    (:func:`sidecar_path`); returns the written frame.

    ``model_path`` None: the richest bundled model whose columns the table has (:mod:`exomesa.bundled`).
    ``allow_missing``: columns the model reads but the table lacks are imputed as missing values (as
    training imputes them), with a warning; ``missing_features`` counts them per row.
    """
    output = Path(output)
    check_writable([output, sidecar_path(output)], force, what="predictions file")
    if neighbors < 0:
        raise ExomesaError("--neighbors must be 0 or a positive number.")
    catalog = load_catalog(input_path, require_label=False)
    clf, record = _choose_model(
        model_path,
        catalog,
        input_path,
        allow_missing,
        device,
        lightcurves is not None or fits_dir is not None,
    )
    reference = getattr(clf, "reference_", None)
    bank = None if reference is None else reference.get("physics")
    if neighbors > 0 and (bank is None or len(bank) == 0):
        raise ExomesaError(
            f"{model_path or record['model']}: the model holds no training bank of embeddings (a bundled "
            "model, a baseline, a one-tower MESA or an old checkpoint), so --neighbors cannot list similar "
            "KOIs; use a two-tower MESA checkpoint written by this exomesa version, or leave out --neighbors."
        )
    imputed = record["imputed_columns"]
    if imputed:
        catalog = catalog.assign(**{c: np.nan for c in imputed})
        logger.warning(
            "--allow-missing: %d column(s) the model reads are not in %s and are imputed as missing values "
            "(as training imputes them): %s; these scores are less reliable (see missing_features)",
            len(imputed), input_path, ", ".join(imputed),
        )  # fmt: skip
    leaky = [c for c in catalog.columns if is_leaky(c)]
    if leaky:
        logger.info(
            "ignoring %d label column(s) in the input (never used as features): %s",
            len(leaky),
            ", ".join(leaky),
        )
    views = real_views(catalog, lightcurves, fits_dir)
    from exomesa.evaluation.protocol import model_towers

    if model_towers(clf) == "physics" and hasattr(clf, "model_"):  # a torch MESA (not an ONNX twin)
        import torch

        from exomesa.defaults import TABULAR_PREDICT_THREADS

        threads = torch.get_num_threads()
        torch.set_num_threads(TABULAR_PREDICT_THREADS)
        try:
            result = score_candidates(clf, catalog, views, neighbors)
        finally:
            torch.set_num_threads(threads)
    else:
        result = score_candidates(clf, catalog, views, neighbors)
    result["model"] = record["model"]
    output.parent.mkdir(parents=True, exist_ok=True)
    result.to_csv(output, index=False)
    from exomesa import __version__
    from exomesa.utils import write_json

    n_train = int(result["in_training"].sum()) if "in_training" in result else 0
    write_json(
        sidecar_path(output),
        {**record, "input": str(input_path), "n_rows": len(result), "n_in_training": n_train,
         "exomesa_version": __version__},
    )  # fmt: skip
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
