"""``exomesa vet``: pick candidates, get their light curves, score, explain, write the pages.

    from exomesa.jobs.vet import vet_candidates
    vet_candidates("runs/demo/output/mesa_model.pth", "vet/", kois=["K00752.01", "K00002.01"])

Every check that can fail on user input (the output folder, the model, the candidates, the FITS files) runs
before anything is written, so a bad call leaves no partial folder behind.
"""

from __future__ import annotations

import datetime as _dt
import json
import logging
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from exomesa import sources
from exomesa._version import __version__
from exomesa.data import load_catalog, load_dr25
from exomesa.data.schema import candidate_column, star_column
from exomesa.defaults import CONFIG_FILE, cache_dir
from exomesa.errors import ExomesaError
from exomesa.evaluation.protocol import check_feature_columns, load_model
from exomesa.evaluation.vet_inputs import real_curves, select_candidates
from exomesa.evaluation.vetting import record_summary, vet_records
from exomesa.interface import TrainedModel
from exomesa.lightcurves import ViewSet
from exomesa.lightcurves.download import download_lightcurves
from exomesa.lightcurves.files import find_fits_files
from exomesa.lightcurves.preprocess import build_views
from exomesa.reporting.vetting import render_index, render_sheet, sheet_file, with_meta_defaults
from exomesa.utils import file_sha256, to_jsonable

#: Machine-readable summary written next to the pages.
VET_JSON = "vet.json"

__all__ = ["vet_candidates", "write_vet_pages", "model_meta", "record_summary", "VET_JSON"]

logger = logging.getLogger(__name__)


def model_meta(clf: TrainedModel, model_path: Path) -> dict[str, Any]:
    """Provenance of the model for the sheets: file, SHA-256, kind, writing version, training data."""
    ref = clf.training_reference()
    n = len(ref.get("candidate_id", []))
    n_train = clf.n_training_rows()
    labels = np.asarray(ref.get("disposition", []))
    labelled = "labelled " if n and labels.size == n else ""
    training = f"{n:,} {labelled}rows" if n else f"{'unknown' if n_train is None else n_train} rows"
    config = model_path.parent / CONFIG_FILE
    if config.is_file():
        try:
            data = json.loads(config.read_text())
            src = data.get("data_path") or data.get("data", {}).get("data_path")
            if src:
                training += f" from {src}"
        except (OSError, ValueError, AttributeError):
            pass
    if labelled:
        labels, counts = np.unique(labels, return_counts=True)
        training += " (" + ", ".join(f"{lab}: {c:,}" for lab, c in zip(labels, counts, strict=True)) + ")"
    return {
        "model_name": model_path.name,
        "model_path": str(model_path),
        "model_sha256": file_sha256(model_path),
        "model_kind": clf.model_name(),
        "model_exomesa_version": clf.version_built(),
        "training_data": training,
        "exomesa_version": __version__,
        "date": _dt.datetime.now().strftime("%Y-%m-%d %H:%M"),
    }


def vet_candidates(
    model_path: str | Path,
    out: str | Path,
    *,
    input: str | Path | None = None,  # noqa: A002 - mirrors --input
    kois: Sequence[str] = (),
    tois: Sequence[str] = (),
    fits_dir: str | Path | None = None,
    lightcurves: str | Path | None = None,
    download: bool = False,
    explain: bool = True,
    force: bool = False,
    device: str = "cpu",
    show_progress: bool = True,
) -> Path:
    """Write ``out/index.html`` and one ``out/<name>.html`` per candidate; returns the index path.

    Candidates: the rows of ``input`` named by ``kois``/``tois``, or every row of ``input``; without
    ``input``, ``kois`` come from the embedded DR25 table and ``tois`` from the embedded ExoFOP TOI table. Light curves: real from ``fits_dir`` FITS files (views + diagnostics), ``lightcurves``
    (a views .npz: views only), ``download`` (MAST via lightkurve), else rendered from the catalog.
    """
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    out, model_path = Path(out), Path(model_path)
    if out.exists() and not force:
        raise ExomesaError(
            f"{out} already exists; refusing to overwrite the vetting pages. Pass --force to replace them, "
            "or choose another --out folder."
        )
    if out.exists() and not out.is_dir():
        raise ExomesaError(f"--out {out} is a file; pass a folder.")
    if not input and not kois and not tois:
        raise ExomesaError(
            "name the candidates: --koi K00752.01 ..., --toi 101.01 ..., or --input table.csv."
        )
    if not input and kois and tois:
        raise ExomesaError(
            "--koi and --toi name candidates of two catalogs (Kepler DR25, TESS TOIs); vet them in two runs, "
            "or pass one table holding both with --input."
        )
    clf = load_model(model_path, device=device)
    if input:
        source, catalog = str(input), load_catalog(input, require_label=False)
    elif tois:
        source, catalog = "the embedded TESS TOI table", load_catalog("toi", require_label=False)
    else:
        source, catalog = "the embedded DR25 KOI table", load_dr25()
    df = select_candidates(catalog, kois, tois, source=source)
    check_feature_columns(clf, df, source)

    views, curves = None, {}
    files: list[Path] = []
    if fits_dir is not None:
        p = Path(fits_dir)
        files = [p] if p.is_file() else find_fits_files(p)
        if not files:
            raise ExomesaError(
                f"{fits_dir}: no .fits files found; pass a folder of *_llc.fits / *_lc.fits files."
            )
    elif download:
        missions = df["mission"].astype(str) if "mission" in df.columns else df.index.map(lambda _: "Kepler")
        files = []
        for mission in dict.fromkeys(missions):  # each mission's stars, by the ids its files carry
            column = sources.lightcurve_files(mission).id_column
            ids = df.loc[(missions == mission), column].dropna().astype(int) if column in df.columns else []
            files += download_lightcurves(mission, ids, cache_dir() / "lightcurves")
    if files:
        # the star's other KOIs (e.g. Kepler-90's six other planets) come from the whole catalog, so their
        # transits are masked even when only one of them is vetted
        star = star_column(df)
        mates = catalog[catalog[star].isin(df[star])] if star in catalog.columns else df
        mates = mates if len(mates) else df
        curves = real_curves(mates, files)  # raises when no file belongs to a candidate's star
        views, _skipped = build_views(mates, files)
        without = [n for n in df[candidate_column(df)].astype(str) if n not in curves]
        if without:
            logger.warning(
                "no light-curve file for %d candidate(s) (%s); their sheets use rendered curves",
                len(without),
                ", ".join(without[:10]),
            )
    elif lightcurves is not None:
        views = ViewSet.load(Path(lightcurves))

    meta = model_meta(clf, model_path)
    timings["inputs"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    records = vet_records(clf, df, views, curves=curves, explain=explain, show_progress=show_progress)
    timings["records"] = time.perf_counter() - t1
    t1 = time.perf_counter()
    index = write_vet_pages(records, out, meta, show_progress=show_progress)
    timings["pages"] = time.perf_counter() - t1
    timings["total"] = time.perf_counter() - t0
    summary = {"meta": meta, "timings_seconds": {k: round(v, 3) for k, v in timings.items()}}
    summary["candidates"] = [record_summary(r) for r in records]  # what the sheets show (render_sheet)
    (out / VET_JSON).write_text(json.dumps(to_jsonable(summary), indent=1) + "\n", encoding="utf-8")
    n_flag = sum(bool(r["needs_human"]) for r in records)
    n_train = sum(r.get("in_training") is True for r in records)
    logger.info(
        "wrote %s and %d sheet(s); %d need a human; %d were training rows of the model (scores are fits, "
        "not predictions)",
        index, len(records), n_flag, n_train,
    )  # fmt: skip
    return index


def write_vet_pages(
    records: Sequence[Mapping[str, Any]],
    out: str | Path,
    meta: Mapping[str, Any],
    show_progress: bool = False,
) -> Path:
    """Write ``out/index.html`` and ``out/<name>.html`` per record; returns the index path."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    meta = with_meta_defaults(meta)
    items = records
    if show_progress:
        items = tqdm(records, desc="writing sheets", unit="sheet")
    for rec in items:
        (out / sheet_file(rec["name"])).write_text(render_sheet(rec, meta), encoding="utf-8")
    index = out / "index.html"
    index.write_text(render_index(records, meta), encoding="utf-8")
    return index
