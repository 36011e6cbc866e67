"""The lnnmeta command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lnnmeta.cli import main
from tests.conftest import ROOT


def test_help_runs() -> None:
    exe = Path(sys.executable).with_name("lnnmeta")
    res = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=False)
    assert res.returncode == 0 and "validate" in res.stdout


def test_validate_ok_on_curated_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    assert main(["validate"]) == 0


def test_validate_lists_all_problems(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("tasks: [nope]\nmodels: [lstm, transformer]\nseeds: [0]\n")
    exe = Path(sys.executable).with_name("lnnmeta")
    res = subprocess.run(
        [
            str(exe),
            "validate",
            "--config",
            str(cfg),
            "--literature",
            str(ROOT / "config/literature"),
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert res.returncode == 1
    assert "unknown task 'nope'" in res.stderr and "unknown model 'transformer'" in res.stderr
    assert "Traceback" not in res.stderr
