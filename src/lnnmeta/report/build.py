"""Build the report: read every input once, call the sections in order, render the HTML.

The statistics are computed by the analysis rules (results/analysis/*.parquet, listed in
:mod:`lnnmeta.analysis_tables`); the sections (:mod:`lnnmeta.report.sections`) only format them,
and the table sink (:mod:`lnnmeta.report.sink`) writes the exported tables to ``reports/tables/``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lnnmeta.atomic import write_text
from lnnmeta.claims import load_claims
from lnnmeta.provenance import git_commit
from lnnmeta.report.answer import bib_authors
from lnnmeta.report.inputs import ReportInputs, read_analysis
from lnnmeta.report.render import render_html
from lnnmeta.report.sections import build_sections, lead
from lnnmeta.report.sections.costs import read_cost_tables
from lnnmeta.report.sections.methods import references
from lnnmeta.report.sink import TableSink
from lnnmeta.tables import read_table

QUESTION = (
    "Do liquid neural networks (LTC, CfC, NCP) beat recurrent networks (RNN, LSTM, GRU) in accuracy, "
    "memory efficiency and out-of-distribution generalization - according to what papers report, "
    "according to what we can rerun, and how sure can we be?"
)


def build_report(
    reported: str,
    runs: str,
    analysis: list[str],
    claims: str,
    bib: str,
    config: dict[str, Any],
    html_out: str,
    tables_dir: str,
    costs: Sequence[str] = (),
) -> None:
    """Read every table, build the sections, write the HTML report and the exported tables.

    ``analysis``: the analysis tables (lnnmeta.analysis_tables); ``costs``: the cost benchmark's
    tables (results/costs/*.parquet); without them, no cost section.
    """
    inp = ReportInputs(
        reported=read_table(reported, "reported"),
        runs=read_table(runs, "runs_all"),
        analysis=read_analysis(analysis),
        claims=load_claims(claims),
        refs=references(bib),
        config=config,
        authors=bib_authors(bib),
        costs=read_cost_tables(costs),
    )
    sink = TableSink(tables_dir, inp.get("effects"), inp.level)
    sections = build_sections(inp, sink)
    title = config.get("report", {}).get("title", "Liquid neural networks vs recurrent networks")
    html = render_html(title, QUESTION, sections, git_commit(), lead=lead(inp))
    write_text(html_out, html)
