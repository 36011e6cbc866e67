"""Shared fixtures. ``ci_workflow`` runs the real workflow once per session on config/ci.yaml."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW_FILES = ("Snakefile", "rules", "workflow", "config", "src")


def copy_workflow(dest: Path) -> Path:
    """A private copy of the workflow (Snakemake locks its working directory)."""
    for name in WORKFLOW_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(
                src, dest / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__")
            )
        else:
            shutil.copy2(src, dest / name)
    return dest


def snakemake(workdir: Path, *args: str, timeout: int = 900) -> subprocess.CompletedProcess[str]:
    """Run the venv's snakemake in ``workdir``."""
    exe = Path(sys.executable).with_name("snakemake")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    return subprocess.run(
        [str(exe), *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        check=False,
    )


@pytest.fixture(scope="session")
def ci_workflow(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workflow run end to end on config/ci.yaml; returns its working directory."""
    work = copy_workflow(tmp_path_factory.mktemp("ci_workflow"))
    res = snakemake(work, "--cores", "2", "--configfile", "config/ci.yaml")
    if res.returncode != 0:
        raise AssertionError(f"workflow failed:\n{res.stdout[-4000:]}\n{res.stderr[-8000:]}")
    return work
