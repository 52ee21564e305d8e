"""MESA: configuration, model, losses, batches, trainer, checkpoint and the :class:`MesaClassifier`.

Importing this package does not import torch; the classifier imports it when it is first used.
"""

from exomesa.mesa.classifier import MesaClassifier

__all__ = ["MesaClassifier"]
