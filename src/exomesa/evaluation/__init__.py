"""The :class:`Classifier` protocol, metrics, the one evaluation runner and the scoring path.

The package import is lazy: ``exomesa.evaluation.scoring`` (what ``exomesa predict`` runs) must not import
scikit-learn's metrics, ~3 s of start-up on the 2-core machine.
"""

from __future__ import annotations

from typing import Any

__all__ = ["evaluate"]


def __getattr__(name: str) -> Any:
    if name == "evaluate":
        from exomesa.evaluation.metrics import evaluate

        return evaluate
    raise AttributeError(f"module 'exomesa.evaluation' has no attribute {name!r}")
