"""Why a model gave its score: per-candidate attributions over the tabular features and the view bins.

* MESA: Integrated Gradients (captum, Sundararajan et al. 2017) of the predicted class's **calibrated
  probability** with respect to every model input — the global view [2001], the local view [201] and each
  tabular group's preprocessed columns. The baseline is "a median star with no transit": flat views (all 0)
  and every feature at its training median (normal score 0, not missing). IG is chosen over plain gradients
  because its attributions add up (completeness): their sum equals P(class | candidate) − P(class | baseline),
  so each number reads as "this input moved the probability by this much". Each catalog feature's attribution
  is the sum over its two preprocessed columns (value score and missing flag).
* LightGBM baselines: the booster's own ``pred_contrib`` (TreeSHAP), exact Shapley values in raw-score (log-odds)
  units of the predicted class; a baseline has no view bins.

Example::

    from exomesa.evaluation.explain import explain
    att = explain(clf, df, views)      # att["features"] [N, F], att["feature_names"], att["local_view"] [N, 201]
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from exomesa.defaults import VETTING
from exomesa.utils import import_optional

__all__ = ["explain", "explain_mesa", "explain_lightgbm", "top_features"]

logger = logging.getLogger(__name__)


def explain(clf: Any, df: pd.DataFrame, views: Any | None = None, **kwargs: Any) -> dict[str, Any]:
    """Attributions for every row of ``df`` with whichever method fits the model (MESA: IG; LightGBM: SHAP).

    Returns:
        ``method`` (str), ``units`` (str), ``target`` [N] int (class index explained: the predicted class),
        ``feature_names`` [F], ``features`` [N, F] float, and for MESA reading views ``local_view`` [N, 201],
        ``global_view`` [N, 2001] float, ``delta`` [N] (completeness error of the IG sum).
    """
    if clf.kind == "mesa":
        return explain_mesa(clf, df, views, **kwargs)
    if clf.kind == "lightgbm":
        return explain_lightgbm(clf, df, views)
    raise TypeError(f"cannot explain a {type(clf).__name__}: neither a MESA model nor a LightGBM baseline")


def explain_mesa(
    clf: Any,
    df: pd.DataFrame,
    views: Any | None = None,
    *,
    n_steps: int = VETTING["ig_steps"],
    batch_size: int = VETTING["ig_batch_size"],
    show_progress: bool = False,
) -> dict[str, Any]:
    """Integrated Gradients of MESA's calibrated probability of its predicted class (see the module docstring)."""
    import torch

    captum_attr = import_optional("captum.attr", "the vetting sheet's attributions")
    from exomesa.mesa.batches import iterate_batches

    clf._check_fitted()
    df = df.reset_index(drop=True)
    arrays = clf._arrays(df, views)
    model = clf.model_
    groups = [g for g in clf.feature_set_ if g in arrays]
    # a physics-only MESA does not read the views: they ride along unattributed (a gradient needs a use)
    view_keys = ["global_view", "local_view"]
    keys = [*(view_keys if clf.towers_read() != "physics" else []), *groups]
    fixed = [k for k in view_keys if k not in keys]
    temperature = float(clf.temperature_)

    def forward(*inputs: torch.Tensor) -> torch.Tensor:
        out = model(dict(zip([*keys, *fixed], inputs, strict=True)))
        return torch.softmax(out["logits"] / temperature, dim=1)

    ig = captum_attr.IntegratedGradients(forward)
    parts: dict[str, list[np.ndarray]] = {k: [] for k in keys}
    targets, deltas = [], []
    batches = iterate_batches({k: arrays[k] for k in [*keys, *fixed]}, batch_size)
    if show_progress:
        batches = tqdm(batches, total=-(-len(df) // batch_size), desc="attributions", unit="batch")
    was_training = model.training
    model.eval()
    for batch in batches:
        inputs = tuple(batch[k].to(clf.device_) for k in keys)
        extra = tuple(batch[k].to(clf.device_) for k in fixed)
        with torch.no_grad():
            target = forward(*inputs, *extra).argmax(dim=1)
        attr, delta = ig.attribute(
            inputs,
            baselines=tuple(torch.zeros_like(x) for x in inputs),
            additional_forward_args=extra or None,
            target=target,
            n_steps=int(n_steps),
            method="gausslegendre",
            return_convergence_delta=True,
        )
        for k, a in zip(keys, attr, strict=True):
            parts[k].append(a.detach().cpu().numpy().astype(np.float32))
        targets.append(target.cpu().numpy())
        deltas.append(delta.detach().cpu().numpy())
    model.train(was_training)
    cat = {
        k: np.concatenate(v) if v else np.zeros((0, arrays[k].shape[1]), np.float32) for k, v in parts.items()
    }
    names: list[str] = []
    feats: list[np.ndarray] = []
    for g in groups:
        cols = clf.feature_set_[g]
        a = cat[g]  # [N, 2 * n_cols]: value scores, then missing flags
        feats.append(a[:, : len(cols)] + a[:, len(cols) :])
        names.extend(cols)
    out = {
        "method": "Integrated Gradients (captum), baseline: flat views and median features",
        "units": "change in the calibrated probability of the predicted class",
        "target": np.concatenate(targets) if targets else np.zeros(0, np.int64),
        "feature_names": names,
        "features": np.concatenate(feats, axis=1) if feats else np.zeros((len(df), 0), np.float32),
        "delta": np.concatenate(deltas) if deltas else np.zeros(0),
    }
    out.update(
        {k: cat[k] for k in view_keys if k in cat}
    )  # per-bin view attributions, where the model reads views
    return out


def explain_lightgbm(clf: Any, df: pd.DataFrame, views: Any | None = None) -> dict[str, Any]:
    """TreeSHAP values (LightGBM ``pred_contrib``) of the predicted class, raw-score units."""
    clf._check_fitted()
    X = clf._design(df, views).to_numpy(np.float64)
    X = np.where(np.isnan(X), clf.medians_[None, :], X)
    contrib = np.asarray(clf.booster_.predict(X, pred_contrib=True), dtype=np.float64)
    n_feat = X.shape[1]
    n_out = contrib.shape[1] // (n_feat + 1)
    contrib = contrib.reshape(len(X), n_out, n_feat + 1)[:, :, :n_feat]  # drop the bias column
    proba = clf.predict_proba(df, views)
    target = proba.argmax(axis=1)
    # booster outputs are indexed by lgbm_classes_; map each row's predicted class to its output
    out_index = {int(c): i for i, c in enumerate(np.asarray(clf.lgbm_classes_).tolist())}
    rows = np.array([out_index.get(int(t), 0) for t in target])
    if n_out == 1:  # binary booster: its single output is the log-odds of the second class
        sign = np.where(rows == 1, 1.0, -1.0)
        feats = contrib[:, 0, :] * sign[:, None]
    else:
        feats = contrib[np.arange(len(X)), rows, :]
    return {
        "method": "TreeSHAP (LightGBM pred_contrib)",
        "units": "change in the predicted class's raw score (log-odds)",
        "target": target,
        "feature_names": list(clf.feature_names_),
        "features": feats.astype(np.float32),
    }


def top_features(
    names: list[str], values: np.ndarray, raw: pd.Series | None = None, k: int = VETTING["top_features"]
) -> list[dict[str, Any]]:
    """The ``k`` features of one row with the largest |attribution|: name, value, attribution, direction."""
    values = np.asarray(values, dtype=np.float64)
    order = np.argsort(-np.abs(values), kind="stable")[:k]
    out = []
    for j in order:
        name = names[j]
        value = None if raw is None else raw.get(name)
        try:
            value = None if value is None or not np.isfinite(float(value)) else float(value)
        except (TypeError, ValueError):
            value = None
        out.append(
            {
                "name": name,
                "value": value,
                "attribution": float(values[j]),
                "direction": "up" if values[j] > 0 else "down" if values[j] < 0 else "none",
            }
        )
    return out
