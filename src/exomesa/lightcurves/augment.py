"""Training-time augmentation of views (numpy only; never applied at evaluation or prediction time).

The three augmentations of the original MESA design, applied per sample:

1. a small phase shift: the global view is rolled (it is periodic) and the local view shifted with its edge
   values repeated, each by an integer number of bins in ``[-max_shift_bins, max_shift_bins]``;
2. noise injection: Gaussian noise with ``sigma = noise_scale · max(robust scatter of that view, 1e-6)``
   (robust scatter = 1.4826 · median absolute deviation), so quiet and noisy stars are perturbed alike;
3. amplitude scaling: both views of a sample are multiplied by one factor drawn from ``scale_range``
   (the transit depth changes slightly, the out-of-transit level 0 stays 0).
"""

from __future__ import annotations

import numpy as np

from exomesa.errors import ExomesaError

__all__ = ["augment_views"]


def _robust_std(x: np.ndarray) -> np.ndarray:
    """Per-row 1.4826 · MAD of [B, L] → [B, 1]."""
    med = np.median(x, axis=1, keepdims=True)
    return 1.4826 * np.median(np.abs(x - med), axis=1, keepdims=True)


def augment_views(
    global_view: np.ndarray,
    local_view: np.ndarray,
    rng: np.random.Generator,
    *,
    max_shift_bins: int = 3,
    noise_scale: float = 0.5,
    scale_range: tuple[float, float] = (0.9, 1.1),
) -> tuple[np.ndarray, np.ndarray]:
    """Randomly shift, add noise to and rescale a batch of views; returns new float32 arrays.

    Args:
        global_view: [B, G] float, relative flux − 1 (G = 2001 in exomesa, any length works).
        local_view: [B, L] float (L = 201).
        rng: the generator all draws come from (same generator state → same output).
        max_shift_bins: largest shift in bins (0 disables shifting).
        noise_scale: noise sigma as a fraction of each view's robust scatter (0 disables noise).
        scale_range: (low, high) of the uniform amplitude factor ((1, 1) disables scaling).

    Returns:
        (global_view [B, G], local_view [B, L]) as new float32 arrays; the inputs are not modified.
    """
    g = np.asarray(global_view, dtype=np.float64)
    loc = np.asarray(local_view, dtype=np.float64)
    if g.ndim != 2 or loc.ndim != 2 or g.shape[0] != loc.shape[0]:
        raise ExomesaError(
            f"augment_views expects global [B, G] and local [B, L] views with the same B; got {g.shape} and "
            f"{loc.shape}."
        )
    if max_shift_bins < 0 or noise_scale < 0 or scale_range[0] > scale_range[1]:
        raise ExomesaError(
            f"augment_views: max_shift_bins ({max_shift_bins}) and noise_scale ({noise_scale}) must be >= 0 and "
            f"scale_range {scale_range} must be (low, high) with low <= high."
        )
    batch, n_global = g.shape
    n_local = loc.shape[1]

    shift_g = rng.integers(-max_shift_bins, max_shift_bins + 1, size=(batch, 1))
    shift_l = rng.integers(-max_shift_bins, max_shift_bins + 1, size=(batch, 1))
    idx_g = (np.arange(n_global)[None, :] - shift_g) % n_global
    idx_l = np.clip(np.arange(n_local)[None, :] - shift_l, 0, n_local - 1)
    g = np.take_along_axis(g, idx_g, axis=1)
    loc = np.take_along_axis(loc, idx_l, axis=1)

    if noise_scale > 0:
        g = g + rng.standard_normal(g.shape) * noise_scale * np.maximum(_robust_std(g), 1e-6)
        loc = loc + rng.standard_normal(loc.shape) * noise_scale * np.maximum(_robust_std(loc), 1e-6)

    scale = rng.uniform(scale_range[0], scale_range[1], size=(batch, 1))
    return (g * scale).astype(np.float32), (loc * scale).astype(np.float32)
