"""MESA: configuration, model, losses, batches, trainer, checkpoint and the :class:`MesaClassifier`.

Importing this package imports neither torch nor scikit-learn (``MesaClassifier`` is resolved lazily), so
that :mod:`exomesa.mesa.onnx_runtime` can score a bundled model without either.
"""

from __future__ import annotations

from typing import Any

__all__ = ["MesaClassifier"]


def __getattr__(name: str) -> Any:
    if name == "MesaClassifier":
        from exomesa.mesa.classifier import MesaClassifier

        return MesaClassifier
    raise AttributeError(f"module 'exomesa.mesa' has no attribute {name!r}")
