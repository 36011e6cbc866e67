"""The registry of the analysis tables: one entry per table, every other list derived from it.

Each table the analysis stage writes (and the report reads) has a name, the name of its declared
schema in :data:`lnnmeta.tables.SCHEMAS` (the ``stats_*`` schemas are registered by
:mod:`lnnmeta.stats.schemas`), its path and the rule that writes it. The rules' outputs
(:func:`analysis_outputs`), the report's inputs (:func:`report_inputs`), the analysis functions'
writes and the report's reads all come from here; ``tests/workflow/test_registry.py`` checks that
the Snakemake rules agree.

This module imports nothing heavy: the Snakefile reads it while it builds the DAG.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AnalysisTable:
    """One table: its registered schema name, its path and the rule that writes it."""

    schema: str
    path: str
    rule: str


def _analysis(name: str, rule: str) -> AnalysisTable:
    return AnalysisTable(f"stats_{name}", f"results/analysis/{name}.parquet", rule)


#: Every analysis table, in the order the rules write them; keys are the file stems.
ANALYSIS_TABLES: dict[str, AnalysisTable] = {
    "effects": _analysis("effects", "pool_effects"),
    "meta": _analysis("meta", "pool_effects"),
    "leave_one_out": _analysis("leave_one_out", "pool_effects"),
    "sign_test": _analysis("sign_test", "pool_effects"),
    "egger": _analysis("egger", "pool_effects"),
    "effect_counts": _analysis("effect_counts", "pool_effects"),
    "sensitivity_copies": _analysis("sensitivity_copies", "pool_effects"),
    "literature_sensitivity": _analysis("literature_sensitivity", "pool_effects"),
    # The rows of the forest plots and the points of the funnel plots (lnnmeta.stats.plots).
    "forest_rows": _analysis("forest_rows", "pool_effects"),
    "funnel_points": _analysis("funnel_points", "pool_effects"),
    # The sign test on the memory and size comparisons (stats.memory_sign_test).
    "memory_votes": AnalysisTable(
        "stats_sign_test", "results/analysis/memory_votes.parquet", "pool_effects"
    ),
    "rerun_summary": _analysis("rerun_summary", "rank_models"),
    "rerun_comparisons": _analysis("rerun_comparisons", "rank_models"),
    "rerun_costs": _analysis("rerun_costs", "rank_models"),
    "rerun_cost_ratios": _analysis("rerun_cost_ratios", "rank_models"),
    "rank_friedman": _analysis("rank_friedman", "rank_models"),
    "rank_means": _analysis("rank_means", "rank_models"),
    "rank_pairwise": _analysis("rank_pairwise", "rank_models"),
    "rank_family": _analysis("rank_family", "rank_models"),
    "rvr_directions": _analysis("rvr_directions", "check_reproduction"),
    "rvr_values": _analysis("rvr_values", "check_reproduction"),
    "rvr_excluded": _analysis("rvr_excluded", "check_reproduction"),
    "claim_verdicts": _analysis("claim_verdicts", "judge_claims"),
    "dimension_verdicts": _analysis("dimension_verdicts", "judge_claims"),
    # The sanity baselines of every task, gathered with the runs (lnnmeta.tables.SANITY).
    "sanity": AnalysisTable("sanity", "results/runs/sanity.parquet", "collect_runs"),
    # Per task: the sanity baselines' means over seeds and the runs not learned (lnnmeta.collect).
    "sanity_summary": AnalysisTable(
        "sanity_summary", "results/runs/sanity_summary.parquet", "collect_runs"
    ),
}


def analysis_outputs(rule: str) -> dict[str, str]:
    """The tables ``rule`` writes, name -> path (a rule's ``output:``)."""
    out = {name: t.path for name, t in ANALYSIS_TABLES.items() if t.rule == rule}
    if not out:
        raise KeyError(f"no analysis table is written by rule {rule!r}")
    return out


def report_inputs() -> list[str]:
    """The paths of every analysis table, the report's ``analysis`` input."""
    return [t.path for t in ANALYSIS_TABLES.values()]


def table_name(path: str) -> str:
    """The registry name of the table at ``path`` (matched on the file stem)."""
    from pathlib import Path

    from lnnmeta.errors import InputError

    stem = Path(path).stem
    if stem not in ANALYSIS_TABLES:
        raise InputError(
            f"{path}: not an analysis table (expected one of {', '.join(ANALYSIS_TABLES)})"
        )
    return stem
