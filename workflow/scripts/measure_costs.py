"""Adapter: the cost benchmark -> results/costs/rounds.parquet and results/costs/costs.parquet."""

from typing import TYPE_CHECKING

from lnnmeta.costs import CostGrid, run_measure
from lnnmeta.logs import logged

if TYPE_CHECKING:
    from snakemake.script import snakemake

with logged(snakemake.log[0]) as log:
    grid = CostGrid.from_config(dict(snakemake.params.costs))
    log.info("measuring %d cells x %d contenders", len(grid.cells()), len(grid.contenders()))
    run_measure(grid, snakemake.output.rounds, snakemake.output.costs)
