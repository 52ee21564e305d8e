"""Per-candidate vetting records: verdict with uncertainty, light-curve and catalog diagnostics, attributions,
nearest known objects. :mod:`exomesa.reporting.vetting` turns them into HTML pages.

    from exomesa.evaluation.vetting import vet_records
    records = vet_records(clf, df, views, curves=real_curves(df, files))
    records[0]["predicted"], records[0]["proba"], records[0]["needs_human"], records[0]["why"]["top"]

One record (dict) per row of ``df``; arrays stay numpy (views [2001]/[201], attributions), the rest is plain
Python. Keys: ``name`` (the candidate_id), ``star_id``, ``kepid`` (Kepler rows), ``row`` (catalog Series), ``scored``/``reason``, ``proba`` {class: p},
``proba_std`` {class: std} or None with ``uncertainty_reason``, ``predicted``, ``margin``, ``needs_human``,
``human_reasons``, ``lightcurve`` (source, provenance, files, periods, ``global``/``local`` views,
``model_global``/``model_local`` noise-free batman model), ``lc_diagnostics`` (:class:`LightCurveDiagnostics`
or None with ``lc_diagnostics_reason``), ``catalog_diagnostics`` (value vs training classes), ``why``
(method, units, top features, ``local_strip`` [201]), ``neighbors`` (name, disposition, similarity,
``local_view`` [201] rendered from the catalog), ``on_target`` (ephemeris matches and centroid offsets with the
evidence they imply, :mod:`.on_target`).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd

from exomesa.data import load_dr25
from exomesa.data.schema import CANDIDATE_ID, STAR_ID, candidate_column
from exomesa.defaults import VETTING
from exomesa.evaluation.explain import explain as explain_fn
from exomesa.evaluation.explain import top_features
from exomesa.evaluation.neighbors import nearest_neighbors
from exomesa.evaluation.protocol import model_outputs
from exomesa.features import add_derived_features
from exomesa.lightcurves import views_for_catalog
from exomesa.lightcurves.diagnostics import run_diagnostics
from exomesa.lightcurves.render import render_views

__all__ = ["vet_records", "class_distributions", "human_flag"]

logger = logging.getLogger(__name__)


def human_flag(proba: np.ndarray, std: np.ndarray | None) -> tuple[bool, float, list[str]]:
    """(needs a human, top-two margin, reasons) for one row's probabilities [3] and optional std [3]."""
    top = np.sort(proba)[::-1]
    margin = float(top[0] - top[1])
    reasons = []
    if margin < VETTING["margin_threshold"]:
        reasons.append(f"top-two margin {margin:.2f} < {VETTING['margin_threshold']:.2f}")
    if std is not None:
        s = float(std[int(np.argmax(proba))])
        if s > VETTING["std_threshold"]:
            reasons.append(f"ensemble std {s:.2f} > {VETTING['std_threshold']:.2f}")
    return bool(reasons), margin, reasons


def class_distributions(clf: Any, training: pd.DataFrame | None) -> dict[str, dict[str, np.ndarray]] | None:
    """{column: {class: sorted finite values}} of :data:`VETTING` ``diagnostic_columns`` over the model's
    training KOIs (names and dispositions from ``clf.reference_``, values from ``training``), or None."""
    ref = clf.training_reference()
    n_bank = len(ref.get(CANDIDATE_ID, [])) if ref else 0
    # a bundled model keeps its training names but not their labels: no distributions then
    if training is None or n_bank == 0 or len(ref.get("disposition", [])) != n_bank:
        return None
    names = pd.Series(np.asarray(ref["disposition"]), index=np.asarray(ref[CANDIDATE_ID]).astype(str))
    key = candidate_column(training)
    frame = add_derived_features(training[training[key].astype(str).isin(names.index)])
    labels = names.loc[frame[key].astype(str)].to_numpy()
    out: dict[str, dict[str, np.ndarray]] = {}
    for col in VETTING["diagnostic_columns"]:
        if col not in frame.columns:
            continue
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
        out[col] = {str(c): np.sort(values[(labels == c) & np.isfinite(values)]) for c in clf.classes_}
    return out


def _catalog_diagnostics(row: pd.Series, dists: dict | None) -> list[dict[str, Any]]:
    out = []
    for col, label in VETTING["diagnostic_columns"].items():
        v = pd.to_numeric(pd.Series([row.get(col)]), errors="coerce").iloc[0]
        item: dict[str, Any] = {"column": col, "label": label, "value": float(v) if np.isfinite(v) else None}
        per_class = {}
        for cls, arr in (dists or {}).get(col, {}).items():
            if arr.size == 0:
                continue
            pct = (
                None if item["value"] is None else float(100.0 * np.searchsorted(arr, v, "right") / arr.size)
            )
            per_class[cls] = {
                "percentile": pct,
                "median": float(np.median(arr)),
                "p16": float(np.percentile(arr, 16)),
                "p84": float(np.percentile(arr, 84)),
                "n": int(arr.size),
            }
        item["classes"] = per_class
        out.append(item)
    return out


def _on_target(df: pd.DataFrame, training: pd.DataFrame | None) -> list[dict[str, Any]]:
    """The "is it on target?" records (:mod:`.on_target`): ephemeris matches against ``df`` ∪ the training
    catalog of the same mission (and the DR24 TCEs for Kepler), and the centroid offsets."""
    from exomesa.evaluation.on_target import on_target_records
    from exomesa.features.ephemeris_group import is_kepler, match_catalog

    reference = training if training is not None and is_kepler(training) == is_kepler(df) else None
    try:
        matches = match_catalog(df, reference)
    except (KeyError, ValueError) as exc:  # a table without usable ephemerides: report, do not fail
        logger.warning("no ephemeris matching for the sheets: %s", exc)
        matches = None
    return on_target_records(df, matches)


def vet_records(
    clf: Any,
    df: pd.DataFrame,
    views: Any | None = None,
    *,
    curves: dict[str, Any] | None = None,
    training: pd.DataFrame | None = None,
    explain: bool = True,
    neighbors: int = VETTING["neighbors"],
    show_progress: bool = False,
) -> list[dict[str, Any]]:
    """One vetting record per row of ``df`` (see the module docstring).

    Args:
        clf: a fitted MESA classifier or LightGBM baseline.
        df: canonical catalog rows of the candidates (``candidate_id`` + the model's feature columns).
        views: real views (:class:`~exomesa.lightcurves.ViewSet`) for some candidates; the rest are rendered.
        curves: {candidate_id: :class:`~exomesa.evaluation.vet_inputs.RealCurve`} for the light-curve diagnostics.
        training: the catalog holding the model's training KOIs (default: the embedded DR25 table), for the
            class distributions and the neighbours' thumbnails.
        explain: compute attributions ("why this score").
        neighbors: nearest training KOIs per candidate (MESA with a reference bank only).
    """
    df = df.reset_index(drop=True)
    curves = curves or {}
    if training is None:
        training = load_dr25()
    aligned = views_for_catalog(df, views)
    model_views = render_views(df, noise=False)
    frame = add_derived_features(df)
    on_target = _on_target(df, training)
    ok = aligned.source != "flat"
    idx = np.flatnonzero(ok)
    outs: dict[str, np.ndarray] = {}
    att: dict[str, Any] = {}
    why_reason = "the candidate was not scored"
    if idx.size:
        sub, sub_views = df.iloc[idx].reset_index(drop=True), aligned.take(idx)
        outs = model_outputs(clf, sub, sub_views)
        if explain:
            try:
                att = explain_fn(clf, sub, sub_views, show_progress=show_progress)
            except TypeError as exc:  # a model kind without an attribution method (e.g. a future ensemble)
                logger.warning("no attributions: %s", exc)
                why_reason = str(exc)
        else:
            why_reason = "switched off with --no_explain"
    pos = {int(i): j for j, i in enumerate(idx)}

    ref = clf.training_reference()
    bank = np.asarray(ref.get("physics", np.zeros((0, 0))), dtype=np.float32)
    nb_idx = nb_sim = None
    nb_views: dict[str, np.ndarray] = {}
    if neighbors > 0 and "lightcurve" in outs and bank.size:
        nb_idx, nb_sim = nearest_neighbors(
            outs["lightcurve"],
            bank,
            neighbors,
            query_names=df[candidate_column(df)].iloc[idx].to_numpy(),
            bank_names=np.asarray(ref[CANDIDATE_ID]),
        )
        wanted = sorted({str(ref[CANDIDATE_ID][j]) for j in np.unique(nb_idx)})
        nb_rows = training[training[candidate_column(training)].astype(str).isin(wanted)]
        if len(nb_rows):
            rendered = render_views(nb_rows, noise=False)
            nb_views = dict(zip(rendered.candidate_id.tolist(), rendered.local_view, strict=True))
    dists = class_distributions(clf, training)
    classes = [str(c) for c in clf.classes_]

    records = []
    for i in range(len(df)):
        row = df.iloc[i]
        name = str(row[candidate_column(df)])
        rec: dict[str, Any] = {
            "name": name, "row": row, "star_id": row.get(STAR_ID, row.get("kepid")), "kepid": row.get("kepid"),
            "scored": bool(ok[i]),
        }  # fmt: skip
        rec["reason"] = "" if ok[i] else "no usable ephemeris (period/duration missing or non-physical)"
        curve = curves.get(name)
        rec["lightcurve"] = {
            "source": str(aligned.source[i]),
            "provenance": str(aligned.provenance[i]),
            "files": list(curve.files) if curve else [],
            "periods": list(curve.periods) if curve else [],
            "mission": curve.mission if curve else "Kepler",
            "n_other_kois": curve.n_other_kois if curve else 0,
            "global": aligned.global_view[i],
            "local": aligned.local_view[i],
            "model_global": model_views.global_view[i],
            "model_local": model_views.local_view[i],
        }
        rec["lc_diagnostics"], rec["lc_diagnostics_reason"] = None, None
        if curve is not None:
            try:
                rec["lc_diagnostics"] = run_diagnostics(
                    curve.time,
                    curve.flux,
                    curve.flux_err,
                    float(row["koi_period"]),
                    curve.epoch,
                    float(row["koi_duration"]),
                )
            except Exception as exc:  # noqa: BLE001 - a failed check is reported on the sheet, not fatal
                rec["lc_diagnostics_reason"] = f"the diagnostics failed: {exc}"
        elif aligned.source[i] == "real":
            rec["lc_diagnostics_reason"] = (
                "only the folded, binned views were given (a views file), not the light curve itself, so "
                "odd/even, secondary-eclipse, fold and per-transit checks cannot be made (pass --fits_dir)"
            )
        else:
            rec["lc_diagnostics_reason"] = (
                "the light curve was rendered from the catalog parameters, so odd/even, secondary-eclipse, "
                "fold and per-transit checks cannot be made (pass --fits_dir with the star's FITS files)"
            )
        rec["catalog_diagnostics"] = _catalog_diagnostics(frame.iloc[i], dists)
        rec["on_target"] = on_target[i]
        if not ok[i]:
            rec.update(proba=None, proba_std=None, predicted="", margin=None, needs_human=True)
            rec["human_reasons"] = [rec["reason"]]
            rec["uncertainty_reason"] = rec["reason"]
            rec["why"], rec["neighbors"] = None, []
            rec["why_reason"] = rec["reason"]
            records.append(rec)
            continue
        j = pos[i]
        p = np.asarray(outs["proba"][j], dtype=float)
        std = np.asarray(outs["proba_std"][j], dtype=float) if "proba_std" in outs else None
        flag, margin, reasons = human_flag(p, std)
        if on_target[i]["false_positive_evidence"] and classes[int(np.argmax(p))] != "FALSE POSITIVE":
            flag = True
            reasons.append("ephemeris match or centroid offset says the signal may not be this star's")
        rec["proba"] = dict(zip(classes, p.tolist(), strict=True))
        rec["proba_std"] = None if std is None else dict(zip(classes, std.tolist(), strict=True))
        rec["uncertainty_reason"] = (
            None if std is not None else "single model: no ensemble spread (train an ensemble to get one)"
        )
        rec["predicted"] = classes[int(np.argmax(p))]
        rec.update(margin=margin, needs_human=flag, human_reasons=reasons)
        rec["why"], rec["why_reason"] = None, why_reason
        if att:
            rec["why"] = {
                "method": att["method"],
                "units": att["units"],
                "explained_class": classes[int(att["target"][j])],
                "top": top_features(att["feature_names"], att["features"][j], frame.iloc[i]),
                "local_strip": att.get("local_view", [None] * (j + 1))[j],
                "delta": float(att["delta"][j]) if "delta" in att else None,
            }
        rec["neighbors"] = []
        if nb_idx is not None:
            for k in range(nb_idx.shape[1]):
                nb_name = str(ref[CANDIDATE_ID][nb_idx[j, k]])
                rec["neighbors"].append(
                    {
                        "name": nb_name,
                        "disposition": str(ref["disposition"][nb_idx[j, k]]),
                        "similarity": float(nb_sim[j, k]),
                        "local_view": nb_views.get(nb_name),
                    }
                )
        records.append(rec)
    return records
