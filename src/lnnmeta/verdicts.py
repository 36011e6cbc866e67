"""Computed verdicts for the claims under test and for each dimension: literature and reruns side by side.

The ``judge_claims`` rule writes them (:func:`judge_claims`, ``results/analysis/claim_verdicts.parquet``,
schema ``stats_claim_verdicts``); the report only renders that table.

The rules are :data:`RULES`; the report's Methods states them with the run's confidence level
(:func:`rules`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

# re-exported from their registries (lnnmeta.measures, lnnmeta.registry)
from lnnmeta.measures import DIAGNOSTIC_MEASURES as DIAGNOSTIC_MEASURES
from lnnmeta.registry import TRADITIONAL as TRADITIONAL

#: Fewer pooled comparisons than this give no verdict.
MIN_K = 3
#: Fewer pooled comparisons than this (or fewer independent sources) count as limited evidence.
MIN_K_TRUST = 5
MIN_SOURCES = 3
SUBSTANTIAL_K = 10
VERDICTS = ("supported", "contradicted", "inconclusive")
#: The three dimensions of the question, in the report's order.
DIMENSIONS = ("accuracy", "efficiency", "generalization")

#: The rules of the verdicts, as the report's Methods states them (:func:`rules` fills in the
#: confidence level ``{level}`` and the thresholds).
RULES = (
    "Own evidence: a claim naming 'lnn_models' (canonical names, e.g. LTC) is judged only on the "
    "effects of those LNNs: reported effects by name, rerun effects of the registry models with "
    "those canonical names; the literature effects are then pooled afresh. A claim without "
    "'lnn_models' is about every LNN.",
    "Literature: the overall three-level REML estimate (pairs in comparisons in papers) with its "
    "CR2 cluster-robust {level} interval (by paper; the model-based interval when there is only "
    "one paper), or, without a three-level row, the REML random-effects estimate of comparison "
    "averages (Knapp-Hartung {level} interval), of the claim's dimension (and metric family, if "
    "the claim names one). 'lnn_better' is supported when the interval lies above 0 and "
    "contradicted when it lies below 0; 'rnn_better' the reverse; 'lnn_not_better' is "
    "contradicted when the interval lies above 0 and supported when it lies below 0. Otherwise, "
    "or when fewer than {min_k} comparisons can be pooled, inconclusive. With both scales present "
    "(Hedges' g and log ratio), each decides and the two are combined. Named metrics (efficiency) "
    "are judged one at a time: pooled when {min_k} comparisons have a spread, else a binomial sign "
    "test on the directions; their verdicts are combined.",
    "Reruns, 'overall': the same rule on the REML pooling of exactly the rerun effects the claim "
    "names: for generalization, the drops under the named condition kinds (noise, shift, "
    "irregular, length); for accuracy, the in-distribution scores. Beside it, what the design can "
    "decide (from the LNN-vs-RNN family rank test): the smallest p an exact signed-rank test over "
    "the tasks can reach, and the tasks (or seeds per task) 80% power would need at the observed "
    "effect.",
    "Reruns, 'some': supported when at least one LNN variant beats every traditional RNN (RNN, "
    "LSTM, GRU present in the grid) on a named measure across tasks (pairwise Wilcoxon with Holm), "
    "contradicted when every LNN variant is beaten by at least one of them, inconclusive "
    "otherwise.",
    "Efficiency (cost benchmark): claims naming cost measures are judged on the cost benchmark's "
    "LNN/RNN ratios (medians over rounds, measured alone on one thread, equal units), one measure "
    "at a time (parameters, time and memory are never pooled) and once per backend: the LNN as "
    "published in ncps and the LNN with an optimised kernel. An LNN variant beats an RNN when the "
    "ratio's interval lies below 1 and is beaten when it lies above 1. 'some': supported when on a "
    "named measure one variant beats every traditional RNN, contradicted when on every named "
    "measure every variant is beaten; 'overall': supported (contradicted) when every ratio favours "
    "the LNN (the RNN). The training jobs' own timings are measured while other jobs share the "
    "machine: diagnostics that decide no claim.",
    "Combined: supported (contradicted) when one source supports (contradicts) and the other does "
    "not disagree; inconclusive when they disagree or neither decides.",
    'Amount of evidence, in words: "none" (nothing to pool), "too little" (fewer than {min_k} '
    'pooled comparisons), "limited" (fewer than {min_k_trust} comparisons, or fewer than '
    '{min_sources} independent papers or rerun tasks behind them), "moderate" (fewer than '
    '{substantial_k} comparisons) and "substantial" otherwise; "direct measurement" for the '
    "cost benchmark.",
)


def rules(alpha: float = 0.05) -> list[str]:
    """:data:`RULES` with the confidence level ``1 - alpha`` (``95%``) and the thresholds."""
    level = f"{100 * (1 - alpha):.4g}%"
    return [
        r.format(
            level=level,
            min_k=MIN_K,
            min_k_trust=MIN_K_TRUST,
            min_sources=MIN_SOURCES,
            substantial_k=SUBSTANTIAL_K,
        )
        for r in RULES
    ]


#: How a side weighed its evidence (``<side>_kind`` of the claim table): pooled effects, a binomial
#: sign test on directions, pairwise rank tests across tasks, the cost benchmark's ratios, a mix of
#: these (named metrics judged one at a time), or nothing to look at.
EVIDENCE_KINDS = ("pooled", "sign_test", "rank_tests", "cost_benchmark", "per_measure", "none")
#: Why a side cannot decide, or decides on little (``<side>_reason``): nothing to look at
#: (``no_evidence``), fewer than MIN_K comparisons (``too_few_to_pool``), or a design whose
#: smallest possible p is not below alpha (``p_unreachable``); null when none applies.
REASONS = ("no_evidence", "too_few_to_pool", "p_unreachable")


@dataclass(frozen=True)
class CostCell:
    """Where and how the cost benchmark measured a cost side: the comparison cell (T, H), the
    traditional RNNs compared with, the measurement rounds per model and the bootstrap of the
    timed measures (null level and resamples when every named measure is exact)."""

    steps: int
    units: int
    rnn_models: int
    rounds_min: int
    rounds_max: int
    interval_level: float = math.nan
    resamples: int | None = None


@dataclass(frozen=True)
class Side:
    """The verdict of one source (literature or reruns) on one claim.

    ``estimate``/``ci_low``/``ci_high`` on ``scale`` are the headline numbers (the pooled row with
    the most comparisons, or the deciding cost ratio); ``k`` counts the comparisons (or tasks of a
    rank test, or cost ratios), ``sources`` the papers, tasks or LNN variants behind them, ``pairs``
    the LNN-RNN pairs (pooled literature), ``runs`` the training runs (pooled reruns),
    ``conditions`` the rerun conditions. ``kind`` is one of :data:`EVIDENCE_KINDS`, ``reason`` one
    of :data:`REASONS` with ``reason_text`` where only the judgement can say it in words.
    """

    verdict: str
    evidence: str
    strength: str
    k: int = 0
    kind: str = "none"
    method: str = ""
    scale: str | None = None
    estimate: float = math.nan
    ci_low: float = math.nan
    ci_high: float = math.nan
    sources: int = 0
    pairs: int | None = None
    runs: int | None = None
    conditions: tuple[str, ...] = ()
    reason: str | None = None
    reason_text: str | None = None
    cost: CostCell | None = None


def nothing(why: str, method: str = "") -> Side:
    """An inconclusive side with nothing to look at: ``why`` says what is missing."""
    return Side("inconclusive", "", "none", 0, method=method, reason="no_evidence", reason_text=why)


def strength(k: int, sources: int) -> str:
    """The amount of evidence in words, from the number of pooled comparisons and of independent sources."""
    if k <= 0:
        return "none"
    if k < MIN_K:
        return "too little"
    if k < MIN_K_TRUST or sources < MIN_SOURCES:
        return "limited"
    if k < SUBSTANTIAL_K:
        return "moderate"
    return "substantial"


def condition_kind(column_id: str) -> str:
    """The condition kind of a rerun effect's ``column_id`` (the condition name).

    ``id``, ``shift`` -> themselves; ``noise_0.3`` -> ``noise``; ``irregular_0.3`` -> ``irregular``.
    """
    return str(column_id).split("_", 1)[0]


def interval_verdict(lo: float, hi: float, direction: str) -> str:
    """Verdict of a claim's ``direction`` from a confidence interval of the LNN-vs-RNN effect."""
    if pd.isna(lo) or pd.isna(hi):
        return "inconclusive"
    above, below = lo > 0, hi < 0
    if direction == "lnn_better":
        return "supported" if above else "contradicted" if below else "inconclusive"
    if direction == "rnn_better":
        return "supported" if below else "contradicted" if above else "inconclusive"
    return "contradicted" if above else "supported" if below else "inconclusive"


def combine(verdicts: Iterable[str]) -> str:
    """Supported/contradicted if some say so and none says the opposite; else inconclusive."""
    vs = list(verdicts)
    s, c = "supported" in vs, "contradicted" in vs
    if s and not c:
        return "supported"
    if c and not s:
        return "contradicted"
    return "inconclusive"


def _num(x: Any) -> str:
    return f"{float(x):.3g}" if pd.notna(x) else "n/a"


def pooled_rows(
    meta: pd.DataFrame, source: str, dimension: str, family: str | None
) -> pd.DataFrame:
    """The overall REML rows of one source, dimension and metric family (``None`` = all families)."""
    if meta.empty:
        return meta
    sel = meta[
        (meta["source"] == source)
        & (meta["scope"] == "overall")
        & (meta["dimension"] == dimension)
        & (meta["metric_family"] == (family or "all"))
    ]
    # The three-level model (REML3, with its CR2 interval) is primary; REML on cluster averages
    # is used where no three-level row exists.
    primary = sel[sel["method"] == "REML3"]
    rows = primary if not primary.empty else sel[sel["method"] == "REML"]
    return _robust_interval(rows)


def _robust_interval(rows: pd.DataFrame) -> pd.DataFrame:
    """Use the CR2 interval (clustered by paper) as ``ci_low``/``ci_high`` where it exists.

    Adds ``interval_kind``: "CR2" where the robust interval is used, "model" otherwise.
    """
    if rows.empty or "ci_low_robust" not in rows.columns:
        return rows.assign(interval_kind="model") if not rows.empty else rows
    out = rows.copy()
    ok = out["ci_low_robust"].notna() & out["ci_high_robust"].notna()
    out.loc[ok, "ci_low"] = out.loc[ok, "ci_low_robust"]
    out.loc[ok, "ci_high"] = out.loc[ok, "ci_high_robust"]
    out["interval_kind"] = np.where(ok, "CR2", "model")
    return out


def method_words(row: pd.Series, by: str = "paper") -> str:
    """How a pooled row was estimated, in words (the method column of the claim table)."""
    if row["method"] == "REML3":
        kind = row.get("interval_kind", "model")
        interval = f"CR2 interval by {by}" if kind == "CR2" else "model-based interval"
        return f"REML3 (three-level random effects), {interval}"
    return f"{row['method']} random effects on comparison averages, Knapp-Hartung interval"


def _headline(rows: pd.DataFrame, by: str = "paper") -> dict[str, Any]:
    """Method, scale, estimate and interval of the pooled row with the most comparisons."""
    used = rows[rows["k"] > 0] if not rows.empty else rows
    if used.empty:
        return {}
    r = used.sort_values("k", kind="stable").iloc[-1]
    return {
        "method": method_words(r, by),
        "scale": str(r["scale"]),
        "estimate": float(r["estimate"]) if pd.notna(r["estimate"]) else math.nan,
        "ci_low": float(r["ci_low"]) if pd.notna(r["ci_low"]) else math.nan,
        "ci_high": float(r["ci_high"]) if pd.notna(r["ci_high"]) else math.nan,
    }


def _estimates(rows: pd.DataFrame) -> str:
    """Each pooled row's estimate and interval (with its k when there are several scales)."""
    several = len(rows) > 1
    return "; ".join(
        f"{r['scale']} {_num(r['estimate'])} [{_num(r['ci_low'])}, {_num(r['ci_high'])}]"
        + (f" (k = {int(r['k'])})" if several else "")
        for _, r in rows.iterrows()
    )


def _judge(rows: pd.DataFrame, direction: str) -> tuple[str, str, int]:
    """Verdict, estimates text and the largest k over the scales of pooled rows."""
    k_max = int(rows["k"].max()) if not rows.empty else 0
    usable = rows[rows["k"] >= MIN_K] if not rows.empty else rows
    if usable.empty:
        return "inconclusive", _estimates(rows[rows["k"] > 0]) if not rows.empty else "", k_max
    verdict = combine(
        interval_verdict(r["ci_low"], r["ci_high"], direction) for _, r in usable.iterrows()
    )
    return verdict, _estimates(usable), k_max


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def literature_side(meta: pd.DataFrame, dimension: str, family: str | None, direction: str) -> Side:
    """The literature's verdict on a claim from the pooled reported effects."""
    rows = pooled_rows(meta, "reported", dimension, family)
    verdict, estimates, k = _judge(rows, direction)
    used = rows[rows["k"] > 0] if not rows.empty else rows
    if used.empty:
        return nothing("no reported comparison with a usable spread")
    best = used.sort_values("k", kind="stable").iloc[-1]
    papers = int(best["n_papers"])
    return Side(
        verdict,
        estimates,
        strength(k, papers),
        k,
        kind="pooled",
        sources=papers,
        pairs=int(best["n_pairs"]),
        reason="too_few_to_pool" if k < MIN_K else None,
        **_headline(rows),
    )


def literature_side_metrics(
    effects: pd.DataFrame,
    dimension: str,
    metrics: Sequence[str],
    direction: str,
    alpha: float = 0.05,
) -> Side:
    """The literature's verdict from the reported effects of the named metrics, one at a time.

    Each metric is judged on its own (:func:`literature_side_metric`; different measures are never
    pooled); the verdicts are combined with :func:`combine`.
    """
    sides = [(m, literature_side_metric(effects, dimension, m, direction, alpha)) for m in metrics]
    found = [(m, sd) for m, sd in sides if sd.k > 0]
    if not found:
        return nothing(f"no reported comparison of {', '.join(metrics)}")
    if len(found) == 1:
        return found[0][1]
    head = max(found, key=lambda ms: ms[1].k)[1]
    kinds = {sd.kind for _, sd in found}
    reasons = {sd.reason for _, sd in found}
    texts = [f"{m}: {sd.reason_text}" for m, sd in found if sd.reason_text]
    return Side(
        combine(sd.verdict for _, sd in found),
        "; ".join(f"{m}: {sd.verdict}, {sd.evidence}" for m, sd in found),
        head.strength,
        sum(sd.k for _, sd in found),
        kind=kinds.pop() if len(kinds) == 1 else "per_measure",
        reason=reasons.pop() if len(reasons) == 1 else None,
        reason_text="; ".join(texts) or None,
        method="each measure on its own: " + "; ".join(f"{m}: {sd.method}" for m, sd in found),
        scale=head.scale,
        estimate=head.estimate,
        ci_low=head.ci_low,
        ci_high=head.ci_high,
        sources=max(sd.sources for _, sd in found),
    )


def literature_side_metric(
    effects: pd.DataFrame,
    dimension: str,
    metric: str,
    direction: str,
    alpha: float = 0.05,
) -> Side:
    """The literature's verdict from the reported effects of one metric.

    Pooled with REML when at least ``MIN_K`` comparisons have a spread; otherwise (parameter counts
    and times are printed without spread) a binomial sign test over the comparisons decides.
    """
    from lnnmeta.stats import pool_effects, sign_test

    if effects.empty or "source" not in effects.columns:
        return nothing(f"no reported comparison of {metric}")
    sel = effects[
        (effects["source"] == "reported")
        & (effects["dimension"] == dimension)
        & (effects["metric"] == metric)
    ]
    if sel.empty:
        return nothing(f"no reported comparison of {metric}")
    pool = pool_effects(sel, methods=("REML",), scopes=("overall",), alpha=alpha)
    pooled = pooled_rows(pool, "reported", dimension, None)
    if pooled.empty:  # efficiency is pooled one measure at a time (no "all" family row)
        pooled = _measure_rows(pool, metric)
    if not pooled.empty and int(pooled["k"].max()) >= MIN_K:
        verdict, estimates, k = _judge(pooled, direction)
        papers = int(pooled["n_papers"].max())
        return Side(
            verdict,
            estimates,
            strength(k, papers),
            k,
            kind="pooled",
            sources=papers,
            pairs=int(pooled.sort_values("k", kind="stable").iloc[-1]["n_pairs"]),
            **_headline(pooled),
        )
    st = sign_test(sel, alpha=alpha)
    row = st[(st["scope"] == "overall") & (st["subset"] == "all") & (st["metric_family"] == "all")]
    if row.empty:
        return nothing(f"no usable comparison of {metric}")
    r = row.iloc[0]
    n, pos, neg = int(r["n"]), int(r["n_positive"]), int(r["n_negative"])
    papers = int(sel["evidence_paper"].nunique())
    p = float(r["p_value"]) if pd.notna(r["p_value"]) else 1.0
    lnn_ahead = pos > neg
    if p < alpha:
        decided = "lnn_better" if lnn_ahead else "rnn_better"
        verdict = (
            "supported"
            if decided == direction or (direction == "lnn_not_better" and decided == "rnn_better")
            else "contradicted"
        )
    else:
        verdict = "inconclusive"
    evidence = f"sign test: {pos} of {n} comparisons favour the LNN, {neg} the RNN, p = {_num(p)}"
    note = str(r["note"]) if pd.notna(r["note"]) and r["note"] else None
    return Side(
        verdict,
        evidence,
        strength(n, papers),
        n,
        kind="sign_test",
        reason=None if note is None else "p_unreachable" if n > 0 else "no_evidence",
        reason_text=note,
        method="binomial sign test on directions (no spreads to pool)",
        scale="proportion favouring the LNN",
        estimate=float(r["prop_lnn_better"]) if pd.notna(r["prop_lnn_better"]) else math.nan,
        ci_low=float(r["ci_low"]) if pd.notna(r["ci_low"]) else math.nan,
        ci_high=float(r["ci_high"]) if pd.notna(r["ci_high"]) else math.nan,
        sources=papers,
    )


def _measure_rows(pooled: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The overall REML rows of one efficiency measure (pooled one measure at a time)."""
    if pooled.empty:
        return pooled
    sel = pooled[(pooled["scope"] == "overall") & (pooled["measure"] == measure)]
    return _robust_interval(sel[sel["method"] == "REML"])


def select_rerun_effects(
    effects: pd.DataFrame,
    dimension: str,
    condition_kinds: Sequence[str] | None = None,
    measures: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The rerun effects (``source == "rerun"``) a claim names.

    ``condition_kinds`` keeps the effects whose ``column_id`` (the condition name) is of one of those
    kinds; ``measures`` keeps those whose ``metric`` is one of the named measures.
    """
    if effects.empty:
        return effects
    sel = effects[(effects["source"] == "rerun") & (effects["dimension"] == dimension)]
    if condition_kinds:
        kinds = set(condition_kinds)
        sel = sel[np.array([condition_kind(c) in kinds for c in sel["column_id"]], dtype=bool)]
    if measures:
        sel = sel[sel["metric"].isin(list(measures))]
    return sel[~sel["metric"].isin(DIAGNOSTIC_MEASURES)]


def rerun_lnn_names(lnn_models: Sequence[str]) -> set[str]:
    """Registry names of the rerun LNNs whose canonical name is one of ``lnn_models``."""
    from lnnmeta.registry import REGISTRY

    names = set(lnn_models)
    return {
        n for n, spec in REGISTRY.items() if spec.family == "LNN" and (spec.canonical or n) in names
    }


def select_lnn(effects: pd.DataFrame, lnn_models: Sequence[str] | None) -> pd.DataFrame:
    """The effects whose LNN is one of ``lnn_models`` (canonical names; ``None`` keeps all).

    Reported effects are kept by their canonical ``lnn_model``; rerun effects (registry names such
    as ``cfc_mm``) by the canonical name of their registry model (:mod:`lnnmeta.models`).
    """
    if not lnn_models or effects.empty:
        return effects
    rerun = effects["source"] == "rerun"
    keep = np.where(
        rerun,
        effects["lnn_model"].isin(rerun_lnn_names(lnn_models)),
        effects["lnn_model"].isin(list(lnn_models)),
    )
    return effects[keep]


def pool_literature(effects: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """The overall META rows of the reported effects given: three-level REML3 first, then REML."""
    from lnnmeta.stats import pool_effects, pool_multilevel

    rep = effects[effects["source"] == "reported"] if not effects.empty else effects
    if rep.empty:
        return rep.iloc[0:0]
    return pd.concat(
        [
            pool_multilevel(rep, scopes=("overall",), alpha=alpha),
            pool_effects(rep, methods=("REML",), scopes=("overall",), alpha=alpha),
        ],
        ignore_index=True,
    )


def training_runs(effects: pd.DataFrame) -> int:
    """Training runs behind rerun effects: the seeds of every (task, model), counted once."""
    if effects.empty:
        return 0
    lnn = effects[["task", "lnn_model", "lnn_n"]].set_axis(["task", "model", "n"], axis=1)
    rnn = effects[["task", "rnn_model", "rnn_n"]].set_axis(["task", "model", "n"], axis=1)
    both = pd.concat([lnn, rnn], ignore_index=True)
    n = pd.to_numeric(both["n"], errors="coerce").fillna(0)
    return int(n.groupby([both["task"], both["model"]]).max().sum())


def pool_reruns(selected: pd.DataFrame, dimension: str, alpha: float = 0.05) -> pd.DataFrame:
    """REML pooling (overall, every metric family) of selected rerun effects, ``1 - alpha`` intervals."""
    from lnnmeta.stats import pool_effects

    if selected.empty or not np.isfinite(selected["effect"].astype(float)).any():
        return pd.DataFrame()
    pooled = pool_effects(selected, methods=("REML",), scopes=("overall",), alpha=alpha)
    return pooled_rows(pooled, "rerun", dimension, None)


def rerun_side_pooled(
    effects: pd.DataFrame,
    dimension: str,
    direction: str,
    condition_kinds: Sequence[str] | None = None,
    measures: Sequence[str] | None = None,
    alpha: float = 0.05,
) -> Side:
    """The reruns' verdict on a claim from the pooled rerun effects it names (``1 - alpha`` intervals)."""
    sel = select_rerun_effects(effects, dimension, condition_kinds, measures)
    what = []
    if condition_kinds:
        what.append("conditions " + ", ".join(condition_kinds))
    if measures:
        what.append("measures " + ", ".join(measures))
    named = f" ({'; '.join(what)})" if what else ""
    if sel.empty:
        return nothing(f"no rerun effects{named}")
    rows = pool_reruns(sel, dimension, alpha)
    verdict, estimates, k = _judge(rows, direction)
    tasks = int(sel["task"].nunique())
    return Side(
        verdict,
        estimates,
        strength(k, tasks),
        k,
        kind="pooled",
        sources=tasks,
        runs=training_runs(sel),
        conditions=tuple(sorted(set(sel["column_id"]))),
        reason="too_few_to_pool" if k < MIN_K else None,
        **_headline(rows, "task"),
    )


def min_wilcoxon_p(n: int) -> float:
    """The smallest two-sided p-value an exact Wilcoxon signed-rank test on ``n`` pairs can give."""
    from lnnmeta.stats.ranks import min_p_signed_rank

    return min_p_signed_rank(n)


def rerun_side_some(
    pairwise: pd.DataFrame,
    measures: list[str],
    models: list[str],
    lnn_models: Sequence[str] | None = None,
    alpha: float = 0.05,
) -> Side:
    """Whether some LNN variant beats every traditional RNN on a measure (rank tests across tasks).

    ``lnn_models`` (canonical names) restricts the LNN variants looked at. The decisions are the
    pairwise table's Holm rejections (made at the analysis ``alpha``); ``alpha`` here says whether
    any p below it is reachable with so few tasks.
    """
    only = rerun_lnn_names(lnn_models) if lnn_models else None
    trad = [m for m in TRADITIONAL if m in models]
    if pairwise.empty or not trad:
        why = "no traditional RNN in the grid" if not trad else "no rank tests across tasks"
        return nothing(why)
    winners, all_beaten, looked = [], True, False
    sub_all = pairwise[pairwise["measure"].isin(measures)]
    n_tasks = int(sub_all["n_tasks"].max()) if not sub_all.empty else 0
    for measure in measures:
        sub = pairwise[pairwise["measure"] == measure]
        lnns = sorted(
            set(sub.loc[sub["family_a"] == "LNN", "model_a"])
            | set(sub.loc[sub["family_b"] == "LNN", "model_b"])
        )
        for lnn in lnns:
            if only is not None and lnn not in only:
                continue
            looked = True
            beats, beaten = 0, False
            for rnn in trad:
                r = sub[
                    ((sub["model_a"] == lnn) & (sub["model_b"] == rnn))
                    | ((sub["model_a"] == rnn) & (sub["model_b"] == lnn))
                ]
                if r.empty:
                    continue
                row = r.iloc[0]
                lnn_is_a = row["model_a"] == lnn
                better = (
                    row["p_a_better"] > row["p_b_better"]
                    if lnn_is_a
                    else row["p_b_better"] > row["p_a_better"]
                )
                reject = row["reject_holm"]
                if pd.notna(reject) and bool(reject) and better:
                    beats += 1
                elif pd.notna(reject) and bool(reject):
                    beaten = True
            if beats == len(trad):
                winners.append(f"{lnn} ({measure})")
            all_beaten = all_beaten and beaten
    p_min = min_wilcoxon_p(n_tasks)
    unreachable = bool(n_tasks) and p_min >= alpha
    strong = strength(n_tasks, n_tasks) if p_min < alpha else "too little"
    typed: dict[str, Any] = {
        "kind": "rank_tests",
        "method": "pairwise Wilcoxon signed-rank tests across tasks, Holm",
        "sources": n_tasks,
        "reason": "p_unreachable" if unreachable else None,
        "reason_text": f"no test can reach p < {alpha:g} (smallest possible p = {p_min:.2g})"
        if unreachable
        else None,
    }
    if winners:
        evidence = "beats every traditional RNN: " + ", ".join(winners)
        return Side("supported", evidence, strong, n_tasks, **typed)
    if looked and all_beaten:
        evidence = "every LNN variant is beaten by a traditional RNN"
        return Side("contradicted", evidence, strong, n_tasks, **typed)
    evidence = "no LNN variant beats every traditional RNN significantly"
    return Side("inconclusive", evidence, strong, n_tasks, **typed)


#: The cost benchmark's LNN backends, in the order the claim table lists them.
BACKEND_ORDER = ("ncps", "fast")


def _outcome_verdict(outcome: str | None, direction: str) -> str:
    """Verdict of a claim's ``direction`` from an outcome "lnn" (LNN better), "rnn" or ``None``."""
    if outcome is None:
        return "inconclusive"
    lnn_won = outcome == "lnn"
    if direction == "lnn_better":
        return "supported" if lnn_won else "contradicted"
    return "contradicted" if lnn_won else "supported"


def _cost_measure(
    sub: pd.DataFrame, quantifier: str
) -> tuple[str | None, str, pd.Series | None, list[str]]:
    """Outcome, evidence text, headline row and winners of one cost measure.

    Per LNN variant: it beats every traditional RNN when every ratio's interval lies below 1
    (``favours == "LNN"``), and is beaten when some ratio's interval lies above 1. ``some``: the
    LNNs win when one variant beats every RNN, lose when every variant is beaten. ``overall``:
    the LNNs win when every ratio favours the LNN, lose when every ratio favours the RNN.
    """
    parts, winners, beaten, heads = [], [], [], []
    for lnn, g in sub.groupby("lnn_model", sort=True):
        ratios = g["ratio"].astype(float).to_numpy()
        worst = g.iloc[int(np.nanargmax(ratios))] if np.isfinite(ratios).any() else g.iloc[0]
        heads.append(worst)
        wins = bool((g["favours"] == "LNN").all())
        lost = bool((g["favours"] == "RNN").any())
        if wins:
            winners.append(str(lnn))
        beaten.append(lost)
        lo, hi = float(g["ratio"].min()), float(g["ratio"].max())
        span = _num(lo) if _num(lo) == _num(hi) else f"{_num(lo)}-{_num(hi)}"
        word = "beats every RNN" if wins else "beaten" if lost else "not decided"
        parts.append(f"{lnn} {span}x ({word})")
    favours = set(sub["favours"])
    if quantifier == "some":
        outcome = "lnn" if winners else "rnn" if beaten and all(beaten) else None
    else:
        outcome = "lnn" if favours == {"LNN"} else "rnn" if favours == {"RNN"} else None
    # Headline: the best LNN against its most demanding RNN (the smallest worst-case ratio).
    head = min(heads, key=lambda r: float(r["ratio"]) if pd.notna(r["ratio"]) else math.inf)
    return outcome, "; ".join(parts), head, winners


def cost_side(
    comparisons: pd.DataFrame,
    measures: Sequence[str],
    backend: str,
    direction: str,
    quantifier: str,
    lnn_models: Sequence[str] | None = None,
) -> Side:
    """The cost benchmark's verdict on an efficiency claim for one backend, one measure at a time.

    ``comparisons`` is ``results/costs/comparisons.parquet`` (:data:`lnnmeta.costs.COST_COMPARISONS`:
    LNN / RNN ratios of medians with an interval; below 1 the LNN is cheaper). Only the traditional
    RNNs (RNN, LSTM, GRU) are references; measures are never pooled. ``some``: supported when on a
    named measure some LNN variant beats every RNN, contradicted when on every named measure every
    variant is beaten; ``overall``: the per-measure verdicts combined (:func:`combine`).
    """
    sel = comparisons[
        (comparisons["backend"] == backend) & comparisons["rnn_model"].isin(TRADITIONAL)
    ]
    if lnn_models:
        sel = sel[sel["lnn_model"].isin(rerun_lnn_names(lnn_models))]
    if sel.empty:
        why = f"no cost comparison of {', '.join(measures)} for backend {backend}"
        return nothing(why, method="cost benchmark")
    verdicts, texts, heads = [], [], []
    for m in measures:
        sub = sel[sel["measure"] == m]
        if sub.empty:
            texts.append(f"{m}: not measured")
            continue
        outcome, text, head, winners = _cost_measure(sub, quantifier)
        verdicts.append(_outcome_verdict(outcome, direction))
        texts.append(f"{m} (LNN/RNN): {text}")
        if head is not None:
            heads.append((m, head, bool(winners)))
    if quantifier == "some":
        verdict = (
            "supported"
            if "supported" in verdicts
            else "contradicted"
            if verdicts and all(v == "contradicted" for v in verdicts)
            else "inconclusive"
        )
    else:
        verdict = combine(verdicts) if verdicts else "inconclusive"
    used = sel[sel["measure"].isin(list(measures))]
    first = used.iloc[0] if not used.empty else sel.iloc[0]
    boot = used[used["interval_kind"] == "percentile_bootstrap"]
    cell = CostCell(
        steps=int(first["steps"]),
        units=int(first["units"]),
        rnn_models=int(used["rnn_model"].nunique()),
        rounds_min=int(used["lnn_n"].min()) if not used.empty else 0,
        rounds_max=int(used["lnn_n"].max()) if not used.empty else 0,
        interval_level=float(boot["interval_level"].iloc[0]) if not boot.empty else math.nan,
        resamples=int(boot["resamples"].iloc[0]) if not boot.empty else None,
    )
    headline: dict[str, Any] = {}
    if heads:
        m, h, _ = next((x for x in heads if x[2]), heads[0])
        headline = {
            "scale": f"ratio LNN/RNN of {m} ({h['lnn_model']} vs {h['rnn_model']}; < 1 favours the LNN)",
            "estimate": float(h["ratio"]) if pd.notna(h["ratio"]) else math.nan,
            "ci_low": float(h["ratio_low"]) if pd.notna(h["ratio_low"]) else math.nan,
            "ci_high": float(h["ratio_high"]) if pd.notna(h["ratio_high"]) else math.nan,
        }
    return Side(
        verdict,
        "; ".join(texts),
        "direct measurement",
        len(used),
        kind="cost_benchmark",
        method="cost benchmark, each measure on its own: ratio of medians",
        sources=int(used["lnn_model"].nunique()),
        cost=cell,
        **headline,
    )


def design_keys(claim: dict[str, Any], family: pd.DataFrame) -> list[str]:
    """The rank-family measures that speak to a claim's rerun side (``score``, ``drop:<cond>``, ...)."""
    if family.empty:
        return []
    rr = claim.get("rerun") or {}
    if claim["dimension"] == "efficiency":
        return [m for m in rr.get("measures", []) if m in set(family["measure"])]
    kinds = set(rr.get("condition_kinds") or [])
    keys = []
    if claim["dimension"] == "accuracy" or "id" in kinds:
        keys.append("score")
    if claim["dimension"] == "generalization":
        keys += [
            str(m)
            for m in family["measure"]
            if str(m).startswith("drop:")
            and (not kinds or condition_kind(str(m).split(":", 1)[1]) in kinds)
        ]
    return [k for k in keys if k in set(family["measure"])]


def design_limits(family: pd.DataFrame, keys: Sequence[str], alpha: float = 0.05) -> dict[str, Any]:
    """What the rerun design can decide for the measures ``keys`` of ``rank_family``.

    The smallest p the exact signed-rank test over the tasks can reach (``min_p``), whether it is
    below ``alpha``, and the tasks (and seeds per task) 80% power would need at the observed effect
    (lnnmeta.stats.family). Over several measures the most favourable value is given; the words
    list each measure.
    """
    rows = family[family["measure"].isin(list(keys))] if not family.empty else family
    if rows.empty:
        return {
            "rerun_design_measures": None,
            "rerun_min_p": math.nan,
            "rerun_p_reachable": None,
            "rerun_tasks_needed": math.nan,
            "rerun_seeds_needed": math.nan,
            "rerun_design": "no LNN-vs-RNN family rank test of these measures",
        }
    words = []
    for _, r in rows.iterrows():
        text = (
            f"{r['measure']}: {_plural(int(r['n_tasks']), 'task')}, smallest possible p = "
            f"{float(r['min_p']):.2g}"
            + ("" if bool(r["p_reachable"]) else f" (cannot reach {alpha:g})")
        )
        need = []
        if pd.notna(r["tasks_needed"]):
            need.append(f"{math.ceil(float(r['tasks_needed']))} tasks")
        if pd.notna(r["seeds_needed"]):
            need.append(f"{math.ceil(float(r['seeds_needed']))} seeds per task")
        text += (
            "; 80% power at the observed effect needs " + " or ".join(need)
            if need
            else "; no effect observed to compute power for"
        )
        words.append(text)

    def best(col: str) -> float:
        v = pd.to_numeric(rows[col], errors="coerce").astype(float)
        return float(np.nanmin(v)) if np.isfinite(v).any() else math.nan

    return {
        "rerun_design_measures": ", ".join(str(m) for m in rows["measure"]),
        "rerun_min_p": best("min_p"),
        "rerun_p_reachable": bool(rows["p_reachable"].astype(bool).any()),
        "rerun_tasks_needed": best("tasks_needed"),
        "rerun_seeds_needed": best("seeds_needed"),
        "rerun_design": "design (LNN family vs RNN family across tasks): " + "; ".join(words),
    }


def _side_columns(prefix: str, side: Side, named: str) -> dict[str, Any]:
    return {
        f"{prefix}_verdict": side.verdict,
        f"{prefix}_method": side.method or ("none" if side.k == 0 else ""),
        f"{prefix}_named": named,
        f"{prefix}_scale": side.scale,
        f"{prefix}_estimate": side.estimate,
        f"{prefix}_ci_low": side.ci_low,
        f"{prefix}_ci_high": side.ci_high,
        f"{prefix}_k": side.k,
        f"{prefix}_sources": side.sources,
        f"{prefix}_pairs": side.pairs,
        f"{prefix}_runs": side.runs,
        f"{prefix}_conditions": ", ".join(side.conditions) if side.conditions else None,
        f"{prefix}_evidence": side.evidence,
        f"{prefix}_kind": side.kind,
        f"{prefix}_reason": side.reason,
        f"{prefix}_reason_text": side.reason_text,
        f"{prefix}_strength": side.strength,
    }


def _cost_columns(cell: CostCell | None) -> dict[str, Any]:
    """The ``cost_*`` columns of a claim row (all null without a cost-benchmark side)."""
    if cell is None:
        return {}
    return {
        "cost_steps": cell.steps,
        "cost_units": cell.units,
        "cost_rnn_models": cell.rnn_models,
        "cost_rounds_min": cell.rounds_min,
        "cost_rounds_max": cell.rounds_max,
        "cost_interval_level": cell.interval_level,
        "cost_resamples": cell.resamples,
    }


def _named(claim: dict[str, Any]) -> tuple[str, str]:
    """What each side looks at, in words."""
    lit = claim.get("literature") or {}
    rr = claim.get("rerun") or {}
    lits = lit.get("dimension", claim["dimension"])
    if lit.get("metric_family"):
        lits += f" / {lit['metric_family']}"
    if lit.get("metrics"):
        lits += " / " + ", ".join(lit["metrics"]) + " (each on its own)"
    reruns = (
        "cost benchmark: " + ", ".join(rr["cost_measures"]) + " (each on its own)"
        if rr.get("cost_measures")
        else "conditions " + ", ".join(rr["condition_kinds"])
        if rr.get("condition_kinds")
        else "measures " + ", ".join(rr["measures"])
        if rr.get("measures")
        else "every " + claim["dimension"] + " comparison"
    )
    lnns = claim.get("lnn_models")
    who = f"; LNNs: {', '.join(lnns)}" if lnns else "; every LNN"
    return lits + who, reruns + who


def _literature(
    c: dict[str, Any], meta: pd.DataFrame, effects: pd.DataFrame | None, alpha: float
) -> Side:
    lit = c.get("literature") or {}
    dim, lnns = lit.get("dimension", c["dimension"]), c.get("lnn_models")
    if lit.get("metrics") and effects is not None:
        sel = select_lnn(effects, lnns)
        return literature_side_metrics(sel, dim, list(lit["metrics"]), c["direction"], alpha)
    if lnns:
        if effects is None:
            return nothing("no effects table to select the claim's LNNs from")
        meta = pool_literature(select_lnn(effects, lnns), alpha)
    return literature_side(meta, dim, lit.get("metric_family"), c["direction"])


def _rerun(
    c: dict[str, Any],
    meta: pd.DataFrame,
    pairwise: pd.DataFrame,
    models: list[str],
    effects: pd.DataFrame | None,
    alpha: float = 0.05,
) -> Side:
    rr, lnns = c.get("rerun") or {}, c.get("lnn_models")
    if c["quantifier"] == "some" and rr.get("measures"):
        return rerun_side_some(pairwise, list(rr["measures"]), models, lnns, alpha)
    if effects is not None:
        return rerun_side_pooled(
            select_lnn(effects, lnns),
            c["dimension"],
            c["direction"],
            rr.get("condition_kinds"),
            rr.get("measures"),
            alpha,
        )
    v, est, k = _judge(pooled_rows(meta, "rerun", c["dimension"], None), c["direction"])
    reason = "no_evidence" if k == 0 else "too_few_to_pool" if k < MIN_K else None
    return Side(v, est, strength(k, k), k, kind="pooled" if k else "none", reason=reason)


def claim_verdicts(
    claims: list[dict[str, Any]],
    meta: pd.DataFrame,
    pairwise: pd.DataFrame,
    models: list[str],
    effects: pd.DataFrame | None = None,
    family: pd.DataFrame | None = None,
    comparisons: pd.DataFrame | None = None,
    alpha: float = 0.05,
) -> pd.DataFrame:
    """One row per claim (per claim and backend for cost-benchmark claims): the CLAIM_VERDICTS table.

    Each side sees only the evidence its claim names: the effects of the claim's ``lnn_models``
    (every LNN if absent), the named metric family, metrics, conditions or measures. ``effects``
    (the EFFECTS table) gives the literature side of claims on named LNNs (pooled afresh, REML3
    first) and the rerun side of ``overall`` claims; without it the pooled rows of ``meta`` are
    used. ``family`` (RANK_FAMILY) gives the design limits of rerun sides; ``comparisons``
    (lnnmeta.costs.COST_COMPARISONS) decides claims naming ``cost_measures``, one row per backend.
    """
    from lnnmeta.stats.schemas import CLAIM_VERDICTS, typed_frame

    fam = family if family is not None else pd.DataFrame()
    costs = comparisons if comparisons is not None else pd.DataFrame()
    rows = []
    for c in claims:
        ls = _literature(c, meta, effects, alpha)
        lit_named, rerun_named = _named(c)
        rr = c.get("rerun") or {}
        base = {
            "id": c["id"],
            "claim": c["claim"],
            "quote": c.get("quote", ""),
            "source": c["source"],
            "dimension": c["dimension"],
            "direction": c["direction"],
            "quantifier": c["quantifier"],
            "lnn_models": ", ".join(c.get("lnn_models") or []),
            **_side_columns("literature", ls, lit_named),
        }
        if rr.get("cost_measures"):
            present = set(costs["backend"]) if not costs.empty else set()
            backends = [b for b in BACKEND_ORDER if b in present] + sorted(
                present - set(BACKEND_ORDER)
            )
            sides: list[tuple[str | None, Side]] = []
            for b in backends:
                cs = cost_side(
                    costs, rr["cost_measures"], b, c["direction"], c["quantifier"],
                    c.get("lnn_models"),
                )  # fmt: skip
                sides.append((b, cs))
            if not sides:
                why = "no cost comparisons (results/costs/comparisons.parquet has no rows)"
                sides.append((None, nothing(why)))
            no_design: dict[str, Any] = {
                "rerun_design_measures": None,
                "rerun_min_p": math.nan,
                "rerun_p_reachable": None,
                "rerun_tasks_needed": math.nan,
                "rerun_seeds_needed": math.nan,
                "rerun_design": "cost benchmark: measured directly, no task design",
            }
            for b, cs in sides:
                rows.append(
                    {
                        **base,
                        "backend": b,
                        **_side_columns("rerun", cs, rerun_named),
                        **_cost_columns(cs.cost),
                        **no_design,
                        "verdict": combine([ls.verdict, cs.verdict]),
                    }
                )
            continue
        rs = _rerun(c, meta, pairwise, models, effects, alpha)
        rows.append(
            {
                **base,
                "backend": None,
                **_side_columns("rerun", rs, rerun_named),
                **design_limits(fam, design_keys(c, fam), alpha),
                "verdict": combine([ls.verdict, rs.verdict]),
            }
        )
    return typed_frame(rows, CLAIM_VERDICTS)


def judge_claims(
    claims_path: str,
    effects_path: str,
    meta_path: str,
    pairwise_path: str,
    family_path: str,
    comparisons_path: str,
    out_path: str,
    models: list[str],
    alpha: float = 0.05,
    dimensions_path: str | None = None,
) -> pd.DataFrame:
    """The ``judge_claims`` rule: read the tables, judge every claim, write CLAIM_VERDICTS atomically.

    With ``dimensions_path``, also the verdict per dimension (:func:`dimension_verdicts`).
    """
    from lnnmeta.claims import load_claims
    from lnnmeta.costs import read_comparisons
    from lnnmeta.stats.schemas import TABLE_NAMES
    from lnnmeta.tables import read_table, write_table

    def read(path: str, name: str) -> pd.DataFrame:
        return read_table(path, TABLE_NAMES[name])

    out = claim_verdicts(
        load_claims(claims_path),
        read(meta_path, "stats_meta"),
        read(pairwise_path, "stats_rank_pairwise"),
        list(models),
        effects=read(effects_path, "stats_effects"),
        family=read(family_path, "stats_rank_family"),
        comparisons=read_comparisons(comparisons_path),
        alpha=alpha,
    )
    write_table(out, out_path, TABLE_NAMES["stats_claim_verdicts"])
    if dimensions_path is not None:
        dims = dimension_verdicts(
            read(meta_path, "stats_meta"), read(effects_path, "stats_effects")
        )
        write_table(dims, dimensions_path, TABLE_NAMES["stats_dimension_verdicts"])
    return out


def _direction_word(lo: float, hi: float) -> str:
    if pd.isna(lo) or pd.isna(hi):
        return "inconclusive"
    return "LNN better" if lo > 0 else "RNN better" if hi < 0 else "inconclusive"


def dimension_verdicts(
    meta: pd.DataFrame, effects: pd.DataFrame, dimensions: Sequence[str] = DIMENSIONS
) -> pd.DataFrame:
    """One verdict per dimension, with the pooled rows behind it (one per source and scale).

    Each overall REML3 (else REML) row with at least :data:`MIN_K` comparisons says "LNN better"
    (interval above 0), "RNN better" (below 0) or "inconclusive"; the dimension's verdict is the
    common answer of the rows that decide, "mixed" when they disagree and "inconclusive" when none
    decides. Returns :data:`lnnmeta.stats.schemas.DIMENSION_VERDICTS` rows.
    """
    from lnnmeta.stats import cluster_effects
    from lnnmeta.stats.schemas import DIMENSION_VERDICTS, typed_frame

    rows: list[dict[str, Any]] = []
    for dim in dimensions:
        first = len(rows)
        for source in ("reported", "rerun"):
            pooled = pooled_rows(meta, source, dim, None)
            pooled = pooled[pooled["k"] > 0] if not pooled.empty else pooled
            sel = (
                effects[(effects["source"] == source) & (effects["dimension"] == dim)]
                if not effects.empty
                else effects
            )
            counts = {
                "n_source_papers": int(sel["evidence_paper"].nunique()) if not sel.empty else 0,
                "n_tasks": int(sel["task"].nunique()) if not sel.empty else 0,
                "n_runs": training_runs(sel) if source == "rerun" else 0,
                "n_without_spread": int(
                    (~np.isfinite(cluster_effects(sel)["variance"].astype(float))).sum()
                )
                if not sel.empty
                else 0,
            }
            if pooled.empty:
                rows.append(
                    {
                        "dimension": dim,
                        "source": source,
                        "k": 0,
                        "n_papers": counts["n_source_papers"],
                        **counts,
                        "says": "inconclusive",
                        "note": "no comparison with a usable spread",
                    }
                )
                continue
            for _, r in pooled.iterrows():
                decides = r["k"] >= MIN_K
                note = r["note"] if isinstance(r["note"], str) and r["note"] else None
                rows.append(
                    {
                        "dimension": dim,
                        "source": source,
                        **{c: r[c] for c in ("scale", "method", "interval_kind")},
                        **{c: r[c] for c in ("estimate", "ci_low", "ci_high", "pi_low", "pi_high")},
                        "k": int(r["k"]),
                        "n_papers": int(r["n_papers"])
                        if source == "reported"
                        else counts["n_source_papers"],
                        **counts,
                        "says": _direction_word(r["ci_low"], r["ci_high"])
                        if decides
                        else "inconclusive",
                        "note": note or (None if decides else f"k < {MIN_K}: no verdict"),
                    }
                )
        decided = {
            row["says"]
            for row in rows[first:]
            if row["k"] >= MIN_K and row["says"] != "inconclusive"
        }
        verdict = (
            decided.pop() if len(decided) == 1 else "mixed" if len(decided) > 1 else "inconclusive"
        )
        for row in rows[first:]:
            row["verdict"] = verdict
    return typed_frame(rows, DIMENSION_VERDICTS)
