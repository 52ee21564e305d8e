"""Feature groups and presets, derived columns and the train-fitted :class:`TabularPreprocessor`."""

from exomesa.features.derived import add_derived_features
from exomesa.features.groups import (
    COLUMN_INFO,
    DERIVED_FEATURES,
    FEATURE_GROUPS,
    PRESET_NAMES,
    PRESETS,
    check_columns,
    feature_columns,
    required_columns,
    resolve_feature_set,
    richest_preset,
)
from exomesa.features.preprocessor import TabularPreprocessor

__all__ = [
    "COLUMN_INFO",
    "DERIVED_FEATURES",
    "FEATURE_GROUPS",
    "PRESETS",
    "PRESET_NAMES",
    "TabularPreprocessor",
    "check_columns",
    "add_derived_features",
    "feature_columns",
    "required_columns",
    "resolve_feature_set",
    "richest_preset",
]
