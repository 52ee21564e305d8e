"""The :class:`ViewSet` container and the fixed global/local view grids.

A *view* is a phase-folded, binned light curve of one KOI, following the astronet convention (Shallue &
Vanderburg 2018):

* **global view** — ``GLOBAL_BINS`` = 2001 bins over the full orbital phase ``[-0.5, 0.5) · P``, centred on
  the transit (bin 1000 holds phase 0);
* **local view** — ``LOCAL_BINS`` = 201 bin centres around the transit (bin 100 holds phase 0); each bin is
  0.16 durations wide, so neighbouring bins overlap and sparse data (one Kepler quarter) still fills most bins
  (astronet's ``bin_width_factor``). Two spans exist, and each row says which (:data:`LOCAL_HALF_WIDTH_OF`,
  :meth:`ViewSet.local_half_widths`): views built from FITS files and rendered views span ``±2`` transit
  durations (:data:`LOCAL_HALF_WIDTH_DURATIONS`); AstroNet's views, real or cut from the global view, span
  ``±4`` (:data:`ASTRONET_LOCAL_HALF_WIDTH_DURATIONS`).

Values are **relative flux minus one** (dimensionless; ×1e6 gives ppm) with the out-of-transit median at 0,
so the transit depth is kept: the local view of KOI-2 (6675 ppm) bottoms out near −0.0067. Views never hold
NaN. Every view in a :class:`ViewSet` carries a ``source`` tag:

* ``"real"`` — built from Kepler/TESS light-curve files (:mod:`exomesa.lightcurves.preprocess`);
* ``"rendered"`` — a physical transit model from the KOI's catalog parameters (:mod:`.render`);
* ``"flat"`` — the KOI had no usable ephemeris, the view is all zeros (a warning names the KOIs);
* ``"none"`` — no real view exists and none was rendered: all zeros, and a model that masks missing views
  reads nothing from it (:func:`~exomesa.lightcurves.catalog_views.views_for_catalog` with ``missing="none"``).

and a finer ``provenance`` tag saying which code made it (:data:`PROVENANCES`):

* ``"fits"`` — source ``"real"``, folded from Kepler/TESS FITS files by :func:`.preprocess.build_views`;
* ``"astronet"`` — source ``"real"``, imported from AstroNet-preprocessed views (:mod:`.astronet`), both the
  global and the local view as AstroNet made them (local view ±4 durations);
* ``"astronet_cut"`` — source ``"real"``, AstroNet's real global view with the local view cut from it (±4
  durations; :func:`.astronet.cut_local_views`) because AstroNet's local view was not available;
* ``"rendered"`` / ``"flat"`` / ``"none"`` — the same as the source.

Files written before provenance existed (format version 1) load with the provenance implied by the source
(:data:`DEFAULT_PROVENANCE`: real → ``"fits"``, the only way real views were made then).
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from exomesa.errors import ExomesaError

__all__ = [
    "GLOBAL_BINS",
    "LOCAL_BINS",
    "LOCAL_HALF_WIDTH_DURATIONS",
    "LOCAL_BIN_WIDTH_DURATIONS",
    "ASTRONET_LOCAL_HALF_WIDTH_DURATIONS",
    "LOCAL_HALF_WIDTH_OF",
    "EMBEDDED",
    "SOURCES",
    "PROVENANCES",
    "DEFAULT_PROVENANCE",
    "ViewSet",
    "global_bin_centres",
    "local_bin_centres",
]

logger = logging.getLogger(__name__)

GLOBAL_BINS = 2001
LOCAL_BINS = 201
LOCAL_HALF_WIDTH_DURATIONS = 2.0  # built and rendered local views span ±2 transit durations
ASTRONET_LOCAL_HALF_WIDTH_DURATIONS = 4.0  # AstroNet's local views (real or cut) span ±4 transit durations
LOCAL_BIN_WIDTH_DURATIONS = 0.16  # local bins are 0.16 durations wide, so they overlap (as in astronet)
SOURCES = ("real", "rendered", "flat", "none")
PROVENANCES = ("fits", "astronet", "astronet_cut", "rendered", "flat", "none")
# provenance implied by source
DEFAULT_PROVENANCE = {"real": "fits", "rendered": "rendered", "flat": "flat", "none": "none"}
_SOURCE_OF = {
    "fits": "real",
    "astronet": "real",
    "astronet_cut": "real",
    "rendered": "rendered",
    "flat": "flat",
    "none": "none",
}
#: The local view's half-span [transit durations] of each provenance: the two conventions are never mixed silently.
LOCAL_HALF_WIDTH_OF = {
    "fits": LOCAL_HALF_WIDTH_DURATIONS,
    "astronet": ASTRONET_LOCAL_HALF_WIDTH_DURATIONS,
    "astronet_cut": ASTRONET_LOCAL_HALF_WIDTH_DURATIONS,
    "rendered": LOCAL_HALF_WIDTH_DURATIONS,
    "flat": LOCAL_HALF_WIDTH_DURATIONS,
    "none": ASTRONET_LOCAL_HALF_WIDTH_DURATIONS,  # no view: never a second convention beside real AstroNet ones
}
#: The name that selects the real views shipped with the package wherever a views file is given
#: (``--lightcurves embedded``; :func:`exomesa.lightcurves.embedded.embedded_views`).
EMBEDDED = "embedded"

_FORMAT_VERSION = 3  # 2: adds ``provenance`` (1 loads with DEFAULT_PROVENANCE); 3: names in ``candidate_id``


def global_bin_centres(period_days: float) -> np.ndarray:
    """Centres [GLOBAL_BINS] of the global-view bins in days from mid-transit: ``[-P/2, P/2)`` in equal bins."""
    edges = np.linspace(-0.5, 0.5, GLOBAL_BINS + 1) * period_days
    return 0.5 * (edges[:-1] + edges[1:])


def local_bin_centres(duration_days: float, half_width: float = LOCAL_HALF_WIDTH_DURATIONS) -> np.ndarray:
    """Centres [LOCAL_BINS] of the local-view bins in days from mid-transit, spanning ±``half_width``
    durations (default ±2, the built and rendered views; AstroNet's views span ±4)."""
    half = half_width * duration_days
    edges = np.linspace(-half, half, LOCAL_BINS + 1)
    return 0.5 * (edges[:-1] + edges[1:])


def _as_str_array(values: Iterable[str]) -> np.ndarray:
    arr = np.asarray([str(v) for v in values], dtype=str)
    return arr if arr.size else np.zeros(0, dtype="<U1")


@dataclass(init=False)
class ViewSet:
    """Global and local views for N candidates.

    Attributes:
        candidate_id: [N] str, candidate names (unique), e.g. ``K00002.01``, ``TOI-101.01`` (``kepoi_name`` is
            a read-only alias, and a keyword the constructor still takes, for code of earlier versions).
        global_view: [N, GLOBAL_BINS] float32, relative flux − 1 over the full phase.
        local_view: [N, LOCAL_BINS] float32, relative flux − 1 over ±2 transit durations (±4 for AstroNet
            provenances; :meth:`local_half_widths`).
        source: [N] str, each one of :data:`SOURCES` (``"real"``, ``"rendered"``, ``"flat"``, ``"none"``).
        provenance: [N] str, each one of :data:`PROVENANCES` and consistent with ``source``; ``None``
            (default) takes :data:`DEFAULT_PROVENANCE` of each row's source.
    """

    candidate_id: np.ndarray
    global_view: np.ndarray
    local_view: np.ndarray
    source: np.ndarray
    provenance: np.ndarray | None = None

    def __init__(
        self,
        candidate_id: Iterable[str] | None = None,
        global_view: np.ndarray | None = None,
        local_view: np.ndarray | None = None,
        source: Iterable[str] | None = None,
        provenance: Iterable[str] | None = None,
        *,
        kepoi_name: Iterable[str] | None = None,
    ) -> None:
        if candidate_id is None:
            candidate_id = kepoi_name
        if candidate_id is None or global_view is None or local_view is None or source is None:
            raise TypeError("ViewSet needs candidate_id, global_view, local_view and source.")
        self.candidate_id, self.global_view, self.local_view = candidate_id, global_view, local_view
        self.source, self.provenance = source, provenance
        self.__post_init__()

    @property
    def kepoi_name(self) -> np.ndarray:
        """[N] str: :attr:`candidate_id` under its name in earlier versions."""
        return self.candidate_id

    def __post_init__(self) -> None:
        self.candidate_id = _as_str_array(self.candidate_id)
        self.source = _as_str_array(self.source)
        self.global_view = np.asarray(self.global_view, dtype=np.float32).reshape(-1, GLOBAL_BINS)
        self.local_view = np.asarray(self.local_view, dtype=np.float32).reshape(-1, LOCAL_BINS)
        n = len(self.candidate_id)
        for name, arr in (("global_view", self.global_view), ("local_view", self.local_view)):
            if arr.shape[0] != n:
                raise ExomesaError(f"ViewSet: {name} has {arr.shape[0]} rows but there are {n} KOI names.")
        if len(self.source) != n:
            raise ExomesaError(f"ViewSet: source has {len(self.source)} entries but there are {n} KOI names.")
        bad = sorted(set(self.source.tolist()) - set(SOURCES))
        if bad:
            raise ExomesaError(f"ViewSet: unknown source value(s) {bad}; expected one of {SOURCES}.")
        if self.provenance is None:
            self.provenance = _as_str_array(DEFAULT_PROVENANCE[s] for s in self.source.tolist())
        else:
            self.provenance = _as_str_array(self.provenance)
        if len(self.provenance) != n:
            raise ExomesaError(
                f"ViewSet: provenance has {len(self.provenance)} entries but there are {n} KOI names."
            )
        bad = sorted(set(self.provenance.tolist()) - set(PROVENANCES))
        if bad:
            raise ExomesaError(f"ViewSet: unknown provenance value(s) {bad}; expected one of {PROVENANCES}.")
        clash = [
            f"{name} ({s}/{p})"
            for name, s, p in zip(
                self.candidate_id.tolist(), self.source.tolist(), self.provenance.tolist(), strict=True
            )
            if _SOURCE_OF[p] != s
        ]
        if clash:
            raise ExomesaError(
                f"ViewSet: provenance does not fit the source for {len(clash)} row(s), e.g. {clash[0]}; "
                "'fits' and 'astronet' views are 'real', 'rendered' and 'flat' are their own source."
            )

    def __len__(self) -> int:
        return len(self.candidate_id)

    def __repr__(self) -> str:
        return f"ViewSet(n={len(self)}, sources={self.counts()})"

    @classmethod
    def empty(cls) -> ViewSet:
        """A ViewSet with no rows."""
        return cls(
            candidate_id=np.zeros(0, dtype="<U1"),
            global_view=np.zeros((0, GLOBAL_BINS), np.float32),
            local_view=np.zeros((0, LOCAL_BINS), np.float32),
            source=np.zeros(0, dtype="<U1"),
            provenance=np.zeros(0, dtype="<U1"),
        )

    def counts(self) -> dict[str, int]:
        """Number of views per source, e.g. ``{"real": 1, "rendered": 8050, "flat": 3}`` (``"none"`` only
        when some row has no view)."""
        out = {s: int(np.sum(self.source == s)) for s in SOURCES}
        return {k: v for k, v in out.items() if k != "none" or v}

    def provenance_counts(self) -> dict[str, int]:
        """Number of views per provenance, e.g. ``{"fits": 0, "astronet": 1034, "rendered": 7020, "flat": 0}``
        (``"none"`` only when some row has no view)."""
        out = {p: int(np.sum(self.provenance == p)) for p in PROVENANCES}
        return {k: v for k, v in out.items() if k != "none" or v}

    def local_half_widths(self) -> np.ndarray:
        """[N] float: each local view's half-span in transit durations (2 built/rendered, 4 AstroNet)."""
        return np.array([LOCAL_HALF_WIDTH_OF[p] for p in self.provenance.tolist()], dtype=np.float64)

    def index_of(self) -> dict[str, int]:
        """Map candidate name → row (the first row where a name repeats)."""
        out: dict[str, int] = {}
        for i, name in enumerate(self.candidate_id.tolist()):
            out.setdefault(name, i)
        return out

    def take(self, indices: Sequence[int] | np.ndarray) -> ViewSet:
        """Rows ``indices`` [M] (int positions) as a new ViewSet (arrays copied)."""
        idx = np.asarray(indices, dtype=np.int64)
        return ViewSet(
            candidate_id=self.candidate_id[idx],
            global_view=self.global_view[idx].copy(),
            local_view=self.local_view[idx].copy(),
            source=self.source[idx],
            provenance=self.provenance[idx],
        )

    def select(self, names: Iterable[str]) -> ViewSet:
        """The rows for ``names`` in that order; an unknown name is an ExomesaError naming it."""
        names = [str(n) for n in names]
        index = self.index_of()
        missing = [n for n in names if n not in index]
        if missing:
            shown = ", ".join(missing[:5]) + (" ..." if len(missing) > 5 else "")
            raise ExomesaError(
                f"{len(missing)} KOI(s) have no view in this ViewSet: {shown}. "
                "Rebuild the views for this catalog (exomesa lightcurves build) or let missing KOIs be rendered."
            )
        return self.take([index[n] for n in names])

    @staticmethod
    def concat(parts: Sequence[ViewSet]) -> ViewSet:
        """Stack several ViewSets row-wise (names are not de-duplicated)."""
        parts = [p for p in parts if len(p)]
        if not parts:
            return ViewSet.empty()
        return ViewSet(
            candidate_id=np.concatenate([p.candidate_id.astype(str) for p in parts]),
            global_view=np.concatenate([p.global_view for p in parts]),
            local_view=np.concatenate([p.local_view for p in parts]),
            source=np.concatenate([p.source.astype(str) for p in parts]),
            provenance=np.concatenate([p.provenance.astype(str) for p in parts]),
        )

    def save(self, path: Path | str, *, compress: bool = True) -> Path:
        """Write an ``.npz`` readable with ``np.load(path, allow_pickle=False)``; returns the path written.

        Strings are stored as fixed-width unicode arrays; the caller checks overwriting (``check_writable``).
        ``compress=False`` writes a plain ``.npz`` (larger, but written and read several times faster).
        A path that cannot be written (a folder, a missing drive, no permission) is an ExomesaError.
        """
        path = Path(path)
        if path.suffix != ".npz":
            path = path.with_suffix(path.suffix + ".npz") if path.suffix else path.with_suffix(".npz")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as fh:
                (np.savez_compressed if compress else np.savez)(
                    fh,
                    candidate_id=self.candidate_id.astype(str),
                    global_view=self.global_view.astype(np.float32),
                    local_view=self.local_view.astype(np.float32),
                    source=self.source.astype(str),
                    provenance=self.provenance.astype(str),
                    format_version=np.array(_FORMAT_VERSION, dtype=np.int64),
                )
        except OSError as exc:
            raise ExomesaError(
                f"cannot write the views file {path} ({exc.strerror or exc}); choose a writable file path."
            ) from exc
        logger.debug("wrote %d views to %s", len(self), path)
        return path

    @classmethod
    def load(cls, path: Path | str) -> ViewSet:
        """Read a file written by :meth:`save`, or a shard folder written by ``exomesa lightcurves build --out
        FOLDER`` (views in catalog order); a missing, corrupt, unfinished or wrong-shaped one is an ExomesaError.
        :data:`EMBEDDED` (``"embedded"``, where no such file exists) is the real view set shipped with the
        package (:func:`exomesa.lightcurves.embedded.embedded_views`).

        A file without ``provenance`` (format version 1) gets the provenance implied by each row's source; a file
        of format 1 or 2 has its names under ``kepoi_name``.
        """
        path = Path(path)
        if str(path) == EMBEDDED and not path.exists():
            from exomesa.lightcurves.embedded import embedded_views

            return embedded_views()
        if path.is_dir():
            from exomesa.lightcurves.shards import load_shard_folder

            return load_shard_folder(path)
        if not path.is_file():
            raise ExomesaError(
                f"views file {path} does not exist; build it with `exomesa lightcurves build --out {path}`."
            )
        hint = "Rebuild it with `exomesa lightcurves build --force`."
        try:
            with np.load(path, allow_pickle=False) as data:
                name_key = "candidate_id" if "candidate_id" in data.files else "kepoi_name"  # format < 3
                arrays = {k: data[k] for k in (name_key, "global_view", "local_view", "source")}
                arrays["candidate_id"] = arrays.pop(name_key)
                if "provenance" in data.files:
                    arrays["provenance"] = data["provenance"]
        except KeyError as exc:
            raise ExomesaError(
                f"views file {path} lacks the array {exc}; it is not an exomesa ViewSet. {hint}"
            ) from exc
        except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
            raise ExomesaError(f"views file {path} could not be read as .npz ({exc}). {hint}") from exc
        g, lv = arrays["global_view"], arrays["local_view"]
        if g.ndim != 2 or g.shape[1] != GLOBAL_BINS or lv.ndim != 2 or lv.shape[1] != LOCAL_BINS:
            raise ExomesaError(
                f"views file {path} holds views of shape {g.shape} / {lv.shape}; expected [N, {GLOBAL_BINS}] "
                f"and [N, {LOCAL_BINS}]. {hint}"
            )
        if not (np.all(np.isfinite(g)) and np.all(np.isfinite(lv))):
            raise ExomesaError(f"views file {path} contains NaN or infinite values. {hint}")
        try:
            return cls(**arrays)
        except ExomesaError as exc:
            raise ExomesaError(f"views file {path} is inconsistent: {exc} {hint}") from exc
