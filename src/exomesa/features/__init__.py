"""Feature groups and presets, derived columns and the train-fitted :class:`TabularPreprocessor`."""

from exomesa.features.groups import (
    FEATURE_GROUPS,
    PRESETS,
    TabularPreprocessor,
    add_derived_features,
    feature_columns,
    required_columns,
    resolve_feature_set,
)

__all__ = [
    "FEATURE_GROUPS",
    "PRESETS",
    "TabularPreprocessor",
    "add_derived_features",
    "feature_columns",
    "required_columns",
    "resolve_feature_set",
]
