"""Bundled models and the `archive` preset: scoring the archive's default KOI export with no --model_path,
the automatic choice, --allow-missing, and the refusals (no usable column, version mismatch)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from exomesa import ExomesaError
from exomesa.bundled import (
    ARCHIVE_KOI_COLUMNS,
    BUNDLED_MODELS,
    REBUILD_COMMAND,
    bundled_dir,
    bundled_feature_set,
    choose_bundled,
    load_bundled,
    write_archive_table,
)
from exomesa.data import is_leaky, load_dr25
from exomesa.features import PRESETS, required_columns, resolve_feature_set, richest_preset

ARCHIVE = next(e for e in BUNDLED_MODELS if e.preset == "archive")
#: A physics-only MESA trained with ``features="full"`` before the ``ephemeris`` group joined ``full`` (tiny
#: sizes, 300 DR25 KOIs, one epoch; written by exomesa 0.1.0): it reads planet, stellar and diagnostics only.
OLD_FULL_CHECKPOINT = Path(__file__).parent / "data" / "mesa_full_before_ephemeris.pth"


@pytest.fixture(scope="module")
def dr25() -> pd.DataFrame:
    return load_dr25()


@pytest.fixture
def archive_csv(dr25: pd.DataFrame, tmp_path: Path) -> Path:
    """200 DR25 KOIs in the archive's 49-column default layout, `#` header lines included."""
    return write_archive_table(dr25.sample(200, random_state=0), tmp_path / "cumulative.csv")


def _needs_bundled(entry=ARCHIVE) -> None:
    if not (bundled_dir() / entry.file).is_file():
        pytest.fail(f"bundled model {entry.file} missing; run `{REBUILD_COMMAND}`")


def test_archive_preset_reads_only_default_export_columns() -> None:
    cols = required_columns(resolve_feature_set("archive"))
    assert len(ARCHIVE_KOI_COLUMNS) == 49
    assert set(cols) <= set(ARCHIVE_KOI_COLUMNS)
    assert not any(is_leaky(c) or c.endswith(("_err1", "_err2")) for c in cols)
    assert {"ra", "dec", "kepid", "koi_time0bk"}.isdisjoint(cols)
    assert len(cols) == 13
    assert richest_preset(ARCHIVE_KOI_COLUMNS) == "archive"
    assert richest_preset(required_columns(PRESETS["full"])) == "full"


def test_choice_is_the_richest_covered_model(dr25: pd.DataFrame) -> None:
    assert choose_bundled(ARCHIVE_KOI_COLUMNS).entry.name == "kepler_archive"
    assert choose_bundled(dr25.columns).entry.name == "kepler_full"
    seed_cols = required_columns(resolve_feature_set("seed"))
    choice = choose_bundled(seed_cols)
    assert choice.entry.name == "kepler_seed" and "kepler_archive lacks" in choice.reason
    # archive minus one column: only --allow-missing keeps the archive model (imputing that column)
    cols = [c for c in ARCHIVE_KOI_COLUMNS if c != "koi_kepmag"]
    assert choose_bundled(cols).entry.name == "kepler_seed"
    assert choose_bundled(cols[:12], allow_missing=True).missing  # seed incomplete: imputes


def test_no_usable_column_is_one_line_listing_what_is_missing() -> None:
    with pytest.raises(ExomesaError) as err:
        choose_bundled(["kepid", "kepoi_name", "ra", "dec"], source="mine.csv")
    msg = str(err.value)
    assert "\n" not in msg and msg.startswith("mine.csv: no bundled model")
    assert "kepler_seed lacks koi_period" in msg and "kepler_archive lacks" in msg


def test_predict_archive_table_without_model_path(archive_csv: Path, tmp_path: Path, dr25) -> None:
    _needs_bundled()
    from exomesa.cli import main

    out = tmp_path / "p.csv"
    assert main(["predict", "--input", str(archive_csv), "--output", str(out)]) == 0
    res = pd.read_csv(out)
    assert len(res) == 200 and res["scored"].all()
    assert (res["model"] == "bundled:kepler_archive").all()
    assert (res["lightcurve"] == "none").all() and (res["missing_features"] >= 0).all()
    np.testing.assert_allclose(
        res[["prob_confirmed", "prob_candidate", "prob_false_positive"]].sum(1), 1, atol=1e-5
    )
    sidecar = json.loads((tmp_path / "p.model.json").read_text())
    assert sidecar["model"] == "bundled:kepler_archive" and sidecar["preset"] == "archive"
    assert sidecar["imputed_columns"] == [] and "richest" in sidecar["reason"]
    # rows of the bundled model's training split are marked; the held-out ones are not
    train_names = set(load_bundled(ARCHIVE).reference_["candidate_id"])
    assert res["in_training"].tolist() == [n in train_names for n in res["kepoi_name"]]
    assert 0 < res["in_training"].sum() < 200
    # the scores beat chance clearly on these (mostly training) KOIs
    truth = dr25.set_index("kepoi_name").loc[res["kepoi_name"], "koi_disposition"].to_numpy()
    assert (res["predicted"].to_numpy() == truth).mean() > 0.6


def test_model_path_missing_columns_names_working_bundled_models_and_allow_missing(
    archive_csv: Path, tmp_path: Path, caplog
) -> None:
    _needs_bundled()
    from exomesa.jobs.predict import predict_table

    table = pd.read_csv(archive_csv, comment="#").drop(columns=["koi_kepmag"])
    path = tmp_path / "no_kepmag.csv"
    table.to_csv(path, index=False)
    model = bundled_dir() / ARCHIVE.file
    with pytest.raises(ExomesaError, match=r"koi_kepmag.*kepler_seed \(preset seed\).*--allow_missing"):
        predict_table(model, path, tmp_path / "a.csv")
    res = predict_table(model, path, tmp_path / "a.csv", allow_missing=True)
    assert res["scored"].all() and (res["missing_features"] >= 1).all()
    assert "imputed as missing values" in caplog.text
    assert json.loads((tmp_path / "a.model.json").read_text())["imputed_columns"] == ["koi_kepmag"]


def test_version_mismatch_is_refused_naming_the_rebuild_command(monkeypatch) -> None:
    _needs_bundled()
    import exomesa.bundled

    monkeypatch.setattr(exomesa.bundled, "__version__", "99.0.0")
    with pytest.raises(ExomesaError, match="built by exomesa .* but exomesa 99.0.0") as err:
        load_bundled(ARCHIVE)
    assert REBUILD_COMMAND in str(err.value)


def test_every_bundled_model_is_small_and_records_its_build() -> None:
    import torch

    for entry in BUNDLED_MODELS:
        path = bundled_dir() / entry.file
        _needs_bundled(entry)
        assert path.stat().st_size < 1_000_000, entry.file
        ckpt = torch.load(path, weights_only=True)
        rec = ckpt["bundled"]
        assert rec["preset"] == entry.preset and rec["split"]["seed"] == 42
        assert rec["versions"]["exomesa"] == ckpt["exomesa_version"]
        assert len(rec["data"]["sha256"]) == 64
        assert "physics" not in ckpt["reference"]  # no embedding bank: small files
        # the manifest records what the file reads, which the automatic choice uses (not the preset's today)
        assert bundled_feature_set(entry) == {g: list(c) for g, c in ckpt["feature_set"].items()}
    full = next(e for e in BUNDLED_MODELS if e.name == "kepler_full")
    assert bundled_feature_set(full) == resolve_feature_set("full") and "ephemeris" in bundled_feature_set(
        full
    )


def test_a_kepler_model_is_never_chosen_for_a_tess_table() -> None:
    cols = [*ARCHIVE_KOI_COLUMNS, "mission"]
    assert choose_bundled(cols, mission="Kepler").entry.name == "kepler_archive"
    with pytest.raises(ExomesaError, match="tois.csv: no bundled model can score") as err:
        choose_bundled(cols, mission="TESS", source="tois.csv")
    assert "tess_archive lacks" in str(err.value) and "kepler" not in str(err.value).split("lacks")[0]


def test_predict_archive_toi_table_without_model_path(tmp_path: Path) -> None:
    """The archive's TOI layout (27 columns, archive names, `#` header) scored with no --model_path."""
    from exomesa.bundled import ARCHIVE_TOI_COLUMNS, write_archive_toi_table
    from exomesa.cli import main
    from exomesa.data import load_toi

    entry = next(e for e in BUNDLED_MODELS if e.name == "tess_archive")
    _needs_bundled(entry)
    tois = load_toi(require_label=False).sample(200, random_state=0)
    table = write_archive_toi_table(tois, tmp_path / "TOI_archive.csv")
    header = [line for line in table.read_text().splitlines() if not line.startswith("#")][0]
    assert header.split(",") == ARCHIVE_TOI_COLUMNS and len(ARCHIVE_TOI_COLUMNS) == 27
    out = tmp_path / "p.csv"
    assert main(["predict", "--input", str(table), "--output", str(out)]) == 0
    res = pd.read_csv(out)
    assert len(res) == 200 and res["scored"].all()
    assert (res["model"] == "bundled:tess_archive").all()
    assert res["candidate_id"].tolist() == [f"TOI-{t:.2f}" for t in tois["toi"]]
    sidecar = json.loads((tmp_path / "p.model.json").read_text())
    assert sidecar["mission"] == "tess" and sidecar["preset"] == "toi_archive"
    # training TOIs are marked; the held-out ones (about a fifth of the stars) are not
    assert 0 < res["in_training"].sum() < 200
    truth = tois.set_index("candidate_id").loc[res["candidate_id"], "koi_disposition"].to_numpy()
    labelled = pd.notna(truth)
    assert (res["predicted"].to_numpy()[labelled] == truth[labelled]).mean() > 0.6


# ---------------------------------------------------------------- ONNX twins: scoring without torch
def test_onnx_twin_gives_the_torch_probabilities(dr25: pd.DataFrame) -> None:
    pytest.importorskip("onnxruntime", reason="onnxruntime not installed")
    from exomesa.bundled import blank_views, onnx_file
    from exomesa.data import load_toi

    samples = {"kepler": dr25.sample(300, random_state=1), "tess": load_toi().sample(300, random_state=1)}
    for entry in BUNDLED_MODELS:
        sample = samples[entry.mission].reset_index(drop=True)
        sample.loc[:10, "koi_depth"] = np.nan  # missing values take the same path in both engines
        assert onnx_file(entry).is_file(), f"{onnx_file(entry)} missing; run `{REBUILD_COMMAND}`"
        fast = load_bundled(entry, engine="onnx")
        ref = load_bundled(entry, engine="torch")
        assert fast.engine_ == "onnxruntime" and ref.engine_ == "torch"
        p_fast = fast.predict_proba(sample)
        p_ref = ref.predict_proba(sample, views=blank_views(sample["candidate_id"]))
        np.testing.assert_allclose(p_fast, p_ref, atol=1e-5)
        assert (fast.predict(sample) == ref.predict(sample, views=blank_views(sample["candidate_id"]))).all()
        assert list(fast.classes_) == list(ref.classes_)
        assert set(fast.reference_["candidate_id"]) == set(ref.reference_["candidate_id"])


def test_predict_with_a_bundled_model_does_not_import_torch(archive_csv: Path, tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime", reason="onnxruntime not installed")
    import subprocess
    import sys

    out = tmp_path / "p.csv"
    code = (
        "import sys; from exomesa.cli import main; rc = main(sys.argv[1:]); "
        "heavy = sorted(m for m in ('torch', 'sklearn', 'captum', 'matplotlib') if m in sys.modules); "
        "print('HEAVY', heavy); sys.exit(rc)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, "predict", "--input", str(archive_csv), "--output", str(out)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "HEAVY []" in run.stdout, run.stdout + run.stderr
    sidecar = json.loads((tmp_path / "p.model.json").read_text())
    assert sidecar["engine"] == "onnxruntime" and sidecar["file"].endswith("kepler_archive.onnx")


def test_unknown_engine_and_foreign_onnx_file_are_one_line_errors(tmp_path: Path) -> None:
    pytest.importorskip("onnxruntime", reason="onnxruntime not installed")
    from exomesa.mesa.onnx_scorer import OnnxMesaScorer

    with pytest.raises(ExomesaError, match="unknown scoring engine 'tf'"):
        load_bundled(ARCHIVE, engine="tf")
    junk = tmp_path / "junk.onnx"
    junk.write_bytes(b"not a model")
    with pytest.raises(ExomesaError, match="junk.onnx: not an exomesa ONNX model") as err:
        OnnxMesaScorer.load(junk)
    assert "\n" not in str(err.value)


def test_onnx_export_of_an_ft_ensemble_keeps_probabilities_and_spread(
    dr25: pd.DataFrame, tmp_path: Path
) -> None:
    """A physics-only FT-Transformer ensemble of 2: twin = torch, for a batch size other than the export's."""
    pytest.importorskip("onnx", reason="onnx (dev extra) not installed")
    pytest.importorskip("onnxruntime", reason="onnxruntime not installed")
    from exomesa.bundled import blank_views
    from exomesa.mesa.classifier import MesaClassifier
    from exomesa.mesa.onnx_export import export_physics_onnx
    from exomesa.mesa.onnx_scorer import OnnxMesaScorer

    df = dr25.sample(300, random_state=2).reset_index(drop=True)
    clf = MesaClassifier.from_settings(
        features="archive", towers="physics", phys_encoder="ft", ensemble=2, epochs=1, batch_size=64, seed=0
    ).fit(df)
    twin = OnnxMesaScorer.load(export_physics_onnx(clf, tmp_path / "m.onnx"))
    ref = clf.outputs(df, views=blank_views(df["kepoi_name"]))
    out = twin.outputs(df)
    np.testing.assert_allclose(out["proba"], ref["proba"], atol=1e-5)
    np.testing.assert_allclose(out["proba_std"], ref["proba_std"], atol=1e-5)
    with pytest.raises(ExomesaError, match="only a physics-only MESA"):
        export_physics_onnx(
            MesaClassifier.from_settings(epochs=1, seed=0).fit(df.head(120)), tmp_path / "x.onnx"
        )


# ---------------------------------------------------------------- models trained before `full` had `ephemeris`
def _without_epoch(dr25: pd.DataFrame, n: int = 60) -> pd.DataFrame:
    """``n`` DR25 KOIs without the epoch column, which the ``ephemeris`` group of today's ``full`` reads."""
    return dr25.sample(n, random_state=3).drop(columns=["koi_time0bk"]).reset_index(drop=True)


def test_a_full_checkpoint_from_before_the_ephemeris_group_scores_with_its_own_columns(
    dr25: pd.DataFrame, tmp_path: Path
) -> None:
    from exomesa.cli import main
    from exomesa.mesa.classifier import MesaClassifier

    old = MesaClassifier.load(OLD_FULL_CHECKPOINT)
    today = resolve_feature_set("full")
    assert old.settings_record()["features"] == "full" and "ephemeris" in today
    assert old.features_read() == {g: c for g, c in today.items() if g != "ephemeris"}
    table = _without_epoch(dr25)
    src, out = tmp_path / "kois.csv", tmp_path / "p.csv"
    table.to_csv(src, index=False)
    argv = ["predict", "--model_path", str(OLD_FULL_CHECKPOINT), "--input", str(src), "--output", str(out)]
    assert main(argv) == 0
    res = pd.read_csv(out)
    assert res["scored"].all()
    assert json.loads((tmp_path / "p.model.json").read_text())["imputed_columns"] == []
    cols = ["prob_confirmed", "prob_candidate", "prob_false_positive"]
    from exomesa.bundled import blank_views

    expected = old.predict_proba(table, views=blank_views(table["candidate_id"]))
    np.testing.assert_allclose(res[cols].to_numpy(), expected, atol=1e-6)


def test_an_old_bundled_full_model_keeps_its_columns_until_rebuilt(
    dr25: pd.DataFrame, tmp_path: Path, monkeypatch
) -> None:
    """A bundled folder built before the change (the manifest records the file's feature set): the automatic
    choice asks for the columns the file reads, its ONNX twin scores like torch; a manifest that disagrees with
    the file is refused naming the rebuild command."""
    pytest.importorskip("onnx", reason="onnx (dev extra) not installed")
    pytest.importorskip("onnxruntime", reason="onnxruntime not installed")
    import shutil

    import exomesa.bundled
    from exomesa.bundled import blank_views
    from exomesa.mesa.classifier import MesaClassifier
    from exomesa.mesa.onnx_export import export_physics_onnx

    entry = next(e for e in BUNDLED_MODELS if e.name == "kepler_full")
    folder = tmp_path / "bundled_models"
    folder.mkdir()
    shutil.copy(OLD_FULL_CHECKPOINT, folder / entry.file)
    old = MesaClassifier.load(folder / entry.file)
    export_physics_onnx(old, folder / Path(entry.file).with_suffix(".onnx").name)
    manifest = json.loads((bundled_dir() / "manifest.json").read_text())
    manifest[entry.name] = {**manifest[entry.name], "feature_set": old.features_read()}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    monkeypatch.setattr(exomesa.bundled, "bundled_dir", lambda: folder)
    monkeypatch.setattr(exomesa.bundled, "__version__", old.version_built())

    table = _without_epoch(dr25)
    assert choose_bundled(table.columns).entry.name == "kepler_full"  # no epoch needed by the old file
    fast, ref = load_bundled(entry, engine="onnx"), load_bundled(entry, engine="torch")
    np.testing.assert_allclose(
        fast.predict_proba(table),
        ref.predict_proba(table, views=blank_views(table["candidate_id"])),
        atol=1e-5,
    )
    # a manifest of today's preset next to the old file: refused, one line naming the rebuild
    manifest[entry.name]["feature_set"] = resolve_feature_set("full")
    (tmp_path / "stale").mkdir()
    for f in folder.iterdir():
        shutil.copy(f, tmp_path / "stale" / f.name)
    (tmp_path / "stale" / "manifest.json").write_text(json.dumps(manifest))
    monkeypatch.setattr(exomesa.bundled, "bundled_dir", lambda: tmp_path / "stale")
    with pytest.raises(ExomesaError, match="reads other columns than bundled_models/manifest.json") as err:
        load_bundled(entry, engine="onnx")
    assert REBUILD_COMMAND in str(err.value) and "\n" not in str(err.value)


def test_predict_a_full_table_scores_ephemeris_with_the_onnx_twin_without_torch(
    dr25: pd.DataFrame, tmp_path: Path
) -> None:
    """A table with every ``full`` column gets kepler_full, whose ``ephemeris`` group is computed in numpy."""
    pytest.importorskip("onnxruntime", reason="onnxruntime not installed")
    import subprocess
    import sys

    entry = next(e for e in BUNDLED_MODELS if e.name == "kepler_full")
    _needs_bundled(entry)
    src, out = tmp_path / "kois.csv", tmp_path / "p.csv"
    dr25.sample(100, random_state=4).to_csv(src, index=False)
    code = (
        "import sys; from exomesa.cli import main; rc = main(sys.argv[1:]); "
        "heavy = sorted(m for m in ('torch', 'sklearn') if m in sys.modules); print('HEAVY', heavy); sys.exit(rc)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, "predict", "--input", str(src), "--output", str(out)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "HEAVY []" in run.stdout, run.stdout + run.stderr
    sidecar = json.loads((tmp_path / "p.model.json").read_text())
    assert sidecar["model"] == "bundled:kepler_full" and sidecar["engine"] == "onnxruntime"
    assert pd.read_csv(out)["scored"].all()


def test_streaming_a_full_table_in_chunks_gives_the_whole_table_scores(
    dr25: pd.DataFrame, tmp_path: Path
) -> None:
    """The ephemeris group matches each chunk in the context of the whole embedded catalog: chunking changes
    no score of a catalog KOI."""
    from exomesa.evaluation.streaming import stream_predictions
    from exomesa.jobs.predict import predict_table

    entry = next(e for e in BUNDLED_MODELS if e.name == "kepler_full")
    _needs_bundled(entry)
    src = tmp_path / "kois.csv"
    dr25.sample(300, random_state=5).to_csv(src, index=False)
    model = bundled_dir() / entry.file
    whole = predict_table(model, src, tmp_path / "whole.csv")
    stream_predictions(model, src, tmp_path / "chunks.csv", chunk_size=70, progress=False)
    chunks = pd.read_csv(tmp_path / "chunks.csv")
    cols = ["prob_confirmed", "prob_candidate", "prob_false_positive"]
    assert chunks["candidate_id"].tolist() == whole["candidate_id"].tolist()
    np.testing.assert_allclose(chunks[cols].to_numpy(), whole[cols].to_numpy(), atol=1e-6)
