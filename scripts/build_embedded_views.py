"""Rebuild the real views shipped with the package (``src/exomesa/lightcurves/view_files/``; see
:mod:`exomesa.lightcurves.embedded`) from the AstroNet views file of the DR24 TCEs.

    python scripts/build_embedded_views.py ../shared/data/views/kepler_dr24_global_views.npz [--force]

Imports the file with ``exomesa.lightcurves.astronet.import_astronet`` against the embedded DR25 KOI table
(the same matching as ``exomesa lightcurves import``), keeps the views normalised as AstroNet made them,
rounds them to 16 significant bits and stores them as byte planes (only AstroNet's own local views are stored:
the cut ones are remade on loading). Records the input file's name and SHA-256, the matching rule, the counts
per class and the storage error in the file's ``info`` record, and prints them with the file size. The result
is byte-identical for a given input file and package version (fixed zip member dates).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import zipfile
from pathlib import Path

import numpy as np

from exomesa._version import __version__
from exomesa.data import LABEL, load_dr25
from exomesa.errors import ExomesaError
from exomesa.lightcurves.astronet import PERIOD_TOLERANCE, import_astronet, read_astronet_npz
from exomesa.lightcurves.embedded import (
    EMBEDDED_FILE,
    FORMAT_VERSION,
    SIGNIFICANT_BITS,
    pack_views,
    round_significant,
)
from exomesa.utils import file_sha256

OUT = Path(__file__).resolve().parents[1] / "src" / "exomesa" / "lightcurves" / "view_files" / EMBEDDED_FILE
SOURCES = (
    "AstroNet inputs (Shallue & Vanderburg 2018) made from the public Kepler Q1-Q17 DR24 TCE light curves "
    "(NASA/MAST), as committed in public repositories: Qkvad/exo_NN and axloneal/research_project (TFRecords "
    "with global and local views) and AliciaMartinelli/ExoplanetDetectionMLP (per-TCE global views, TCE keys "
    "restored from the DR24 TCE table's order)"
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "astronet", type=Path, help="kepler_dr24_global_views.npz (AstroNet views of DR24 TCEs)"
    )
    parser.add_argument("--out", type=Path, default=OUT, help=f"default: {OUT}")
    parser.add_argument("--force", action="store_true", help="overwrite --out")
    args = parser.parse_args(argv)
    if args.out.exists() and not args.force:
        raise ExomesaError(f"{args.out} exists; add --force to rebuild it.")

    catalog = load_dr25()
    result = import_astronet(args.astronet, catalog)
    views, matches = result.views, result.matches
    # the stored views are AstroNet's normalised ones: undo the depth scaling by re-reading the file
    raw = read_astronet_npz(args.astronet)
    row_of = {(k, p): i for i, (k, p) in enumerate(zip(raw["kepid"], raw["tce_plnt_num"], strict=True))}
    rows = np.array([row_of[(k, p)] for k, p in zip(matches["kepid"], matches["tce_plnt_num"], strict=True)])
    real_local = (matches["local_view"] == "real").to_numpy()
    glob = raw["global_view"][rows]
    local = raw["local_view"][rows][real_local]
    glob_r, local_r = round_significant(glob), round_significant(local)
    noise = (
        1.4826 * np.median(np.abs(np.diff(np.concatenate([glob[:, :800], glob[:, 1201:]], 1))), 1) / 2**0.5
    )
    rms = np.sqrt(((glob_r - glob) ** 2).mean(1))
    ok = noise > 0
    depth = catalog.set_index("kepoi_name").loc[views.candidate_id, "koi_depth"].to_numpy(np.float64)
    labels = catalog.set_index("kepoi_name").loc[views.candidate_id, LABEL].to_numpy().astype(str)
    per_class = {
        c: {
            "kois": int((labels == c).sum()),
            "real_local": int(((labels == c) & real_local).sum()),
            "cut_local": int(((labels == c) & ~real_local).sum()),
            "dr25_kois": int((catalog[LABEL] == c).sum()),
        }
        for c in ("CONFIRMED", "CANDIDATE", "FALSE POSITIVE")
    }
    info = {
        "format_version": FORMAT_VERSION,
        "built_by": f"scripts/build_embedded_views.py, exomesa {__version__}",
        "input_file": args.astronet.name,
        "input_sha256": file_sha256(args.astronet),
        "sources": SOURCES,
        "data_release": "Kepler Q1-Q17 DR24 TCE light curves (views); labels and depths from the DR25 KOI table",
        "preprocessing": "AstroNet: detrended, phase-folded, binned; global 2001 bins over the phase, local 201 "
        "bins over +-4 durations (0.16-duration bins); normalised to median 0, minimum -1",
        "matching": f"KOI -> TCE on kepid, period within {PERIOD_TOLERANCE:.1%}, epoch within one koi_duration "
        "modulo the period; the nearest epoch wins",
        "storage": f"float32 rounded to {SIGNIFICANT_BITS} significant bits, byte planes, zip-deflated; cut local "
        "views remade on loading",
        "import_counts": result.counts,
        "counts": {
            "kois": len(views),
            "real_local": int(real_local.sum()),
            "cut_local": int((~real_local).sum()),
        },
        "per_class": per_class,
        "rounding_error": {
            "max_abs": float(np.abs(glob_r - glob).max()),
            "rms_over_noise_median": float(np.median(rms[ok] / noise[ok])),
            "rms_over_noise_p99": float(np.quantile(rms[ok] / noise[ok], 0.99)),
            "rms_over_noise_max": float((rms[ok] / noise[ok]).max()),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".tmp.npz")
    write_npz(
        tmp,
        {
            "candidate_id": views.candidate_id.astype(str),
            "koi_depth_ppm": depth,
            **{k: matches[k].to_numpy() for k in ("kepid", "tce_plnt_num")},
            **{k: matches[k].to_numpy(np.float64) for k in ("tce_period", "tce_time0bk", "tce_duration")},
            "epoch_offset_hours": matches["epoch_offset_hours"].to_numpy(np.float64),
            "real_local": real_local,
            "global_view_planes": pack_views(glob_r),
            "local_view_planes": pack_views(local_r),
            "info": np.array(json.dumps(info, sort_keys=True)),
        },
    )
    tmp.replace(args.out)

    from exomesa.lightcurves import embedded

    embedded._meta.cache_clear()
    start = time.perf_counter()
    loaded = embedded.embedded_views() if args.out == OUT else None
    seconds = time.perf_counter() - start
    if loaded is not None:
        diff = np.abs(loaded.global_view - views.global_view).max()
        same_real = np.abs(loaded.local_view[real_local] - views.local_view[real_local]).max()
        print(f"loaded back in {seconds:.2f} s; max |difference| to the import: global {diff:.2e}, "
              f"real local {same_real:.2e} (relative flux)")  # fmt: skip
    lossless = _deflated_size(glob, local)
    print(json.dumps(info, indent=1))
    print(
        f"wrote {args.out}: {args.out.stat().st_size / 1e6:.2f} MB (lossless float32, deflated: {lossless / 1e6:.2f} MB)"
    )
    return 0


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """A deflated ``.npz`` whose bytes depend on the arrays only (fixed member dates and order), so two builds
    from the same input are byte-identical; ``np.load`` reads it like any ``.npz``."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name, value in arrays.items():
            member = zipfile.ZipInfo(f"{name}.npy", date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            with zf.open(member, "w", force_zip64=True) as fh:
                np.lib.format.write_array(fh, np.asanyarray(value), allow_pickle=False)


def _deflated_size(glob: np.ndarray, local: np.ndarray) -> int:
    """Bytes of the same views stored as plain float32 with np.savez_compressed (for the record)."""
    import io

    buf = io.BytesIO()
    np.savez_compressed(buf, global_view=glob, local_view=local)
    return buf.getbuffer().nbytes


if __name__ == "__main__":
    try:
        sys.exit(main())
    except ExomesaError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
