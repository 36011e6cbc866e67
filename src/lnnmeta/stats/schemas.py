"""Declared pyarrow schemas of every table the statistics layer returns.

Each schema is registered with :func:`lnnmeta.tables.register` under the name given in
:data:`TABLE_NAMES`, so the workflow can write the tables with :func:`lnnmeta.tables.write_table`.
:func:`typed_frame` builds a DataFrame whose columns and dtypes follow a schema; every public
function of :mod:`lnnmeta.stats` returns its tables through it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import pyarrow as pa

from lnnmeta.tables import register


def _f(name: str, typ: pa.DataType, nullable: bool = False) -> pa.Field:
    return pa.field(name, typ, nullable=nullable)


_S = pa.string()
_F = pa.float64()
_I = pa.int64()
_B = pa.bool_()

#: One row per LNN-vs-RNN pair (literature or rerun); positive ``effect`` means "LNN better".
EFFECTS = pa.schema(
    [
        _f("source", _S),
        _f("paper_key", _S),
        _f("evidence_paper", _S),
        _f("location", _S),
        _f("table_id", _S),
        _f("column_id", _S),
        _f("task", _S),
        _f("metric", _S),
        _f("metric_family", _S),
        _f("dimension", _S),
        _f("higher_is_better", _B),
        _f("cluster_id", _S),
        _f("lnn_model", _S),
        _f("rnn_model", _S),
        _f("lnn_value", _F, True),
        _f("rnn_value", _F, True),
        _f("lnn_sd", _F, True),
        _f("rnn_sd", _F, True),
        _f("lnn_n", _I, True),
        _f("rnn_n", _I, True),
        _f("effect", _F, True),
        _f("variance", _F, True),
        _f("effect_kind", _S),
        _f("scale", _S),
        _f("copied", _B),
        _f("copied_side", _S, True),
        _f("copied_from", _S, True),
        _f("note", _S, True),
    ]
)

#: Random-effects pooled estimates: one row per source, scope, dimension, family, scale, method.
META = pa.schema(
    [
        _f("source", _S),
        _f("scope", _S),
        _f("dimension", _S),
        _f("metric_family", _S),
        _f("scale", _S),
        _f("method", _S),
        _f("dependence", _S),
        _f("k", _I),
        _f("n_pairs", _I),
        _f("n_papers", _I),
        _f("estimate", _F, True),
        _f("se", _F, True),
        _f("se_wald", _F, True),
        _f("ci_low", _F, True),
        _f("ci_high", _F, True),
        _f("p_value", _F, True),
        _f("tau2", _F, True),
        _f("i2", _F, True),
        _f("q", _F, True),
        _f("q_df", _I, True),
        _f("q_p", _F, True),
        _f("pi_low", _F, True),
        _f("pi_high", _F, True),
        # One measure (metric) per row for efficiency; "all" otherwise.
        _f("measure", _S, True),
        # Three-level model (method "REML3") only: variance components, levels, CR2 test.
        _f("sigma2_outer", _F, True),
        _f("sigma2_inner", _F, True),
        _f("n_outer", _I, True),
        _f("n_inner", _I, True),
        _f("se_robust", _F, True),
        _f("df_robust", _F, True),
        _f("ci_low_robust", _F, True),
        _f("ci_high_robust", _F, True),
        _f("p_robust", _F, True),
        _f("n_invalid_variance", _I, True),
        _f("note", _S, True),
    ]
)

#: :func:`lnnmeta.stats.leave_one_paper_out`: the META columns plus the paper left out.
LEAVE_ONE_OUT = pa.schema([*META, _f("left_out", _S)])

#: Binomial sign test (and vote count) on comparison directions.
SIGN_TEST = pa.schema(
    [
        _f("source", _S),
        _f("scope", _S),
        _f("dimension", _S),
        _f("metric_family", _S),
        _f("subset", _S),
        _f("dependence", _S),
        _f("n_positive", _I),
        _f("n_negative", _I),
        _f("n_ties", _I),
        _f("n", _I),
        _f("prop_lnn_better", _F, True),
        _f("ci_low", _F, True),
        _f("ci_high", _F, True),
        _f("p_value", _F, True),
        _f("note", _S, True),
    ]
)

#: Egger's regression test for funnel-plot asymmetry.
EGGER = pa.schema(
    [
        _f("source", _S),
        _f("dimension", _S),
        _f("metric_family", _S),
        _f("scale", _S),
        _f("dependence", _S),
        _f("k", _I),
        _f("intercept", _F, True),
        _f("intercept_se", _F, True),
        _f("t", _F, True),
        _f("df", _I, True),
        _f("p_value", _F, True),
        _f("slope", _F, True),
        # "modified_se" (Pustejovsky & Rodgers 2019, SMD) or "se" (classical Egger).
        _f("predictor", _S, True),
        _f("note", _S, True),
    ]
)

#: Counts of pairs per source, dimension, metric family and scale: what is pooled, what is not,
#: and why (:func:`lnnmeta.stats.effect_counts`). Nothing is dropped without being counted.
EFFECT_COUNTS = pa.schema(
    [
        _f("source", _S),
        _f("dimension", _S),
        _f("metric_family", _S),
        _f("scale", _S),
        _f("n_pairs", _I),
        _f("n_with_variance", _I),
        _f("n_ties", _I),
        _f("n_degenerate_spread", _I),
        _f("n_zero_spread_both", _I),
        _f("n_no_spread", _I),
        _f("n_variance_zero", _I),
        _f("n_variance_negative", _I),
        _f("n_variance_nan", _I),
        _f("n_variance_inf", _I),
        _f("n_copied", _I),
        _f("n_after_copies_once", _I),
        _f("rule", _S),
    ]
)

#: Copied-number sensitivity: the three-level pooling with each copied number once (main), with
#: every pair as printed, and without copied numbers.
SENSITIVITY_COPIES = pa.schema([_f("variant", _S), *META])

#: How the pooled literature estimate moves (:func:`lnnmeta.stats.literature_sensitivity`), one row
#: per dimension and scale of the overall pooling over all metric families: REML and
#: DerSimonian-Laird on comparison averages, REML without copied numbers, and the range of the REML
#: estimates with each paper left out. A ``*_k`` is null where no such pooling exists.
LITERATURE_SENSITIVITY = pa.schema(
    [
        _f("dimension", _S),
        _f("scale", _S),
        *(
            field
            for variant in ("reml", "dl", "no_copies")
            for field in (
                _f(f"{variant}_k", _I, True),
                _f(f"{variant}_estimate", _F, True),
                _f(f"{variant}_ci_low", _F, True),
                _f(f"{variant}_ci_high", _F, True),
            )
        ),
        # Papers whose leaving out leaves an estimate; the range of those estimates; how many of
        # their intervals exclude 0.
        _f("loo_n", _I),
        _f("loo_min", _F, True),
        _f("loo_max", _F, True),
        _f("loo_excluding_zero", _I),
    ]
)

#: The printed rows of the forest plots (lnnmeta.stats.plots.forest_rows), in order (``position``)
#: per source, dimension, metric family and scale: a ``header`` per LNN variant, its ``study`` rows
#: (one comparison of that variant: effect, 1 - alpha interval, weight in % of its subgroup), its
#: ``subgroup`` pooling, and the ``overall`` pooling. Pooled rows carry their estimate and CI in
#: ``effect, low, high`` and the prediction interval and heterogeneity beside them.
FOREST_ROWS = pa.schema(
    [
        _f("source", _S),
        _f("dimension", _S),
        _f("metric_family", _S),
        _f("scale", _S),
        _f("method", _S),
        _f("dependence", _S),
        _f("position", _I),
        _f("kind", _S),
        _f("variant", _S, True),
        _f("evidence_paper", _S, True),
        _f("task", _S, True),
        _f("metric", _S, True),
        _f("n_pairs", _I, True),
        _f("k", _I, True),
        _f("effect", _F, True),
        _f("low", _F, True),
        _f("high", _F, True),
        _f("weight", _F, True),
        _f("tau2", _F, True),
        _f("i2", _F, True),
        _f("q", _F, True),
        _f("q_df", _I, True),
        _f("q_p", _F, True),
        _f("pi_low", _F, True),
        _f("pi_high", _F, True),
    ]
)

#: The points of the funnel plots (lnnmeta.stats.plots.funnel_rows): one comparison cluster with a
#: variance, as Egger's test takes them.
FUNNEL_POINTS = pa.schema(
    [
        _f("source", _S),
        _f("dimension", _S),
        _f("metric_family", _S),
        _f("scale", _S),
        _f("dependence", _S),
        _f("evidence_paper", _S),
        _f("cluster_id", _S),
        _f("task", _S),
        _f("metric", _S),
        _f("n_pairs", _I),
        _f("effect", _F),
        _f("variance", _F),
    ]
)

#: Per task x model x condition x measure summaries of reruns over seeds.
RERUN_SUMMARY = pa.schema(
    [
        _f("task", _S),
        _f("model", _S),
        _f("family", _S),
        _f("condition", _S),
        _f("condition_kind", _S),
        _f("condition_level", _F, True),
        _f("measure", _S),
        _f("metric", _S),
        _f("higher_is_better", _B),
        _f("n", _I),
        _f("mean", _F, True),
        _f("std", _F, True),
        _f("sem", _F, True),
        _f("ci_low", _F, True),
        _f("ci_high", _F, True),
        _f("note", _S, True),
    ]
)

#: Per task LNN-vs-RNN comparisons over seeds (in-distribution condition).
RERUN_COMPARISONS = pa.schema(
    [
        _f("task", _S),
        _f("metric", _S),
        _f("higher_is_better", _B),
        _f("lnn_model", _S),
        _f("rnn_model", _S),
        _f("n_lnn", _I),
        _f("n_rnn", _I),
        _f("mean_lnn", _F, True),
        _f("mean_rnn", _F, True),
        _f("difference", _F, True),
        _f("p_lnn_better", _F, True),
        _f("p_ci_low", _F, True),
        _f("p_ci_high", _F, True),
        _f("significant", _B, True),
        _f("meaningful", _B, True),
        _f("test", _S),
        _f("test_reason", _S),
        _f("statistic", _F, True),
        _f("p_value", _F, True),
        _f("p_holm", _F, True),
        _f("reject_holm", _B, True),
        _f("note", _S, True),
    ]
)

#: Costs the training jobs measured (lnnmeta.measures.TRAINING_MEASURES), in distribution: the
#: median over seeds per task and model, and over tasks and seeds per model (``task`` "all").
RERUN_COSTS = pa.schema(
    [
        _f("task", _S),
        _f("model", _S),
        _f("family", _S),
        _f("measure", _S),
        _f("n", _I),
        _f("median", _F, True),
    ]
)

#: Per memory measure of the reruns: the median over tasks of the LNN/RNN ratio of the family
#: medians (over models and seeds), and the tasks it is taken over.
RERUN_COST_RATIOS = pa.schema(
    [
        _f("measure", _S),
        _f("n_tasks", _I),
        _f("ratio", _F, True),
    ]
)

#: Friedman test per measure across tasks.
RANK_FRIEDMAN = pa.schema(
    [
        _f("measure", _S),
        _f("n_tasks", _I),
        _f("n_models", _I),
        _f("statistic", _F, True),
        _f("p_value", _F, True),
        _f("cd_nemenyi", _F, True),
        _f("note", _S, True),
    ]
)

#: Mean rank per measure and model (rank 1 = best).
RANK_MEANS = pa.schema(
    [
        _f("measure", _S),
        _f("model", _S),
        _f("family", _S),
        _f("mean_rank", _F, True),
        _f("n_tasks", _I),
    ]
)

#: Pairwise Wilcoxon (Holm) and Bayesian signed-rank results per measure.
RANK_PAIRWISE = pa.schema(
    [
        _f("measure", _S),
        _f("model_a", _S),
        _f("model_b", _S),
        _f("family_a", _S),
        _f("family_b", _S),
        _f("n_tasks", _I),
        _f("statistic", _F, True),
        _f("p_value", _F, True),
        _f("p_holm", _F, True),
        _f("reject_holm", _B, True),
        _f("rope", _F, True),
        _f("p_a_better", _F, True),
        _f("p_rope", _F, True),
        _f("p_b_better", _F, True),
        _f("bayes_verdict", _S, True),
        _f("note", _S, True),
    ]
)

#: The primary rerun comparison: LNN family vs RNN family on per-task normalised ranks, per measure,
#: with what the design can reach (smallest p) and what it would need (power analysis).
RANK_FAMILY = pa.schema(
    [
        _f("measure", _S),
        _f("n_tasks", _I),
        _f("n_lnn", _I),
        _f("n_rnn", _I),
        _f("tasks_left_out", _I),
        _f("mean_difference", _F, True),
        _f("median_difference", _F, True),
        _f("lnn_better_tasks", _I),
        _f("rnn_better_tasks", _I),
        _f("statistic", _F, True),
        _f("p_value", _F, True),
        _f("p_holm", _F, True),
        _f("reject_holm", _B, True),
        _f("min_p", _F),
        _f("p_reachable", _B),
        _f("effect_dz", _F, True),
        _f("tasks_needed", _F, True),
        _f("seeds", _I),
        _f("seed_effect_dz", _F, True),
        _f("seeds_needed", _F, True),
        _f("note", _S, True),
    ]
)

#: Reported vs reproduced: runs left out because they did not beat their sanity baseline.
RVR_EXCLUDED = pa.schema(
    [
        _f("task", _S),
        _f("model", _S),
        _f("n_runs", _I),
        _f("n_not_learned", _I),
    ]
)

#: Reported vs reproduced: direction of each LNN-vs-RNN difference.
RVR_DIRECTIONS = pa.schema(
    [
        _f("rerun_task", _S),
        _f("paper_task", _S),
        _f("same_task", _B),
        _f("paper_key", _S),
        _f("location", _S),
        _f("column_id", _S),
        _f("reported_metric", _S),
        _f("rerun_metric", _S),
        _f("lnn_model", _S),
        _f("rnn_model", _S),
        _f("reported_effect", _F, True),
        _f("reported_direction", _I),
        _f("reproduced_difference", _F, True),
        _f("reproduced_direction", _I),
        _f("reproduced_p_holm", _F, True),
        _f("agreement", _S),
        _f("note", _S, True),
    ]
)

#: Reported vs reproduced: is the reproduced mean consistent with the reported number?
RVR_VALUES = pa.schema(
    [
        _f("task", _S),
        _f("paper_key", _S),
        _f("location", _S),
        _f("column_id", _S),
        _f("metric", _S),
        _f("model", _S),
        _f("family", _S),
        _f("higher_is_better", _B),
        _f("reported_value", _F, True),
        _f("reported_sd", _F, True),
        _f("reported_n", _I, True),
        _f("reproduced_mean", _F, True),
        _f("reproduced_sd", _F, True),
        _f("reproduced_n", _I),
        _f("test", _S),
        _f("statistic", _F, True),
        _f("p_value", _F, True),
        _f("verdict", _S),
        _f("note", _S, True),
    ]
)


def _side(prefix: str) -> list[pa.Field]:
    """The columns of one side (literature or rerun) of a claim's verdict."""
    return [
        _f(f"{prefix}_verdict", _S),
        # How the side was judged, in words (e.g. "REML3 (three-level), CR2 interval by paper").
        _f(f"{prefix}_method", _S),
        # What the side looked at, in words (metric family, conditions, cost measures).
        _f(f"{prefix}_named", _S),
        # The headline estimate: the pooled effect (or cost ratio, or sign-test proportion) on
        # ``<prefix>_scale``, with its interval; null where nothing could be estimated.
        _f(f"{prefix}_scale", _S, True),
        _f(f"{prefix}_estimate", _F, True),
        _f(f"{prefix}_ci_low", _F, True),
        _f(f"{prefix}_ci_high", _F, True),
        # Comparisons pooled or counted (tasks of a rank test, cost ratios of the cost benchmark).
        _f(f"{prefix}_k", _I),
        # Papers (literature), tasks (reruns) or LNN variants (cost benchmark) behind them.
        _f(f"{prefix}_sources", _I),
        # LNN-RNN pairs (pooled literature); training runs and the conditions, comma-separated
        # (pooled reruns); null otherwise.
        _f(f"{prefix}_pairs", _I, True),
        _f(f"{prefix}_runs", _I, True),
        _f(f"{prefix}_conditions", _S, True),
        # The estimates the side weighed, in words (per scale, per metric or per LNN variant).
        _f(f"{prefix}_evidence", _S),
        # One of lnnmeta.verdicts.EVIDENCE_KINDS ("pooled", "sign_test", "rank_tests", ...).
        _f(f"{prefix}_kind", _S),
        # One of lnnmeta.verdicts.REASONS where the side cannot decide or decides on little
        # ("no_evidence", "too_few_to_pool", "p_unreachable"), with the judgement's own words
        # where the code alone does not say it (what is missing, the smallest reachable p).
        _f(f"{prefix}_reason", _S, True),
        _f(f"{prefix}_reason_text", _S, True),
        # The amount of evidence: "none", "too little", "limited", "moderate", "substantial",
        # "direct measurement" (lnnmeta.verdicts.strength).
        _f(f"{prefix}_strength", _S),
    ]


#: One row per claim (per claim and backend for claims judged on the cost benchmark): the
#: literature side, the rerun side, the combined verdict (:func:`lnnmeta.verdicts.judge_claims`).
CLAIM_VERDICTS = pa.schema(
    [
        _f("id", _S),
        _f("claim", _S),
        _f("quote", _S),
        _f("source", _S),
        _f("dimension", _S),
        _f("direction", _S),
        _f("quantifier", _S),
        # Canonical LNN names the claim is about, comma-separated; "" = every LNN.
        _f("lnn_models", _S),
        # Cost-benchmark backend ("ncps", "fast"; lnnmeta.costs.BACKENDS); null for other claims.
        _f("backend", _S, True),
        *_side("literature"),
        *_side("rerun"),
        # Cost-benchmark sides only (null otherwise): the comparison cell (T steps, H units), the
        # traditional RNNs compared with, the measurement rounds per model (least, most) and the
        # percentile bootstrap of the timed measures (null when every named measure is exact).
        _f("cost_steps", _I, True),
        _f("cost_units", _I, True),
        _f("cost_rnn_models", _I, True),
        _f("cost_rounds_min", _I, True),
        _f("cost_rounds_max", _I, True),
        _f("cost_interval_level", _F, True),
        _f("cost_resamples", _I, True),
        # What the rerun design can decide (from rank_family): the rank-family measures looked at,
        # the smallest p they can reach, whether it is below alpha, and the tasks / seeds per task
        # 80% power would need (most favourable of the measures); null for cost-benchmark sides.
        _f("rerun_design_measures", _S, True),
        _f("rerun_min_p", _F, True),
        _f("rerun_p_reachable", _B, True),
        _f("rerun_tasks_needed", _F, True),
        _f("rerun_seeds_needed", _F, True),
        _f("rerun_design", _S, True),
        # Combined verdict (lnnmeta.verdicts.combine of the two sides); the report words its basis.
        _f("verdict", _S),
    ]
)

#: One verdict per dimension (:func:`lnnmeta.verdicts.dimension_verdicts`) and the pooled rows behind
#: it: one row per dimension, source and scale (one row with ``k`` = 0 where nothing was pooled).
DIMENSION_VERDICTS = pa.schema(
    [
        _f("dimension", _S),
        # The dimension's verdict: "LNN better", "RNN better", "mixed" or "inconclusive".
        _f("verdict", _S),
        _f("source", _S),
        _f("scale", _S, True),
        # "REML3" or "REML"; ``interval_kind`` "CR2" (cluster-robust) or "model".
        _f("method", _S, True),
        _f("interval_kind", _S, True),
        _f("estimate", _F, True),
        _f("ci_low", _F, True),
        _f("ci_high", _F, True),
        _f("pi_low", _F, True),
        _f("pi_high", _F, True),
        _f("k", _I),
        # Papers behind the pooled row (reported) and behind the source's effects of the dimension.
        _f("n_papers", _I),
        _f("n_source_papers", _I),
        _f("n_tasks", _I),
        _f("n_runs", _I),
        # Comparisons of the source and dimension without a usable variance (sign test only).
        _f("n_without_spread", _I),
        # What this row says: "LNN better", "RNN better" or "inconclusive" (k below MIN_K).
        _f("says", _S),
        _f("note", _S, True),
    ]
)

#: Names under which the schemas are registered in :data:`lnnmeta.tables.SCHEMAS`.
TABLE_NAMES: dict[str, pa.Schema] = {
    "stats_effects": EFFECTS,
    "stats_meta": META,
    "stats_leave_one_out": LEAVE_ONE_OUT,
    "stats_sign_test": SIGN_TEST,
    "stats_egger": EGGER,
    "stats_effect_counts": EFFECT_COUNTS,
    "stats_sensitivity_copies": SENSITIVITY_COPIES,
    "stats_literature_sensitivity": LITERATURE_SENSITIVITY,
    "stats_forest_rows": FOREST_ROWS,
    "stats_funnel_points": FUNNEL_POINTS,
    "stats_rerun_summary": RERUN_SUMMARY,
    "stats_rerun_comparisons": RERUN_COMPARISONS,
    "stats_rerun_costs": RERUN_COSTS,
    "stats_rerun_cost_ratios": RERUN_COST_RATIOS,
    "stats_rank_friedman": RANK_FRIEDMAN,
    "stats_rank_means": RANK_MEANS,
    "stats_rank_pairwise": RANK_PAIRWISE,
    "stats_rank_family": RANK_FAMILY,
    "stats_rvr_excluded": RVR_EXCLUDED,
    "stats_rvr_directions": RVR_DIRECTIONS,
    "stats_rvr_values": RVR_VALUES,
    "stats_claim_verdicts": CLAIM_VERDICTS,
    "stats_dimension_verdicts": DIMENSION_VERDICTS,
}

for _name, _schema in TABLE_NAMES.items():
    register(_name, _schema)


def _pandas_dtype(field: pa.Field) -> Any:
    if pa.types.is_int64(field.type):
        return "Int64"
    if pa.types.is_float64(field.type):
        return "float64"
    if pa.types.is_boolean(field.type):
        return "boolean" if field.nullable else "bool"
    return "object"


def typed_frame(
    rows: Sequence[Mapping[str, Any]] | pd.DataFrame, schema: pa.Schema
) -> pd.DataFrame:
    """Build a DataFrame with exactly the columns of ``schema``, in order, with matching dtypes.

    Parameters
    ----------
    rows : sequence of mappings or DataFrame
        Records (missing keys become nulls) or a frame holding at least the schema's columns.
    schema : pyarrow.Schema
        The declared schema.

    Returns
    -------
    pandas.DataFrame
        Integers as ``Int64``, nullable booleans as ``boolean``, strings as ``object``.
    """
    frame = rows.copy() if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    out: dict[str, pd.Series] = {}
    for field in schema:
        col = frame[field.name] if field.name in frame.columns else pd.Series([None] * len(frame))
        col = col.reset_index(drop=True)
        if pa.types.is_string(field.type):
            col = col.astype(object).where(col.notna(), None)
        out[field.name] = col.astype(_pandas_dtype(field))
    return pd.DataFrame(out, columns=schema.names)
