"""Adapter: reported + rerun tables -> effects, pooled meta-analyses, sign tests, sensitivity, Egger."""

from typing import TYPE_CHECKING

from lnnmeta.analysis import pool_all
from lnnmeta.logs import logged

if TYPE_CHECKING:
    from snakemake.script import snakemake

with logged(snakemake.log[0]):
    pool_all(
        snakemake.input.reported,
        snakemake.input.runs,
        dict(snakemake.output.items()),
        alpha=snakemake.params.alpha,
    )
