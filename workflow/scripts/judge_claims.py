"""Adapter: claims + effects, pooled rows, rank tests, cost comparisons -> claim and dimension verdicts."""

from typing import TYPE_CHECKING

from lnnmeta.logs import logged
from lnnmeta.verdicts import judge_claims

if TYPE_CHECKING:
    from snakemake.script import snakemake

with logged(snakemake.log[0]) as log:
    verdicts = judge_claims(
        snakemake.input.claims,
        snakemake.input.effects,
        snakemake.input.meta,
        snakemake.input.pairwise,
        snakemake.input.family,
        snakemake.input.comparisons,
        snakemake.output.claim_verdicts,
        models=list(snakemake.params.models),
        alpha=snakemake.params.alpha,
        dimensions_path=snakemake.output.dimension_verdicts,
    )
    log.info(
        "judged %d claims: %s", verdicts["id"].nunique(), dict(verdicts["verdict"].value_counts())
    )
