"""Adapter: one task, every seed -> results/sanity/{task}.parquet."""

from typing import TYPE_CHECKING

from lnnmeta.collect import sanity_job
from lnnmeta.logs import logged

if TYPE_CHECKING:
    from snakemake.script import snakemake

with logged(snakemake.log[0]) as log:
    p = snakemake.params
    df = sanity_job(
        task=snakemake.wildcards.task,
        seeds=[int(s) for s in p.seeds],
        training=dict(p.training),
        user_tasks=dict(p.user_tasks),
        alpha=float(p.alpha),
        out=snakemake.output[0],
    )
    for r in df.itertuples():
        log.info(
            "seed %s: %s %.4f, threshold %.4f, %s %.4f",
            r.seed,
            r.naive,
            r.naive_value,
            r.threshold,
            r.linear,
            r.linear_value,
        )
