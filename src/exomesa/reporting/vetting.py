"""HTML vetting pages from :func:`exomesa.evaluation.vetting.vet_records`: one sheet per candidate and an index.

Pages are rendered from ``vet_sheet.html.j2`` / ``vet_index.html.j2`` (sharing ``base.html.j2`` with
``report.html``); every image is an SVG embedded as a ``data:`` URI, so each page is one self-contained file.
The verdict, the needs-a-human flag with its reasons, the training-row mark and the neighbours are drawn from
:func:`~exomesa.evaluation.vetting.record_summary`, the very dict ``vet.json`` holds, so the two agree.

    from exomesa.jobs.vet import write_vet_pages
    write_vet_pages(records, "vet/", meta={"model_sha256": ..., "exomesa_version": ...})
"""

from __future__ import annotations

import datetime as _dt
import logging
import re
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from exomesa import sources
from exomesa._version import __version__
from exomesa.defaults import VETTING
from exomesa.evaluation.vetting import record_summary
from exomesa.lightcurves.views import global_bin_centres, local_bin_centres
from exomesa.reporting.svgplot import Series, downsample, svg_plot
from exomesa.reporting.templates import render

__all__ = ["render_sheet", "render_index", "sheet_file", "with_meta_defaults"]

logger = logging.getLogger(__name__)

#: (column, label, unit) shown in the identity table.
PARAMS = [
    ("kepid", "KIC id", ""),
    ("tic_id", "TIC id", ""),
    ("koi_period", "Orbital period", "days"),
    ("koi_time0bk", "Epoch (mid-transit)", "BKJD = BJD − 2454833"),
    ("koi_duration", "Transit duration", "hours"),
    ("koi_depth", "Transit depth", "ppm"),
    ("koi_ror", "Planet/star radius ratio", ""),
    ("koi_prad", "Planet radius", "Earth radii"),
    ("koi_impact", "Impact parameter", ""),
    ("koi_teq", "Equilibrium temperature", "K"),
    ("koi_insol", "Insolation", "Earth flux"),
    ("koi_model_snr", "Transit model SNR", ""),
    ("koi_count", "KOIs on the star", ""),
    ("koi_steff", "Stellar effective temperature", "K"),
    ("koi_slogg", "Stellar surface gravity", "log10(cm s⁻²)"),
    ("koi_srad", "Stellar radius", "solar radii"),
    ("koi_kepmag", "Kepler magnitude", "mag"),
    ("ra", "Right ascension", "deg"),
    ("dec", "Declination", "deg"),
]
COLORS = {"data": "#333", "model": "#d62728", "odd": "#1f77b4", "even": "#ff7f0e", "half": "#2ca02c"}


def sheet_file(name: str) -> str:
    """File name of a candidate's sheet: ``<name>.html`` with unsafe characters replaced by ``_``."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", str(name)) + ".html"


def _num(v: Any, digits: int = 4) -> str:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return "n/a" if v is None else str(v)
    if not np.isfinite(x):
        return "n/a"
    return f"{x:.{digits}g}"


def _id(v: Any) -> str:
    """A catalog id (KIC, TIC) as an integer, not ``2.316639e+08``."""
    try:
        x = float(v)
    except (TypeError, ValueError):
        return "n/a" if v is None else str(v)
    return f"{int(x)}" if np.isfinite(x) else "n/a"


def _sig(v: float) -> str:
    return "n/a" if v is None or not np.isfinite(v) else f"{v:.1f} σ"


def _lc_figures(rec: Mapping[str, Any]) -> list[dict[str, str]]:
    lc, row = rec["lightcurve"], rec["row"]
    period, dur = float(row.get("koi_period", np.nan)), float(row.get("koi_duration", np.nan)) / 24.0
    kind = "real" if lc["source"] == "real" else lc["source"]
    figs = []
    if np.isfinite(period) and period > 0:
        x, y = downsample(global_bin_centres(period), lc["global"] * 1e6, VETTING["plot_points"])
        xm, ym = downsample(global_bin_centres(period), lc["model_global"] * 1e6, VETTING["plot_points"])
        figs.append(
            {
                "alt": "global view",
                "caption": f"Global view ({kind}) with the batman transit model (red) from the catalog.",
                "uri": svg_plot(
                    [Series(x, y, COLORS["data"]), Series(xm, ym, COLORS["model"], 1.2)],
                    title="Global view",
                    xlabel="days from mid-transit",
                    ylabel="flux − 1 [ppm]",
                ),
            }
        )
    if np.isfinite(dur) and dur > 0:
        t = local_bin_centres(dur) * 24.0
        figs.append(
            {
                "alt": "local view",
                "caption": f"Local view ({kind}) with the batman transit model (red).",
                "uri": svg_plot(
                    [
                        Series(t, lc["local"] * 1e6, COLORS["data"]),
                        Series(t, lc["model_local"] * 1e6, COLORS["model"], 1.2),
                    ],
                    title="Local view",
                    xlabel="hours from mid-transit",
                    ylabel="flux − 1 [ppm]",
                ),
            }
        )
    return figs


def _diag_content(rec: Mapping[str, Any]) -> tuple[list[list[str]], list[dict[str, str]]]:
    d = rec.get("lc_diagnostics")
    if d is None:
        return [], []
    oe, sec, pt = d.odd_even, d.secondary, d.per_transit
    rows = [
        [
            "Cadences used",
            f"{d.n_points:,}",
            f"point scatter {_num(d.sigma_point_ppm, 3)} ppm ({d.noise_source})",
        ],
        [
            "Odd / even depth",
            f"{_num(oe.depth_odd_ppm)} ± {_num(oe.depth_odd_err_ppm, 2)} / {_num(oe.depth_even_ppm)} ± "
            f"{_num(oe.depth_even_err_ppm, 2)} ppm",
            f"difference {_sig(oe.significance_sigma)}" + (f" ({oe.reason})" if oe.reason else ""),
        ],
        [
            "Secondary eclipse at phase 0.5",
            f"{_num(sec.depth_ppm)} ± {_num(sec.depth_err_ppm, 2)} ppm",
            f"{_sig(sec.significance_sigma)}; strongest elsewhere {_num(sec.best_depth_ppm)} ppm at phase "
            f"{_num(sec.best_phase, 3)} ({_sig(sec.best_significance_sigma)}, look-elsewhere biased)"
            + (f"; {sec.reason}" if sec.reason else ""),
        ],
        [
            "Half-period fold (P/2)",
            f"{_num(d.fold_half.depth_at_0_ppm)} ppm at 0, {_num(d.fold_half.depth_at_half_ppm)} ppm at 0.5",
            "a real planet at P shows ~half the depth at phase 0 and little at 0.5",
        ],
        [
            "Double-period fold (2P)",
            f"{_num(d.fold_double.depth_at_0_ppm)} ppm at 0, {_num(d.fold_double.depth_at_half_ppm)} ppm at 0.5",
            "unequal depths suggest an eclipsing binary at 2P",
        ],
        [
            "Per-transit depths",
            f"{pt.n_observed} of {pt.n_expected} expected transits observed; median {_num(pt.median_depth_ppm)} ppm",
            pt.reason or "",
        ],
    ]
    figs = []
    dur_h = d.duration_hours
    for fold, label in ((d.fold_half, "P/2"), (d.fold_double, "2P")):
        t = np.asarray(fold.local_time) * 24.0
        figs.append(
            {
                "alt": f"fold {label}",
                "caption": f"Folded at {label} ({fold.period_days:.4g} d): phase 0 (black) and phase 0.5 (green).",
                "uri": svg_plot(
                    [
                        Series(t, np.asarray(fold.local_flux_at_0) * 1e6, COLORS["data"], label="phase 0"),
                        Series(
                            t, np.asarray(fold.local_flux_at_half) * 1e6, COLORS["half"], label="phase 0.5"
                        ),
                    ],
                    title=f"Fold at {label}",
                    xlabel="hours from position",
                    ylabel="flux − baseline [ppm]",
                    width=420,
                ),
            }
        )
    if len(pt.epoch_index):
        odd = np.asarray(pt.epoch_index) % 2 == 1
        series = [
            Series(
                np.asarray(pt.mid_time)[m],
                np.asarray(pt.depth_ppm)[m],
                c,
                kind="dots",
                err=np.asarray(pt.depth_err_ppm)[m],
                label=lab,
            )
            for m, c, lab in ((odd, COLORS["odd"], "odd"), (~odd, COLORS["even"], "even"))
            if m.any()
        ]
        figs.append(
            {
                "alt": "per-transit depths",
                "caption": f"Depth of each transit (duration {dur_h:.3g} h); odd epochs blue, even orange.",
                "uri": svg_plot(
                    series,
                    title="Per-transit depths",
                    xlabel="mid-transit time [days]",
                    ylabel="depth [ppm]",
                    width=420,
                ),
            }
        )
    return rows, figs


def _on_target_content(on_target: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Table rows of the "is it on target?" section (ephemeris matches, centroid offsets, evidence)."""
    if on_target is None:
        return None

    def row(role: str, other: str, m: dict[str, Any]) -> list[str]:  # other: "parent" or "child"
        sep = m["separation_arcsec"]
        return [
            role,
            f"{m[other]} ({m[other + '_source'].replace('_', ' ')})",
            m["ratio"],
            _num(sep, 3) + "″" if np.isfinite(sep) else "unknown",
            f"{m['significance']:.1f} σ",
            _num(m["depth_ratio"], 3),
            m["mechanism"].replace("_", " "),
        ]

    match_rows = [row("contaminated by", "parent", m) for m in on_target["matches_as_child"]] + [
        row("source of", "child", m) for m in on_target["matches_as_parent"]
    ]
    centroid_rows = [
        [
            c["label"],
            f"{_num(c['offset_arcsec'], 3)} ± {_num(c['err_arcsec'], 2)}″",
            f"{_num(c['ra_arcsec'], 3)}″ / {_num(c['dec_arcsec'], 3)}″",
            _sig(c["significance"]),
        ]
        for c in on_target["centroids"]
    ]
    return {"match_rows": match_rows, "centroid_rows": centroid_rows, "evidence": on_target["evidence"]}


def _lc_text(rec: Mapping[str, Any]) -> str:
    lc, word = rec["lightcurve"], rec.get("candidate_word", "KOI")
    if lc["source"] == "real":
        unit = "quarters" if lc["mission"] == "Kepler" else "sectors"
        periods = ", ".join(str(q) for q in lc["periods"]) or "unknown"
        if lc["files"]:
            masked = (
                f"; the transits of the star's {lc['n_other_kois']} other {word}(s) are masked"
                if lc["n_other_kois"]
                else ""
            )
            return f"phase-folded {lc['mission']} photometry from {len(lc['files'])} file(s), {unit} {periods}{masked}."
        return "phase-folded photometry from a views file (no raw light curve given, so no light-curve diagnostics)."
    if lc["source"] == "flat":
        return "no usable period/duration: a flat view (the model used the tabular features only)."
    if lc["source"] == "none":
        return "no real light curve exists for this candidate: the model read none (its light-curve branch was masked) and scored the tabular features."
    return (
        "rendered: a batman transit model drawn from the catalog parameters with noise; NOT an observation."
    )


def with_meta_defaults(meta: Mapping[str, Any]) -> dict[str, Any]:
    """``meta`` with the date, exomesa version and model placeholders filled in where absent."""
    defaults = {
        "date": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        "exomesa_version": __version__,
        "model_name": "(not given)",
        "model_sha256": "(not given)",
    }
    return {**defaults, **meta}


def render_sheet(rec: Mapping[str, Any], meta: Mapping[str, Any]) -> str:
    """One candidate's sheet as an HTML string (see the module docstring)."""
    meta = with_meta_defaults(meta)
    row, summary = rec["row"], record_summary(rec)
    word = rec.get("candidate_word", "KOI")
    classes = list(summary["proba"] or {})
    params = [
        [label, _id(row.get(col)) if col in ("kepid", "tic_id") else _num(row.get(col), 8), unit]
        for col, label, unit in PARAMS
        if col in row.index
    ]
    model_rows = [
        ["File", meta.get("model_name", "")],
        ["SHA-256", meta.get("model_sha256", "")],
        ["Kind", meta.get("model_kind", "")],
        ["Written by exomesa", meta.get("model_exomesa_version") or "unknown"],
        ["Training data", meta.get("training_data", "unknown")],
        ["Sheet written by exomesa", meta.get("exomesa_version", "")],
        ["Date", meta.get("date", "")],
    ]
    verdict_rows = []
    for c in classes:
        std = (summary["proba_std"] or {}).get(c)
        verdict_rows.append([c, f"{summary['proba'][c]:.3f}", "n/a" if std is None else f"± {std:.3f}"])
    dists = rec.get("catalog_diagnostics") or []
    cls_names = sorted({c for item in dists for c in item["classes"]})
    catalog_rows = []
    for item in dists:
        cells = [item["label"], _num(item["value"])]
        for c in cls_names:
            b = item["classes"].get(c)
            cells.append(
                "n/a"
                if not b
                else f"{_num(b['percentile'], 3)}% ({_num(b['median'], 3)} [{_num(b['p16'], 3)}–{_num(b['p84'], 3)}])"
            )
        catalog_rows.append(cells)
    why, why_rows, saliency = rec.get("why"), [], None
    if why:
        why_rows = [
            [
                t["name"],
                _num(t["value"]),
                f"{t['attribution']:+.3g}",
                "↑ up" if t["direction"] == "up" else "↓ down",
            ]
            for t in why["top"]
        ]
        strip = why.get("local_strip")
        dur = float(row.get("koi_duration", np.nan)) / 24.0
        if strip is not None and np.isfinite(dur) and dur > 0:
            t = local_bin_centres(dur) * 24.0
            saliency = svg_plot(
                [Series(t, rec["lightcurve"]["local"] * 1e6, COLORS["data"])],
                title="Local view and saliency",
                xlabel="hours from mid-transit",
                ylabel="flux − 1 [ppm]",
                strip=strip,
            )
    neighbors = []
    for n, shown in zip(rec.get("neighbors") or [], summary["neighbors"], strict=True):
        v = n.get("local_view")
        y = np.zeros(201) if v is None else np.asarray(v) * 1e6
        neighbors.append(
            {
                **shown,
                "uri": svg_plot(
                    [Series(np.arange(y.size), y, COLORS["data"])], title=n["name"], width=200, height=110
                ),
            }
        )
    diag_rows, diag_figs = _diag_content(rec)
    return render(
        "vet_sheet.html.j2",
        title=f"{rec['name']} — exomesa vetting sheet",
        rec=rec,
        s=summary,
        word=word,
        meta=meta,
        params=params,
        lc=rec["lightcurve"],
        lc_text=_lc_text(rec),
        model_rows=model_rows,
        verdict_rows=verdict_rows,
        thresholds=VETTING,
        lc_figs=_lc_figures(rec),
        diag_rows=diag_rows,
        diag_figs=diag_figs,
        catalog_header=["Diagnostic", "Value", *[f"{c} percentile (median [16–84%])" for c in cls_names]],
        catalog_rows=catalog_rows,
        on_target=_on_target_content(rec.get("on_target")),
        why=why,
        why_rows=why_rows,
        why_reason=rec.get("why_reason") or "not computed",
        saliency=saliency,
        neighbors=neighbors,
        neighbor_rows=[[n["name"], n["disposition"], f"{n['similarity']:.3f}"] for n in neighbors],
    )


def render_index(records: Sequence[Mapping[str, Any]], meta: Mapping[str, Any]) -> str:
    """The sortable, filterable index of ``records`` as an HTML string."""
    meta = with_meta_defaults(meta)
    classes = ["CONFIRMED", "CANDIDATE", "FALSE POSITIVE"]
    rows = []
    for rec in records:
        s = record_summary(rec)
        proba = s["proba"] or {}
        std = s["proba_std"]
        unc = (std[s["predicted"]], f"{std[s['predicted']]:.3f}") if std and s["predicted"] else ("", "n/a")
        training = {True: "yes", False: "no", None: "unknown"}[s["in_training"]]
        rows.append(
            {
                "name": s["name"],
                "href": sheet_file(s["name"]),
                "predicted": s["predicted"] or "not scored",
                "proba": [(proba[c], f"{proba[c]:.3f}") if c in proba else ("", "n/a") for c in classes],
                "unc": unc,
                "flag": s["needs_human"],
                "reasons": "; ".join(s["human_reasons"]),
                "training": training,
                "lc": s["lightcurve"]["source"],
            }
        )
    header = [
        "Name",
        "Predicted",
        *[f"P({c})" for c in classes],
        "Uncertainty",
        "Needs a human",
        "Training row",
        "Light curve",
    ]
    word = sources.candidate_word([r.get("mission") or "Kepler" for r in records], plural=True)
    return render(
        "vet_index.html.j2",
        title="exomesa vetting index",
        meta=meta,
        header=header,
        rows=rows,
        word=word,
        n_flag=sum(r["flag"] for r in rows),
        n_training=sum(r["training"] == "yes" for r in rows),
    )
