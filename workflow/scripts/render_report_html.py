"""Adapter: every table -> reports/report.html and reports/tables/."""

from typing import TYPE_CHECKING

from lnnmeta.logs import logged
from lnnmeta.report.build import build_report

if TYPE_CHECKING:
    from snakemake.script import snakemake

with logged(snakemake.log[0]):
    build_report(
        reported=snakemake.input.reported,
        runs=snakemake.input.runs,
        analysis=list(snakemake.input.analysis),
        costs=list(snakemake.input.costs),
        claims=snakemake.input.claims,
        bib=snakemake.input.bib,
        config=dict(snakemake.params.config),
        html_out=snakemake.output.html,
        tables_dir=snakemake.output.tables,
    )
