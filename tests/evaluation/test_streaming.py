"""Streaming predict: the same rows, in the same order, with the same scores as scoring the table at once."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from exomesa.baselines import TabularLightGBM
from exomesa.data import load_dr25
from exomesa.errors import ExomesaError
from exomesa.evaluation.scoring import score_candidates
from exomesa.evaluation.streaming import read_chunks, stream_predictions


@pytest.fixture(scope="module")
def model_and_table(tmp_path_factory):
    dr25 = load_dr25()
    clf = TabularLightGBM(features="seed", n_estimators=10, n_jobs=1).fit(dr25.iloc[:400])
    tmp = tmp_path_factory.mktemp("stream")
    model = clf.save(tmp / "baseline_tabular.json")
    table = dr25.iloc[400:1100].drop(columns=["koi_disposition"])
    path = tmp / "candidates.csv"
    table.to_csv(path, index=False)
    expected = score_candidates(clf, dr25.iloc[400:1100].reset_index(drop=True), None, view_cache=None)
    return model, path, expected


def _same(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert a["kepoi_name"].tolist() == b["kepoi_name"].tolist()
    for col in ("prob_confirmed", "prob_candidate", "prob_false_positive"):
        np.testing.assert_allclose(a[col].to_numpy(float), b[col].to_numpy(float), rtol=0, atol=1e-6)
    assert a["predicted"].fillna("").tolist() == b["predicted"].fillna("").tolist()


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_chunks_give_the_same_rows_in_the_same_order(model_and_table, tmp_path, suffix):
    model, path, expected = model_and_table
    out = tmp_path / f"scores{suffix}"
    summary = stream_predictions(model, path, out, chunk_size=256, progress=False)
    assert summary == {"rows": 700, "chunks": 3, "scored": int(expected["scored"].sum()), "output": str(out)}
    got = pd.read_parquet(out) if suffix == ".parquet" else pd.read_csv(out)
    _same(got, expected)


def test_parquet_input_and_refusal_to_overwrite(model_and_table, tmp_path):
    model, path, expected = model_and_table
    parquet_in = tmp_path / "in.parquet"
    pd.read_csv(path).to_parquet(parquet_in, index=False)
    assert sum(len(c) for c in read_chunks(parquet_in, 300)) == 700
    out = tmp_path / "s.csv"
    stream_predictions(model, parquet_in, out, chunk_size=300, progress=False)
    _same(pd.read_csv(out), expected)
    with pytest.raises(ExomesaError, match="already exists"):
        stream_predictions(model, parquet_in, out, progress=False)


def test_rows_without_names_are_numbered_across_chunks(model_and_table, tmp_path):
    model, path, _ = model_and_table
    raw = pd.read_csv(path).drop(columns=["kepoi_name", "candidate_id"], errors="ignore").head(10)
    seed_path = tmp_path / "unnamed.csv"
    raw.to_csv(seed_path, index=False)
    out = tmp_path / "s.csv"
    stream_predictions(model, seed_path, out, chunk_size=4, progress=False)
    names = [f"row-{i:06d}" for i in range(1, 11)]
    assert pd.read_csv(out)["kepoi_name"].tolist() == names == pd.read_csv(out)["candidate_id"].tolist()


def test_dask_cluster_gives_the_same_result(model_and_table, tmp_path):
    distributed = pytest.importorskip("distributed", reason="the distributed extra is not installed")
    model, path, expected = model_and_table
    with distributed.LocalCluster(n_workers=1, processes=False, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            out = tmp_path / "s.csv"
            stream_predictions(model, path, out, chunk_size=256, scheduler=client, progress=False)
    _same(pd.read_csv(out), expected)


def test_cli_streams_with_chunk_size(model_and_table, tmp_path):
    from exomesa.cli import main

    model, path, expected = model_and_table
    out = tmp_path / "cli.parquet"
    args = ["predict", "--model_path", str(model), "--input", str(path), "--output", str(out)]
    assert main([*args, "--chunk_size", "300"]) == 0
    _same(pd.read_parquet(out), expected)
    assert main([*args, "--chunk_size", "300", "--allow-missing", "--force"]) == 2  # one clear line
