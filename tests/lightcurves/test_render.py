"""Rendered (batman) views: shape, physics, determinism, fallbacks, label independence."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd
import pytest

from exomesa.errors import ExomesaError
from exomesa.lightcurves import GLOBAL_BINS, LOCAL_BINS, ViewSet, render_views, views_for_catalog
from exomesa.lightcurves.render import koi_seed, render_params


def _catalog(**overrides) -> pd.DataFrame:
    """Three KOIs in canonical DR25 columns (KOI-2-like, a small planet, a grazing eclipse) plus labels."""
    base = {
        "kepoi_name": ["K00002.01", "K00100.01", "K00200.01"],
        "kepid": [10666592, 4055765, 6046540],
        "koi_disposition": ["CONFIRMED", "CANDIDATE", "FALSE POSITIVE"],
        "koi_score": [1.0, 0.5, 0.0],
        "koi_period": [2.204735, 9.96, 7.3],
        "koi_time0bk": [121.3585, 140.0, 135.0],
        "koi_duration": [3.88864, 4.5, 3.0],
        "koi_depth": [6674.7, 800.0, 20000.0],
        "koi_impact": [0.224, 0.3, 1.05],
        "koi_ror": [0.075522, 0.027, 0.3],
        "koi_dor": [4.602, 17.0, 15.0],
        "koi_ldm_coeff1": [0.2958, 0.45, 0.4],
        "koi_ldm_coeff2": [0.3168, 0.23, 0.25],
        "koi_model_snr": [5945.9, 40.0, 500.0],
        "koi_num_transits": [611, 130, 180],
    }
    base.update(overrides)
    return pd.DataFrame(base)


def _one(**params) -> pd.DataFrame:
    return _catalog(**{k: [v] * 3 for k, v in params.items()}).iloc[[0]].reset_index(drop=True)


def test_shapes_dtype_and_normalisation():
    views = render_views(_catalog())
    assert isinstance(views, ViewSet) and len(views) == 3
    assert views.global_view.shape == (3, GLOBAL_BINS) and views.global_view.dtype == np.float32
    assert views.local_view.shape == (3, LOCAL_BINS) and views.local_view.dtype == np.float32
    assert np.isfinite(views.global_view).all() and np.isfinite(views.local_view).all()
    assert list(views.source) == ["rendered"] * 3
    # KOI-2 (6675 ppm): relative flux − 1, bottom near −0.0067 at the centre bin, edges at 0.
    local = views.local_view[0]
    assert abs(local[LOCAL_BINS // 2] + 0.0067) < 0.0004
    assert abs(np.median(local[:30])) < 5e-5
    assert np.argmin(views.global_view[0]) in range(GLOBAL_BINS // 2 - 25, GLOBAL_BINS // 2 + 26)


def test_deeper_planet_gives_deeper_view():
    shallow = render_views(_one(koi_ror=0.02, koi_depth=450.0, koi_impact=0.2), noise=False)
    deep = render_views(_one(koi_ror=0.08, koi_depth=7000.0, koi_impact=0.2), noise=False)
    assert deep.local_view.min() < 3 * shallow.local_view.min() < 0


def _flat_bottom_fraction(view: np.ndarray) -> float:
    """Fraction of in-transit bins within 10 % of the deepest point."""
    depth = -view.min()
    in_transit = view < -0.02 * depth
    return float(np.sum(view < -0.9 * depth) / np.sum(in_transit))


def test_grazing_transit_is_v_shaped():
    central = render_views(_one(koi_ror=0.1, koi_impact=0.1, koi_dor=np.nan), noise=False).local_view[0]
    grazing = render_views(_one(koi_ror=0.1, koi_impact=1.0, koi_dor=np.nan), noise=False).local_view[0]
    assert _flat_bottom_fraction(central) > 0.5
    assert _flat_bottom_fraction(grazing) < 0.3
    assert _flat_bottom_fraction(grazing) < 0.6 * _flat_bottom_fraction(central)
    assert grazing.min() > central.min()  # a grazing transit also blocks less light


def test_never_reads_labels():
    cat = _catalog()
    reference = render_views(cat)
    shuffled = cat.copy()
    shuffled["koi_disposition"] = ["FALSE POSITIVE", "CONFIRMED", "CANDIDATE"]
    shuffled["koi_score"] = [0.0, 0.1, 0.9]
    dropped = cat.drop(columns=["koi_disposition", "koi_score"])
    for other in (render_views(shuffled), render_views(dropped)):
        np.testing.assert_array_equal(other.global_view, reference.global_view)
        np.testing.assert_array_equal(other.local_view, reference.local_view)


def test_deterministic_per_name_and_independent_of_row_order():
    cat = _catalog()
    a = render_views(cat)
    b = render_views(cat.iloc[::-1].reset_index(drop=True))
    np.testing.assert_array_equal(a.local_view, b.local_view[::-1])
    np.testing.assert_array_equal(a.global_view, b.global_view[::-1])
    assert koi_seed("K00002.01") == koi_seed("K00002.01") != koi_seed("K00002.02")
    renamed = render_views(cat.assign(kepoi_name=["X1", "X2", "X3"]))
    assert not np.array_equal(renamed.local_view, a.local_view)  # the noise follows the name


def test_seed_only_columns_fall_back():
    seed = pd.DataFrame(
        {
            "kepoi_name": ["row-000001", "row-000002"],
            "koi_period": [2.2047, 30.0],
            "koi_depth": [6674.7, 300.0],
            "koi_duration": [3.889, 6.0],
        }
    )
    views = render_views(seed, noise=False)
    assert np.isfinite(views.local_view).all() and list(views.source) == ["rendered"] * 2
    # ror from depth with the limb-darkening contrast: the rendered depth matches the catalog depth.
    assert views.local_view[0].min() == pytest.approx(-6674.7e-6, rel=0.08)
    assert views.local_view[1].min() == pytest.approx(-300e-6, rel=0.08)
    # a/R* from the duration geometry: the transit's full width at half depth is about one duration
    # (a quarter of the local view's 201 bins).
    half_depth_width = np.sum(views.local_view[0] < 0.5 * views.local_view[0].min())
    assert LOCAL_BINS / 4 - 8 <= half_depth_width <= LOCAL_BINS / 4 + 6
    params = render_params(seed)
    assert params["u1"].tolist() == [0.40, 0.40] and params["b"].tolist() == [0.5, 0.5]


def test_nan_cells_fall_back():
    cat = _catalog(
        koi_impact=[np.nan] * 3,
        koi_ror=[np.nan] * 3,
        koi_dor=[np.nan] * 3,
        koi_ldm_coeff1=[np.nan] * 3,
        koi_model_snr=[np.nan] * 3,
        koi_num_transits=[np.nan] * 3,
    )
    views = render_views(cat)
    assert np.isfinite(views.global_view).all() and np.isfinite(views.local_view).all()
    assert views.local_view[0].min() < -0.005


def test_bad_ephemeris_gives_flat_view_and_warning(caplog):
    cat = _catalog(koi_period=[2.2, -1.0, np.nan], koi_duration=[3.9, 3.0, 3.0])
    cat.loc[0, "koi_duration"] = 24 * 3.0  # duration longer than the period
    with caplog.at_level(logging.WARNING, logger="exomesa"):
        views = render_views(cat)
    assert list(views.source) == ["flat"] * 3
    assert not views.global_view.any() and not views.local_view.any()
    assert "K00002.01" in caplog.text and "K00100.01" in caplog.text and "K00200.01" in caplog.text


def test_missing_name_column_is_an_error():
    with pytest.raises(ExomesaError, match="candidate_id"):
        render_views(_catalog().drop(columns=["kepoi_name"]))


def test_views_for_catalog_aligns_real_and_rendered():
    cat = _catalog()
    real = ViewSet(
        kepoi_name=["K00200.01", "K99999.01"],
        global_view=np.full((2, GLOBAL_BINS), -0.5, np.float32),
        local_view=np.full((2, LOCAL_BINS), -0.5, np.float32),
        source=["real", "real"],
    )
    out = views_for_catalog(cat, real)
    assert out.kepoi_name.tolist() == cat["kepoi_name"].tolist()
    assert out.source.tolist() == ["rendered", "rendered", "real"]
    assert np.all(out.local_view[2] == -0.5)
    np.testing.assert_array_equal(out.local_view[:2], render_views(cat.iloc[:2]).local_view)
    assert views_for_catalog(cat, None).source.tolist() == ["rendered"] * 3


def test_render_cache_returns_identical_views_and_keys_on_the_parameters(tmp_path, monkeypatch):
    from exomesa.lightcurves import render as render_module

    cat = _catalog()
    first = render_views(cat, cache_dir=tmp_path)
    files = list(tmp_path.glob("rendered-*.npz"))
    assert len(files) == 1

    def no_rendering(*args, **kwargs):
        raise AssertionError("the cached views should have been read back")

    monkeypatch.setattr(render_module, "_render", no_rendering)
    again = render_views(cat, cache_dir=tmp_path)
    np.testing.assert_array_equal(again.global_view, first.global_view)
    np.testing.assert_array_equal(again.local_view, first.local_view)
    assert list(again.kepoi_name) == list(first.kepoi_name)
    assert list(again.source) == list(first.source)

    # A changed catalog value is another cache entry (rendered, not read back).
    with pytest.raises(AssertionError, match="should have been read back"):
        render_views(_catalog(koi_depth=[6000.0, 800.0, 20000.0]), cache_dir=tmp_path)


def test_render_cache_is_optional_and_survives_an_unwritable_folder(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    views = render_views(_catalog(), cache_dir=blocker / "views")  # cannot be created: still renders
    assert np.all(np.isfinite(views.global_view))
    none = views_for_catalog(_catalog(), cache_dir=None)
    np.testing.assert_array_equal(none.global_view, views.global_view)
