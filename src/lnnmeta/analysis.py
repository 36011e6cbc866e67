"""The analysis stage: one function per rule, reading declared tables and writing declared tables.

The statistics live in :mod:`lnnmeta.stats`; this module only feeds them and writes their outputs.
Rerun models are named by registry name in ``runs``; for comparisons with the literature they are
mapped to the literature's canonical names (``cfc_mm`` -> ``CfC-mmRNN``).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

import pandas as pd

from lnnmeta import stats
from lnnmeta.analysis_tables import ANALYSIS_TABLES
from lnnmeta.registry import canonical_name
from lnnmeta.stats.plots import forest_table, funnel_table
from lnnmeta.tables import read_table, write_table

log = logging.getLogger("lnnmeta.analysis")


def _write(df: pd.DataFrame, out: Mapping[str, str], name: str) -> None:
    """Write the analysis table ``name`` (:data:`lnnmeta.analysis_tables.ANALYSIS_TABLES`) to ``out[name]``."""
    import lnnmeta.stats.schemas  # noqa: F401 - registers the stats_* schemas

    write_table(df.reset_index(drop=True), out[name], ANALYSIS_TABLES[name].schema)
    log.info("wrote %s (%d rows)", out[name], len(df))


def all_effects(reported: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    """Reported and rerun LNN-vs-RNN effects in one EFFECTS table."""
    frames = [stats.literature_effects(reported)]
    if not runs.empty:
        frames.append(stats.rerun_effects(runs))
    return (
        pd.concat([f for f in frames if not f.empty], ignore_index=True)
        if any(not f.empty for f in frames)
        else frames[0]
    )


def pool_all(
    reported_path: str,
    runs_path: str,
    out: Mapping[str, str],
    alpha: float = 0.05,
) -> None:
    """The tables of rule pool_effects (``out``: registry name -> path; effect_counts,
    sensitivity_copies, literature_sensitivity, forest_rows and funnel_points are written when
    ``out`` names them).

    Nothing here resamples: every interval is analytic (Knapp-Hartung, CR2, Clopper-Pearson), so
    the rule takes no ``bootstrap``; the bootstrap of ``analysis.bootstrap`` is the interval of
    P(LNN > RNN) over seeds in :func:`rank_all`.
    """
    reported = read_table(reported_path, "reported")
    runs = read_table(runs_path, "runs_all")
    effects = all_effects(reported, runs)
    _write(effects, out, "effects")
    # The three-level model (REML3) is the primary estimate; the cluster-average rows follow.
    multilevel = stats.pool_multilevel(effects, scopes=("overall", "paper"), alpha=alpha)
    meta = pd.concat([multilevel, stats.pool_effects(effects, alpha=alpha)], ignore_index=True)
    _write(meta, out, "meta")
    if "effect_counts" in out:
        _write(stats.effect_counts(effects), out, "effect_counts")
    if "sensitivity_copies" in out:
        _write(
            stats.copies_sensitivity(effects[effects["source"] == "reported"], alpha=alpha),
            out,
            "sensitivity_copies",
        )
    loo = stats.leave_one_paper_out(effects[effects["source"] == "reported"], alpha=alpha)
    _write(loo, out, "leave_one_out")
    if "literature_sensitivity" in out:
        _write(
            stats.literature_sensitivity(meta, loo, effects, alpha=alpha),
            out,
            "literature_sensitivity",
        )
    if "forest_rows" in out:
        _write(forest_table(effects, alpha=alpha), out, "forest_rows")
    if "funnel_points" in out:
        _write(funnel_table(effects), out, "funnel_points")
    _write(stats.sign_test(effects, alpha=alpha), out, "sign_test")
    if "memory_votes" in out:
        _write(stats.memory_sign_test(effects, alpha=alpha), out, "memory_votes")
    _write(stats.egger_test(effects), out, "egger")


def rank_all(
    runs_path: str,
    out: Mapping[str, str],
    alpha: float = 0.05,
    bootstrap: int = 2000,
    rope: float = 0.01,
) -> None:
    """The tables of rule rank_models (``out``: registry name -> path): rerun_summary,
    rerun_comparisons and the rank-test tables (the LNN-vs-RNN family test first).

    Tasks where no run beat its sanity baseline are left out of the rank tests (lnnmeta.sanity).
    """
    from lnnmeta.stats.family import family_tests, learned_tasks

    runs = read_table(runs_path, "runs_all")
    _write(stats.rerun_summary(runs, alpha), out, "rerun_summary")
    _write(stats.rerun_comparisons(runs, n_boot=bootstrap, alpha=alpha), out, "rerun_comparisons")
    if "rerun_costs" in out:
        _write(stats.rerun_costs(runs), out, "rerun_costs")
    if "rerun_cost_ratios" in out:
        _write(stats.rerun_cost_ratios(runs), out, "rerun_cost_ratios")
    _write(family_tests(runs, alpha=alpha), out, "rank_family")
    ranks = stats.rank_tests(learned_tasks(runs)[0], rope=rope, alpha=alpha, figures=False)
    _write(ranks.friedman, out, "rank_friedman")
    _write(ranks.mean_ranks, out, "rank_means")
    _write(ranks.pairwise, out, "rank_pairwise")


def canonical_runs(
    runs: pd.DataFrame, stand_ins: Mapping[str, str], own_tasks: list[str]
) -> pd.DataFrame:
    """Runs with literature model names; an ``own_tasks`` task renamed to the paper task it reruns."""
    out = runs.copy()
    out["model"] = [canonical_name(m) for m in out["model"]]
    rename = {t: stand_ins[t] for t in own_tasks if t in stand_ins}
    out["task"] = out["task"].replace(rename)
    return out


def reproduction_all(
    reported_path: str,
    runs_path: str,
    out: Mapping[str, str],
    stand_ins: Mapping[str, str],
    own_tasks: list[str] | None = None,
    alpha: float = 0.05,
) -> None:
    """The tables of rule check_reproduction (``out``: registry name -> path)."""
    reported = read_table(reported_path, "reported")
    own = list(own_tasks or [])
    every = read_table(runs_path, "runs_all")
    # Runs that did not beat their sanity baseline say nothing about reproduction: left out, counted.
    _write(excluded_runs(every), out, "rvr_excluded")
    runs = canonical_runs(every[every["learned"]], stand_ins, own)
    mapping = {t: p for t, p in stand_ins.items() if t not in own}
    res = stats.reported_vs_reproduced(reported, runs, mapping, alpha=alpha)
    _write(res.directions, out, "rvr_directions")
    _write(res.values, out, "rvr_values")


def excluded_runs(runs: pd.DataFrame) -> pd.DataFrame:
    """Per task and model: runs, and runs not learned (left out of the reproduction checks)."""
    ident = runs[runs["condition"] == "id"]
    g = ident.groupby(["task", "model"], sort=True)["learned"]
    df = pd.DataFrame({"n_runs": g.size(), "n_not_learned": g.apply(lambda s: int((~s).sum()))})
    return df.reset_index()
