"""A row whose period, duration or depth is not positive is kept unscored, with its reason, on every scoring
path: the bundled ONNX twin, a MESA checkpoint that reads no light curve, a LightGBM baseline, streaming."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exomesa.cli import main
from exomesa.data import load_dr25
from exomesa.evaluation.scoring import nonphysical_reasons

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "archive_cumulative_sample.csv"
BUNDLED = Path(__file__).resolve().parents[2] / "src" / "exomesa" / "bundled_models"


def _bad_table(tmp_path: Path) -> Path:
    df = pd.read_csv(SAMPLE)
    assert len(df) == 7
    df.loc[1, "koi_period"] = -2.5
    df.loc[3, "koi_duration"] = 0.0
    df.loc[5, "koi_depth"] = -10.0
    path = tmp_path / "bad.csv"
    df.to_csv(path, index=False)
    return path


def _check(out: Path) -> None:
    res = pd.read_csv(out)
    assert res["scored"].tolist() == [True, False, True, False, True, False, True]
    # a model that reads light curves already finds no usable ephemeris; the others are told which value
    assert all("non-physical" in r for r in res.loc[[1, 3, 5], "reason"])
    assert res.loc[[1, 3, 5], "prob_confirmed"].isna().all()
    assert res.loc[[0, 2, 4, 6], "prob_confirmed"].notna().all()


def test_reasons_judge_given_values_only() -> None:
    df = pd.DataFrame({"koi_period": [1.0, -1.0, np.nan, 3.0], "koi_depth": [5.0, 5.0, 5.0, 0.0]})
    reasons = nonphysical_reasons(df)
    assert reasons[0] == "" and reasons[2] == ""  # missing is not judged here
    assert "period" in reasons[1] and "depth" in reasons[3]


def test_bundled_onnx_model(tmp_path: Path) -> None:
    out = tmp_path / "p.csv"
    assert main(["predict", "--input", str(_bad_table(tmp_path)), "--output", str(out)]) == 0
    _check(out)
    reasons = pd.read_csv(out)["reason"]
    assert "period <= 0" in reasons[1] and "duration <= 0" in reasons[3] and "depth <= 0" in reasons[5]


def test_physics_only_checkpoint(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    out = tmp_path / "p.csv"
    model = BUNDLED / "kepler_seed.pth"
    args = ["predict", "--model_path", str(model), "--input", str(_bad_table(tmp_path)), "--output", str(out)]
    assert main(args) == 0
    _check(out)


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from exomesa.baselines import TabularLightGBM

    clf = TabularLightGBM(features="seed", n_estimators=10, n_jobs=1).fit(load_dr25().iloc[:400])
    return clf.save(tmp_path_factory.mktemp("b") / "baseline_tabular.json")


def test_baseline_whole_and_streamed(baseline: Path, tmp_path: Path) -> None:
    table = _bad_table(tmp_path)
    for extra in ([], ["--chunk_size", "3"]):
        out = tmp_path / f"p{len(extra)}.csv"
        assert (
            main(
                [
                    "predict",
                    "--model_path",
                    str(baseline),
                    "--input",
                    str(table),
                    "--output",
                    str(out),
                    *extra,
                ]
            )
            == 0
        )
        _check(out)
