"""LightGBM baselines (tabular, TSFresh + LightGBM) behind the same classifier protocol as MESA."""
