"""The figures of an evaluation, drawn from the objects the evaluation returned (the job writes them).

figures, notes = draw_figures(results, y_true, proba, None, outputs, views, names, sources, [], None, 3000)
"""

from __future__ import annotations

import logging
import time
from typing import Any

import numpy as np
from matplotlib.figure import Figure

from exomesa.reporting import plots

__all__ = ["draw_figures"]

logger = logging.getLogger(__name__)


def draw_figures(
    results: dict,
    y_true: np.ndarray,
    proba: np.ndarray,
    proba_raw: np.ndarray | None,
    emb: dict[str, np.ndarray],
    views: Any,
    names: np.ndarray,
    sources: np.ndarray,
    history: list[dict],
    temperature: float | None,
    tsne_max_points: int,
    *,
    candidates: str = "KOIs",
) -> tuple[dict[str, Figure], dict[str, str]]:
    """Every figure of :data:`exomesa.defaults.FIGURE_FILES` for one evaluation, and the projection notes.

    Args:
        results: :func:`exomesa.evaluation.metrics.evaluate`'s dict; y_true [N] class indices; proba [N, 3];
        proba_raw: [N, 3] uncalibrated (None: the model does not calibrate); emb: the model's outputs
        (``fused`` [N, F], ``lightcurve`` / ``physics`` [N, P] where it has them); views: the
        :class:`~exomesa.lightcurves.ViewSet` read; names, sources [N]; history: per-epoch records;
        candidates: what the rows are called in titles (``"KOIs"``, ``"TOIs"``).
    """
    t0 = time.perf_counter()
    out: dict[str, Figure] = {}
    notes: dict[str, str] = {}

    def save(key: str, fig) -> None:
        out[key] = fig

    save(
        "confusion_matrix",
        plots.plot_confusion_matrix(results["classification"]["confusion_matrix"], noun=candidates),
    )
    save("roc_curves", plots.plot_roc_curves(y_true, proba, noun=candidates))
    save(
        "reliability_diagram",
        plots.plot_reliability_diagram(y_true, proba, proba_raw, temperature=temperature, noun=candidates),
    )
    fused = emb.get("fused")
    for key, method, label in (("tsne_visualization", "tsne", "t-SNE"), ("pca_visualization", "pca", "PC")):
        name = "t-SNE" if method == "tsne" else "PCA"
        if fused is None:
            save(key, plots.plot_note(name, "this model has no embedding to project"))
            continue
        coords, idx, note = plots.project_2d(
            np.asarray(fused), method, max_points=tsne_max_points if method == "tsne" else 10**9
        )
        notes[key] = note
        title = f"{name} of the model's {emb.get('fused_label', 'fused MESA embedding')}"
        save(key, plots.plot_embedding_2d(coords, y_true[idx], title=title, note=note, axis_label=label))
    if "lightcurve" in emb and "physics" in emb:
        save(
            "contrastive_space",
            plots.plot_contrastive_space(emb["lightcurve"], emb["physics"], y_true, noun=candidates),
        )
    else:
        message = "this model has no light-curve / physics embeddings (no contrastive alignment)"
        save("contrastive_space", plots.plot_note("Contrastive space", message))
    save("training_loss", plots.plot_training_curves(history, "loss"))
    save("training_accuracy", plots.plot_training_curves(history, "accuracy"))
    save(
        "lightcurve_gallery",
        plots.plot_lightcurve_gallery(
            views.global_view, views.local_view, y_true, proba, names=names, sources=sources, noun=candidates
        ),
    )
    logger.info("drew %d figures in %.1f s", len(out), time.perf_counter() - t0)
    return out, notes
