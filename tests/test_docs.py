"""The README and docs keep their promises: a short front door, a shipped example table that scores offline,
no development history outside the changelog, and an mkdocs nav that names every page."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from exomesa.cli import main
from exomesa.data import is_leaky

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
EXAMPLE = ROOT / "examples" / "kois_example.csv"
DOCS = ROOT / "docs"


def test_readme_is_a_front_door() -> None:
    text = README.read_text()
    assert len(text.splitlines()) <= 150
    for needed in ("make run", "make test", "make shell", "source .venv/bin/activate", "## Python API"):
        assert needed in text, needed


def test_no_development_history_outside_the_changelog() -> None:
    pages = [README, *DOCS.rglob("*.md")]
    pattern = re.compile(r"issue ?#?[0-9]+|\bsession\b|deadline|2-core|development machine", re.I)
    hits = [
        f"{p.relative_to(ROOT)}: {m.group(0)}"
        for p in pages
        if p.name != "CHANGELOG.md"
        for m in pattern.finditer(p.read_text())
    ]
    assert not hits, hits


def test_example_table_has_no_answer_columns() -> None:
    frame = pd.read_csv(EXAMPLE, comment="#")
    assert len(frame) >= 30
    assert not [c for c in frame.columns if is_leaky(c)]


def test_readme_predict_example_scores_the_shipped_table(tmp_path: Path) -> None:
    command = re.search(r"exomesa predict --input (examples/\S+) --output (\S+)", README.read_text())
    assert command, "README has no predict example on the shipped table"
    assert (ROOT / command.group(1)).is_file()
    out = tmp_path / "predictions.csv"
    assert main(["predict", "--input", str(ROOT / command.group(1)), "--output", str(out)]) in (0, None)
    scored = pd.read_csv(out)
    assert len(scored) == len(pd.read_csv(EXAMPLE, comment="#"))
    assert scored["scored"].all()
    assert not scored["in_training"].any()  # test stars of the default split: real predictions


def test_mkdocs_nav_names_every_page() -> None:
    yaml = pytest.importorskip("yaml")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text())

    def pages(node: object) -> list[str]:
        if isinstance(node, str):
            return [node]
        if isinstance(node, list):
            return [p for item in node for p in pages(item)]
        if isinstance(node, dict):
            return [p for value in node.values() for p in pages(value)]
        return []

    in_nav = set(pages(config["nav"]))
    on_disk = {p.relative_to(DOCS).as_posix() for p in DOCS.rglob("*.md")}
    assert on_disk <= in_nav, sorted(on_disk - in_nav)
    assert in_nav <= on_disk, sorted(in_nav - on_disk)
