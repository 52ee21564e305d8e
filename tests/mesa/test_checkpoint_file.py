"""A file that is not a checkpoint is refused in our words, before torch is imported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from exomesa.errors import ExomesaError
from exomesa.mesa.checkpoint_file import check_checkpoint_file, is_checkpoint_file


def test_random_bytes_are_not_a_checkpoint(tmp_path: Path) -> None:
    bad = tmp_path / "garbage.pth"
    bad.write_bytes(os.urandom(4096))
    assert not is_checkpoint_file(bad)
    with pytest.raises(ExomesaError, match="garbage.pth is not an exomesa model file"):
        check_checkpoint_file(bad)


def test_garbage_model_is_refused_without_importing_torch(tmp_path: Path) -> None:
    bad = tmp_path / "garbage.pth"
    bad.write_bytes(os.urandom(4096))
    code = (
        "import sys\n"
        "from exomesa.cli import main\n"
        f"rc = main(['test', '--model_path', {str(bad)!r}, '--output_dir', {str(tmp_path / 'out')!r}])\n"
        "assert 'torch' not in sys.modules, 'torch was imported'\n"
        "sys.exit(rc)\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 2, res.stderr
    assert res.stderr.count("\n") == 1 and "is not an exomesa model file" in res.stderr
    assert "weights_only" not in res.stderr
    assert not (tmp_path / "out").exists()


def test_pickled_code_in_a_torch_archive_is_refused_in_our_words(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    from exomesa.mesa.checkpoint import load_checkpoint

    path = tmp_path / "evil.pth"
    torch.save({"format": "x", "obj": Path("anything")}, path)  # a non-tensor object: needs unpickling code
    assert is_checkpoint_file(path)
    with pytest.raises(ExomesaError) as err:
        load_checkpoint(path)
    assert "pickled code, which exomesa never runs" in str(err.value)
    assert "weights_only" not in str(err.value)
