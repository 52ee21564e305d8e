"""ViewSet provenance: defaults from the source, save/load round trip, files written before it existed."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exomesa.errors import ExomesaError
from exomesa.lightcurves import views_for_catalog
from exomesa.lightcurves.views import GLOBAL_BINS, LOCAL_BINS, ViewSet


def _views(sources, provenance=None) -> ViewSet:
    n = len(sources)
    return ViewSet(
        kepoi_name=[f"K{i:05d}.01" for i in range(1, n + 1)],
        global_view=np.full((n, GLOBAL_BINS), -1e-4, np.float32),
        local_view=np.full((n, LOCAL_BINS), -1e-4, np.float32),
        source=sources,
        provenance=provenance,
    )


def test_default_provenance_follows_the_source():
    views = _views(["real", "rendered", "flat"])
    assert views.provenance.tolist() == ["fits", "rendered", "flat"]
    assert views.provenance_counts() == {
        "fits": 1,
        "astronet": 0,
        "astronet_cut": 0,
        "rendered": 1,
        "flat": 1,
    }
    assert views.local_half_widths().tolist() == [2.0, 2.0, 2.0]


def test_round_trip_and_bookkeeping_keep_provenance(tmp_path):
    views = _views(["real", "real", "rendered"], ["astronet", "fits", "rendered"])
    loaded = ViewSet.load(views.save(tmp_path / "v.npz"))
    assert loaded.provenance.tolist() == ["astronet", "fits", "rendered"]
    np.testing.assert_array_equal(loaded.local_view, views.local_view)
    assert loaded.select(["K00003.01", "K00001.01"]).provenance.tolist() == ["rendered", "astronet"]
    assert ViewSet.concat([loaded, loaded.take([0])]).provenance.tolist()[-1] == "astronet"
    assert ViewSet.empty().provenance.shape == (0,)


def test_files_without_provenance_load_with_the_default(tmp_path):
    old = tmp_path / "old.npz"  # format version 1: no provenance array
    views = _views(["real", "rendered"])
    np.savez_compressed(
        old,
        kepoi_name=views.kepoi_name,
        global_view=views.global_view,
        local_view=views.local_view,
        source=views.source,
        format_version=np.array(1),
    )
    assert ViewSet.load(old).provenance.tolist() == ["fits", "rendered"]


def test_bad_provenance_is_an_error():
    with pytest.raises(ExomesaError, match="unknown provenance value"):
        _views(["real"], ["tess-spoc"])
    with pytest.raises(ExomesaError, match="does not fit the source .*K00001.01 \\(rendered/astronet\\)"):
        _views(["rendered"], ["astronet"])
    with pytest.raises(ExomesaError, match="provenance has 2 entries"):
        _views(["real"], ["fits", "fits"])


def test_views_for_catalog_keeps_the_provenance_of_given_views():
    catalog = pd.DataFrame(
        {
            "kepoi_name": ["K00002.01", "K00001.01"],
            "koi_period": [3.0, 5.0],
            "koi_duration": [2.0, 3.0],
            "koi_depth": [500.0, 800.0],
        }
    )
    given = _views(["real"], ["astronet"])
    out = views_for_catalog(catalog, given, cache_dir=None)
    assert out.source.tolist() == ["rendered", "real"] and out.provenance.tolist() == ["rendered", "astronet"]
