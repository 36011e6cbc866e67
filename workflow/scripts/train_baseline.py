"""Adapter: one task x model x seed -> results/runs/{task}/{model}/seed{seed}.parquet."""

from typing import TYPE_CHECKING

from lnnmeta.logs import logged
from lnnmeta.pipeline import train_job

if TYPE_CHECKING:
    from snakemake.script import snakemake

with logged(snakemake.log[0]) as log:
    w = snakemake.wildcards
    log.info("training %s on %s, seed %s", w.model, w.task, w.seed)
    train_job(
        task=w.task,
        model=w.model,
        seed=int(w.seed),
        training=dict(snakemake.params.training),
        model_params=dict(snakemake.params.model_params),
        conditions=dict(snakemake.params.conditions),
        backend=snakemake.params.backend,
        user_tasks=dict(snakemake.params.user_tasks),
        out=snakemake.output[0],
    )
