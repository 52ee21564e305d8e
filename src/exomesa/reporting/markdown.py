"""Markdown tables of the benchmark: ``RESULTS.md`` from a ``results.json`` dict and the other scripts' JSON.

:func:`render_markdown` is pure (dict in, text out); :func:`exomesa.benchmark.runner.write_outputs` writes it.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from exomesa.data import CLASSES

__all__ = ["render_markdown"]


def _fmt(x: Any, digits: int = 3) -> str:
    if x is None:
        return "–"
    if isinstance(x, bool):
        return str(x)
    if isinstance(x, int | np.integer):
        return f"{int(x):,}"
    if isinstance(x, float | np.floating):
        if not np.isfinite(x):
            return "–"
        ax = abs(x)
        if ax != 0 and (ax >= 1e5 or ax < 1e-3):
            return f"{x:.3g}"
        if ax >= 100:
            return f"{x:,.0f}"
        return f"{x:.{digits}f}"
    return str(x).replace("|", "\\|").replace("\n", " ")


def _ms(d: Mapping[str, Any] | None, digits: int = 3) -> str:
    if not d or d.get("mean") is None:
        return "–"
    if d.get("n", 0) <= 1:
        return _fmt(d["mean"], digits)
    mean, std = d["mean"], d["std"]
    if std is not None and 1e-3 <= abs(mean) < 100:
        return f"{_fmt(mean, digits)} ± {std:.{digits}f}"  # the std to the mean's decimals (not 0.000958)
    return f"{_fmt(mean, digits)} ± {_fmt(std, digits)}"


def _size_text(size: Mapping[str, Any]) -> str:
    def mean(key: str) -> Any:
        v = (size.get(key) or {}).get("mean")
        return None if v is None else int(round(v))

    if mean("n_parameters") is not None:
        return f"{_fmt(mean('n_parameters'))} parameters"
    if mean("n_trees") is not None:
        return f"{_fmt(mean('n_trees'))} trees / {_fmt(mean('n_leaves'))} leaves"
    return "–"


def _flatten(obj: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested dicts/lists → (dotted key, scalar) pairs; a list of scalars becomes one comma-joined value."""
    if isinstance(obj, Mapping):
        rows: list[tuple[str, Any]] = []
        for k, v in obj.items():
            rows.extend(_flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return rows
    if isinstance(obj, list):
        if all(not isinstance(v, Mapping | list) for v in obj):
            return [(prefix, ", ".join(_fmt(v) for v in obj) if len(obj) <= 12 else f"[{len(obj)} values]")]
        rows = []
        for i, v in enumerate(obj):
            rows.extend(_flatten(v, f"{prefix}[{i}]"))
        return rows
    return [(prefix, obj)]


def _kv_section(title: str, data: Any, max_rows: int = 80) -> list[str]:
    lines = [f"### {title}", ""]
    rows = _flatten(data)
    if not rows:
        return [*lines, "(empty)", ""]
    lines += ["| key | value |", "|---|---|"]
    for key, value in rows[:max_rows]:
        lines.append(f"| `{key or '(value)'}` | {_fmt(value)} |")
    if len(rows) > max_rows:
        lines.append(f"| … | {len(rows) - max_rows} more entries in the JSON file |")
    return [*lines, ""]


def _accuracy_rows(methods: Mapping[str, Any]) -> list[str]:
    lines = [
        "| method | accuracy | macro-F1 | "
        + " | ".join(f"F1 {c}" for c in CLASSES)
        + " | ROC-AUC CONFIRMED vs FP |",
        "|---|" + "---|" * (3 + len(CLASSES)),
    ]
    for name, m in methods.items():
        s = m.get("summary", {})
        lines.append(
            f"| {m.get('label', name)} | {_ms(s.get('accuracy'))} | {_ms(s.get('macro_f1'))} | "
            + " | ".join(_ms((s.get("f1") or {}).get(c)) for c in CLASSES)
            + f" | {_ms(s.get('roc_auc_confirmed_vs_fp'))} |"
        )
    return lines


def render_real_section(results: Mapping[str, Any]) -> list[str]:
    """The real-view suite's section (``results_real.json``): setup, accuracy table, paired comparisons
    against LightGBM tabular (with "inside the std" marks), training time and the view-source check."""
    ds, cfg = results.get("dataset", {}), results.get("config", {})
    methods = results.get("methods", {})
    lines = [
        "## Real light curves (`exomesa benchmark --suite real`)",
        "",
        "```",
        str(results.get("command") or "exomesa benchmark --suite real"),
        "```",
        "",
    ]
    if results.get("quick"):
        lines += ["**Quick smoke run (`--quick`): these numbers check the harness, not the methods.**", ""]
    lines += [
        f"- Created: {results.get('created')}; wall time {_fmt(results.get('wall_seconds'), 0)} s",
        f"- Data: {ds.get('n_kois')} KOIs with real views on {ds.get('n_stars')} stars; classes "
        + ", ".join(f"{k} {v}" for k, v in (ds.get("class_counts") or {}).items())
        + f"; fold sizes {ds.get('fold_sizes')}; folds run {cfg.get('folds')}",
        f"- MESA: {cfg.get('epochs')} epochs from scratch, {cfg.get('finetune_epochs')} fine-tuning epochs "
        f"after {cfg.get('pretrain_epochs')} pretraining epochs on {ds.get('pretrain_kois')} rendered-view "
        f"KOIs of other stars ({_fmt(results.get('pretrain_seconds'), 0)} s, once)",
        "",
        *_accuracy_rows(methods),
        "",
    ]
    comp = results.get("comparisons") or {}
    if comp:
        lines += [
            "Paired per-fold difference against LightGBM tabular (mean ± std over folds; *inside* = the "
            "difference is within its std, the folds cannot tell the two apart):",
            "",
            "| method | Δ accuracy | Δ macro-F1 | Δ ROC-AUC |",
            "|---|---|---|---|",
        ]
        for name, c in comp.items():
            cells = []
            for key in ("accuracy", "macro_f1", "roc_auc_confirmed_vs_fp"):
                d = c.get(key) or {}
                if d.get("mean_diff") is None:
                    cells.append("–")
                    continue
                mark = " (inside)" if d.get("inside_std") else ""
                cells.append(f"{d['mean_diff']:+.3f} ± {d['std_diff']:.3f}{mark}")
            lines.append(f"| {methods.get(name, {}).get('label', name)} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += ["| method | training time (s) | model size |", "|---|---|---|"]
    for name, m in methods.items():
        s = m.get("summary", {})
        lines.append(
            f"| {m.get('label', name)} | {_ms(s.get('train_seconds'), 1)} | {_size_text(s.get('size') or {})} |"
        )
    mixed = (results.get("source_check") or {}).get("mixed_dr25") or {}
    if mixed:
        per = mixed.get("per_source") or {}
        lines += [
            "",
            "View source check: on the mixed DR25 table (real views where available, rendered elsewhere) "
            "the CONFIRMED fraction is "
            + ", ".join(
                f"{_fmt(v.get('confirmed_fraction'))} for {k} ({v.get('n')} KOIs)" for k, v in per.items()
            )
            + f'; "is real" alone scores ROC-AUC {_fmt(mixed.get("roc_auc_real_confirmed_vs_fp"))} (CONFIRMED vs FP). '
            "Every training set of this suite holds one view source, so the source cannot stand in for the label.",
        ]
    return [*lines, ""]


def render_markdown(
    results: Mapping[str, Any] | None,
    extra_files: Sequence[Path] = (),
    real_results: Mapping[str, Any] | None = None,
) -> str:
    """RESULTS.md text: the accuracy and cost tables, setup, the real-view suite's section (when
    ``real_results`` is given) and one key/value section per extra JSON file."""

    lines = ["# exomesa benchmark results", ""]
    if results:
        ds = results.get("dataset", {})
        cfg = results.get("config", {})
        lines += [
            "Generated by `exomesa benchmark` (logic in `exomesa.benchmark.runner`); do not edit by hand — rerun:",
            "",
            "```",
            str(results.get("command") or "exomesa benchmark"),
            "```",
            "",
        ]
        if results.get("quick"):
            lines += [
                "**Quick smoke run (`--quick`): these numbers check the harness, not the methods.**",
                "",
            ]
        lines += [
            f"- Created: {results.get('created')}; wall time {_fmt(results.get('wall_seconds'), 0)} s",
            f"- Data: {ds.get('n_kois')} KOIs ({ds.get('source')}) on {ds.get('n_stars')} stars; classes "
            + ", ".join(f"{k} {v}" for k, v in (ds.get("class_counts") or {}).items()),
            "- Views: "
            + ", ".join(f"{v} {k}" for k, v in (ds.get("views") or {}).items() if v)
            + f" (built in {_fmt(ds.get('views_seconds'), 1)} s)",
            f"- Protocol: {results.get('protocol', {}).get('cv')}; folds run: {cfg.get('folds')}; "
            f"seed {cfg.get('seed')}; fold sizes {ds.get('fold_sizes')}",
            f"- MESA: epochs {cfg.get('epochs') or 'default'}, fine-tuning epochs "
            f"{cfg.get('finetune_epochs') or 'default'}, device {cfg.get('device')}; LightGBM: "
            f"{cfg.get('n_estimators')} rounds; tsfresh preset `{cfg.get('tsfresh_preset')}`",
            *(
                f"- Updated {u.get('created')}: rows {', '.join(u.get('methods') or [])} from a later run "
                f"(`{u.get('command')}`, {_fmt(u.get('wall_seconds'), 0)} s); the other rows are the "
                "original run's"
                for u in results.get("updates") or []
            ),
            "",
            "## Accuracy (mean ± std over folds)",
            "",
        ]
        methods = results.get("methods", {})
        lines += _accuracy_rows(methods)
        # vetters' metrics (older results files lack them: shown as n/a)
        lines += [
            "",
            "## Vetters' metrics (mean ± std over folds; CONFIRMED vs FALSE POSITIVE rows)",
            "",
            "| method | recall at 99 % precision | PR-AUC | ECE |",
            "|---|---|---|---|",
        ]
        for name, m in methods.items():
            s = m.get("summary", {})
            lines.append(
                f"| {m.get('label', name)} | {_ms(s.get('confirmed_recall_at_99_precision'))} | "
                f"{_ms(s.get('pr_auc_confirmed_vs_fp'))} | {_ms(s.get('ece'))} |"
            )
        lines += [
            "",
            "## Cost (mean ± std over folds)",
            "",
            "| method | training time (s) | inference (KOIs/s) | peak RSS (MiB) | RSS increase (MiB) | model size |",
            "|---|---|---|---|---|---|",
        ]
        for name, m in methods.items():
            s = m.get("summary", {})
            lines.append(
                f"| {m.get('label', name)} | {_ms(s.get('train_seconds'), 1)} | "
                f"{_ms(s.get('throughput_kois_per_s'), 0)} | {_ms(s.get('peak_rss_mb'), 0)} | "
                f"{_ms(s.get('peak_rss_delta_mb'), 0)} | {_size_text(s.get('size') or {})} |"
            )
        pre = [
            f.get("extra", {}).get("pretrain_seconds")
            for m in methods.values()
            for f in m.get("folds", [])
            if f.get("extra", {}).get("pretrain_seconds") is not None
        ]
        lines.append("")
        if pre:
            lines.append(
                f"MESA pretraining for the fine-tuning rows (3 of 4 training folds): {_fmt(float(np.mean(pre)), 1)} s "
                "per fold on average, not included in their training time."
            )
        ts = results.get("tsfresh_extraction")
        if ts:
            lines.append(
                f"tsfresh extraction (preset `{ts.get('preset')}`, {ts.get('n_features')} features, "
                f"n_jobs={ts.get('n_jobs')}): {ts.get('n_kois')} KOIs in {_fmt(ts.get('seconds'), 1)} s "
                f"({_fmt(ts.get('kois_per_s'), 1)} KOIs/s)."
            )
        proto = results.get("protocol", {})
        lines += ["", "### How the numbers are measured", ""]
        lines += [f"- **{k}**: {v}" for k, v in proto.items()]
        lines += ["", "## Machine and versions", ""]
        lines += _kv_section("Machine", results.get("machine", {}))
        lines += _kv_section("Versions", results.get("versions", {}))
    else:
        lines += ["No `results.json` yet: run `exomesa benchmark`.", ""]
    if real_results:
        lines += render_real_section(real_results)
    extra_files = [Path(p) for p in extra_files]
    if extra_files:
        lines += ["## Other benchmark scripts", ""]
        for path in extra_files:
            try:
                data = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError) as exc:
                lines += [f"### {path.stem}", "", f"(unreadable: {exc})", ""]
                continue
            lines += _kv_section(f"{path.stem} (`results/{path.name}`)", data)
    return "\n".join(lines).rstrip() + "\n"
