"""Adapter: reports/report.html -> reports/report.pdf (WeasyPrint)."""

from typing import TYPE_CHECKING

from lnnmeta.logs import logged
from lnnmeta.report.render import html_to_pdf

if TYPE_CHECKING:
    from snakemake.script import snakemake

with logged(snakemake.log[0]):
    html_to_pdf(snakemake.input.html, snakemake.output[0])
