"""Every command's --help reads well: a plain-text description, no RST markup, options that agree across
commands (feature presets, output folders, spelling), the users' benchmark methods only, and a version."""

from __future__ import annotations

import argparse
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from exomesa._version import __version__
from exomesa.cli import build_parser, main
from exomesa.features import PRESET_NAMES

ROOT = Path(__file__).resolve().parents[2]
MARKUP = re.compile(r"``|:(func|class|mod|data|meth|attr):`")


def _commands() -> list[tuple[str, argparse.ArgumentParser]]:
    out: list[tuple[str, argparse.ArgumentParser]] = []

    def walk(prefix: str, parser: argparse.ArgumentParser) -> None:
        subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        if prefix:
            out.append((prefix, parser))
        for action in subs:
            for name, child in action.choices.items():
                walk(f"{prefix} {name}".strip(), child)

    walk("", build_parser())
    return out


COMMANDS = _commands()


@pytest.mark.parametrize(("name", "parser"), COMMANDS, ids=[c[0] for c in COMMANDS])
def test_every_command_has_a_plain_text_description(name, parser):
    text = parser.format_help()
    assert parser.description, f"exomesa {name} has no description"
    assert not MARKUP.search(text), f"exomesa {name} --help shows RST markup: {MARKUP.search(text).group(0)}"
    assert "whose (default" not in text


def test_train_describes_the_default_physics_tower():
    text = " ".join(dict(COMMANDS)["train"].format_help().split())
    assert "physics MLPs" not in text and "FT-Transformer" in text


@pytest.mark.parametrize("name", ["train", "run", "baseline train"])
def test_every_features_option_offers_every_preset(name):
    action = next(a for a in dict(COMMANDS)[name]._actions if "--features" in a.option_strings)
    assert list(action.choices) == ["auto", *PRESET_NAMES]
    assert {"full_gaia", "full_ephemeris"} <= set(action.choices)


def test_output_folders_and_spelling_agree():
    def default(name: str, option: str):
        return next(a.default for a in dict(COMMANDS)[name]._actions if option in a.option_strings)

    assert default("test", "--output_dir") == default("baseline test", "--output_dir") == "test_results"
    assert default("train", "--output_dir") == Path(default("baseline train", "--output_dir"))
    for name, parser in COMMANDS:
        for action in parser._actions:
            shown = [o for o in action.option_strings if action.help != argparse.SUPPRESS]
            assert not [o for o in shown if o.startswith("--") and "-" in o[2:]], (name, shown)
    hits = [
        str(p.relative_to(ROOT))
        for p in (ROOT / "src").rglob("*.py")
        if "--allow-missing" in p.read_text().replace('p.add_argument("--allow-missing"', "")
    ]
    assert not hits, hits


def test_benchmark_methods_lists_users_methods_not_experiments():
    text = " ".join(dict(COMMANDS)["benchmark"].format_help().split())
    variants = runpy.run_path(str(ROOT / "benchmarks" / "mesa_variants.py"))["MESA_VARIANTS"]
    assert variants and not [v for v in variants if re.search(rf"\b{v}\b", text)]
    assert "mesa_full" in text and "lgbm_tabular_full" in text


def test_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    assert exc.value.code == 0 and capsys.readouterr().out.strip() == f"exomesa {__version__}"
    run = subprocess.run([sys.executable, "-m", "exomesa", "--version"], capture_output=True, text=True)
    assert run.returncode == 0 and __version__ in run.stdout


def test_commands_page_names_every_command():
    page = (ROOT / "docs" / "commands.md").read_text()
    for name, _ in COMMANDS:
        assert f"exomesa {name}" in page, f"docs/commands.md does not mention exomesa {name}"


def test_every_lightcurves_option_says_the_same():
    from exomesa.cli._types import LIGHTCURVES_HELP

    helps = {
        name: action.help
        for name, parser in COMMANDS
        for action in parser._actions
        if "--lightcurves" in action.option_strings
    }
    assert {"train", "test", "run", "predict", "vet", "baseline train", "benchmark"} <= set(helps)
    assert set(helps.values()) == {LIGHTCURVES_HELP} and "embedded" in LIGHTCURVES_HELP
