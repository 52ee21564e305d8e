"""Ensemble members trained in worker processes: from a plain script, ``python -c``, with a fallback, and
with their epoch lines forwarded to the parent's log."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from exomesa.mesa import ensemble

FIT = """
import logging
logging.basicConfig(level=logging.INFO, format="%(message)s")
from exomesa import MesaClassifier
from exomesa.data import load_dr25, split_catalog
train, test = split_catalog(load_dr25(), test_size=0.2, seed=42)
clf = MesaClassifier(
    features="archive",
    model={"towers": "physics"},
    train={"epochs": 2, "seed": 0, "ensemble": 2, "ensemble_workers": 2},
)
clf.fit(train.head(300))
print("fitted", clf.predict_proba(test.head(3)).shape)
"""


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_fit_in_a_plain_script_without_main_guard(tmp_path: Path) -> None:
    script = tmp_path / "fit.py"
    script.write_text(textwrap.dedent(FIT))
    res = _run([sys.executable, str(script)], tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "fitted (3, 3)" in res.stdout
    assert "training 2 ensemble members in 2 processes" in res.stderr
    # the workers' epoch lines reach the parent's log, named by member, with the time left
    assert "member 1/2: epoch 2/2" in res.stderr and "member 2/2: epoch 2/2" in res.stderr
    assert "left" in res.stderr
    assert res.stdout.count("fitted") == 1  # the script ran once, not again in each worker


@pytest.mark.slow
def test_fit_from_python_c(tmp_path: Path) -> None:
    res = _run([sys.executable, "-c", FIT], tmp_path)
    assert res.returncode == 0, res.stderr[-2000:]
    assert "fitted (3, 3)" in res.stdout


def test_members_train_one_after_another_where_processes_cannot_start(monkeypatch, caplog) -> None:
    def no_processes(*args, **kwargs):
        raise OSError("no process creation here")

    calls: list[str] = []

    def fake_train_one(seed, *args, **kwargs):
        calls.append(args[-1] if args else "")
        return {"seed": seed}, [{"epoch": 1}]

    monkeypatch.setattr(ensemble, "_train_in_processes", no_processes)
    monkeypatch.setattr(ensemble, "_train_one", fake_train_one)
    with caplog.at_level(logging.WARNING, logger="exomesa"):
        out = ensemble.train_members({}, {"epochs": 1}, {}, None, seeds=[3, 4], workers=2)
    assert [o[0]["seed"] for o in out] == [3, 4]
    assert calls == ["member 1/2", "member 2/2"]
    assert "one after another" in caplog.text


def test_main_script_is_hidden_only_while_workers_start() -> None:
    main = sys.modules["__main__"]
    had_file = hasattr(main, "__file__")
    before = getattr(main, "__spec__", None)
    with ensemble._main_script_hidden():
        assert not hasattr(main, "__file__")
        assert main.__spec__ is None
    assert hasattr(main, "__file__") == had_file
    assert getattr(main, "__spec__", None) is before


def test_epoch_line_says_member_best_and_time_left() -> None:
    from exomesa.mesa.trainer import format_epoch

    rec = {
        "epoch": 3,
        "train_loss": 0.5,
        "train_contrastive": 0.1,
        "train_classification": 0.4,
        "train_accuracy": 0.8,
        "val_loss": 0.45,
        "val_accuracy": 0.81,
        "val_macro_f1": 0.7,
        "lr": 1e-4,
        "seconds": 2.0,
        "best_so_far": 0.44,
        "best_so_far_epoch": 2,
        "eta_seconds": 75.0,
    }
    line = format_epoch(rec, 50, "member 2/3")
    assert line.startswith("member 2/3: epoch 3/50")
    assert "best 0.4400 (epoch 2)" in line
    assert line.endswith("at most 1 min 15 s left")
