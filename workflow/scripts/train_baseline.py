"""Adapter: one task x model, every seed -> results/runs/{task}/{model}/seed{seed}.parquet."""

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from lnnmeta.logs import logged
from lnnmeta.pipeline import train_seeds

if TYPE_CHECKING:
    from snakemake.script import snakemake

with logged(snakemake.log[0]) as log:
    w, p = snakemake.wildcards, snakemake.params
    log.info("training %s on %s, seeds %s", w.model, w.task, list(p.seeds))
    digest = hashlib.sha256(b"".join(Path(f).read_bytes() for f in snakemake.input.code))
    train_seeds(
        task=w.task,
        model=w.model,
        seeds=[int(s) for s in p.seeds],
        training=dict(p.training),
        model_params=dict(p.model_params),
        conditions=dict(p.conditions),
        backend=p.backend,
        user_tasks=dict(p.user_tasks),
        outs=list(snakemake.output),
        resume_dir=p.resume_dir,
        code_digest=digest.hexdigest(),
    )
