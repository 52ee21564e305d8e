"""The baseline model file: one JSON object, ``{"format": "exomesa-baseline", "format_version": 1, ...}``.

Reading and checking the file lives here, apart from the estimators, so :func:`is_baseline_file` costs nothing
to import (no scikit-learn, no LightGBM): ``exomesa test`` / ``predict`` call it to tell a baseline model file
from a MESA checkpoint. :meth:`exomesa.baselines.lightgbm.LightGBMBaseline.to_dict` lists the keys.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from exomesa.errors import ExomesaError

__all__ = [
    "BASELINE_FORMAT",
    "BASELINE_FORMAT_VERSION",
    "check_model_state",
    "is_baseline_file",
    "read_model_file",
]

BASELINE_FORMAT = "exomesa-baseline"
BASELINE_FORMAT_VERSION = 1

_FORMAT_KEY = re.compile(rb'"format"\s*:\s*"' + BASELINE_FORMAT.encode() + rb'"')


def is_baseline_file(path: Path | str) -> bool:
    """Whether ``path`` is a baseline model file written by ``LightGBMBaseline.save``.

    Cheap: reads only the first 4 KiB and looks for ``"format": "exomesa-baseline"`` in a JSON object (the
    first key ``to_dict`` writes); loads nothing. A MESA checkpoint (a torch zip file), another JSON file, a
    folder or a missing path gives ``False``.
    """
    try:
        with open(path, "rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return head.lstrip().startswith(b"{") and _FORMAT_KEY.search(head) is not None


def read_model_file(path: Path | str) -> dict[str, Any]:
    """The JSON object of a baseline model file; a missing or unreadable file is an :class:`ExomesaError`."""
    path = Path(path)
    if not path.is_file():
        raise ExomesaError(
            f"baseline model file {path} does not exist; train one with `exomesa baseline train`."
        )
    try:
        with open(path, encoding="utf-8") as fh:
            return json.load(fh)
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ExomesaError(f"{path} is not a readable JSON baseline model ({exc}).") from exc


def check_model_state(state: Any, source: str = "<dict>") -> None:
    """Raise an :class:`ExomesaError` unless ``state`` is a baseline model of a format this exomesa reads."""
    if not isinstance(state, Mapping) or state.get("format") != BASELINE_FORMAT:
        raise ExomesaError(
            f"{source} is not an exomesa baseline model file (no 'format': {BASELINE_FORMAT!r}); "
            "train one with `exomesa baseline train`."
        )
    if int(state.get("format_version", -1)) > BASELINE_FORMAT_VERSION:
        raise ExomesaError(
            f"{source} was written by a newer exomesa (baseline format {state.get('format_version')}); "
            "upgrade exomesa to read it."
        )
