"""exomesa: vet Kepler Objects of Interest with MESA (Multimodal Exoplanet Semantic Alignment).

A Transformer light-curve encoder and MLP encoders for planet, stellar (and diagnostic) parameters are
aligned CLIP-style with a symmetric InfoNCE loss and trained jointly with a focal-loss classifier for
CONFIRMED / CANDIDATE / FALSE POSITIVE.
"""

from __future__ import annotations

from exomesa._version import __version__
from exomesa.errors import ExomesaError

__all__ = ["ExomesaError", "MesaClassifier", "TabularLightGBM", "TsfreshLightGBM", "__version__"]


def __getattr__(name: str):
    # Lazy: `import exomesa` stays light (no torch, scikit-learn or LightGBM) until an estimator is used.
    if name == "MesaClassifier":
        from exomesa.mesa.classifier import MesaClassifier

        return MesaClassifier
    if name in ("TabularLightGBM", "TsfreshLightGBM"):
        from exomesa import baselines

        return getattr(baselines, name)
    raise AttributeError(f"module 'exomesa' has no attribute {name!r}")
