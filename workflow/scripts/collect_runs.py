"""Adapter: every per-seed run table and sanity table -> results/runs/all.parquet, sanity.parquet,
sanity_summary.parquet."""

from typing import TYPE_CHECKING

from lnnmeta.collect import collect_runs
from lnnmeta.logs import logged

if TYPE_CHECKING:
    from snakemake.script import snakemake

with logged(snakemake.log[0]) as log:
    df = collect_runs(
        list(snakemake.input.runs),
        list(snakemake.input.sanity),
        snakemake.output.runs,
        snakemake.output.sanity,
        snakemake.output.sanity_summary,
    )
    runs = df[df["condition"] == "id"]
    log.info(
        "collected %d rows; %d of %d runs not learned",
        len(df),
        int((~runs["learned"]).sum()),
        len(runs),
    )
