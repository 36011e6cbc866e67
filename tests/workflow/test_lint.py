"""`snakemake --lint`: the only accepted lint is the per-rule conda/container advice.

lnnmeta installs one Python environment (the Makefile's .venv, pinned in pyproject.toml) for every
rule, so per-rule conda environments would only duplicate it.
"""

from __future__ import annotations

import re

from tests.conftest import ROOT, snakemake

ACCEPTED = ("Specify a conda environment or container for each rule.",)


def test_only_accepted_lints() -> None:
    # Snakemake 9.27 prints text even when asked for json, so the text is parsed.
    res = snakemake(ROOT, "--lint", "--cores", "1")
    out = res.stdout + res.stderr
    assert "Lints for" in out or res.returncode == 0, out
    found = []
    where = ""
    for line in out.splitlines():
        if line.startswith("Lints for"):
            where = line
        elif (m := re.match(r"^\s{4}\* (.+?):?$", line)) and m.group(1).rstrip(":") not in ACCEPTED:
            found.append(f"{where} {m.group(1)}")
    assert not found, found
