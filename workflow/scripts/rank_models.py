"""Adapter: rerun table -> per-task summaries, comparisons and rank tests across tasks."""

from typing import TYPE_CHECKING

from lnnmeta.analysis import rank_all
from lnnmeta.logs import logged

if TYPE_CHECKING:
    from snakemake.script import snakemake

with logged(snakemake.log[0]):
    rank_all(
        snakemake.input.runs,
        dict(snakemake.output.items()),
        alpha=snakemake.params.alpha,
        bootstrap=snakemake.params.bootstrap,
        rope=snakemake.params.rope,
    )
