"""`exomesa run --input table.csv`: train with the richest preset the table supports, evaluate, score the
table, and mark the rows that were training rows."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from exomesa import ExomesaError
from exomesa.bundled import write_archive_table
from exomesa.data import load_dr25


@pytest.mark.slow
def test_run_with_input_scores_the_users_table(tmp_path: Path) -> None:
    from exomesa.cli import main

    dr25 = load_dr25().sample(400, random_state=1)
    source = write_archive_table(dr25, tmp_path / "source.csv")  # a small labelled catalog: fast
    user = dr25.head(30).copy()
    new = dr25.tail(5).copy()
    new["kepoi_name"] = [f"K9{i:04d}.01" for i in range(5)]
    table = write_archive_table(pd.concat([user, new]), tmp_path / "cumulative.csv")
    out = tmp_path / "run"
    args = ["run", "--out", str(out), "--source", str(source), "--input", str(table), "--epochs", "1"]
    assert main([*args, "--no_visualize", "--device", "cpu"]) == 0
    config = json.loads((out / "output" / "mesa_config.json").read_text())
    assert config["feature_set"]["stellar"] == ["koi_steff", "koi_slogg", "koi_srad", "koi_kepmag"]  # archive
    assert (out / "test_results" / "test_results.json").is_file()
    pred = pd.read_csv(out / "predictions.csv")
    assert len(pred) == 35 and pred["scored"].all()
    train_names = set(pd.read_csv(out / "data" / "train_data.csv")["kepoi_name"])
    assert pred["in_training"].tolist() == [n in train_names for n in pred["kepoi_name"]]
    assert not pred["in_training"].tail(5).any() and pred["in_training"].any()
    assert (
        json.loads((out / "predictions.model.json").read_text())["n_in_training"] == pred["in_training"].sum()
    )


def test_run_input_without_any_preset_columns_fails_first(tmp_path: Path) -> None:
    from exomesa.jobs.run import run_pipeline

    table = tmp_path / "t.csv"
    pd.DataFrame({"kepoi_name": ["K00001.01"], "koi_period": [3.0]}).to_csv(table, index=False)
    with pytest.raises(ExomesaError, match="has the columns of no feature preset.*seed lacks koi_depth"):
        run_pipeline(tmp_path / "run", input=table)
    assert not (tmp_path / "run").exists()
