"""Tests of the real-view suite (``exomesa benchmark --suite real``): data selection, the guard against the
view source standing in for the label, the run end to end on a tiny synthetic views file, RESULTS.md."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import pytest

from exomesa.benchmark.config import BenchmarkConfig
from exomesa.benchmark.real_methods import REAL_DEFAULT_METHODS
from exomesa.benchmark.suites import (
    compare_methods,
    pretraining_rows,
    run_real_benchmark,
    select_real_rows,
    source_label_association,
)
from exomesa.data import LABEL, load_catalog
from exomesa.errors import ExomesaError
from exomesa.jobs.benchmark import write_outputs
from exomesa.lightcurves import ViewSet, views_for_catalog

SHARED = Path(__file__).resolve().parents[2].parent / "shared"  # as in tests/conftest.py
ASTRONET = SHARED / "data" / "views" / "kepler_dr24_tce_views.npz"


@pytest.fixture(autouse=True)
def _drop_cli_log_handlers():
    yield
    logging.getLogger("exomesa").handlers.clear()


@pytest.fixture(scope="module")
def catalog():
    return load_catalog("dr25")


def _fake_real_views(catalog, n: int, seed: int = 0) -> ViewSet:
    """``n`` KOIs' rendered views with noise, marked real (provenance astronet), as an import would give."""
    rng = np.random.default_rng(seed)
    rows = catalog.iloc[np.sort(rng.choice(len(catalog), size=n, replace=False))].reset_index(drop=True)
    v = views_for_catalog(rows, None)
    return ViewSet(
        v.kepoi_name,
        v.global_view + rng.normal(0, 1e-4, v.global_view.shape),
        v.local_view + rng.normal(0, 1e-4, v.local_view.shape),
        np.full(n, "real"),
        np.full(n, "astronet"),
    )


def test_selection_keeps_only_real_rows_and_pretraining_excludes_their_stars(catalog):
    views = _fake_real_views(catalog, 50)
    rows, real_views, mask = select_real_rows(catalog, views)
    assert len(rows) == len(real_views) == mask.sum() == 50
    assert set(real_views.source) == {"real"} and list(real_views.kepoi_name) == list(rows["kepoi_name"])
    pre = pretraining_rows(catalog, mask)
    assert not set(pre["kepid"]) & set(rows["kepid"])
    assert len(pre) + catalog["kepid"].isin(rows["kepid"]).sum() == len(catalog)


def test_no_real_views_is_one_clear_error(catalog):
    v = views_for_catalog(catalog.iloc[:5], None)
    with pytest.raises(ExomesaError, match="no real view"):
        select_real_rows(catalog, v)


def test_source_alone_predicts_nothing_in_a_single_source_training_set():
    labels = ["CONFIRMED", "FALSE POSITIVE", "CANDIDATE", "CONFIRMED"]
    single = source_label_association(["real"] * 4, labels)
    assert single["single_source"] and single["roc_auc_real_confirmed_vs_fp"] is None
    # on a mixed set where real views are mostly CONFIRMED the source is a shortcut: the check says so
    mixed = source_label_association(
        ["real", "real", "rendered", "rendered"], ["CONFIRMED", "CONFIRMED", "FALSE POSITIVE", "CONFIRMED"]
    )
    assert mixed["roc_auc_real_confirmed_vs_fp"] == pytest.approx(
        2.5 / 3
    )  # 3 CONFIRMED x 1 FP pairs, one tie
    assert mixed["per_source"]["real"]["confirmed_fraction"] == 1.0


def test_compare_methods_marks_differences_inside_the_std():
    ref = [{"accuracy": 0.8, "macro_f1": 0.7, "roc_auc_confirmed_vs_fp": 0.9}] * 2
    other = [
        {"accuracy": 0.82, "macro_f1": 0.6, "roc_auc_confirmed_vs_fp": 0.9},
        {"accuracy": 0.78, "macro_f1": 0.6, "roc_auc_confirmed_vs_fp": 0.9},
    ]
    c = compare_methods({"ref": ref, "m": other}, "ref")["m"]
    assert c["accuracy"]["inside_std"] and c["accuracy"]["mean_diff"] == pytest.approx(0.0)
    assert not c["macro_f1"]["inside_std"] and c["macro_f1"]["mean_diff"] == pytest.approx(-0.1)


def test_real_suite_end_to_end_on_a_tiny_views_file(catalog, tmp_path):
    views = _fake_real_views(catalog, 90)
    cfg = BenchmarkConfig(
        suite="real",
        quick=True,
        n_kois=90,  # all 90 real rows; caps pretraining at 90 rendered KOIs
        n_estimators=10,
        folds=[0],
    )
    cfg.methods = [*REAL_DEFAULT_METHODS, "mesa_real_finetune_frozen"]
    res = run_real_benchmark(cfg, catalog=catalog, views=views, command="test")
    assert res["suite"] == "real" and res["dataset"]["n_kois"] == res["n_kois"] == 90
    assert res["dataset"]["views"].get("real") == 90 and not res["dataset"]["views"].get("rendered")
    assert list(res["methods"]) == cfg.methods
    assert list(REAL_DEFAULT_METHODS) == [
        "lgbm_tabular_full",
        "lgbm_view_pca_full",
        "tsfresh_lgbm_full",
        "mesa_rendered",
        "mesa_real",
        "mesa_lc_only",
    ]
    for name, m in res["methods"].items():
        (fold,) = m["folds"]
        assert fold["n_train"] + fold["n_test"] == 90 and 0 <= fold["accuracy"] <= 1, name
    assert res["methods"]["mesa_real"]["folds"][0]["extra"]["augment"] is True
    assert res["methods"]["mesa_rendered"]["folds"][0]["extra"]["augment"] is False
    assert res["methods"]["mesa_real_finetune_frozen"]["folds"][0]["extra"]["freeze_backbone"] is True
    assert res["dataset"]["pretrain_kois"] == 90 and res["source_check"]["pretraining"]["single_source"]
    assert set(res["comparisons"]) == set(cfg.methods) - {"lgbm_tabular_full"}
    _, md = write_outputs(res, tmp_path, suite="real")
    assert (tmp_path / "results_real.json").is_file() and not (tmp_path / "results.json").exists()
    text = md.read_text()
    assert "Real light curves" in text and "MESA light-curve tower only, real views" in text


def test_real_suite_rows_default_to_the_shipped_real_views(catalog):
    from exomesa.lightcurves import embedded_views

    rows, views, _ = select_real_rows(catalog, embedded_views())
    assert len(rows) == 4121 and set(views.source) == {"real"}


def test_real_suite_knows_its_methods(tmp_path):
    with pytest.raises(ExomesaError, match="unknown benchmark method"):
        BenchmarkConfig(suite="real", methods=["mesa_full"]).resolved()
    with pytest.raises(ExomesaError, match="unknown benchmark suite"):
        BenchmarkConfig(suite="nope").resolved()
    r = BenchmarkConfig(suite="real", lightcurves="v.npz").resolved()
    assert (r.epochs, r.finetune_epochs, r.pretrain_epochs) == (30, 10, 4)
    d = BenchmarkConfig().resolved()  # the default suite is unchanged
    assert d.epochs is None and d.pretrain_epochs is None and "mesa_real" not in d.methods


@pytest.mark.skipif(
    not ASTRONET.is_file(), reason=f"AstroNet views not found at {ASTRONET} (../shared absent)"
)
def test_real_suite_selects_969_kois_from_the_shared_astronet_file(catalog, tmp_path):
    from exomesa.lightcurves.astronet import import_astronet_views

    imported, _skipped = import_astronet_views(ASTRONET, catalog)
    rows, views, mask = select_real_rows(catalog, imported)
    assert len(rows) == 969 and set(views.provenance) == {"astronet"}
    # half the real-view KOIs are CONFIRMED against ~28 % overall: the source would be a shortcut if mixed
    assert (rows[LABEL] == "CONFIRMED").mean() > 0.45 > (catalog[LABEL] == "CONFIRMED").mean()
    assert not set(pretraining_rows(catalog, mask)["kepid"]) & set(rows["kepid"])
