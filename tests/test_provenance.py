"""Provenance stamped on the runs and the report: versions and the commit."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import lnnmeta
from lnnmeta.provenance import git_commit, versions

ROOT = Path(__file__).resolve().parents[1]


def test_versions_name_the_packages_that_make_the_numbers() -> None:
    from importlib.metadata import version

    v = versions()
    assert set(v) == {"python", "torch", "ncps", "lnnmeta"}
    assert v["torch"] == version("torch") and v["lnnmeta"] == lnnmeta.__version__


def test_commit_inside_and_outside_a_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    inside = git_commit()
    if (ROOT / ".git").exists():
        assert re.fullmatch(r"[0-9a-f]{40}", inside)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    assert git_commit() == "unknown"
    monkeypatch.setenv("PATH", str(tmp_path))  # no git at all
    assert git_commit() == "unknown"
