"""Fixtures of the report tests: the report of the CI workflow run, and one built from inputs that
hold markup (a paper whose title and table caption contain a ``<script>`` element)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from lnnmeta.config import load_config
from lnnmeta.report.build import build_report
from lnnmeta.report.render import html_to_pdf
from lnnmeta.tables import read_table, write_table

HOSTILE = '<script>alert("x")</script>'


@dataclass(frozen=True)
class Report:
    root: Path
    html: Path
    pdf: Path
    tables: Path


@pytest.fixture(scope="session")
def ci_report(ci_workflow: Path) -> Report:
    """reports/ of the workflow run on config/ci.yaml (see tests/conftest.py)."""
    r = ci_workflow / "reports"
    return Report(ci_workflow, r / "report.html", r / "report.pdf", r / "tables")


@pytest.fixture(scope="session")
def hostile_report(ci_workflow: Path, tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The report rebuilt from the CI run's tables with markup in a paper title and a caption."""
    work = tmp_path_factory.mktemp("hostile")
    reported = read_table(ci_workflow / "results/literature/reported.parquet", "reported")
    first = "hasani2021ltc"  # the paper whose exported Table 2 the test reads
    reported.loc[reported["paper_key"] == first, "caption"] = f"Results {HOSTILE} table"
    write_table(reported, work / "reported.parquet", "reported")
    bib = (ci_workflow / "config/literature/references.bib").read_text(encoding="utf-8")
    bib += (
        "\n@article{zz_hostile, author={Doe, Jane}, title={{Liquid " + HOSTILE + " networks}}, "
        "journal={Journal}, year={2024}}\n"
    )
    (work / "references.bib").write_text(bib, encoding="utf-8")
    html, pdf = work / "report.html", work / "report.pdf"
    build_report(
        reported=str(work / "reported.parquet"),
        runs=str(ci_workflow / "results/runs/all.parquet"),
        analysis=sorted(str(p) for p in (ci_workflow / "results/analysis").glob("*.parquet")),
        claims=str(ci_workflow / "config/claims.yaml"),
        bib=str(work / "references.bib"),
        config=load_config(ci_workflow / "config/ci.yaml"),
        html_out=str(html),
        tables_dir=str(work / "tables"),
    )
    html_to_pdf(html, pdf)
    return Report(work, html, pdf, work / "tables")
