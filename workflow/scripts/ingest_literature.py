"""Adapter: literature YAML files -> results/literature/reported.parquet."""

from typing import TYPE_CHECKING

from lnnmeta.literature.loader import ingest_literature
from lnnmeta.logs import logged

if TYPE_CHECKING:
    from snakemake.script import snakemake

with logged(snakemake.log[0]) as log:
    df = ingest_literature(snakemake.params.literature_dir, snakemake.output[0])
    log.info("ingested %d reported numbers from %d papers", len(df), df["paper_key"].nunique())
