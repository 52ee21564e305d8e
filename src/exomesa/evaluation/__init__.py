"""Metrics, scoring and vetting records of a trained model (:class:`exomesa.interface.TrainedModel`).

``evaluate`` is resolved on first use: ``exomesa.evaluation.scoring`` (what ``exomesa predict`` runs) must not
import scikit-learn's metrics, seconds of start-up.
"""

from __future__ import annotations

from typing import Any

__all__ = ["evaluate"]


def __getattr__(name: str) -> Any:
    if name == "evaluate":
        from exomesa.evaluation.metrics import evaluate

        return evaluate
    raise AttributeError(f"module 'exomesa.evaluation' has no attribute {name!r}")
