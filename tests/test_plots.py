"""Each figure function returns a labelled Figure from small synthetic arrays and saves as PNG."""

from __future__ import annotations

import numpy as np
import pytest
from matplotlib.figure import Figure

from exomesa.evaluation.metrics import CLASSES
from exomesa.jobs.test import save_figure
from exomesa.reporting import plots

N = 45


@pytest.fixture
def data() -> dict:
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1, 2], N // 3)
    logits = rng.normal(size=(N, 3))
    logits[np.arange(N), y] += 1.5
    p = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    centers = rng.normal(size=(3, 16)) * 3
    lc = centers[y] + rng.normal(size=(N, 16))
    return {
        "y": y,
        "p": p,
        "lc": lc,
        "phys": lc + rng.normal(size=(N, 16)) * 0.5,
        "fused": np.hstack([lc, lc]),
    }


def _texts(fig: Figure) -> str:
    parts = [t.get_text() for t in fig.texts]
    if fig._suptitle is not None:
        parts.append(fig._suptitle.get_text())
    for ax in fig.axes:
        parts += [ax.get_title(), ax.get_xlabel(), ax.get_ylabel()]
        parts += [t.get_text() for t in ax.texts]
        leg = ax.get_legend()
        if leg is not None:
            parts += [t.get_text() for t in leg.get_texts()]
    return "\n".join(parts)


def test_confusion_matrix_two_panels_with_counts(tmp_path) -> None:
    cm = [[5, 1, 0], [2, 6, 1], [0, 0, 7]]
    fig = plots.plot_confusion_matrix(cm)
    images = [ax for ax in fig.axes if ax.images]
    assert len(images) == 2
    text = _texts(fig)
    assert (
        "Predicted class" in text
        and "True class" in text
        and "0.83" in text
        and "0.67" in text
        and "accuracy 0.818" in text
    )
    out = save_figure(fig, tmp_path / "sub" / "cm.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_confusion_matrix_absent_class_row(tmp_path) -> None:
    fig = plots.plot_confusion_matrix([[3, 1, 0], [0, 0, 0], [1, 0, 2]])
    assert "–" in _texts(fig)  # undefined normalised row shown as a dash
    save_figure(fig, tmp_path / "cm.png")


@pytest.mark.parametrize("method", ["pca", "tsne"])
def test_project_2d_and_embedding_plot(data, method) -> None:
    coords, index, note = plots.project_2d(data["fused"], method, max_points=30, seed=1, max_iter=250)
    assert coords.shape == (30, 2) and len(index) == 30 and np.all(np.diff(index) > 0)
    assert "30 of 45" in note and "subsample" in note
    fig = plots.plot_embedding_2d(coords, data["y"][index], title="Fused", note=note)
    text = _texts(fig)
    assert "CONFIRMED (n=" in text and "30 of 45" in text


def test_project_2d_rejects_unknown_method(data) -> None:
    with pytest.raises(ValueError, match="umap"):
        plots.project_2d(data["fused"], "umap")


def test_contrastive_space(data) -> None:
    fig = plots.plot_contrastive_space(data["lc"], data["phys"], data["y"], n_lines=10)
    ax = fig.axes[0]
    assert len(ax.lines) == 10  # one joining line per sampled pair
    text = _texts(fig)
    assert "light-curve projection" in text and "physics projection" in text and "PCA" in text


def test_training_curves_pick_losses_and_scores() -> None:
    history = [
        {
            "epoch": e,
            "train_loss": 1.0 / e,
            "train_contrastive": 0.6 / e,
            "train_classification": 0.4 / e,
            "train_accuracy": 0.5 + 0.05 * e,
            "train_macro_f1": 0.4 + 0.05 * e,
            "val_loss": 1.1 / e,
            "val_accuracy": 0.45 + 0.05 * e,
            "lr": 1e-4,
            "seconds": 2.0,
            "best_epoch": 3,
        }
        for e in range(1, 5)
    ]
    loss = _texts(plots.plot_training_curves(history, "loss"))
    assert "train loss" in loss and "val loss" in loss and "train contrastive" in loss
    assert "accuracy" not in loss.split("per epoch")[1] and "lr" not in loss.split()
    assert "kept weights (epoch 3)" in loss
    acc = _texts(plots.plot_training_curves(history, "accuracy"))
    assert "train accuracy" in acc and "val accuracy" in acc and "train macro f1" in acc
    assert "loss" not in acc.replace("Training accuracy", "")
    empty = _texts(plots.plot_training_curves([], "loss"))
    assert "no loss values" in empty


def test_training_curves_short_run_has_whole_epoch_ticks() -> None:
    history = [{"epoch": e, "train_loss": 1.0 / e, "val_loss": 1.1 / e} for e in (1, 2)]
    fig = plots.plot_training_curves(history, "loss")
    fig.canvas.draw()
    ticks = [t for t in fig.axes[0].get_xticks() if 1 <= t <= 2]
    assert ticks == [1.0, 2.0]


def test_roc_curves_and_single_class(data) -> None:
    text = _texts(plots.plot_roc_curves(data["y"], data["p"]))
    assert "CONFIRMED vs FALSE POSITIVE (AUC" in text and "Precision" in text and "AP " in text
    one = _texts(plots.plot_roc_curves(np.zeros(N, int), data["p"]))
    assert "undefined (one class)" in one


def test_reliability_diagram_before_after(data) -> None:
    sharp = data["p"] ** 3 / (data["p"] ** 3).sum(1, keepdims=True)
    text = _texts(plots.plot_reliability_diagram(data["y"], data["p"], sharp, temperature=2.5))
    assert "before temperature scaling: ECE" in text and "T = 2.50" in text and "Confidence" in text
    # the count histogram says which bars are which
    fig = plots.plot_reliability_diagram(data["y"], data["p"], sharp, temperature=2.5)
    hist_legend = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    assert hist_legend == ["before temperature scaling", "after temperature scaling"]


def test_lightcurve_gallery(data, tmp_path) -> None:
    g = np.zeros((N, 2001), np.float32)
    g[:, 995:1006] = -0.001
    loc = np.zeros((N, 201), np.float32)
    loc[:, 75:126] = -0.001
    names = [f"K{i:05d}.01" for i in range(N)]
    fig = plots.plot_lightcurve_gallery(g, loc, data["y"], data["p"], names=names, sources=["real"] * N)
    assert len(fig.axes) == 4 * len(CLASSES)
    text = _texts(fig)
    assert "global view" in text and "local view" in text and "Flux − 1 (ppm)" in text and ", real" in text
    # a class with no misclassified KOI says so instead of failing
    perfect = np.eye(3)[data["y"]]
    assert "no misclassified" in _texts(plots.plot_lightcurve_gallery(g, loc, data["y"], perfect))
    save_figure(fig, tmp_path / "gallery.png")
