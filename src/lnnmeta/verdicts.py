"""Computed verdicts for the claims under test and for each dimension: literature and reruns side by side.

Rules (stated in the report's Methods):

* Literature: the overall three-level REML estimate (pairs in comparisons in papers) with its
  CR2 cluster-robust 95% interval (by paper; the model-based interval when there is only one
  paper), or, without a three-level row, the REML random-effects estimate of cluster averages
  (Knapp-Hartung 95% interval), of the claim's dimension (and metric family, if the claim names one) over the reported effects. ``lnn_better``
  is supported when the interval lies above 0 and contradicted when it lies below 0; ``rnn_better``
  the reverse; ``lnn_not_better`` is contradicted when the interval lies above 0 and supported
  when it lies below 0. Otherwise, or when fewer than 3 comparisons can be pooled, inconclusive.
  With both scales present (Hedges' g and log ratio), each decides and the two are combined.
* Reruns, ``overall``: the same rule on the REML pooling of exactly the rerun effects the claim
  names: for generalization, the drops under the named condition kinds (noise, shift, irregular,
  length); for accuracy, the in-distribution scores; for efficiency, the named cost measures.
* Reruns, ``some``: supported when at least one LNN variant beats every traditional RNN (RNN, LSTM,
  GRU present in the grid) on a named measure across tasks (pairwise Wilcoxon with Holm), contradicted
  when every LNN variant is beaten by at least one of them, inconclusive otherwise.
* Combined: supported (contradicted) when one source supports (contradicts) and the other does not
  disagree; inconclusive when they disagree or neither decides.
* Amount of evidence, in words: "none" (nothing to pool), "too little" (fewer than 3 pooled
  comparisons), "limited" (fewer than 5 comparisons, or fewer than 3 independent papers or rerun
  tasks behind them), "moderate" (fewer than 10 comparisons) and "substantial" otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

TRADITIONAL = ("rnn", "lstm", "gru")
#: Fewer pooled comparisons than this give no verdict.
MIN_K = 3
#: Fewer pooled comparisons than this (or fewer independent sources) count as limited evidence.
MIN_K_TRUST = 5
MIN_SOURCES = 3
SUBSTANTIAL_K = 10
VERDICTS = ("supported", "contradicted", "inconclusive")


@dataclass(frozen=True)
class Side:
    """The verdict of one source (literature or reruns) on one claim."""

    verdict: str
    evidence: str
    amount: str
    strength: str
    k: int = 0


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
    """Use the CR2 interval (clustered by paper) as ``ci_low``/``ci_high`` where it exists."""
    if rows.empty or "ci_low_robust" not in rows.columns:
        return rows
    out = rows.copy()
    ok = out["ci_low_robust"].notna() & out["ci_high_robust"].notna()
    out.loc[ok, "ci_low"] = out.loc[ok, "ci_low_robust"]
    out.loc[ok, "ci_high"] = out.loc[ok, "ci_high_robust"]
    return out


def _estimates(rows: pd.DataFrame) -> str:
    return "; ".join(
        f"{r['scale']} {_num(r['estimate'])} [{_num(r['ci_low'])}, {_num(r['ci_high'])}]"
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
        return Side(verdict, estimates, "no reported comparison with a usable spread", "none", 0)
    parts = []
    for _, r in used.iterrows():
        text = (
            f"{_plural(int(r['k']), 'comparison')} from {_plural(int(r['n_papers']), 'paper')} "
            f"({_plural(int(r['n_pairs']), 'LNN-RNN pair')})"
        )
        parts.append(f"{r['scale']}: {text}" if len(used) > 1 else text)
    amount = "; ".join(parts)
    if k < MIN_K:
        amount += f": too few to pool (needs {MIN_K})"
    best = used.sort_values("k").iloc[-1]
    return Side(verdict, estimates, amount, strength(k, int(best["n_papers"])), k)


def literature_side_metrics(
    effects: pd.DataFrame,
    dimension: str,
    metrics: Sequence[str],
    direction: str,
    alpha: float = 0.05,
) -> Side:
    """The literature's verdict from the reported effects of the named metrics only.

    Pooled with REML when at least ``MIN_K`` comparisons have a spread; otherwise (parameter counts
    and times are printed without spread) a binomial sign test over the comparisons decides.
    """
    from lnnmeta.stats import pool_effects, sign_test

    named = ", ".join(metrics)
    if effects.empty or "source" not in effects.columns:
        return Side("inconclusive", "", f"no reported comparison of {named}", "none", 0)
    sel = effects[
        (effects["source"] == "reported")
        & (effects["dimension"] == dimension)
        & effects["metric"].isin(list(metrics))
    ]
    if sel.empty:
        return Side("inconclusive", "", f"no reported comparison of {named}", "none", 0)
    pooled = pooled_rows(
        pool_effects(sel, methods=("REML",), scopes=("overall",)), "reported", dimension, None
    )
    if not pooled.empty and int(pooled["k"].max()) >= MIN_K:
        verdict, estimates, k = _judge(pooled, direction)
        papers = int(pooled["n_papers"].max())
        return Side(
            verdict,
            estimates,
            f"{_plural(k, 'comparison')} of {named} from {_plural(papers, 'paper')}",
            strength(k, papers),
            k,
        )
    st = sign_test(sel)
    row = st[(st["scope"] == "overall") & (st["subset"] == "all") & (st["metric_family"] == "all")]
    if row.empty:
        return Side("inconclusive", "", f"no usable comparison of {named}", "none", 0)
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
    amount = f"{_plural(n, 'comparison')} of {named} without spread from {_plural(papers, 'paper')}"
    if pd.notna(r["note"]) and r["note"]:
        amount += f" ({r['note']})"
    return Side(verdict, evidence, amount, strength(n, papers), n)


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
        sel = sel[[condition_kind(c) in kinds for c in sel["column_id"]]]
    if measures:
        sel = sel[sel["metric"].isin(list(measures))]
    return sel


def training_runs(effects: pd.DataFrame) -> int:
    """Training runs behind rerun effects: the seeds of every (task, model), counted once."""
    if effects.empty:
        return 0
    lnn = effects[["task", "lnn_model", "lnn_n"]].set_axis(["task", "model", "n"], axis=1)
    rnn = effects[["task", "rnn_model", "rnn_n"]].set_axis(["task", "model", "n"], axis=1)
    both = pd.concat([lnn, rnn], ignore_index=True)
    n = pd.to_numeric(both["n"], errors="coerce").fillna(0)
    return int(n.groupby([both["task"], both["model"]]).max().sum())


def pool_reruns(selected: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """REML pooling (overall, every metric family) of selected rerun effects."""
    from lnnmeta.stats import pool_effects

    if selected.empty or not np.isfinite(selected["effect"].astype(float)).any():
        return pd.DataFrame()
    pooled = pool_effects(selected, methods=("REML",), scopes=("overall",))
    return pooled_rows(pooled, "rerun", dimension, None)


def rerun_side_pooled(
    effects: pd.DataFrame,
    dimension: str,
    direction: str,
    condition_kinds: Sequence[str] | None = None,
    measures: Sequence[str] | None = None,
) -> Side:
    """The reruns' verdict on a claim from the pooled rerun effects it names."""
    sel = select_rerun_effects(effects, dimension, condition_kinds, measures)
    what = []
    if condition_kinds:
        what.append("conditions " + ", ".join(condition_kinds))
    if measures:
        what.append("measures " + ", ".join(measures))
    named = f" ({'; '.join(what)})" if what else ""
    if sel.empty:
        return Side("inconclusive", "", f"no rerun effects{named}", "none", 0)
    rows = pool_reruns(sel, dimension)
    verdict, estimates, k = _judge(rows, direction)
    tasks = int(sel["task"].nunique())
    conds = sorted(set(sel["column_id"]))
    amount = (
        f"{_plural(k, 'comparison')} with a spread over {_plural(tasks, 'task')} "
        f"and {_plural(len(conds), 'condition')} ({', '.join(conds)}), "
        f"{_plural(training_runs(sel), 'training run')}"
    )
    if k < MIN_K:
        amount += f": too few to pool (needs {MIN_K})"
    return Side(verdict, estimates, amount, strength(k, tasks), k)


def min_wilcoxon_p(n: int) -> float:
    """The smallest two-sided p-value an exact Wilcoxon signed-rank test on ``n`` pairs can give."""
    return min(1.0, 2.0 / 2**n) if n > 0 else 1.0


def rerun_side_some(pairwise: pd.DataFrame, measures: list[str], models: list[str]) -> Side:
    """Whether some LNN variant beats every traditional RNN on a measure (rank tests across tasks)."""
    trad = [m for m in TRADITIONAL if m in models]
    if pairwise.empty or not trad:
        why = "no traditional RNN in the grid" if not trad else "no rank tests across tasks"
        return Side("inconclusive", "", why, "none", 0)
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
    amount = f"pairwise Wilcoxon tests over {_plural(n_tasks, 'task')}"
    p_min = min_wilcoxon_p(n_tasks)
    if n_tasks and p_min > 0.05:
        amount += f": no test can reach p < 0.05 (smallest possible p = {p_min:.2g})"
    strong = strength(n_tasks, n_tasks) if p_min <= 0.05 else "too little"
    if winners:
        return Side(
            "supported", "beats every traditional RNN: " + ", ".join(winners), amount, strong
        )
    if looked and all_beaten:
        return Side(
            "contradicted", "every LNN variant is beaten by a traditional RNN", amount, strong
        )
    return Side(
        "inconclusive", "no LNN variant beats every traditional RNN significantly", amount, strong
    )


def _basis(lit: Side, rerun: Side, verdict: str) -> str:
    """One plain sentence: which source decides, and how much evidence stands behind each."""

    def says(side: Side, name: str) -> str:
        amount = "no evidence" if side.strength == "none" else f"evidence: {side.strength}"
        if side.verdict == "inconclusive":
            return f"the {name} cannot decide ({amount})"
        verb = "support" if side.verdict == "supported" else "contradict"
        return f"the {name} {verb} it ({amount})"

    sentence = f"{says(lit, 'papers')}; {says(rerun, 'reruns')}"
    if verdict == "inconclusive" and "inconclusive" not in (lit.verdict, rerun.verdict):
        sentence += ": the two disagree"
    return sentence[0].upper() + sentence[1:] + "."


def claim_verdicts(
    claims: list[dict[str, Any]],
    meta: pd.DataFrame,
    pairwise: pd.DataFrame,
    models: list[str],
    effects: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """One row per claim: literature verdict, rerun verdict, combined verdict, and the evidence.

    ``effects`` (the EFFECTS table) gives the rerun side of ``overall`` claims: the rerun effects
    the claim names are pooled afresh. Without it the pooled rerun rows of ``meta`` are used (every
    condition kind of the dimension).
    """
    rows = []
    for c in claims:
        lit = c.get("literature") or {}
        if lit.get("metrics") and effects is not None:
            ls = literature_side_metrics(
                effects, lit.get("dimension", c["dimension"]), list(lit["metrics"]), c["direction"]
            )
        else:
            ls = literature_side(
                meta, lit.get("dimension", c["dimension"]), lit.get("metric_family"), c["direction"]
            )
        rr = c.get("rerun") or {}
        if c["quantifier"] == "some" and rr.get("measures"):
            rs = rerun_side_some(pairwise, list(rr["measures"]), models)
        elif effects is not None:
            rs = rerun_side_pooled(
                effects,
                c["dimension"],
                c["direction"],
                rr.get("condition_kinds"),
                rr.get("measures"),
            )
        else:
            v, est, k = _judge(pooled_rows(meta, "rerun", c["dimension"], None), c["direction"])
            rs = Side(v, est, _plural(k, "comparison"), strength(k, k), k)
        verdict = combine([ls.verdict, rs.verdict])
        rows.append(
            {
                "id": c["id"],
                "claim": c["claim"],
                "quote": c.get("quote", ""),
                "source": c["source"],
                "dimension": c["dimension"],
                "direction": c["direction"],
                "quantifier": c["quantifier"],
                "literature": ls.verdict,
                "literature evidence": ls.evidence,
                "literature amount": ls.amount,
                "literature strength": ls.strength,
                "reruns": rs.verdict,
                "rerun evidence": rs.evidence,
                "rerun amount": rs.amount,
                "rerun strength": rs.strength,
                "verdict": verdict,
                "basis": _basis(ls, rs, verdict),
            }
        )
    return pd.DataFrame(rows)


def _direction_word(lo: float, hi: float) -> str:
    if pd.isna(lo) or pd.isna(hi):
        return "inconclusive"
    return "LNN better" if lo > 0 else "RNN better" if hi < 0 else "inconclusive"


def dimension_verdicts(
    meta: pd.DataFrame, effects: pd.DataFrame, dimensions: Sequence[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One verdict per dimension, and the pooled rows behind it (one per source and scale).

    Each overall REML row with at least 3 comparisons says "LNN better" (interval above 0),
    "RNN better" (below 0) or "inconclusive"; the dimension's verdict is the common answer of the
    rows that decide, "mixed" when they disagree and "inconclusive" when none decides.
    """
    detail, summary = [], []
    for dim in dimensions:
        says: list[str] = []
        counts: dict[str, str] = {}
        for source in ("reported", "rerun"):
            rows = pooled_rows(meta, source, dim, None)
            rows = rows[rows["k"] > 0] if not rows.empty else rows
            sel = (
                effects[(effects["source"] == source) & (effects["dimension"] == dim)]
                if not effects.empty
                else effects
            )
            papers = int(sel["evidence_paper"].nunique()) if not sel.empty else 0
            tasks = int(sel["task"].nunique()) if not sel.empty else 0
            runs = training_runs(sel) if source == "rerun" else 0
            no_spread = 0
            if not sel.empty:
                from lnnmeta.stats import cluster_effects

                cl = cluster_effects(sel)
                no_spread = int((~np.isfinite(cl["variance"].astype(float))).sum())
            counts[source] = (
                f"{_plural(papers, 'paper')}, {_plural(tasks, 'task')}"
                if source == "reported"
                else f"{_plural(tasks, 'task')}, {_plural(runs, 'training run')}"
            )
            if rows.empty:
                detail.append(
                    {
                        "dimension": dim,
                        "source": source,
                        "scale": "",
                        "estimate": math.nan,
                        "ci_low": math.nan,
                        "ci_high": math.nan,
                        "pi_low": math.nan,
                        "pi_high": math.nan,
                        "k": 0,
                        "papers": papers,
                        "tasks": tasks,
                        "runs": runs,
                        "without spread": no_spread,
                        "says": "inconclusive",
                        "note": "no comparison with a usable spread",
                    }
                )
                continue
            for _, r in rows.iterrows():
                word = (
                    _direction_word(r["ci_low"], r["ci_high"])
                    if r["k"] >= MIN_K
                    else "inconclusive"
                )
                if r["k"] >= MIN_K:
                    says.append(word)
                detail.append(
                    {
                        "dimension": dim,
                        "source": source,
                        "scale": r["scale"],
                        "estimate": r["estimate"],
                        "ci_low": r["ci_low"],
                        "ci_high": r["ci_high"],
                        "pi_low": r["pi_low"],
                        "pi_high": r["pi_high"],
                        "k": int(r["k"]),
                        "papers": int(r["n_papers"]) if source == "reported" else papers,
                        "tasks": tasks,
                        "runs": runs,
                        "without spread": no_spread,
                        "says": word,
                        "note": (r["note"] if isinstance(r["note"], str) else "")
                        or (f"k < {MIN_K}: no verdict" if r["k"] < MIN_K else ""),
                    }
                )
        decided = {s for s in says if s != "inconclusive"}
        verdict = (
            decided.pop() if len(decided) == 1 else "mixed" if len(decided) > 1 else "inconclusive"
        )
        summary.append(
            {
                "dimension": dim,
                "verdict": verdict,
                "literature evidence": counts["reported"],
                "rerun evidence": counts["rerun"],
            }
        )
    return pd.DataFrame(summary), pd.DataFrame(detail)
