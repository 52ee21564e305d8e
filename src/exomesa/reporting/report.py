"""A self-contained ``report.html`` for one evaluation: metric tables, embedded figures, run summary.

The page is rendered from the Jinja2 templates of :mod:`exomesa.reporting.templates` (``report.html.j2``
extends ``base.html.j2``, shared with the vetting sheets); the section builders below compute the cells and the
tables go through the shared ``table`` macro.

The page has no external references (inline CSS, PNGs embedded as base64 ``data:`` URIs), so it opens
offline and can be mailed as one file. Every figure keeps its file name in the caption and in a
``data-file`` attribute, so the page says which PNG each picture is.

Example::

    from exomesa.jobs.test import write_report
    write_report("test_results/report.html", results, {"confusion_matrix": Path(".../confusion_matrix.png")},
                 meta={"model_path": "output/mesa_model.pth", "lightcurve_sources": {"real": 12, "rendered": 1599}})
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from markupsafe import Markup

from exomesa.reporting.templates import render, table_html
from exomesa.utils import to_jsonable

__all__ = ["render_report", "FIGURE_CAPTIONS"]

logger = logging.getLogger(__name__)

#: Caption per figure key (the figure file is ``<key>.png``); unknown keys get their name as caption.
FIGURE_CAPTIONS: dict[str, str] = {
    "confusion_matrix": "Confusion matrix: counts and row-normalised fractions (recall on the diagonal).",
    "roc_curves": "ROC and precision–recall curves, one-vs-rest per class and CONFIRMED vs FALSE POSITIVE.",
    "reliability_diagram": "Reliability diagram of the top-class probability before/after temperature scaling.",
    "tsne_visualization": "t-SNE of the fused embedding, coloured by true class.",
    "pca_visualization": "PCA of the fused embedding, coloured by true class.",
    "contrastive_space": "Light-curve and physics projections of the same candidates in one PCA plane; lines join pairs.",
    "training_loss": "Training and validation loss terms per epoch.",
    "training_accuracy": "Training and validation accuracy / macro-F1 per epoch.",
    "lightcurve_gallery": "Global and local views of correct and misclassified candidates per class.",
}


# ------------------------------------------------------------------------------------------ formatting
def _esc(x: Any) -> str:
    return html.escape(str(x), quote=True)


def _fmt(v: Any, digits: int = 3) -> str:
    if v is None:
        return '<span class="null">n/a</span>'
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, int):
        return f"{v:,}"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return _esc(v)


def _metric(block: Mapping[str, Any] | None, key: str, digits: int = 3) -> str:
    """A value, or ``n/a`` with its ``<key>_reason`` as a tooltip and footnote text."""
    if not block:
        return _fmt(None)
    v = block.get(key)
    if v is None and block.get(f"{key}_reason"):
        return f'<span class="null" title="{_esc(block[key + "_reason"])}">n/a ({_esc(block[key + "_reason"])})</span>'
    return _fmt(v, digits)


def _table(header: list[str], rows: list[list[str]], first_left: bool = True) -> str:
    """Cells are already-escaped HTML snippets (from :func:`_fmt`/:func:`_esc`)."""
    return str(table_html(header, [[Markup(c) for c in row] for row in rows], first_left))


# -------------------------------------------------------------------------------------------- sections
def _summary_section(results: Mapping[str, Any], word: str) -> str:
    s = results.get("summary", {})
    base = results.get("majority_baseline") or {}
    blank = '<span class="muted">–</span>'

    def beside(key: str) -> str:  # the always-majority-class score beside the model's, where it has one
        return _fmt(base.get(key)) if base else blank

    rows = [
        [
            f"Test {_esc(word)}",
            _fmt(results.get("n_samples")),
            _fmt(results.get("n_samples")) if base else blank,
        ],
        ["Accuracy", _fmt(s.get("accuracy")), beside("accuracy")],
        ["Balanced accuracy", _fmt(s.get("balanced_accuracy")), beside("balanced_accuracy")],
        ["Macro-F1", _fmt(s.get("macro_f1")), beside("macro_f1")],
        ["Macro ROC-AUC (one-vs-rest)", _fmt(s.get("macro_roc_auc")), blank],
        ["ROC-AUC, CONFIRMED vs FALSE POSITIVE", _fmt(s.get("confirmed_vs_fp_roc_auc")), blank],
        ["PR-AUC, CONFIRMED vs FALSE POSITIVE", _fmt(s.get("confirmed_vs_fp_pr_auc")), blank],
        ["ECE (calibrated)", _fmt(s.get("ece")), blank],
        ["ECE (before temperature scaling)", _fmt(s.get("ece_uncalibrated")), blank],
    ]
    header = ["Metric", "Model"]
    note = ""
    if base:
        header.append(f"Always {_esc(base['class'])}")
        counts = ", ".join(f"{_esc(c)} {n:,}" for c, n in base.get("class_counts", {}).items())
        note = (
            f'<p id="majority-baseline">Beside the model: the score of always answering '
            f"<b>{_esc(base['class'])}</b>, the most frequent class of the <b>{_esc(base['source'])}</b> "
            f"({counts}). A model is only useful by its margin over this column.</p>"
        )
    else:
        header.append("Always the majority class")
        note = (
            '<p class="null">No majority-class baseline in these results (written by an older exomesa).</p>'
        )
    counts = results.get("class_counts", {})
    pred = results.get("predicted_counts", {})
    crow = [[_esc(c), _fmt(n), _fmt(pred.get(c))] for c, n in counts.items()]
    return (
        '<h2 id="summary">Summary</h2>'
        + _table(header, rows)
        + note
        + _table(["Class", "True count", "Predicted count"], crow)
    )


def _classification_section(results: Mapping[str, Any]) -> str:
    cls = results.get("classification") or {}
    classes = results.get("classes", [])
    report = cls.get("classification_report", {})
    rows = []
    for name in [*classes, "macro avg", "weighted avg"]:
        r = report.get(name, {})
        rows.append(
            [
                _esc(name),
                _metric(r, "precision"),
                _metric(r, "recall"),
                _metric(r, "f1-score"),
                _fmt(r.get("support")),
            ]
        )
    out = '<h2 id="classification">Classification report</h2>'
    out += _table(["Class", "Precision", "Recall", "F1", "Support"], rows)
    cm = cls.get("confusion_matrix")
    if cm:
        cm_rows = [[f"true {_esc(classes[i])}", *[_fmt(int(v)) for v in row]] for i, row in enumerate(cm)]
        out += "<p>Confusion matrix (rows: true class, columns: predicted class)</p>"
        out += _table(["", *[f"pred {c}" for c in classes]], cm_rows)
    return out


def _ranking_section(results: Mapping[str, Any]) -> str:
    rk = results.get("ranking") or {}
    rows = []
    for name, b in (rk.get("one_vs_rest") or {}).items():
        rows.append(
            [
                f"{_esc(name)} vs rest",
                _metric(b, "roc_auc"),
                _metric(b, "pr_auc"),
                _fmt(b.get("pr_auc_chance")),
                _fmt(b.get("n_positive")),
                _fmt(b.get("n")),
            ]
        )
    cv = rk.get("confirmed_vs_false_positive")
    if cv:
        rows.append(
            [
                "CONFIRMED vs FALSE POSITIVE<br><span class='muted'>score P(C)/(P(C)+P(FP))</span>",
                _metric(cv, "roc_auc"),
                _metric(cv, "pr_auc"),
                _fmt(cv.get("pr_auc_chance")),
                _fmt(cv.get("n_positive")),
                _fmt(cv.get("n")),
            ]
        )
    out = '<h2 id="ranking">Ranking: ROC-AUC and PR-AUC</h2>'
    out += _table(["Task", "ROC-AUC", "PR-AUC", "PR-AUC of chance", "Positives", "Rows"], rows)
    out += f"<p>Macro ROC-AUC {_metric(rk, 'macro_roc_auc')}, macro PR-AUC {_metric(rk, 'macro_pr_auc')}.</p>"
    return out


def _calibration_section(results: Mapping[str, Any]) -> str:
    cal = results.get("calibration") or {}
    rows = []
    for label, key in (
        ("before temperature scaling", "uncalibrated"),
        ("after temperature scaling", "calibrated"),
    ):
        b = cal.get(key)
        if b is None:
            reason = cal.get(f"{key}_reason", "not available")
            rows.append([label, *[f'<span class="null">n/a ({_esc(reason)})</span>'] * 5])
            continue
        rows.append(
            [
                label,
                _fmt(b.get("ece")),
                _fmt(b.get("nll")),
                _fmt(b.get("brier")),
                _fmt(b.get("mean_confidence")),
                _fmt(b.get("accuracy")),
            ]
        )
    t = cal.get("temperature")
    out = '<h2 id="calibration">Calibration</h2>'
    out += (
        f"<p>Temperature T = {_fmt(t)} (fitted on the validation split in training). ECE uses "
        f"{_fmt(cal.get('n_bins'))} equal-width bins of the top-class probability.</p>"
    )
    out += _table(["Probabilities", "ECE", "NLL", "Brier", "Mean confidence", "Accuracy"], rows)
    return out


def _alignment_section(results: Mapping[str, Any], word: str) -> str:
    al = results.get("alignment")
    out = '<h2 id="alignment">Alignment of light-curve and physics embeddings</h2>'
    if not al:
        return out + f'<p class="null">n/a ({_esc(results.get("alignment_reason", "not computed"))})</p>'
    ret = al.get("retrieval")
    if ret:
        ks = [k for k in ret["chance"]]
        rows = []
        for label, key in (
            ("light curve → physics", "lightcurve_to_physics"),
            ("physics → light curve", "physics_to_lightcurve"),
        ):
            r = ret[key]
            rows.append([label, *[_fmt(r.get(k)) for k in ks], _fmt(r.get("median_rank"), 1)])
        rows.append(
            ["chance (k/N)", *[_fmt(ret["chance"][k], 4) for k in ks], _fmt((al["n_pairs"] + 1) / 2, 1)]
        )
        out += f"<p>Cross-modal retrieval among N = {_fmt(al.get('n_pairs'))} test {_esc(word)} (cosine similarity).</p>"
        out += _table(["Direction", *ks, "Median rank"], rows)
    else:
        out += f'<p class="null">retrieval n/a ({_esc(al.get("retrieval_reason", ""))})</p>'
    cos = al.get("cosine") or {}
    rows = [
        [
            "all",
            _fmt(cos.get("n")),
            _fmt(cos.get("matched_mean")),
            _fmt(cos.get("mismatched_mean")),
            _fmt(cos.get("gap")),
        ]
    ]
    for name, b in (cos.get("per_class") or {}).items():
        rows.append(
            [
                _esc(name),
                _fmt(b.get("n")),
                _fmt(b.get("matched_mean")),
                _fmt(b.get("mismatched_mean")),
                _fmt(b.get("gap")),
            ]
        )
    one = _esc(word[:-1] if word.endswith("s") else word)
    out += (
        f"<p>Mean cosine similarity of matched pairs (same {one}) vs mismatched pairs (different "
        f"{_esc(word)}).</p>"
    )
    out += _table(["True class", _esc(word), "Matched", "Mismatched", "Gap"], rows)
    return out


def _meta_section(meta: Mapping[str, Any], word: str) -> str:
    out = '<h2 id="run">Run, data and model</h2>'
    simple = [[_esc(k), _esc(v)] for k, v in meta.items() if not isinstance(v, (dict, list, tuple))]
    if simple:
        out += _table(["Item", "Value"], simple)
    src = meta.get("lightcurve_sources")
    if isinstance(src, Mapping):
        total = sum(int(v) for v in src.values()) or 1
        rows = [[_esc(k), _fmt(int(v)), f"{100 * int(v) / total:.1f}%"] for k, v in src.items()]
        out += (
            f"<p>Light-curve views used for the test {_esc(word)}: <b>real</b> = phase-folded photometry, "
            "<b>rendered</b> = a batman transit model drawn from the catalogue parameters"
            + (
                ", <b>flat</b> = no usable period/duration, so a flat view (tabular features only)"
                if "flat" in src
                else ""
            )
            + (
                ", <b>none</b> = no real light curve exists, so the model read none (light-curve branch masked)"
                if "none" in src
                else ""
            )
            + ".</p>"
        )
        out += _table(["Light-curve source", _esc(word), "Share"], rows)
    for key, value in meta.items():
        if key == "lightcurve_sources" or not isinstance(value, (dict, list, tuple)):
            continue
        out += f"<h3>{_esc(key.replace('_', ' '))}</h3>"
        if isinstance(value, Mapping):
            rows = [
                [_esc(k), _esc(v if not isinstance(v, (dict, list)) else to_jsonable(v))]
                for k, v in value.items()
            ]
            out += _table(["Key", "Value"], rows)
        else:
            out += f"<p>{_esc(', '.join(str(v) for v in value))}</p>"
    return out


def _figure(key: str, path: Path) -> dict[str, Any]:
    path = Path(path)
    caption = FIGURE_CAPTIONS.get(key, key.replace("_", " "))
    try:
        data = base64.b64encode(path.read_bytes()).decode("ascii")
    except OSError as exc:
        logger.warning("figure %s could not be read for the report: %s", path, exc)
        data = None
    return {"key": key, "file": path.name, "data": data, "caption": caption}


# ------------------------------------------------------------------------------------------------ main
def render_report(
    results: Mapping[str, Any],
    figures: Mapping[str, Path] | None = None,
    meta: Mapping[str, Any] | None = None,
    *,
    title: str = "exomesa evaluation report",
    candidates: str = "KOIs",
) -> str:
    """The report as one HTML string (see :func:`write_report`). ``candidates``: what the rows are called,
    from their mission (:func:`exomesa.sources.candidate_word`: ``"KOIs"``, ``"TOIs"``, ``"candidates"``)."""
    figures = dict(figures or {})
    meta = dict(meta or {})
    nav = ["summary", "classification", "ranking", "calibration", "alignment", "run"]
    if figures:
        nav.insert(1, "figures")  # the summary comes first on the page
    sections = [
        _classification_section(results),
        _ranking_section(results),
        _calibration_section(results),
        _alignment_section(results, candidates),
        _meta_section(meta, candidates),
    ]
    return render(
        "report.html.j2",
        title=title,
        stamp=_dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
        version=meta.get("exomesa_version", ""),
        classes=list(results.get("classes", [])),
        nav=nav,
        summary=Markup(_summary_section(results, candidates)),
        figures=[_figure(k, p) for k, p in figures.items()],
        sections=[Markup(x) for x in sections],
    )
