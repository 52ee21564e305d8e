"""Pretrained MESA models shipped inside the package, and the automatic choice among them.

``exomesa predict --input table.csv`` without ``--model_path`` scores a table with the richest bundled model
whose feature columns the table has::

    from exomesa.bundled import choose_bundled, load_bundled
    choice = choose_bundled(catalog.columns)          # -> BundledChoice(entry=kepler_archive, missing=[])
    clf = load_bundled(choice.entry)                  # refuses a model built by another exomesa version

The registry :data:`BUNDLED_MODELS` is a list of :class:`BundledModel` entries (mission, feature preset, file
under ``exomesa/bundled_models/``); a TESS model is one more line once the TOI presets exist. The columns a
bundled model reads are the feature set it was trained on, as ``bundled_models/manifest.json`` records it
(:func:`bundled_feature_set`), not what its preset names today: a preset that grows (``full`` gained the
``ephemeris`` group) changes a bundled model's inputs only when the model is rebuilt. The files are
built by ``python scripts/build_bundled_models.py --force`` with the recipe :data:`BUNDLED_PARAMS` on the
training split of the embedded DR25 table (the default star-grouped split, seed 42), so the held-out stars
stay unseen; the checkpoint records the seeds, the data file's SHA-256, the package versions and the
held-out metrics (``bundled`` key). A bundled model is refused when the installed exomesa version differs from
the one that built it: **every version bump needs a rebuild** (the script, then commit the files).

The bundled models read the table only (``towers="physics"``): without real light curves, the light-curve
tower would read curves rendered from the very columns the physics tower reads, and rendering 9,500 curves
costs about 5 s. An entry may set ``towers="both"`` (scoring then renders curves). They hold no bank of
training embeddings (``--neighbors`` needs your own checkpoint), only the names of their training KOIs, so
scored rows that were training rows are marked (``in_training``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from exomesa._version import __version__
from exomesa.data.toi import ARCHIVE_COLUMNS
from exomesa.errors import ExomesaError
from exomesa.features import required_columns, resolve_feature_set
from exomesa.interface import TrainedModel
from exomesa.lightcurves.views import GLOBAL_BINS, LOCAL_BINS, ViewSet
from exomesa.mesa.onnx_scorer import OnnxMesaScorer, onnx_available

__all__ = [
    "BundledModel",
    "BundledChoice",
    "BUNDLED_MODELS",
    "BUNDLED_PARAMS",
    "REBUILD_COMMAND",
    "bundled_dir",
    "bundled_manifest",
    "bundled_feature_set",
    "bundled_columns",
    "choose_bundled",
    "usable_models",
    "would_work",
    "load_bundled",
    "onnx_file",
    "blank_views",
    "ARCHIVE_KOI_COLUMNS",
    "ARCHIVE_TOI_COLUMNS",
    "write_archive_table",
    "write_archive_toi_table",
]

logger = logging.getLogger(__name__)

#: The command that rebuilds every bundled model (named in the version-mismatch error).
REBUILD_COMMAND = "python scripts/build_bundled_models.py --force"


@dataclass(frozen=True)
class BundledModel:
    """One bundled model: ``name`` (e.g. ``kepler_archive``), ``mission`` (``kepler`` | ``tess``), the
    feature ``preset`` it reads (see :data:`exomesa.features.PRESETS`) and its ``file`` in the package."""

    name: str
    mission: str
    preset: str
    file: str
    data: str = "dr25"  # the embedded table it is trained on (see exomesa.data.load_catalog)
    towers: str = "physics"  # MESA towers; "both" renders light curves from the catalog (slower to score)


#: Every bundled model, poorest first within its mission. The TESS models are trained on the embedded ExoFOP
#: TOI table (``data="toi"``), split grouped by TIC.
BUNDLED_MODELS: list[BundledModel] = [
    # seed, physics only: 0.682 held-out accuracy vs 0.740 (5-fold) for the two-tower seed MESA, whose rendered
    # curve adds the duration and transit shape the 5 seed features lack. towers="both" + a rebuild is the
    # likely fix (not measured yet).
    BundledModel("kepler_seed", "kepler", "seed", "kepler_seed.pth"),
    BundledModel("kepler_archive", "kepler", "archive", "kepler_archive.pth"),
    BundledModel("kepler_full", "kepler", "full", "kepler_full.pth"),
    BundledModel("tess_archive", "tess", "toi_archive", "tess_archive.pth", data="toi"),
    BundledModel("tess_toi", "tess", "toi", "tess_toi.pth", data="toi"),
]

#: MesaClassifier parameters of every bundled model (``features`` and ``towers`` come from the entry). The
#: benchmark's ``mesa_archive`` method trains with the same recipe (physics tower only).
#: Everything else is MESA's default (FT-Transformer physics tower, batch 64, a deep ensemble of 2), recorded
#: in each checkpoint, so the files keep their recipe when the default changes.
BUNDLED_PARAMS: dict[str, Any] = {"towers": "physics", "seed": 42, "device": "cpu"}


def bundled_dir() -> Path:
    """The package folder holding the bundled checkpoints."""
    return Path(__file__).resolve().parent / "bundled_models"


@lru_cache(maxsize=1)
def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        raise ExomesaError(
            f"{path}: unreadable bundled-model manifest ({exc}); rebuild the bundled models with "
            f"`{REBUILD_COMMAND}`, or reinstall exomesa."
        ) from exc


def bundled_manifest() -> dict[str, Any]:
    """``bundled_models/manifest.json``: one build record per bundled model (``{}`` when absent)."""
    return _read_manifest(bundled_dir() / "manifest.json")


def bundled_feature_set(entry: BundledModel) -> dict[str, list[str]]:
    """The feature set ``{group: [columns]}`` ``entry``'s file was trained on: the manifest's ``feature_set``
    (written by the build), else what the entry's preset resolves to (a manifest of an earlier build)."""
    stored = (bundled_manifest().get(entry.name) or {}).get("feature_set")
    if stored:
        return {g: list(c) for g, c in stored.items()}
    return resolve_feature_set(entry.preset)


def bundled_columns(entry: BundledModel) -> list[str]:
    """The input columns ``entry``'s model reads (its stored feature set, derived features expanded)."""
    return required_columns(bundled_feature_set(entry))


@dataclass
class BundledChoice:
    """The result of :func:`choose_bundled`: the entry, the columns it needs that the table lacks (imputed
    with ``allow_missing``) and a one-line ``reason`` for the log and the output's sidecar JSON."""

    entry: BundledModel
    missing: list[str] = field(default_factory=list)
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": f"bundled:{self.entry.name}",
            "mission": self.entry.mission,
            "preset": self.entry.preset,
            "file": str(bundled_dir() / self.entry.file),
            "imputed_columns": list(self.missing),
            "reason": self.reason,
        }


def _names(cols: list[str], shown: int = 5) -> str:
    return ", ".join(cols[:shown]) + (f", ... ({len(cols)} in all)" if len(cols) > shown else "")


def usable_models(columns: Iterable[str]) -> list[BundledModel]:
    """Bundled models whose every column is in ``columns`` (poorest first)."""
    have = set(columns)
    return [e for e in BUNDLED_MODELS if all(c in have for c in bundled_columns(e))]


def choose_bundled(
    columns: Iterable[str],
    *,
    allow_missing: bool = False,
    source: str = "the input table",
    mission: str | None = None,
) -> BundledChoice:
    """The richest bundled model (most input columns) of ``mission`` that ``columns`` fully covers.

    With ``allow_missing`` and no fully covered model: the one with the most covered columns (ties: fewest
    missing), its missing columns to be imputed as training imputes missing values. ``mission`` (``kepler``
    | ``tess``, any case; None: any) keeps a Kepler-trained model off a TESS table whose columns were mapped
    onto the same canonical names.

    Raises:
        ExomesaError: no bundled model can score the table (one line: what each model lacks and what to do).
    """
    have = set(columns)
    models = [e for e in BUNDLED_MODELS if mission is None or e.mission == mission.lower()]
    if not models:
        raise ExomesaError(
            f"{source}: no bundled model for {mission} tables yet (bundled: "
            f"{', '.join(e.name for e in BUNDLED_MODELS)}); train one on your mission's catalog with "
            "`exomesa train` and pass --model_path."
        )
    needs = {e.name: bundled_columns(e) for e in models}
    missing = {e.name: [c for c in needs[e.name] if c not in have] for e in models}
    complete = [e for e in models if not missing[e.name]]
    if complete:
        best = max(complete, key=lambda e: len(needs[e.name]))
        richer = [e for e in models if len(needs[e.name]) > len(needs[best.name])]
        why = f"the richest bundled model whose {len(needs[best.name])} input columns the table has"
        if richer:
            why += "; " + "; ".join(
                f"{e.name} lacks {len(missing[e.name])} ({_names(missing[e.name], 3)})" for e in richer
            )
        return BundledChoice(best, [], why)
    covered = {n: len(needs[n]) - len(m) for n, m in missing.items()}
    if allow_missing and max(covered.values()) > 0:
        best = max(models, key=lambda e: (covered[e.name], -len(missing[e.name])))
        why = (
            f"no bundled model has all its columns; {best.name} has {covered[best.name]} of "
            f"{len(needs[best.name])} (--allow_missing imputes {_names(missing[best.name])})"
        )
        return BundledChoice(best, missing[best.name], why)
    lacks = "; ".join(f"{e.name} lacks {_names(missing[e.name])}" for e in models)
    hint = (
        "pass --allow_missing to impute the missing columns, "
        if max(covered.values()) > 0
        else "rename your columns to the archive's koi_* names (or the seed layout), "
    )
    raise ExomesaError(
        f"{source}: no bundled model can score this table: {lacks}. Give a NASA archive KOI export, "
        f"{hint}or pass --model_path with a model trained on your columns."
    )


def would_work(columns: Iterable[str]) -> str:
    """``"bundled model(s) kepler_seed (preset seed), ..."`` that fully cover ``columns``, or ``""``."""
    ok = usable_models(columns)
    if not ok:
        return ""
    return "bundled model(s) that would work with this table: " + ", ".join(
        f"{e.name} (preset {e.preset})" for e in ok
    )


def onnx_file(entry: BundledModel) -> Path:
    """The ONNX twin of a physics-only bundled checkpoint (same stem, ``.onnx``; see
    :mod:`exomesa.mesa.onnx_export`)."""
    return bundled_dir() / Path(entry.file).with_suffix(".onnx").name


def load_bundled(entry: BundledModel, device: str = "cpu", engine: str = "auto") -> TrainedModel:
    """Load a bundled model: its ONNX twin (:class:`~exomesa.mesa.onnx_scorer.OnnxMesaScorer`, no torch
    import: ~3-4 s less start-up) or the torch checkpoint (a fitted :class:`~exomesa.mesa.MesaClassifier`).

    ``engine``: ``"auto"`` (the twin when the entry is physics-only, the twin exists and onnxruntime imports;
    else torch), ``"onnx"`` or ``"torch"``. The engine used and the file read are kept in ``clf.engine_``
    and ``clf.bundled_file_``.

    Raises:
        ExomesaError: the file is absent (not built), or was built by another exomesa version.
    """
    path = bundled_dir() / entry.file
    twin = onnx_file(entry)
    if engine not in ("auto", "onnx", "torch"):
        raise ExomesaError(f"unknown scoring engine {engine!r}; choose auto, onnx or torch.")
    use_onnx = engine == "onnx"
    # a physics-only model is small: its ONNX twin on the CPU is the fast path unless a GPU is asked for
    if engine == "auto" and entry.towers == "physics" and twin.is_file() and device in ("auto", "cpu"):
        use_onnx = onnx_available()
        if not use_onnx:
            logger.info(
                "scoring with torch: onnxruntime is not installed (pip install onnxruntime starts faster)"
            )
    target = twin if use_onnx else path
    if not target.is_file():
        raise ExomesaError(
            f"bundled model {entry.name} ({target}) is not installed; rebuild the bundled models with "
            f"`{REBUILD_COMMAND}` from a source checkout, or pass --model_path."
        )
    if use_onnx:
        clf = OnnxMesaScorer.load(target)
    else:
        from exomesa.mesa.classifier import MesaClassifier  # imports torch

        clf = MesaClassifier.load(target, device=device)
    built = clf.version_built()
    if built != __version__:
        raise ExomesaError(
            f"bundled model {entry.name} ({target}) was built by exomesa {built}, but exomesa {__version__} is "
            f"installed; refusing to use it. Rebuild the bundled models with `{REBUILD_COMMAND}`, or pass "
            "--model_path with a model you trained."
        )
    if clf.features_read() != bundled_feature_set(entry):
        raise ExomesaError(
            f"bundled model {entry.name} ({target}) reads other columns than bundled_models/manifest.json "
            f"records for it; rebuild the bundled models with `{REBUILD_COMMAND}`, or reinstall exomesa."
        )
    clf.engine_ = "onnxruntime" if use_onnx else "torch"
    clf.bundled_file_ = target
    logger.debug("bundled %s scored with %s (%s)", entry.name, clf.engine_, target.name)
    return clf


def blank_views(names: Any) -> ViewSet:
    """All-zero (``"flat"``) views for KOIs ``names`` [N]: what a physics-only model is given instead of
    rendering light curves it never reads."""
    n = len(names)
    return ViewSet(
        candidate_id=np.asarray(names).astype(str),
        global_view=np.zeros((n, GLOBAL_BINS), np.float32),
        local_view=np.zeros((n, LOCAL_BINS), np.float32),
        source=np.full(n, "flat"),
    )


#: The 49 columns of the NASA Exoplanet Archive's default ``cumulative`` KOI export (``cumulative.csv``), in
#: its order; what the ``archive`` preset is made for.
ARCHIVE_KOI_COLUMNS: list[str] = [
    "kepid", "kepoi_name", "kepler_name", "koi_disposition", "koi_pdisposition", "koi_score",
    "koi_fpflag_nt", "koi_fpflag_ss", "koi_fpflag_co", "koi_fpflag_ec",
    *(f"{c}{s}" for c in ("koi_period", "koi_time0bk", "koi_impact", "koi_duration", "koi_depth",
                          "koi_prad", "koi_teq", "koi_insol") for s in ("", "_err1", "_err2")),
    "koi_model_snr", "koi_tce_plnt_num", "koi_tce_delivname",
    *(f"{c}{s}" for c in ("koi_steff", "koi_slogg", "koi_srad") for s in ("", "_err1", "_err2")),
    "ra", "dec", "koi_kepmag",
]  # fmt: skip


def write_archive_table(catalog: Any, path: str | Path) -> Path:
    """Write ``catalog`` (canonical KOI table) in the archive's default ``cumulative.csv`` layout: the
    :data:`ARCHIVE_KOI_COLUMNS` (empty where ``catalog`` lacks one) under ``#`` comment lines."""
    return _write_archive_layout(catalog.reindex(columns=ARCHIVE_KOI_COLUMNS), path, "the default export")


def _write_archive_layout(frame: Any, path: str | Path, layout: str) -> Path:
    """``frame`` as CSV under the archive's ``#`` comment header (one ``# COLUMN`` line per column)."""
    path = Path(path)
    header = "".join(f"# COLUMN {c}\n" for c in frame.columns)
    with path.open("w", encoding="utf-8") as fh:
        fh.write(f"# This file was produced by the NASA Exoplanet Archive (layout of {layout})\n#\n")
        fh.write(header + "#\n")
        frame.to_csv(fh, index=False)
    return path


#: The 27 columns of a NASA Exoplanet Archive TOI download in its default view (identifiers, TFOPWG
#: disposition, position and proper motion, the transit fit and the star), in the archive's names; the
#: ``toi_archive`` preset reads 11 of them. Reconstructed from the archive's column documentation; a real
#: download may differ in a non-feature column, which the loader does not need.
ARCHIVE_TOI_COLUMNS: list[str] = [
    "toi", "toipfx", "tid", "ctoi_alias", "pl_pnum", "tfopwg_disp", "rastr", "ra", "decstr", "dec",
    "st_pmra", "st_pmdec", "pl_tranmid", "pl_orbper", "pl_orbpererr1", "pl_trandurh", "pl_trandep",
    "pl_rade", "pl_insol", "pl_eqt", "st_tmag", "st_dist", "st_teff", "st_logg", "st_rad",
    "toi_created", "rowupdate",
]  # fmt: skip


def write_archive_toi_table(catalog: Any, path: str | Path) -> Path:
    """Write ``catalog`` (canonical TOI table, :func:`exomesa.data.load_toi`) in the archive's TOI layout:
    the :data:`ARCHIVE_TOI_COLUMNS` (empty where ``catalog`` lacks one) under ``#`` comment lines, the TFOPWG
    code (``PC``, ``CP``, ``KP``, ``FP``, ...) in ``tfopwg_disp``."""
    to_archive = {canonical: archive for archive, canonical in ARCHIVE_COLUMNS.items()}
    to_archive.update({"pm_ra_mas_yr": "st_pmra", "pm_dec_mas_yr": "st_pmdec"})
    frame = catalog.rename(columns=to_archive).reindex(columns=ARCHIVE_TOI_COLUMNS)
    frame["toipfx"] = frame["toi"].astype(float).astype(int)
    return _write_archive_layout(frame, path, "the TOI table")
