"""Evaluation figures: one function per figure, each taking arrays and returning a ``matplotlib`` Figure.

The functions use the object-oriented API (``Figure()`` + ``fig.add_subplot``), never ``pyplot``, so they
work headless, leak no global state and never call ``show``. The jobs write them
(:func:`exomesa.jobs.test.save_figure`).

Example::

    from exomesa.reporting import plots
    fig = plots.plot_confusion_matrix(results["classification"]["confusion_matrix"])
    save_figure(fig, "test_results/confusion_matrix.png")     # exomesa.jobs.test.save_figure
"""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from sklearn.metrics import average_precision_score, precision_recall_curve, roc_curve

from exomesa.evaluation.metrics import (
    CLASSES,
    binary_scores_confirmed_vs_fp,
    expected_calibration_error,
    reliability_curve,
)
from exomesa.lightcurves.views import LOCAL_HALF_WIDTH_DURATIONS

__all__ = [
    "CLASS_COLORS",
    "project_2d",
    "plot_confusion_matrix",
    "plot_embedding_2d",
    "plot_contrastive_space",
    "plot_training_curves",
    "plot_roc_curves",
    "plot_reliability_diagram",
    "plot_lightcurve_gallery",
    "plot_note",
]

logger = logging.getLogger(__name__)

#: Colour per class (colour-blind-safe Okabe-Ito): CONFIRMED green, CANDIDATE orange, FALSE POSITIVE purple.
CLASS_COLORS: dict[str, str] = {"CONFIRMED": "#009E73", "CANDIDATE": "#E69F00", "FALSE POSITIVE": "#CC79A7"}
_FALLBACK_COLORS = ["#0072B2", "#D55E00", "#56B4E9", "#F0E442", "#000000"]


def _color(name: str, i: int) -> str:
    return CLASS_COLORS.get(name, _FALLBACK_COLORS[i % len(_FALLBACK_COLORS)])


# ----------------------------------------------------------------------------------------- projections
def project_2d(
    emb: np.ndarray,
    method: str = "pca",
    *,
    max_points: int = 3000,
    seed: int = 0,
    perplexity: float = 30.0,
    max_iter: int = 500,
) -> tuple[np.ndarray, np.ndarray, str]:
    """Project embeddings ``emb`` [N, D] to 2-D with PCA or t-SNE.

    More than ``max_points`` rows are subsampled (seeded, without replacement). t-SNE runs on the first 50
    principal components with PCA initialisation, perplexity ``min(perplexity, (n - 1) / 3)`` and
    ``max_iter`` iterations. Returns ``(coords [M, 2], index [M] into emb, note)`` where ``note`` describes
    the projection (e.g. "t-SNE, perplexity 30, 1000 of 1611 points") for a plot title.
    """
    from sklearn.decomposition import PCA

    emb = np.asarray(emb, dtype=np.float64)
    n = emb.shape[0]
    index = np.arange(n)
    if n > max_points:
        index = np.sort(np.random.default_rng(seed).choice(n, size=max_points, replace=False))
    x = emb[index]
    m = x.shape[0]
    sub = f"{m} of {n} points (random subsample)" if m < n else f"{n} points"
    if m < 3:
        coords = np.zeros((m, 2))
        if m:
            coords[:, 0] = np.arange(m)
        return coords, index, f"too few points to project ({sub})"
    n_comp = min(2, x.shape[1])
    if method == "pca":
        pca = PCA(n_components=n_comp, random_state=seed).fit(x)
        coords = _pad2(pca.transform(x))
        ev = pca.explained_variance_ratio_
        return coords, index, f"PCA ({100 * ev.sum():.0f}% of variance), {sub}"
    if method == "tsne":
        from sklearn.manifold import TSNE

        if x.shape[1] > 50 and m > 50:
            x = PCA(n_components=50, random_state=seed).fit_transform(x)
        perp = float(min(perplexity, max((m - 1) / 3.0, 1.0)))
        tsne = TSNE(
            n_components=2,
            perplexity=perp,
            init="pca",
            learning_rate="auto",
            max_iter=max(max_iter, 250),
            random_state=seed,
        )
        coords = tsne.fit_transform(x)
        return coords, index, f"t-SNE (perplexity {perp:.0f}), {sub}"
    raise ValueError(f"unknown projection method {method!r}; use 'pca' or 'tsne'")


def _pad2(c: np.ndarray) -> np.ndarray:
    if c.shape[1] >= 2:
        return c[:, :2]
    return np.column_stack([c, np.zeros(len(c))])


# ---------------------------------------------------------------------------------------- confusion
def plot_confusion_matrix(
    cm: Sequence[Sequence[int]] | np.ndarray, classes: Sequence[str] = CLASSES, *, noun: str = "KOIs"
) -> Figure:
    """Two panels: counts and row-normalised fractions (each row = a true class) of ``cm`` [C, C]; ``noun``
    names the rows in the title (``"KOIs"``, ``"TOIs"``)."""
    cm = np.asarray(cm, dtype=np.float64)
    rows = cm.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        norm = np.where(rows > 0, cm / np.maximum(rows, 1), np.nan)
    labels = [_wrap(c, 10) for c in classes]
    fig = Figure(figsize=(11.5, 4.8), layout="constrained")
    axes = fig.subplots(1, 2)
    panels = [
        (cm, "Counts", "Blues", "{:.0f}"),
        (norm, "Row-normalised (recall on the diagonal)", "Greens", "{:.2f}"),
    ]
    for ax, (mat, title, cmap, fmt) in zip(axes, panels, strict=True):
        shown = np.nan_to_num(mat)
        vmax = shown.max() if shown.max() > 0 else 1.0
        im = ax.imshow(shown, cmap=cmap, vmin=0, vmax=vmax if fmt == "{:.0f}" else 1.0)
        for i in range(mat.shape[0]):
            for j in range(mat.shape[1]):
                text = "–" if np.isnan(mat[i, j]) else fmt.format(mat[i, j])
                dark = shown[i, j] > 0.55 * (vmax if fmt == "{:.0f}" else 1.0)
                ax.text(j, i, text, ha="center", va="center", fontsize=13, color="white" if dark else "black")
        ax.set_xticks(range(len(classes)), labels)
        ax.set_yticks(range(len(classes)), labels)
        ax.set_xlabel("Predicted class")
        ax.set_ylabel("True class")
        ax.set_title(title)
        fig.colorbar(im, ax=ax, shrink=0.8)
    n = int(cm.sum())
    acc = np.trace(cm) / n if n else float("nan")
    fig.suptitle(f"Confusion matrix on {n} test {noun} (accuracy {acc:.3f})", fontsize=13)
    return fig


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text


# ---------------------------------------------------------------------------------------- embeddings
def _scatter_classes(ax, coords: np.ndarray, y: np.ndarray, classes: Sequence[str], **kw) -> None:
    for i, name in enumerate(classes):
        m = y == i
        if m.any():
            ax.scatter(
                coords[m, 0],
                coords[m, 1],
                s=kw.get("s", 10),
                alpha=kw.get("alpha", 0.7),
                color=_color(name, i),
                label=f"{name} (n={int(m.sum())})",
                marker=kw.get("marker", "o"),
                edgecolors="none",
            )


def plot_embedding_2d(
    coords: np.ndarray,
    y: np.ndarray,
    classes: Sequence[str] = CLASSES,
    *,
    title: str = "Fused embedding",
    note: str = "",
    axis_label: str = "component",
) -> Figure:
    """Scatter of 2-D projected embeddings ``coords`` [N, 2] coloured by true class ``y`` [N] int."""
    coords, y = np.asarray(coords), np.asarray(y)
    fig = Figure(figsize=(7.5, 6.5), layout="constrained")
    ax = fig.add_subplot()
    _scatter_classes(ax, coords, y, classes)
    ax.set_xlabel(f"{axis_label} 1")
    ax.set_ylabel(f"{axis_label} 2")
    ax.set_title(title + (f"\n{note}" if note else ""))
    ax.legend(title="True class", loc="best", markerscale=2, framealpha=0.85)
    ax.grid(alpha=0.25)
    return fig


def plot_contrastive_space(
    lc_emb: np.ndarray,
    phys_emb: np.ndarray,
    y: np.ndarray,
    classes: Sequence[str] = CLASSES,
    *,
    n_lines: int = 40,
    max_points: int = 2000,
    seed: int = 0,
    noun: str = "KOIs",
) -> Figure:
    """Light-curve and physics projections of the same KOIs in one PCA plane fitted on both.

    ``lc_emb``, ``phys_emb``: [N, P] (row i of each is one KOI); ``y``: [N] int. Light-curve points are
    circles, physics points triangles, both coloured by class; grey lines join ``n_lines`` random pairs.
    """
    from sklearn.decomposition import PCA

    a, b, y = np.asarray(lc_emb, float), np.asarray(phys_emb, float), np.asarray(y)
    n = a.shape[0]
    rng = np.random.default_rng(seed)
    idx = np.sort(rng.choice(n, size=min(n, max_points), replace=False))
    both = np.vstack([a[idx], b[idx]])
    fig = Figure(figsize=(8, 6.8), layout="constrained")
    ax = fig.add_subplot()
    if both.shape[0] >= 3 and both.shape[1] >= 2:
        pca = PCA(n_components=2, random_state=seed).fit(both)
        pa, pb = pca.transform(a[idx]), pca.transform(b[idx])
        var = f"PCA fitted on both modalities ({100 * pca.explained_variance_ratio_.sum():.0f}% of variance)"
    else:
        pa, pb = _pad2(a[idx]), _pad2(b[idx])
        var = "raw coordinates"
    ys = y[idx]
    pairs = rng.choice(len(idx), size=min(n_lines, len(idx)), replace=False)
    for k in pairs:
        ax.plot([pa[k, 0], pb[k, 0]], [pa[k, 1], pb[k, 1]], color="0.15", lw=0.7, alpha=0.45, zorder=3)
    for i, name in enumerate(classes):
        m = ys == i
        if not m.any():
            continue
        for pts, size, marker in ((pa, 12, "o"), (pb, 16, "^")):  # light-curve, physics projections
            ax.scatter(
                pts[m, 0], pts[m, 1], s=size, alpha=0.6, color=_color(name, i), marker=marker,
                edgecolors="none", zorder=4,
            )  # fmt: skip

    handles = [
        Line2D([], [], ls="", marker="s", color=_color(nm, i), label=nm) for i, nm in enumerate(classes)
    ]
    handles += [
        Line2D([], [], ls="", marker="o", color="0.3", label="light-curve projection"),
        Line2D([], [], ls="", marker="^", color="0.3", label="physics projection"),
        Line2D([], [], color="0.15", label=f"same {noun.rstrip('s')} ({len(pairs)} random pairs)"),
    ]
    ax.legend(handles=handles, loc="best", framealpha=0.85, fontsize=9)
    sub = f"{len(idx)} of {n} {noun}" if len(idx) < n else f"{n} {noun}"
    ax.set_title(f"Contrastive space: light curve vs physics\n{var}, {sub}")
    ax.set_xlabel("PC 1")
    ax.set_ylabel("PC 2")
    ax.grid(alpha=0.25)
    return fig


# ----------------------------------------------------------------------------------------- training
_LOSS_TERMS = ("loss", "contrastive", "classification", "infonce", "focal")
_SCORE_TERMS = ("acc", "f1", "auc")
_SKIP_KEYS = {"epoch", "best_epoch", "lr", "seconds"}


def _split_key(key: str) -> tuple[str, str]:
    """``"val_macro_f1"`` → ``("val", "macro_f1")``; keys without a split prefix count as training."""
    for prefix, split in (("train_", "train"), ("val_", "val"), ("valid_", "val"), ("validation_", "val")):
        if key.startswith(prefix):
            return split, key[len(prefix) :]
    return "train", key


def _history_series(history: Sequence[Mapping[str, float]], kind: str) -> dict[str, np.ndarray]:
    """Numeric per-epoch series of ``history`` whose key names a loss (``kind="loss"``) or a score."""
    keys: list[str] = []
    for row in history:
        for k, v in row.items():
            numeric = isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool)
            if k not in keys and k not in _SKIP_KEYS and numeric:
                keys.append(k)
    terms = _LOSS_TERMS if kind == "loss" else _SCORE_TERMS
    chosen = [k for k in keys if any(t in _split_key(k.lower())[1] for t in terms)]
    if kind == "loss":
        chosen = [k for k in chosen if not any(t in k.lower() for t in _SCORE_TERMS)]
    return {
        k: np.array([np.nan if r.get(k) is None else float(r[k]) for r in history], dtype=float)
        for k in chosen
    }


def plot_training_curves(history: Sequence[Mapping[str, float]], kind: str = "loss") -> Figure:
    """Per-epoch training history: the loss terms (``kind="loss"``: total loss in the left panel, its terms
    such as contrastive / classification in the right one, each on its own scale) or the scores
    (``kind="accuracy"``: accuracy, macro-F1). One colour per quantity; training solid, validation dashed;
    the epoch whose weights were kept (``best_epoch``) is marked.

    ``history``: list of per-epoch dicts as in ``MesaClassifier.history_`` (``{"epoch": 1, "train_loss": ...,
    "train_contrastive": ..., "val_loss": ..., "val_accuracy": ..., "best_epoch": 7, ...}``).
    """
    series = _history_series(history, kind)
    epochs = np.array([r.get("epoch", i + 1) for i, r in enumerate(history)], dtype=float)
    what = "Loss" if kind == "loss" else "Accuracy / score"
    if not series:
        fig = Figure(figsize=(8.5, 5), layout="constrained")
        ax = fig.add_subplot()
        ax.text(
            0.5,
            0.5,
            f"no {kind} values in the training history",
            ha="center",
            va="center",
            transform=ax.transAxes,
        )
        ax.set_axis_off()
        fig.suptitle(f"Training {what.lower()}")
        return fig
    quantities: list[str] = []
    for k in series:
        q = _split_key(k)[1]
        if q not in quantities:
            quantities.append(q)
    panels: list[tuple[str, list[str]]] = [("", list(series))]
    if kind == "loss" and "loss" in quantities and len(quantities) > 1:
        panels = [
            ("Total loss", [k for k in series if _split_key(k)[1] == "loss"]),
            ("Loss terms", [k for k in series if _split_key(k)[1] != "loss"]),
        ]
    fig = Figure(figsize=(8.5 if len(panels) == 1 else 13, 5), layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000"]
    best = history[-1].get("best_epoch") if history else None
    for ax, (title, keys) in zip(axes, panels, strict=True):
        for k in keys:
            split, q = _split_key(k)
            color = palette[quantities.index(q) % len(palette)]
            ax.plot(
                epochs,
                series[k],
                ls="--" if split == "val" else "-",
                color=color,
                marker="o" if len(epochs) <= 30 else None,
                ms=3,
                label=f"{split} {q.replace('_', ' ')}",
            )
        if best is not None and np.isfinite(float(best)):
            ax.axvline(float(best), color="0.4", lw=1, ls=":", label=f"kept weights (epoch {int(best)})")
        ax.set_xlabel("Epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # no fractional epochs on short runs
        ax.set_ylabel(what)
        if kind != "loss":
            ax.set_ylim(0, 1.02)
        if title:
            ax.set_title(title)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=9, loc="best", ncols=2 if len(keys) > 4 else 1)
    fig.suptitle(f"Training {what.lower()} per epoch (solid: training, dashed: validation)")
    return fig


# ---------------------------------------------------------------------------------------------- ROC
def plot_roc_curves(
    y_true: np.ndarray, proba: np.ndarray, classes: Sequence[str] = CLASSES, *, noun: str = "KOIs"
) -> Figure:
    """ROC (left) and precision–recall (right) curves: one-vs-rest per class and CONFIRMED vs FALSE POSITIVE.

    ``y_true``: [N] int; ``proba``: [N, C]. Curves that are undefined (one class only) are left out and
    named in the legend.
    """
    y_true, proba = np.asarray(y_true), np.asarray(proba, float)
    fig = Figure(figsize=(12, 5.3), layout="constrained")
    ax_roc, ax_pr = fig.subplots(1, 2)
    curves = [
        (f"{name} vs rest", (y_true == i).astype(int), proba[:, i], _color(name, i), "-")
        for i, name in enumerate(classes)
    ]
    if "CONFIRMED" in classes and "FALSE POSITIVE" in classes:
        yb, score = binary_scores_confirmed_vs_fp(y_true, proba, classes)
        curves.append(("CONFIRMED vs FALSE POSITIVE", yb, score, "#0072B2", "--"))
    for label, yb, score, color, ls in curves:
        if yb.size == 0 or yb.min() == yb.max():
            ax_roc.plot([], [], color=color, ls=ls, label=f"{label}: undefined (one class)")
            ax_pr.plot([], [], color=color, ls=ls, label=f"{label}: undefined (one class)")
            continue
        fpr, tpr, _ = roc_curve(yb, score)
        auc = float(np.trapezoid(tpr, fpr))
        ax_roc.plot(fpr, tpr, color=color, ls=ls, lw=1.8, label=f"{label} (AUC {auc:.3f})")
        prec, rec, _ = precision_recall_curve(yb, score)
        ap = average_precision_score(yb, score)
        ax_pr.plot(
            rec, prec, color=color, ls=ls, lw=1.8, label=f"{label} (AP {ap:.3f}, base {yb.mean():.2f})"
        )
    ax_roc.plot([0, 1], [0, 1], color="0.6", lw=0.8, ls=":", label="chance")
    ax_roc.set(
        xlim=(0, 1),
        ylim=(0, 1.01),
        xlabel="False positive rate",
        ylabel="True positive rate",
        title="ROC curves",
    )
    ax_pr.set(
        xlim=(0, 1), ylim=(0, 1.01), xlabel="Recall", ylabel="Precision", title="Precision–recall curves"
    )
    for ax in (ax_roc, ax_pr):
        ax.grid(alpha=0.3)
        ax.legend(fontsize=8.5, loc="lower right" if ax is ax_roc else "lower left")
        ax.set_aspect("equal")
    fig.suptitle(f"Ranking quality on {len(y_true)} test {noun}", fontsize=13)
    return fig


# -------------------------------------------------------------------------------------- calibration
def plot_reliability_diagram(
    y_true: np.ndarray,
    proba: np.ndarray,
    proba_uncalibrated: np.ndarray | None = None,
    *,
    n_bins: int = 15,
    temperature: float | None = None,
    noun: str = "KOIs",
) -> Figure:
    """Reliability diagram of the top-class probability (accuracy vs confidence per bin), before and after
    temperature scaling, with the per-bin counts below. ``proba``/``proba_uncalibrated``: [N, C]."""
    y_true = np.asarray(y_true)
    fig = Figure(figsize=(7.5, 7.5), layout="constrained")
    ax, ax_h = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1])
    ax.plot([0, 1], [0, 1], color="0.5", ls=":", lw=1, label="perfect calibration")
    sets = []
    if proba_uncalibrated is not None:
        sets.append(("before temperature scaling", np.asarray(proba_uncalibrated, float), "#D55E00", "s"))
    t_txt = f" (T = {temperature:.2f})" if temperature is not None else ""
    sets.append(
        (
            f"after temperature scaling{t_txt}" if proba_uncalibrated is not None else "model probabilities",
            np.asarray(proba, float),
            "#0072B2",
            "o",
        )
    )
    width = 1.0 / n_bins
    for k, (label, p, color, marker) in enumerate(sets):
        curve = reliability_curve(y_true, p, n_bins)
        ece = expected_calibration_error(y_true, p, n_bins)
        ok = curve["count"] > 0
        ax.plot(
            curve["confidence"][ok],
            curve["accuracy"][ok],
            marker=marker,
            color=color,
            lw=1.6,
            label=f"{label}: ECE {ece:.3f}",
        )
        centers = curve["bin_edges"][:-1] + width / 2
        offset = (k - (len(sets) - 1) / 2) * width / len(sets)
        ax_h.bar(
            centers + offset,
            curve["count"],
            width=width / len(sets),
            color=color,
            alpha=0.7,
            label=label.split(" (T =")[0],
        )
    ax.set(
        xlim=(0, 1),
        ylim=(0, 1.02),
        ylabel="Accuracy in bin",
        title=f"Reliability diagram ({n_bins} bins of max probability, {len(y_true)} {noun})",
    )
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=9)
    ax_h.set(xlabel="Confidence (max class probability)", ylabel=f"{noun} in bin")
    ax_h.legend(loc="upper left", fontsize=8)
    ax_h.grid(alpha=0.3)
    return fig


# -------------------------------------------------------------------------------------- light curves
def _pick_examples(
    y_true: np.ndarray, y_pred: np.ndarray, conf: np.ndarray, cls: int
) -> tuple[int | None, int | None]:
    """Index of the most confident correct and the most confident wrong prediction of true class ``cls``."""
    correct = np.flatnonzero((y_true == cls) & (y_pred == cls))
    wrong = np.flatnonzero((y_true == cls) & (y_pred != cls))
    best = int(correct[np.argmax(conf[correct])]) if correct.size else None
    worst = int(wrong[np.argmax(conf[wrong])]) if wrong.size else None
    return best, worst


def plot_lightcurve_gallery(
    global_view: np.ndarray,
    local_view: np.ndarray,
    y_true: np.ndarray,
    proba: np.ndarray,
    classes: Sequence[str] = CLASSES,
    *,
    names: Sequence[str] | None = None,
    sources: Sequence[str] | None = None,
    noun: str = "KOIs",
) -> Figure:
    """Example global/local views per true class: the most confident correct and the most confident
    misclassified KOI of each class.

    ``global_view`` [N, G], ``local_view`` [N, L]: relative flux − 1 (plotted in ppm); ``y_true`` [N] int;
    ``proba`` [N, C]; ``names`` [N] KOI names; ``sources`` [N] "real"/"rendered". The global view spans one
    orbital period (phase −0.5 … 0.5), the local view ±2 transit durations around mid-transit.
    """
    y_true, proba = np.asarray(y_true), np.asarray(proba, float)
    y_pred, conf = proba.argmax(axis=1), proba.max(axis=1)
    gv, lv = np.asarray(global_view, float), np.asarray(local_view, float)
    n_cls = len(classes)
    fig = Figure(figsize=(15, 3.0 * n_cls + 0.6), layout="constrained")
    axes = fig.subplots(n_cls, 4, squeeze=False)
    gx = np.linspace(-0.5, 0.5, gv.shape[1])
    lx = np.linspace(-LOCAL_HALF_WIDTH_DURATIONS, LOCAL_HALF_WIDTH_DURATIONS, lv.shape[1])
    for c, name in enumerate(classes):
        for j, idx in enumerate(_pick_examples(y_true, y_pred, conf, c)):
            ax_g, ax_l = axes[c, 2 * j], axes[c, 2 * j + 1]
            kind = "correct" if j == 0 else "misclassified"
            if idx is None:
                for ax in (ax_g, ax_l):
                    ax.text(
                        0.5,
                        0.5,
                        f"no {kind} {name} {noun.rstrip('s')}",
                        ha="center",
                        va="center",
                        transform=ax.transAxes,
                        color="0.4",
                    )
                    ax.set_xticks([])
                    ax.set_yticks([])
                ax_g.set_title(f"true {name}: {kind}", fontsize=10)
                continue
            koi = names[idx] if names is not None else f"row {idx}"
            src = f", {sources[idx]}" if sources is not None else ""
            color = "#009E73" if j == 0 else "#D55E00"
            ax_g.plot(gx, gv[idx] * 1e6, ".", ms=1.5, color="0.2")
            ax_l.plot(lx, lv[idx] * 1e6, ".-", ms=2.5, lw=0.6, color=color)
            ax_g.set_title(
                f"{koi}{src} — global view\ntrue {name}, predicted {classes[y_pred[idx]]} "
                f"(p={conf[idx]:.2f})",
                fontsize=9.5,
                color=color,
            )
            ax_l.set_title(f"{koi} — local view ({kind})", fontsize=9.5, color=color)
            ax_g.set_xlabel("Phase (orbital periods)", fontsize=9)
            ax_l.set_xlabel("Time from mid-transit (transit durations)", fontsize=9)
            ax_g.set_ylabel("Flux − 1 (ppm)", fontsize=9)
            for ax in (ax_g, ax_l):
                ax.tick_params(labelsize=8)
                ax.grid(alpha=0.25)
    fig.suptitle(
        "Light-curve views: most confident correct (left pair) and misclassified (right pair) "
        f"{noun.rstrip('s')} per true class",
        fontsize=12,
    )
    return fig


def plot_note(title: str, message: str) -> Figure:
    """A figure that says why a plot does not apply to this model (e.g. no contrastive space)."""
    fig = Figure(figsize=(8.5, 5), layout="constrained")
    ax = fig.add_subplot()
    ax.text(0.5, 0.5, message, ha="center", va="center", wrap=True, transform=ax.transAxes)
    ax.set_axis_off()
    fig.suptitle(title)
    return fig
