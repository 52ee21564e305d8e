"""Per-candidate vetting records: verdict with uncertainty, light-curve and catalog diagnostics, attributions,
nearest known objects. :mod:`exomesa.reporting.vetting` turns them into HTML pages; :func:`record_summary` is
the JSON-able part (``vet.json``), and the sheet shows its verdict, flag, reasons, training-row mark and
neighbours from that same summary, so the page and the file cannot disagree.

    from exomesa.evaluation.vetting import vet_records
    records = vet_records(clf, df, views, curves=real_curves(df, files))
    records[0]["predicted"], records[0]["proba"], records[0]["needs_human"], records[0]["human_reasons"]

One record (dict) per row of ``df``; arrays stay numpy (views [2001]/[201], attributions), the rest is plain
Python. Keys: ``name`` (the candidate_id), ``star_id``, ``kepid`` (Kepler rows), ``mission``, ``row`` (catalog
Series), ``scored``/``reason``, ``in_training`` (True/False: the candidate was/was not a training row of the
model; None with ``in_training_reason`` when the model does not list its training rows), ``training_label``
(its label in training, or None), ``proba`` {class: p}, ``proba_std`` {class: std} or None with
``uncertainty_reason``, ``predicted``, ``margin``, ``evidence`` (false-positive evidence at ≥
``VETTING["evidence_sigma"]``: list of {check, sigma, text}, :func:`evidence_items`), ``needs_human``,
``human_reasons`` (list of str), ``supporting_evidence`` (evidence that agrees with a FALSE POSITIVE verdict),
``lightcurve`` (source, provenance, files, periods, ``global``/``local`` views, ``model_global``/``model_local``
noise-free batman model), ``lc_diagnostics`` (:class:`LightCurveDiagnostics` or None with
``lc_diagnostics_reason``), ``catalog_diagnostics`` (value vs training classes), ``why`` (method, units, top
features, ``local_strip`` [201]), ``neighbors`` (name, disposition, similarity, ``local_view`` [201] rendered
from the catalog) with ``neighbors_reason`` when there are none, ``on_target`` (ephemeris matches and centroid
offsets with the evidence they imply, :mod:`.on_target`).

The needs-a-human rule (:func:`flag_reasons`, one place for every reason): the model hesitates (top-two margin
below ``VETTING["margin_threshold"]``), its ensemble members disagree (std above ``VETTING["std_threshold"]``),
the row could not be scored, or false-positive evidence (:func:`evidence_items`: odd/even depth difference or
secondary eclipse in the light curve, the catalog's DV odd/even statistic, an ephemeris match or a centroid
offset) contradicts a verdict other than FALSE POSITIVE.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd

from exomesa import sources
from exomesa.data import load_dr25
from exomesa.data.schema import CANDIDATE_ID, MISSION, STAR_ID, candidate_column
from exomesa.defaults import VETTING
from exomesa.evaluation.explain import explain as explain_fn
from exomesa.evaluation.explain import top_features
from exomesa.evaluation.neighbors import nearest_neighbors
from exomesa.evaluation.protocol import model_outputs
from exomesa.evaluation.runner import model_views as views_read_by
from exomesa.features import add_derived_features
from exomesa.lightcurves.diagnostics import run_diagnostics
from exomesa.lightcurves.render import render_views

__all__ = [
    "vet_records",
    "class_distributions",
    "human_flag",
    "evidence_items",
    "flag_reasons",
    "record_summary",
]

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


def _finite(v: Any) -> float | None:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if math.isfinite(x) else None


#: Below this the catalog's DV odd/even probability is printed as "< 0.00005" (it has four decimals).
_OEDP_FLOOR = 0.00005


def _dv_odd_even_sigma(p: float) -> float:
    """The two-sided Gaussian significance [sigma] of the DV odd/even probability ``p`` (``koi_bin_oedp_sig``:
    the probability that the odd and even depths agree; 0.0027 ↔ 3 sigma)."""
    return NormalDist().inv_cdf(1.0 - max(p, _OEDP_FLOOR) / 2.0)


def evidence_items(
    diagnostics: Any | None, row: Mapping[str, Any] | pd.Series | None, on_target: Mapping[str, Any] | None
) -> list[dict[str, Any]]:
    """False-positive evidence of one candidate, each at ≥ ``VETTING["evidence_sigma"]``:
    ``[{"check", "sigma", "text"}]`` with check ``odd_even`` / ``secondary`` (the light-curve diagnostics,
    :class:`~exomesa.lightcurves.diagnostics.LightCurveDiagnostics`), ``dv_odd_even`` (the catalog's
    ``koi_bin_oedp_sig``), ``on_target`` (ephemeris match or centroid offset, :mod:`.on_target`; sigma None)."""
    thr = float(VETTING["evidence_sigma"])
    out: list[dict[str, Any]] = []
    if diagnostics is not None:
        oe, sec = diagnostics.odd_even, diagnostics.secondary
        sig = _finite(oe.significance_sigma)
        if sig is not None and sig >= thr:
            out.append(
                {
                    "check": "odd_even",
                    "sigma": sig,
                    "text": f"light curve: odd/even depth difference {sig:.1f} σ ≥ {thr:g} σ (odd "
                    f"{oe.depth_odd_ppm:.0f} ppm, even {oe.depth_even_ppm:.0f} ppm): an eclipsing binary at "
                    "twice the period?",
                }
            )
        sig = _finite(sec.significance_sigma)
        if sig is not None and sig >= thr:
            out.append(
                {
                    "check": "secondary",
                    "sigma": sig,
                    "text": f"light curve: secondary eclipse at phase 0.5, {sec.depth_ppm:.0f} ± "
                    f"{sec.depth_err_ppm:.0f} ppm ({sig:.1f} σ ≥ {thr:g} σ): an eclipsing binary, or a hot "
                    "planet's occultation",
                }
            )
    p = _finite(None if row is None else row.get("koi_bin_oedp_sig"))
    if p is not None and 0.0 <= p <= 1.0:  # -1: not computed by DV
        sig = _dv_odd_even_sigma(p)
        if sig >= thr:
            shown = f"< {_OEDP_FLOOR:g}" if p < _OEDP_FLOOR else f"= {p:.4g}"
            more = "> " if p < _OEDP_FLOOR else ""
            out.append(
                {
                    "check": "dv_odd_even",
                    "sigma": sig,
                    "text": f"catalog: DV odd/even statistic koi_bin_oedp_sig {shown} (probability that odd "
                    f"and even depths agree; {more}{sig:.1f} σ ≥ {thr:g} σ)",
                }
            )
    for text in (on_target or {}).get("false_positive_reasons", []):
        out.append({"check": "on_target", "sigma": None, "text": text})
    return out


def flag_reasons(
    proba: np.ndarray | None,
    std: np.ndarray | None,
    evidence: list[dict[str, Any]],
    predicted: str,
    unscored_reason: str = "",
) -> tuple[bool, float | None, list[str], list[str]]:
    """The needs-a-human rule in one place: (needs a human, top-two margin, reasons, supporting evidence).

    Reasons: the row was not scored (``unscored_reason``), :func:`human_flag` (margin, ensemble spread), and
    every :func:`evidence_items` entry unless the verdict is FALSE POSITIVE, where the evidence agrees with the
    model and is returned as supporting evidence instead.
    """
    if proba is None:
        return True, None, [unscored_reason, *(e["text"] for e in evidence)], []
    _, margin, reasons = human_flag(proba, std)
    supporting: list[str] = []
    if predicted == "FALSE POSITIVE":
        supporting = [e["text"] for e in evidence]
    else:
        reasons += [e["text"] for e in evidence]
    return bool(reasons), margin, reasons, supporting


def class_distributions(clf: Any, training: pd.DataFrame | None) -> dict[str, dict[str, np.ndarray]] | None:
    """{column: {class: sorted finite values}} of :data:`VETTING` ``diagnostic_columns`` over the model's
    training KOIs (names and dispositions from ``clf.reference_``, values from ``training``), or None."""
    ref = clf.training_reference()
    n = len(ref.get(CANDIDATE_ID, [])) if ref else 0
    if training is None or n == 0 or len(ref.get("disposition", [])) != n:  # no labels kept: no classes
        return None
    names = pd.Series(np.asarray(ref["disposition"]), index=np.asarray(ref[CANDIDATE_ID]).astype(str))
    key = candidate_column(training)
    frame = add_derived_features(training[training[key].astype(str).isin(names.index)], clf.features_read())
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
    aligned = views_read_by(clf, df, views)
    model_views = render_views(df, noise=False)
    frame = add_derived_features(df, clf.features_read())  # the ephemeris group only where the model reads it
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
    train_names = np.asarray(ref.get(CANDIDATE_ID, []), dtype=str)
    train_labels = np.asarray(ref.get("disposition", []), dtype=str)
    train_label = (
        dict(zip(train_names.tolist(), train_labels.tolist(), strict=True))
        if train_labels.size == train_names.size
        else {}
    )
    set_names = set(train_names.tolist())
    bank = np.asarray(ref.get("physics", np.zeros((0, 0))), dtype=np.float32)
    nb_idx = nb_sim = None
    nb_views: dict[str, np.ndarray] = {}
    if neighbors <= 0:
        neighbors_reason = "switched off (neighbors=0)"
    elif not bank.size:
        neighbors_reason = "the model holds no bank of training embeddings: a LightGBM baseline, an ONNX twin or a one-tower MESA"
    elif idx.size and "lightcurve" not in outs:
        neighbors_reason = "the model has no light-curve embedding to compare (a physics-only MESA)"
    else:
        neighbors_reason = None
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
        mission = str(row.get(MISSION) or (curves[name].mission if name in curves else "Kepler"))
        rec: dict[str, Any] = {
            "name": name, "row": row, "star_id": row.get(STAR_ID, row.get("kepid")), "kepid": row.get("kepid"),
            "mission": mission, "candidate_word": sources.candidate_word(mission), "scored": bool(ok[i]),
        }  # fmt: skip
        rec["reason"] = "" if ok[i] else "no usable ephemeris (period/duration missing or non-physical)"
        if train_names.size:
            rec["in_training"], rec["in_training_reason"] = name in set_names, None
            rec["training_label"] = train_label.get(name)
        else:
            rec["in_training"], rec["training_label"] = None, None
            rec["in_training_reason"] = "the model file does not list its training rows"
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
        elif aligned.source[i] == "none":
            rec["lc_diagnostics_reason"] = (
                "no real light curve was given or shipped for this candidate and the model read none (its "
                "light-curve branch was masked), so odd/even, secondary-eclipse, fold and per-transit checks "
                "cannot be made (pass --fits_dir with the star's FITS files)"
            )
        else:
            rec["lc_diagnostics_reason"] = (
                "the light curve was rendered from the catalog parameters, so odd/even, secondary-eclipse, "
                "fold and per-transit checks cannot be made (pass --fits_dir with the star's FITS files)"
            )
        rec["catalog_diagnostics"] = _catalog_diagnostics(frame.iloc[i], dists)
        rec["on_target"] = on_target[i]
        rec["evidence"] = evidence_items(rec["lc_diagnostics"], row, on_target[i])
        if not ok[i]:
            flag, _, reasons, supporting = flag_reasons(None, None, rec["evidence"], "", rec["reason"])
            rec.update(proba=None, proba_std=None, predicted="", margin=None, needs_human=flag)
            rec["human_reasons"], rec["supporting_evidence"] = reasons, supporting
            rec["uncertainty_reason"] = rec["reason"]
            rec["why"], rec["neighbors"] = None, []
            rec["why_reason"] = rec["neighbors_reason"] = rec["reason"]
            records.append(rec)
            continue
        j = pos[i]
        p = np.asarray(outs["proba"][j], dtype=float)
        std = np.asarray(outs["proba_std"][j], dtype=float) if "proba_std" in outs else None
        flag, margin, reasons, supporting = flag_reasons(p, std, rec["evidence"], classes[int(np.argmax(p))])
        rec["supporting_evidence"] = supporting
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
                        "disposition": train_label.get(nb_name, "unknown"),
                        "similarity": float(nb_sim[j, k]),
                        "local_view": nb_views.get(nb_name),
                    }
                )
        rec["neighbors_reason"] = None if rec["neighbors"] else (neighbors_reason or "none found")
        records.append(rec)
    return records


def _scalars(obj: Any) -> Any:
    """``obj`` without its long arrays (binned folds, per-bin values): lists of more than 50 items are dropped."""
    if isinstance(obj, dict):
        return {k: _scalars(v) for k, v in obj.items() if not (isinstance(v, list) and len(v) > 50)}
    return obj


def record_summary(rec: Mapping[str, Any]) -> dict[str, Any]:
    """The JSON-able part of a vetting record (no views or per-bin arrays): one entry of ``vet.json``, and what
    the sheet shows of the verdict, the flag and its reasons, the training-row mark and the neighbours."""
    why = rec.get("why") or {}
    diag = rec.get("lc_diagnostics")
    on_target = rec.get("on_target") or {}
    return {
        "name": rec["name"],
        "mission": rec.get("mission"),
        "scored": rec.get("scored", True),
        "reason": rec.get("reason", ""),
        "in_training": rec.get("in_training"),
        "in_training_reason": rec.get("in_training_reason"),
        "training_label": rec.get("training_label"),
        "predicted": rec["predicted"],
        "proba": rec["proba"],
        "proba_std": rec["proba_std"],
        "uncertainty_reason": rec["uncertainty_reason"],
        "margin": rec["margin"],
        "needs_human": bool(rec["needs_human"]),
        "human_reasons": list(rec["human_reasons"]),
        "evidence": list(rec.get("evidence") or []),
        "supporting_evidence": list(rec.get("supporting_evidence") or []),
        "lightcurve": {
            k: v for k, v in rec["lightcurve"].items() if k in ("source", "provenance", "files", "periods")
        },
        "lc_diagnostics": None if diag is None else _scalars(diag.to_dict()),
        "lc_diagnostics_reason": rec["lc_diagnostics_reason"],
        "catalog_diagnostics": rec["catalog_diagnostics"],
        "on_target": {k: on_target[k] for k in ("evidence", "false_positive_evidence") if k in on_target},
        "top_features": why.get("top"),
        "neighbors": [{k: v for k, v in n.items() if k != "local_view"} for n in rec.get("neighbors") or []],
        "neighbors_reason": rec.get("neighbors_reason"),
    }
