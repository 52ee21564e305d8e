"""What a data source is: :class:`Source` (catalog reader, leak list, feature presets, light-curve files).

A source module builds one :class:`Source`; the registry (:mod:`exomesa.sources`) lists them. Everything here
is plain data and small readers: no model, no split, no feature code (those layers ask the registry).

Canonical keys, the same for every mission (set by :func:`exomesa.data.canonicalize`):

* ``star_id`` — int64, the host star (KIC id for Kepler, TIC id for TESS); the group of every split;
* ``candidate_id`` — str, the unique row id (``K00752.01``, ``TOI-101.01``);
* ``mission`` — ``"Kepler"`` or ``"TESS"`` (:attr:`Source.mission`; compare with :func:`mission_key`).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from exomesa.errors import ExomesaError

__all__ = [
    "STAR_ID",
    "CANDIDATE_ID",
    "MISSION",
    "Source",
    "LightCurveFiles",
    "mission_key",
    "read_table",
    "snake",
]

#: The mission-neutral key columns of the canonical table.
STAR_ID = "star_id"
CANDIDATE_ID = "candidate_id"
MISSION = "mission"


def mission_key(mission: object) -> str:
    """``"Kepler"``/``"KEPLER"``/``"kepler"`` → ``"kepler"``: how missions are compared and looked up."""
    return str(mission).strip().lower()


def snake(name: str) -> str:
    """``"Spectroscopy Observations"`` → ``"spectroscopy_observations"`` (how raw names are compared)."""
    return re.sub(r"[^0-9a-z]+", "_", str(name).strip().lower()).strip("_")


@dataclass(frozen=True)
class LightCurveFiles:
    """How to find, download and read one mission's light-curve files.

    Attributes:
        mission: ``"Kepler"`` or ``"TESS"`` (as :attr:`exomesa.lightcurves.fitsio.LightCurve.mission`).
        telescopes: upper-cased ``TELESCOP`` header prefixes that mark the mission's files.
        header_key: the primary-header keyword holding the target id (``KEPLERID``, ``TICID``).
        id_prefix: how a target is named (``KIC``, ``TIC``): ``"KIC 10666592"``, and what MAST is searched for.
        id_column: the catalog column whose ids match ``header_key`` (``kepid``, ``tic_id``).
        file_name: the standard MAST file name; group 1 is the target id.
        cache_glob: the glob (``{id}`` formatted) of a target's files under a download folder.
        search: lightkurve ``search_lightcurve`` keyword arguments.
        what: the product in words; files: its file pattern, for messages.
        bjd_ref: BJD of time zero when the file does not say (BKJD 2454833, BTJD 2457000) [days].
    """

    mission: str
    telescopes: tuple[str, ...]
    header_key: str
    id_prefix: str
    id_column: str
    file_name: re.Pattern
    cache_glob: str
    search: Mapping[str, object]
    what: str
    files: str
    bjd_ref: float

    def target_name(self, target_id: int) -> str:
        """``KIC 10666592`` / ``TIC 25155310``."""
        return f"{self.id_prefix} {int(target_id)}"

    def id_from_name(self, name: str) -> int | None:
        """The target id in a standard MAST file name, or None when ``name`` does not follow it."""
        match = self.file_name.match(name)
        return int(match.group(1)) if match else None

    def cached(self, cache_dir: Path | str, target_id: int) -> list[Path]:
        """The target's files already under ``cache_dir`` (recursive), sorted."""
        return sorted(Path(cache_dir).rglob(self.cache_glob.format(id=int(target_id))))


@dataclass(frozen=True)
class Source:
    """One data source: where its catalog comes from and what the rest of the package needs to know about it.

    Attributes:
        name: registry key (``"dr25"``, ``"koi_archive"``, ...); ``embedded`` sources are also
            ``load_catalog`` names.
        mission: ``"Kepler"`` or ``"TESS"``; written into the ``mission`` column.
        candidate_word: what the mission's candidates are called in reports and sheets (``"KOI"``, ``"TOI"``).
        title: the catalog in words (manifests, results files).
        star_column / candidate_column: the source's native columns behind ``star_id`` / ``candidate_id``.
        label_column: the native label column (mapped onto ``koi_disposition``).
        leaky_columns / leaky_prefixes / leaky_patterns: columns that encode the vetting outcome (never features).
        presets: feature presets, ``{name: {group: [canonical column, ...]}}`` (plain data).
        lightcurves: how to find, download and read the mission's light-curve files.
        detect: ``detect(path, columns)``: True when a file (its header ``columns``, lower-cased) is this
            source's layout. None: only by name.
        read: ``read(path)`` → the raw table of a file (native names), for :func:`to_canonical_names`.
        to_canonical_names: ``(raw, source_label, require_label)`` → the table under canonical column names
            (``koi_*``), validated for what is specific to the source; :func:`exomesa.data.canonicalize` then
            adds the neutral keys and checks the common schema.
        embedded_path: the path of the table shipped with the package (embedded sources only).
        export_date: the date of an embedded export (or "").
    """

    name: str
    mission: str
    title: str
    star_column: str
    candidate_column: str
    label_column: str
    leaky_columns: frozenset[str]
    leaky_prefixes: tuple[str, ...] = ()
    leaky_patterns: tuple[re.Pattern, ...] = ()
    presets: Mapping[str, Mapping[str, list[str]]] = field(default_factory=dict)
    lightcurves: LightCurveFiles | None = None
    detect: Callable[[Path, list[str]], bool] | None = None
    read: Callable[[Path], pd.DataFrame] | None = None
    to_canonical_names: Callable[[pd.DataFrame, str, bool], pd.DataFrame] | None = None
    embedded_path: Callable[[], Path] | None = None
    export_date: str = ""
    candidate_word: str = "candidate"

    def is_leaky(self, column: str) -> bool:
        """True when ``column`` (any case; TOI names snake-cased) encodes this source's vetting outcome."""
        name = column.strip().lower()
        if name in self.leaky_columns or (self.leaky_prefixes and name.startswith(self.leaky_prefixes)):
            return True
        key = snake(name)
        return key in self.leaky_columns or any(p.match(key) for p in self.leaky_patterns)


def read_table(path: Path) -> pd.DataFrame:
    """A CSV (``#`` lines are comments) or IPAC (``.tbl``/``.ipac``) table file, as raw as it is written."""
    if path.suffix.lower() in {".tbl", ".ipac"}:
        from astropy.io import ascii

        try:
            return ascii.read(str(path), format="ipac").to_pandas()
        except Exception as exc:  # astropy raises many types for malformed IPAC
            raise ExomesaError(f"{path}: could not be read as an IPAC table ({exc}).") from exc
    try:
        with warnings.catch_warnings():
            # A row longer than the header would otherwise shift its leading cells into the index.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            df = pd.read_csv(
                path, comment="#", dtype={"koi_quarters": str}, skipinitialspace=True, index_col=False
            )
    except pd.errors.ParserWarning as exc:
        raise ExomesaError(
            f"{path}: the first data row has more fields than the header; check the delimiter and quoting "
            "(every row needs exactly one value per header column)."
        ) from exc
    except pd.errors.EmptyDataError as exc:
        raise ExomesaError(f"{path}: no header row or data found (only comments or blank lines).") from exc
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise ExomesaError(f"{path}: not a readable CSV file ({exc}).") from exc
    if df.shape[1] <= 1 and df.shape[0] == 0:
        raise ExomesaError(f"{path}: has a header but no data rows.")
    return df


def first_row(mask: pd.Series | np.ndarray) -> int:
    """0-based position of the first True of ``mask``."""
    return int(np.flatnonzero(np.asarray(mask))[0])
