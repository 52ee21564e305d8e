"""The :class:`Classifier` protocol, metrics, the one evaluation runner and the scoring path."""

from exomesa.evaluation.metrics import evaluate

__all__ = ["evaluate"]
