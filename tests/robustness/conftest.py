"""Helpers of the robustness tests: mutated copies of curated files, private workflow copies."""

from __future__ import annotations

import copy
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import ROOT

LITERATURE = ROOT / "config" / "literature"
#: The curated file most mutations start from: it has percent, fraction and count columns.
BASE_PAPER = LITERATURE / "hasani2021ltc.yaml"


def curated(path: Path = BASE_PAPER) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def first_cell(data: dict[str, Any], unit: str | None = None) -> tuple[int, int, str]:
    """(table index, row index, column id) of the first cell, in a column of ``unit`` if given."""
    for ti, table in enumerate(data["tables"]):
        ids = [c["id"] for c in table["columns"] if unit is None or c["unit"] == unit]
        for ri, row in enumerate(table["rows"]):
            for cid in ids:
                if cid in row["cells"]:
                    return ti, ri, cid
    raise LookupError(f"no cell with unit {unit!r}")


def mutated(fn: Callable[[dict[str, Any]], Any], base: Path = BASE_PAPER) -> str:
    """The YAML text of ``base`` after ``fn`` changed its parsed data in place."""
    data = copy.deepcopy(curated(base))
    fn(data)
    return dump(data)


def symlink_workflow(dest: Path, config: dict[str, Any]) -> Path:
    """A private working directory for Snakemake: the workflow linked in, ``config`` as the default.

    ``config/`` is a real folder (literature and claims linked in) so that ``config`` is the whole
    configuration: Snakemake merges a ``--configfile`` into the Snakefile's default config.
    """
    dest.mkdir(parents=True, exist_ok=True)
    for name in ("Snakefile", "rules", "workflow", "src"):
        (dest / name).symlink_to(ROOT / name)
    (dest / "config").mkdir()
    (dest / "config" / "literature").symlink_to(LITERATURE)
    (dest / "config" / "claims.yaml").symlink_to(ROOT / "config" / "claims.yaml")
    (dest / "config" / "config.yaml").write_text(dump(config), encoding="utf-8")
    return dest


def tiny_config() -> dict[str, Any]:
    """config/ci.yaml cut down: one task, an RNN and an LNN, two seeds, three epochs."""
    cfg: dict[str, Any] = yaml.safe_load((ROOT / "config" / "ci.yaml").read_text())
    cfg.update(tasks=["italy_power_demand"], models=["lstm", "cfc"], seeds=[0, 1])
    cfg["training"].update(epochs=3, patience=2, max_train_samples=64, max_test_samples=64)
    cfg["conditions"] = {"noise": [0.3], "irregular": [], "length": [], "shift": False}
    return cfg


def snakemake_cmd(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("snakemake")), *args]


def env() -> dict[str, str]:
    return {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def run_snakemake(
    workdir: Path, *args: str, timeout: int = 300
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        snakemake_cmd(*args),
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env(),
        check=False,
    )


@pytest.fixture
def paper_dir(tmp_path: Path) -> Path:
    """An empty folder for one mutated literature file (named like the curated one)."""
    d = tmp_path / "literature"
    d.mkdir()
    return d


def which(cmd: str) -> bool:
    return shutil.which(cmd) is not None
