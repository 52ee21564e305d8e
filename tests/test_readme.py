"""The Python API example in README.md runs as written."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"


@pytest.mark.slow
def test_readme_api_example_runs(tmp_path: Path) -> None:
    text = README.read_text()
    block = re.search(r"## Python API\s+```python\n(.*?)```", text, re.S)
    assert block, "README has no Python API example"
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        namespace: dict = {}
        exec(compile(block.group(1), str(README), "exec"), namespace)  # noqa: S102
    finally:
        os.chdir(cwd)
    assert namespace["proba"].shape == (5, 3)
    assert len(namespace["labels"]) == 5
    assert (tmp_path / "my_model.pth").exists()
    assert (namespace["same"].predict_proba(namespace["test"].head(5)) == namespace["proba"]).all()
