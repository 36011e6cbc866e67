"""Adapter: every per-seed run table -> results/runs/all.parquet."""

from typing import TYPE_CHECKING

from lnnmeta.logs import logged
from lnnmeta.pipeline import collect_runs

if TYPE_CHECKING:
    from snakemake.script import snakemake

with logged(snakemake.log[0]) as log:
    df = collect_runs(list(snakemake.input.runs), snakemake.output[0])
    log.info("collected %d rows", len(df))
