"""Feature groups, presets, derived features and the train-only preprocessor."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from exomesa.data import is_leaky, load_dr25
from exomesa.errors import ExomesaError
from exomesa.features import (
    COLUMN_INFO,
    DERIVED_FEATURES,
    FEATURE_GROUPS,
    PRESETS,
    TabularPreprocessor,
    add_derived_features,
    feature_columns,
    required_columns,
    resolve_feature_set,
)


def test_presets() -> None:
    seed = resolve_feature_set("seed")
    assert seed == {"planet": ["koi_period", "koi_depth", "koi_prad"], "stellar": ["koi_steff", "koi_srad"]}
    full = resolve_feature_set("full")
    assert list(full) == ["planet", "stellar", "diagnostics", "ephemeris"]


def test_full_preset_has_no_leaks_or_proxies() -> None:
    cols = required_columns(PRESETS["full"])
    assert not [c for c in cols if is_leaky(c)]
    # stellar-parameter uncertainties reveal spectroscopic follow-up: they must stay out
    assert not [
        c
        for c in cols
        if c.startswith(
            (
                "koi_steff_err",
                "koi_slogg_err",
                "koi_smet_err",
                "koi_srad_err",
                "koi_smass_err",
                "koi_prad_err",
            )
        )
    ]
    ids = {"kepid", "rowid", "ra", "dec", "koi_time0bk", "koi_fwm_sra", "koi_fwm_sdec"}
    assert not ids & set(feature_columns(PRESETS["full"]))
    # the epoch is read only to match ephemerides (the ephemeris group), never as a feature
    assert ids & set(cols) == {"koi_time0bk"}
    without = {g: c for g, c in PRESETS["full"].items() if g != "ephemeris"}
    assert not ids & set(required_columns(without))


def test_every_feature_is_documented() -> None:
    for col in feature_columns(FEATURE_GROUPS):
        assert col in COLUMN_INFO or col in DERIVED_FEATURES


def test_leaky_custom_set_refused() -> None:
    with pytest.raises(ExomesaError, match="koi_score"):
        resolve_feature_set({"planet": ["koi_period", "koi_score"]})
    with pytest.raises(ExomesaError, match="unknown feature preset"):
        resolve_feature_set("everything")


def test_derived_features_values() -> None:
    df = pd.DataFrame(
        {
            "koi_quarters": ["01110000000000000000000000000000"],
            "koi_dikco_msky": [3.0],
            "koi_dikco_msky_err": [0.0],  # division by zero -> missing, not inf
            "koi_depth": [10000.0],
            "koi_ror": [0.1],
        }
    )
    out = add_derived_features(df)
    assert out["n_quarters"].item() == 3
    assert np.isnan(out["dikco_msky_sig"].item())
    assert out["log_depth_ror_ratio"].item() == pytest.approx(0.0)


def test_preprocessor_fit_on_train_only_and_round_trip() -> None:
    df = load_dr25()
    train, test = df.iloc[:4000], df.iloc[4000:]
    pre = TabularPreprocessor("full").fit(train)
    arrays = pre.transform(test)
    assert {k: v.shape[1] for k, v in arrays.items()} == pre.output_dims
    assert all(v.dtype == np.float32 and v.shape[0] == len(test) for v in arrays.values())
    assert all(np.isfinite(v).all() and np.abs(v).max() <= 3.5 for v in arrays.values())
    # the training statistics, not the test ones, define the scaling
    refit = TabularPreprocessor("full").fit(test).transform(test)
    assert not np.allclose(refit["planet"], arrays["planet"])
    state = json.loads(json.dumps(pre.state_dict()))
    again = TabularPreprocessor.from_state_dict(state).transform(test)
    for k in arrays:
        np.testing.assert_array_equal(arrays[k], again[k])


def test_missing_values_get_indicator() -> None:
    df = pd.DataFrame(
        {
            "koi_period": [1.0, 2.0, 3.0, np.nan],
            "koi_depth": [10.0, 20.0, 30.0, 40.0],
            "koi_prad": [1.0, 2.0, 3.0, 4.0],
            "koi_steff": [5000.0, 5500, 6000, 6500],
            "koi_srad": [1.0, 1.1, 1.2, 1.3],
        }
    )
    arr = TabularPreprocessor("seed").fit(df).transform(df)["planet"]
    assert arr.shape == (4, 6)
    assert arr[3, 0] == 0.0 and arr[3, 3] == 1.0  # value zeroed, indicator set
    assert arr[:3, 3].sum() == 0
    assert arr[0, 1] < arr[1, 1] < arr[2, 1]  # monotone in the raw value


def test_missing_required_column_is_clear_error() -> None:
    df = pd.DataFrame({"koi_period": [1.0, 2.0]})
    with pytest.raises(ExomesaError, match=r"koi_depth.*--features seed"):
        TabularPreprocessor("seed").fit(df)


def test_docs_list_every_feature() -> None:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[1] / "docs" / "features.md").read_text()
    for col in feature_columns(FEATURE_GROUPS):
        assert f"`{col}`" in text
