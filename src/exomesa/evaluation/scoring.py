"""Scoring new candidates with any trained model (MESA or a baseline): one row per candidate.

    from exomesa.evaluation.scoring import score_table
    frame, sidecar = score_table("output/mesa_model.pth", "candidates.csv", neighbors=5)

    frame, sidecar = score_table(None, "cumulative.csv")    # the richest bundled model the table supports

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

from exomesa._version import __version__
from exomesa.bundled import blank_views, choose_bundled, load_bundled, would_work
from exomesa.data import CANDIDATE_ID, CLASSES, STAR_ID, candidate_column, is_leaky, load_catalog
from exomesa.defaults import TABULAR_PREDICT_THREADS
from exomesa.errors import ExomesaError
from exomesa.evaluation.neighbors import nearest_neighbors
from exomesa.evaluation.protocol import check_feature_columns, load_model
from exomesa.evaluation.runner import model_views
from exomesa.features import add_derived_features, feature_columns, required_columns
from exomesa.interface import TrainedModel
from exomesa.lightcurves import ViewSet
from exomesa.lightcurves.files import find_fits_files
from exomesa.lightcurves.preprocess import build_views

__all__ = ["PROBA_COLUMNS", "real_views", "score_candidates", "score_table", "sidecar_path"]

logger = logging.getLogger(__name__)

#: Class → probability column of the output.
PROBA_COLUMNS = {c: "prob_" + c.lower().replace(" ", "_") for c in CLASSES}
#: Class → per-class ensemble std column (MESA ensembles only).
STD_COLUMNS = {c: "score_std_" + c.lower().replace(" ", "_") for c in CLASSES}


def real_views(
    catalog: pd.DataFrame, lightcurves: str | Path | None = None, fits_dir: str | Path | None = None
) -> Any:
    """Real views for ``catalog`` from a views file or a folder of FITS files (None: none given)."""
    if lightcurves is not None:
        return ViewSet.load(Path(lightcurves))
    if fits_dir is not None:
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


#: Catalog columns that must be positive where given: a row with a zero or negative value is not a transit.
_POSITIVE = {"koi_period": "period", "koi_duration": "duration", "koi_depth": "depth"}


def nonphysical_reasons(catalog: pd.DataFrame) -> np.ndarray:
    """[N] str: why a row's ephemeris is impossible (``"non-physical period <= 0"``...), ``""`` where it is not.

    Missing values are not judged here (a missing column or cell is the imputer's business); a period,
    duration or depth that is given and not positive is.
    """
    reason = np.full(len(catalog), "", dtype=object)
    for col, what in _POSITIVE.items():
        if col in catalog.columns:
            bad = (pd.to_numeric(catalog[col], errors="coerce") <= 0).to_numpy()
            reason[bad & (reason == "")] = f"non-physical {what} <= 0 (must be positive); fix the row"
    return reason


def score_candidates(
    clf: TrainedModel,
    catalog: pd.DataFrame,
    real_views=None,
    neighbors: int = 0,
    *,
    view_cache: str | Path | None = "auto",
) -> pd.DataFrame:
    """One output row per catalog row: probabilities, class, light-curve source, reason, neighbours.

    ``view_cache``: the rendered-views cache folder (``"auto"``: ``$EXOMESA_CACHE/views``; None: no cache).
    Rows without a usable ephemeris (flat view), with a period, duration or depth that is not positive, or
    with every feature missing are kept, unscored, with the reason in the ``reason`` column, whatever the
    model (MESA checkpoint, bundled ONNX twin, LightGBM baseline). Single-transit TOIs (TESS, no period) are scored on their tabular
    features with a flat view, and the ``reason`` column says so.
    """
    physics_only = clf.towers_read() == "physics"
    if physics_only:  # the model reads no light curve: do not render one
        views = blank_views(catalog[candidate_column(catalog)].astype(str).to_numpy())
    else:
        views = model_views(clf, catalog, real_views, cache_dir=view_cache)
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
    impossible = (nonphysical_reasons(catalog) != "") & (reason == "")  # whatever the model reads
    reason[impossible] = nonphysical_reasons(catalog)[impossible]
    ok = reason == ""
    reason[single & ok] = (
        "scored on tabular features only: single-transit TOI (no period), flat light-curve view"
    )

    # the neutral keys, then (Kepler tables) the names Kepler users know: kepoi_name, kepid
    names = catalog[candidate_column(catalog)].astype(str).to_numpy()
    out = pd.DataFrame({CANDIDATE_ID: names})
    for key in (STAR_ID, "kepoi_name", "kepid"):
        if key == "kepoi_name" and key in catalog.columns:
            out[key] = catalog[key].to_numpy()
        elif key in catalog.columns:
            star = pd.to_numeric(catalog[key], errors="coerce").astype("Int64")
            # negative ids are placeholders load_catalog gives rows without a star id: leave them empty
            out[key] = star.where(star >= 0).to_numpy()
    for col in PROBA_COLUMNS.values():
        out[col] = np.nan
    out["predicted"] = ""
    out["lightcurve"] = "none" if physics_only else views.source
    out["missing_features"] = n_missing
    bank_names = clf.training_reference().get(CANDIDATE_ID)
    if bank_names is not None and len(bank_names):
        out["in_training"] = pd.Series(names).isin(set(map(str, bank_names))).to_numpy()
    out["scored"] = ok
    out["reason"] = reason
    if ok.any():
        sub = catalog.loc[ok].reset_index(drop=True)
        sub_views = views.take(np.flatnonzero(ok))
        scores = clf.outputs(sub, sub_views)  # probabilities and embeddings from one model pass
        proba = scores["proba"]
        rows = np.flatnonzero(ok)
        for j, cls in enumerate(clf.classes_):
            col = np.full(len(out), np.nan)
            col[rows] = proba[:, j]
            out[PROBA_COLUMNS[str(cls)]] = col
        out.loc[ok, "predicted"] = np.asarray(clf.classes_)[proba.argmax(axis=1)]
        if "proba_std" in scores:  # deep-ensemble spread
            for j, cls in enumerate(clf.classes_):
                col = np.full(len(out), np.nan)
                col[rows] = scores["proba_std"][:, j]
                out[STD_COLUMNS[str(cls)]] = col
        if neighbors > 0 and "lightcurve" in scores:
            ref = clf.training_reference()
            idx, sim = nearest_neighbors(
                scores["lightcurve"],
                np.asarray(ref["physics"], dtype=np.float32),
                neighbors,
                query_names=names[rows],
                bank_names=np.asarray(ref[CANDIDATE_ID]),
            )
            bank = np.asarray(ref[CANDIDATE_ID], dtype=object)
            labels = np.asarray(ref["disposition"], dtype=object)
            columns: dict[str, np.ndarray] = {}
            for j in range(idx.shape[1]):
                name = np.full(len(out), "", dtype=object)
                disposition = np.full(len(out), "", dtype=object)
                similarity = np.full(len(out), np.nan)
                name[rows] = bank[idx[:, j]]
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
    missing = [c for c in required_columns(clf.features_read()) if c not in catalog.columns]
    if missing and not allow_missing:
        try:
            check_feature_columns(clf, catalog, input_path)
        except ExomesaError as exc:
            hint = would_work(catalog.columns)
            extra = f" Or: {hint} (leave out --model_path)" if hint else ""
            raise ExomesaError(
                f"{str(exc).rstrip('.')}.{extra}; or pass --allow_missing to impute the missing columns."
            ) from exc
    record = {"model": str(model_path), "imputed_columns": missing, "reason": "--model_path given"}
    return clf, record


def score_table(
    model_path: str | Path | None,
    input_path: str | Path,
    *,
    lightcurves: str | Path | None = None,
    fits_dir: str | Path | None = None,
    neighbors: int = 0,
    device: str = "cpu",
    allow_missing: bool = False,
) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Score every row of the table at ``input_path``; returns the output frame (one row per input row) and
    the sidecar record (which model scored the table and why; :func:`sidecar_path` names its file).

    ``model_path`` None: the richest bundled model whose columns the table has (:mod:`exomesa.bundled`).
    ``allow_missing``: columns the model reads but the table lacks are imputed as missing values (as
    training imputes them), with a warning; ``missing_features`` counts them per row.
    """
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
    bank = clf.training_reference().get("physics")
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
            "--allow_missing: %d column(s) the model reads are not in %s and are imputed as missing values "
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
    if clf.kind == "mesa" and clf.towers_read() == "physics":  # a torch MESA (not an ONNX twin)
        import torch  # a torch MESA is loaded, so torch is too

        threads = torch.get_num_threads()
        torch.set_num_threads(TABULAR_PREDICT_THREADS)
        try:
            result = score_candidates(clf, catalog, views, neighbors)
        finally:
            torch.set_num_threads(threads)
    else:
        result = score_candidates(clf, catalog, views, neighbors)
    result["model"] = record["model"]
    n_train = int(result["in_training"].sum()) if "in_training" in result else 0
    sidecar = {**record, "input": str(input_path), "n_rows": len(result), "n_in_training": n_train,
               "exomesa_version": __version__}  # fmt: skip
    return result, sidecar
