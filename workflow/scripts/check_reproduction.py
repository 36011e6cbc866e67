"""Adapter: reported + rerun tables -> reported-vs-reproduced checks."""

from typing import TYPE_CHECKING

from lnnmeta.analysis import reproduction_all
from lnnmeta.logs import logged

if TYPE_CHECKING:
    from snakemake.script import snakemake

with logged(snakemake.log[0]):
    reproduction_all(
        snakemake.input.reported,
        snakemake.input.runs,
        dict(snakemake.output.items()),
        stand_ins=dict(snakemake.params.stand_ins),
        own_tasks=list(snakemake.params.own_tasks),
        alpha=snakemake.params.alpha,
    )
