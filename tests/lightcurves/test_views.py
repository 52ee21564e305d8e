"""ViewSet container: save/load round trip, bad files, selection, concatenation."""

from __future__ import annotations

import numpy as np
import pytest

from exomesa.errors import ExomesaError
from exomesa.lightcurves import GLOBAL_BINS, LOCAL_BINS, ViewSet


def _views(n: int = 3) -> ViewSet:
    rng = np.random.default_rng(1)
    return ViewSet(
        kepoi_name=[f"K{i:05d}.01" for i in range(1, n + 1)],
        global_view=rng.normal(size=(n, GLOBAL_BINS)),
        local_view=rng.normal(size=(n, LOCAL_BINS)),
        source=["real", "rendered", "flat"][:n],
    )


def test_round_trip_without_pickle(tmp_path):
    views = _views()
    path = views.save(tmp_path / "views.npz")
    with np.load(path, allow_pickle=False) as data:
        assert data["candidate_id"].dtype.kind == "U" and data["source"].dtype.kind == "U"
    back = ViewSet.load(path)
    assert len(back) == 3
    np.testing.assert_array_equal(back.kepoi_name, views.kepoi_name)
    np.testing.assert_array_equal(back.global_view, views.global_view)
    np.testing.assert_array_equal(back.local_view, views.local_view)
    np.testing.assert_array_equal(back.source, views.source)
    assert back.global_view.dtype == np.float32


def test_views_file_of_an_earlier_version_loads(tmp_path):
    """Format 2 stored the names under ``kepoi_name``; they come back as ``candidate_id``."""
    views = _views()
    old = tmp_path / "old.npz"
    np.savez_compressed(
        old,
        kepoi_name=views.candidate_id,
        global_view=views.global_view,
        local_view=views.local_view,
        source=views.source,
        provenance=views.provenance,
        format_version=np.array(2, dtype=np.int64),
    )
    back = ViewSet.load(old)
    assert back.candidate_id.tolist() == views.candidate_id.tolist() == back.kepoi_name.tolist()
    assert (
        ViewSet(views.candidate_id, views.global_view, views.local_view, views.source).index_of()["K00002.01"]
        == 1
    )


def test_load_missing_file_names_it(tmp_path):
    with pytest.raises(ExomesaError, match="nope.npz"):
        ViewSet.load(tmp_path / "nope.npz")


def test_load_corrupt_file_names_it(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip file at all")
    with pytest.raises(ExomesaError, match="bad.npz"):
        ViewSet.load(bad)


def test_load_wrong_shape_and_missing_array(tmp_path):
    wrong = tmp_path / "wrong.npz"
    np.savez(
        wrong,
        kepoi_name=np.array(["a"]),
        global_view=np.zeros((1, 100)),
        local_view=np.zeros((1, 201)),
        source=np.array(["real"]),
    )
    with pytest.raises(ExomesaError, match=r"wrong\.npz.*expected \[N, 2001\]"):
        ViewSet.load(wrong)
    partial = tmp_path / "partial.npz"
    np.savez(partial, kepoi_name=np.array(["a"]))
    with pytest.raises(ExomesaError, match="partial.npz"):
        ViewSet.load(partial)


def test_constructor_validates():
    with pytest.raises(ExomesaError, match="source"):
        ViewSet(
            kepoi_name=["a"],
            global_view=np.zeros((1, GLOBAL_BINS)),
            local_view=np.zeros((1, LOCAL_BINS)),
            source=["simulated"],
        )
    with pytest.raises(ExomesaError, match="rows"):
        ViewSet(
            kepoi_name=["a", "b"],
            global_view=np.zeros((1, GLOBAL_BINS)),
            local_view=np.zeros((2, LOCAL_BINS)),
            source=["real", "real"],
        )


def test_select_concat_counts():
    views = _views()
    picked = views.select(["K00003.01", "K00001.01"])
    assert picked.kepoi_name.tolist() == ["K00003.01", "K00001.01"]
    np.testing.assert_array_equal(picked.local_view[1], views.local_view[0])
    with pytest.raises(ExomesaError, match="K00009.01"):
        views.select(["K00009.01"])
    both = ViewSet.concat([views, picked])
    assert len(both) == 5 and both.counts() == {"real": 2, "rendered": 1, "flat": 2}
    assert len(ViewSet.concat([])) == 0


def test_save_to_unwritable_path_names_it(tmp_path):
    a_file = tmp_path / "file.txt"
    a_file.write_text("mine")
    with pytest.raises(ExomesaError, match=r"cannot write the views file .*file\.txt"):
        _views().save(a_file / "views.npz")
    folder = tmp_path / "folder.npz"
    folder.mkdir()
    with pytest.raises(ExomesaError, match=r"folder\.npz"):
        _views().save(folder)
