"""Adapter: cost tables -> growth exponents and LNN-vs-RNN comparisons (results/costs/)."""

from typing import TYPE_CHECKING

from lnnmeta.costs import CostGrid, run_compare
from lnnmeta.logs import logged

if TYPE_CHECKING:
    from snakemake.script import snakemake

with logged(snakemake.log[0]):
    run_compare(
        CostGrid.from_config(dict(snakemake.params.costs)),
        snakemake.input.rounds,
        snakemake.input.costs,
        snakemake.output.exponents,
        snakemake.output.comparisons,
    )
