"""MESA's model and training flags, generated from the fields of :class:`~exomesa.mesa.config.MesaConfig` and
:class:`~exomesa.mesa.config.TrainConfig`: a flag's name, help, choices, allowed range and the default it shows
all come from the field. ``exomesa train`` and ``exomesa run`` add them with :func:`add_settings_arguments` and
read back the flags given explicitly with :func:`given_settings`.

Precedence where the settings are resolved (:func:`exomesa.pipeline.train_mesa`): the defaults, then the
``--preset``, then the ``--config`` file, then the flags given explicitly.
"""

from __future__ import annotations

import argparse
import dataclasses
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

from exomesa.errors import InvalidSettingError
from exomesa.mesa.config import (
    PRESET_ALIASES,
    PRESETS,
    MesaConfig,
    TrainConfig,
    settings_fields,
)
from exomesa.ranges import check_range, get_range

__all__ = ["add_settings_arguments", "given_settings"]

_SIMPLE_TYPES: dict[Any, Callable[[str], Any]] = {int: int, float: float, str: str}
_SECTIONS = (("model settings", MesaConfig), ("training settings", TrainConfig))


def _converter(cls: type, f: dataclasses.Field) -> Callable[[str], Any]:
    """The argparse ``type`` of field ``f``: its parser, then its range check (one-line error, exit 2)."""
    parse = f.metadata.get("parse") or _SIMPLE_TYPES[typing.get_type_hints(cls)[f.name]]
    rng = f.metadata.get("range")
    integer = str(f.type).startswith("int")

    def convert(text: str) -> Any:
        try:
            value = parse(text)
        except ValueError as exc:
            if rng:
                raise argparse.ArgumentTypeError(
                    f"must be {get_range(rng).words(integer)}, not {text!r}"
                ) from None
            raise argparse.ArgumentTypeError(str(exc)) from None  # the parser words it: "must be ..."
        if rng and value is not None:
            try:
                check_range(f.name, value, rng, integer=integer)
            except InvalidSettingError:
                raise argparse.ArgumentTypeError(
                    f"must be {get_range(rng).words(integer)}, not {text!r}"
                ) from None
        return value

    convert.__name__ = getattr(parse, "__name__", "value")
    return convert


def _shown(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def add_settings_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--preset``, ``--config`` and one flag per setting of both configs (none is set unless given)."""
    parser.add_argument(
        "--preset",
        default=argparse.SUPPRESS,
        choices=sorted(PRESETS) + sorted(PRESET_ALIASES),
        help="named settings: "
        + "; ".join(f"{p.name}: {p.description}" for p in PRESETS.values())
        + "; "
        + ", ".join(f"{a} = {n}" for a, n in PRESET_ALIASES.items())
        + " (default: default)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=None,
        help="JSON file of settings (the flag names below, or an earlier run's mesa_config.json); "
        "precedence: defaults < --preset < --config < flags given",
    )
    default = PRESETS["default"]
    for title, cls in _SECTIONS:
        group = parser.add_argument_group(title)
        shown = default.model if cls is MesaConfig else default.train
        for f in settings_fields(cls):
            choices = f.metadata.get("choices")
            text = f.metadata["help"]
            if f.metadata.get("range"):
                text += f"; {get_range(f.metadata['range']).words(str(f.type).startswith('int'))}"
            group.add_argument(
                f"--{f.name}",
                type=_converter(cls, f),
                choices=choices,
                default=argparse.SUPPRESS,
                metavar="{" + ",".join(choices) + "}" if choices else f.name.upper(),
                help=f"{text} (default {_shown(getattr(shown, f.name))})",
            )


def given_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The settings (and ``preset``) given explicitly on the command line, by field name."""
    names = ["preset"] + [f.name for _, cls in _SECTIONS for f in settings_fields(cls)]
    return {name: getattr(args, name) for name in names if hasattr(args, name)}
