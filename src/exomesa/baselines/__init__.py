"""LightGBM baselines (tabular, TSFresh + LightGBM) behind the same classifier protocol as MESA.

``tsfresh_features`` extracts (and caches) tsfresh features of the light-curve views; ``lightgbm`` holds the
two scikit-learn estimators and their JSON model files. The estimators are loaded on first use: importing
:mod:`exomesa.baselines.lightgbm` imports scikit-learn (~1.5 s), which ``exomesa --help`` need not pay.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "BASELINE_METHODS",
    "TSFRESH_PRESETS",
    "TabularLightGBM",
    "TsfreshLightGBM",
    "extract_lightcurve_features",
    "is_baseline_file",
    "load_baseline",
    "make_baseline",
]

#: Baseline method names (``exomesa baseline --method``, :func:`make_baseline`, ``baseline_<method>.json``).
#: Kept here as plain data so the CLI can list them without importing scikit-learn.
BASELINE_METHODS: tuple[str, ...] = ("tabular", "tsfresh")

_LAZY = {
    "TabularLightGBM": "exomesa.baselines.lightgbm",
    "TsfreshLightGBM": "exomesa.baselines.lightgbm",
    "is_baseline_file": "exomesa.baselines.model_file",
    "load_baseline": "exomesa.baselines.lightgbm",
    "make_baseline": "exomesa.baselines.lightgbm",
    "TSFRESH_PRESETS": "exomesa.baselines.tsfresh_features",
    "extract_lightcurve_features": "exomesa.baselines.tsfresh_features",
}


def __getattr__(name: str) -> Any:
    # Lazy: the estimators import scikit-learn; see the module docstring.
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'exomesa.baselines' has no attribute {name!r}")
