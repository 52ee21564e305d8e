"""The earlier home of the command jobs, kept so that old imports work: they live in :mod:`exomesa.jobs`."""

from __future__ import annotations

from exomesa.jobs.baseline import train_baseline
from exomesa.jobs.data import prepare_data
from exomesa.jobs.run import run_pipeline
from exomesa.jobs.train import choose_features, read_config, train_mesa

__all__ = ["prepare_data", "read_config", "choose_features", "train_mesa", "train_baseline", "run_pipeline"]
