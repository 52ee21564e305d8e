"""Allowed ranges of numeric settings, in one vocabulary for the command line and the Python API.

The command line (:mod:`exomesa.cli._types`, :mod:`exomesa.cli._settings`) and the estimators
(:class:`~exomesa.mesa.config.TrainConfig`, :class:`~exomesa.baselines.TabularLightGBM`, ...) check a value
against the same :class:`Range` and word the error the same way::

    from exomesa.ranges import check_range
    check_range("epochs", -1, "positive", integer=True)
    # InvalidSettingError: epochs must be a whole number >= 1, not -1
"""

from __future__ import annotations

import math
import numbers
import re
from dataclasses import dataclass
from typing import Any

from exomesa.errors import InvalidSettingError

__all__ = [
    "Range",
    "RANGES",
    "at_least",
    "get_range",
    "check_range",
    "DEVICES",
    "DEVICE_HELP",
    "check_device",
]

#: The devices a command or an estimator accepts (``auto``: a CUDA GPU when there is one, else the CPU).
DEVICES = re.compile(r"auto|cpu|cuda(:\d+)?")
#: How the ``--device`` option and its errors describe :data:`DEVICES`.
DEVICE_HELP = "auto (a CUDA GPU when there is one, else the CPU), cpu, cuda or cuda:N"


@dataclass(frozen=True)
class Range:
    """An interval of allowed values: ``low`` / ``high`` (None: unbounded), each end open or closed."""

    low: float | None = None
    high: float | None = None
    low_open: bool = False
    high_open: bool = False

    def contains(self, value: float) -> bool:
        """Whether the finite number ``value`` lies in the interval."""
        if self.low is not None and (value <= self.low if self.low_open else value < self.low):
            return False
        return not (self.high is not None and (value >= self.high if self.high_open else value > self.high))

    def words(self, integer: bool = False) -> str:
        """How an error message says the range: ``a whole number >= 1``, ``a number > 0``,
        ``a fraction in [0, 1)``, ``a fraction between 0 and 1 (exclusive)``."""
        if integer and self.high is None and self.low is not None:
            low = math.floor(self.low) + 1 if self.low_open else math.ceil(self.low)
            return f"a whole number >= {low}"
        noun = "a whole number" if integer else "a number"
        if self.low is None and self.high is None:
            return noun
        if self.high is None:
            return f"{noun} {'>' if self.low_open else '>='} {_num(self.low)}"
        if self.low is None:
            return f"{noun} {'<' if self.high_open else '<='} {_num(self.high)}"
        if not integer and self.low == 0 and self.high == 1:
            noun = "a fraction"
        if self.low_open and self.high_open:
            return f"{noun} between {_num(self.low)} and {_num(self.high)} (exclusive)"
        left, right = "(" if self.low_open else "[", ")" if self.high_open else "]"
        return f"{noun} in {left}{_num(self.low)}, {_num(self.high)}{right}"


def _num(value: float | None) -> str:
    return str(int(value)) if value is not None and float(value).is_integer() else str(value)


#: The named ranges settings refer to (``metadata["range"]`` of a config field).
RANGES: dict[str, Range] = {
    "positive": Range(0, low_open=True),
    "non-negative": Range(0),
    "fraction": Range(0, 1, high_open=True),
    "open-fraction": Range(0, 1, low_open=True, high_open=True),
    "at-least-2": Range(2),
}


def at_least(low: float) -> Range:
    """The range ``>= low``."""
    return Range(low)


def get_range(rng: str | Range) -> Range:
    """A :class:`Range`, or the one named ``rng`` in :data:`RANGES`."""
    if isinstance(rng, Range):
        return rng
    try:
        return RANGES[rng]
    except KeyError:
        raise KeyError(f"unknown range {rng!r}; known: {', '.join(RANGES)}") from None


def check_range(name: str, value: Any, rng: str | Range, *, integer: bool = False) -> Any:
    """``value`` unchanged when it is a finite number (a whole one with ``integer``) in ``rng``; else raise
    :class:`~exomesa.errors.InvalidSettingError` naming ``name`` and the allowed values."""
    r = get_range(rng)
    kind = numbers.Integral if integer else numbers.Real
    ok = (
        isinstance(value, kind)
        and not isinstance(value, bool)
        and math.isfinite(float(value))
        and r.contains(float(value))
    )
    if not ok:
        raise InvalidSettingError(f"{name} must be {r.words(integer)}, not {value!r}.")
    return value


def check_device(name: str, value: Any) -> str:
    """``value`` when it is a device name of :data:`DEVICES`; else InvalidSettingError naming ``name``."""
    if isinstance(value, str) and DEVICES.fullmatch(value):
        return value
    raise InvalidSettingError(f"{name} must be auto, cpu, cuda or cuda:N, not {value!r}.")
