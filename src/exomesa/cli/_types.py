"""Argument types shared by every subcommand: numbers checked where they are parsed, one-line errors.

A bad value (``--epochs -1``, ``--batch_size 0``, ``--test_size 1.5``) stops the command before anything runs
or is written, with one line naming the option and the allowed range, and exit code 2::

    exomesa train: error: argument --epochs: must be a whole number >= 1, not '-1'
"""

from __future__ import annotations

import argparse
import math
import re
import sys
from collections.abc import Callable
from typing import NoReturn

__all__ = [
    "Parser",
    "int_at_least",
    "positive_int",
    "non_negative_int",
    "positive_float",
    "non_negative_float",
    "fraction",
    "device",
    "add_device",
]


class Parser(argparse.ArgumentParser):
    """``argparse.ArgumentParser`` whose usage errors are one line (plus where to find help), exit 2."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"{self.prog}: error: {message} (see `{self.prog} --help`)\n")
        sys.exit(2)


def int_at_least(low: int) -> Callable[[str], int]:
    """An argparse type: a whole number ``>= low``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number >= {low}, not {text!r}") from None
        if value < low:
            raise argparse.ArgumentTypeError(f"must be a whole number >= {low}, not {text!r}")
        return value

    parse.__name__ = f"int>={low}"
    return parse


positive_int = int_at_least(1)
non_negative_int = int_at_least(0)


def _float(text: str, ok: Callable[[float], bool], allowed: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be {allowed}, not {text!r}") from None
    if not math.isfinite(value) or not ok(value):
        raise argparse.ArgumentTypeError(f"must be {allowed}, not {text!r}")
    return value


def positive_float(text: str) -> float:
    """An argparse type: a finite number > 0."""
    return _float(text, lambda v: v > 0, "a number > 0")


def non_negative_float(text: str) -> float:
    """An argparse type: a finite number >= 0."""
    return _float(text, lambda v: v >= 0, "a number >= 0")


def fraction(text: str) -> float:
    """An argparse type: a number strictly between 0 and 1."""
    return _float(text, lambda v: 0 < v < 1, "a fraction between 0 and 1 (exclusive)")


def device(text: str) -> str:
    """An argparse type: ``auto``, ``cpu``, ``cuda`` or ``cuda:N``."""
    if re.fullmatch(r"auto|cpu|cuda(:\d+)?", text):
        return text
    raise argparse.ArgumentTypeError(f"must be auto, cpu, cuda or cuda:N, not {text!r}")


def add_device(parser: argparse.ArgumentParser) -> None:
    """The ``--device`` option, the same in every command that runs a model."""
    parser.add_argument(
        "--device",
        type=device,
        default="auto",
        help="auto (a CUDA GPU when there is one, else the CPU), cpu, cuda or cuda:N (default auto)",
    )
