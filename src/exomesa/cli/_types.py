"""Argument types shared by every subcommand: numbers checked where they are parsed, one-line errors.

A bad value (``--epochs -1``, ``--batch_size 0``, ``--test_size 1.5``) stops the command before anything runs
or is written, with one line naming the option and the allowed range, and exit code 2::

    exomesa train: error: argument --epochs: must be a whole number >= 1, not '-1'
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable
from typing import Any, NoReturn

from exomesa.ranges import DEVICE_HELP, DEVICES, Range, at_least, get_range

__all__ = [
    "Parser",
    "number",
    "int_at_least",
    "positive_int",
    "non_negative_int",
    "positive_float",
    "non_negative_float",
    "fraction",
    "device",
    "add_device",
    "add_features",
    "LIGHTCURVES_HELP",
]

#: The help of every ``--lightcurves`` option (views a command reads; the rows they lack get rendered views).
LIGHTCURVES_HELP = (
    "real views: a .npz file or shard folder from `exomesa lightcurves build` or `import`, or embedded (the "
    "real DR25 views shipped with the package); candidates without one get views rendered from the catalog"
)


class Parser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` whose usage errors are one line (plus where to find help), exit 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")
        sys.exit(2)


def number(rng: str | Range, *, integer: bool = False) -> Callable[[str], Any]:
    """An argparse type: a number in ``rng`` (a :class:`~exomesa.ranges.Range` or a name in
    :data:`~exomesa.ranges.RANGES`, the vocabulary the estimators check their settings with)."""
    r = get_range(rng)
    allowed = r.words(integer)

    def parse(text: str) -> Any:
        try:
            value = int(text) if integer else float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be {allowed}, not {text!r}") from None
        if not math.isfinite(value) or not r.contains(value):
            raise argparse.ArgumentTypeError(f"must be {allowed}, not {text!r}")
        return value

    parse.__name__ = "int" if integer else "float"
    return parse


def int_at_least(low: int) -> Callable[[str], int]:
    """An argparse type: a whole number ``>= low``."""
    return number(at_least(low), integer=True)


positive_int = int_at_least(1)
non_negative_int = int_at_least(0)
#: An argparse type: a finite number > 0.
positive_float = number("positive")
#: An argparse type: a finite number >= 0.
non_negative_float = number("non-negative")
#: An argparse type: a number strictly between 0 and 1.
fraction = number("open-fraction")


def device(text: str) -> str:
    """An argparse type: ``auto``, ``cpu``, ``cuda`` or ``cuda:N``."""
    if DEVICES.fullmatch(text):
        return text
    raise argparse.ArgumentTypeError(f"must be auto, cpu, cuda or cuda:N, not {text!r}")


def add_features(parser: argparse.ArgumentParser, auto: str) -> None:
    """The ``--features`` option, offering every preset of :data:`exomesa.features.PRESET_NAMES`; ``auto``
    says what ``auto`` picks in this command."""
    from exomesa.features.groups import PRESET_NAMES

    parser.add_argument(
        "--features",
        default="auto",
        choices=["auto", *PRESET_NAMES],
        metavar="PRESET",
        help=f"feature preset: auto ({auto}) or one of {', '.join(PRESET_NAMES)} (see the features page of "
        "the docs; default auto)",
    )


def add_device(parser: argparse.ArgumentParser) -> None:
    """The ``--device`` option, the same in every command that runs a model."""
    parser.add_argument(
        "--device",
        type=device,
        default="auto",
        help=f"{DEVICE_HELP} (default auto)",
    )
