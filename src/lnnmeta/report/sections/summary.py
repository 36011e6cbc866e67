"""Section 1 and 1b: one verdict per dimension (rule judge_claims), the answer, and its limitations."""

from __future__ import annotations

from typing import Any

import pandas as pd

from lnnmeta.report import answer
from lnnmeta.report import effects as effects_mod
from lnnmeta.report.inputs import ReportInputs
from lnnmeta.report.labels import interval, number
from lnnmeta.report.render import Section
from lnnmeta.report.sections.claims import verdict_count_words
from lnnmeta.report.sink import TableSink
from lnnmeta.verdicts import MIN_K, method_words


def _says(r: pd.Series) -> str:
    """One pooled row of DIMENSION_VERDICTS as ``scale estimate [CI], k = k: says``."""
    if r["k"] == 0:
        return "nothing to pool"
    return (
        f"{r['scale']} {number(r['estimate'])} {interval(r['ci_low'], r['ci_high'])}, "
        f"k = {r['k']}: {r['says']}"
    )


def _evidence(r: pd.Series, pooled: bool) -> str:
    """The evidence behind a source (``pooled``: the papers of the pooled row, not of the source)."""
    if r["source"] == "reported":
        papers = r["n_papers"] if pooled else r["n_source_papers"]
        text = f"{plural(papers, 'paper')}, {plural(r['n_tasks'], 'task')}"
    else:
        text = f"{plural(r['n_tasks'], 'task')}, {plural(r['n_runs'], 'training run')}"
    if pooled and r["n_without_spread"]:
        text += f"; {r['n_without_spread']} without spread"
    return text


def summary(inp: ReportInputs, out: TableSink) -> Section:
    """Section 1: the verdict per dimension and the pooled rows behind it (dimension_verdicts)."""
    s = Section("summary", "1. Summary: one verdict per dimension")
    lv = inp.level
    detail = inp.get("dimension_verdicts")
    if detail.empty:
        s.notice(
            "No verdict per dimension: results/analysis/dimension_verdicts.parquet (rule "
            "judge_claims) was not given to the report."
        )
        return s
    rows = []
    for dim, g in detail.groupby("dimension", sort=False):
        first = {src: g[g["source"] == src] for src in ("reported", "rerun")}
        rows.append(
            {
                "Dimension": dim,
                "Verdict": g["verdict"].iloc[0],
                f"Papers say (pooled effect [{lv} CI])": "\n".join(
                    _says(r) for _, r in first["reported"].iterrows()
                ),
                "Literature evidence": _evidence(first["reported"].iloc[0], pooled=False)
                if not first["reported"].empty
                else "",
                f"Reruns say (pooled effect [{lv} CI])": "\n".join(
                    _says(r) for _, r in first["rerun"].iterrows()
                ),
                "Rerun evidence": _evidence(first["rerun"].iloc[0], pooled=False)
                if not first["rerun"].empty
                else "",
            }
        )
    s.paragraphs.append(
        "One verdict per dimension: each random-effects pooling (REML3 where it exists, else "
        f"REML) with at least {MIN_K} comparisons says 'LNN better' ({lv} interval above 0), "
        "'RNN better' (below 0) or 'inconclusive'; the dimension's verdict is their common answer, "
        "'mixed' if they disagree. Effects are pooled on two scales that are never mixed: smd "
        "(Hedges' g) where both sides report a spread and run count, log_ratio (log of the ratio "
        "of means) for positive error and cost measures; generalization effects of the reruns are "
        "the drops under noise, shift, irregular sampling and length change."
    )
    out.table(
        s, pd.DataFrame(rows), "Verdict per dimension (positive effects favour the LNN)", "summary"
    )
    shown = pd.DataFrame(
        {
            "dimension": detail["dimension"],
            "source": detail["source"].map({"reported": "papers", "rerun": "reruns"}),
            "scale": detail["scale"].fillna(""),
            "method": [
                method_words(r, "paper" if r["source"] == "reported" else "task")
                if isinstance(r["method"], str)
                else ""
                for _, r in detail.iterrows()
            ],
            f"estimate [{lv} CI]": [
                f"{number(e)} {interval(a, b)}" if pd.notna(e) else ""
                for e, a, b in zip(
                    detail["estimate"], detail["ci_low"], detail["ci_high"], strict=True
                )
            ],
            "pi": [
                interval(a, b) for a, b in zip(detail["pi_low"], detail["pi_high"], strict=True)
            ],
            "k": detail["k"],
            "evidence": [_evidence(r, pooled=True) for _, r in detail.iterrows()],
            "says": detail["says"],
            "note": detail["note"].fillna(""),
            "effects": [
                effects_mod.pool_id(src, dim, "all", sc) if k > 0 else ""
                for src, dim, sc, k in zip(
                    detail["source"], detail["dimension"], detail["scale"], detail["k"], strict=True
                )
            ],
        }
    )
    out.table(
        s,
        shown,
        f"Pooled effects behind the verdicts (method per row: REML3 with its CR2 {lv} CI where "
        f"it exists, else REML with a Knapp-Hartung {lv} CI; k = pooled comparisons; "
        "'without spread' = comparisons that enter only the sign test)",
        "summary_pooled",
        headers={"says": "Says", "evidence": "Evidence behind it"},
        formats={"k": str},
    )
    c = evidence_counts(inp)
    s.paragraphs.append(
        f"Evidence in total: {c['papers']} papers, {c['numbers']} reported numbers; "
        f"{c['tasks']} rerun tasks, {c['models']} models, {c['seeds']} seeds, {c['runs']} training runs."
    )
    return s


def limitations(inp: ReportInputs, out: TableSink) -> Section:
    """Section 1b: what limits the answer, each item computed from the data."""
    s = Section("limitations", "1b. Limitations")
    s.items(answer.limitations(inp.reported, inp.runs, inp.get("effects"), inp.config, inp.authors))
    return s


def evidence_counts(inp: ReportInputs) -> dict[str, int]:
    """How many papers, reported numbers, rerun tasks, models, seeds and training runs."""
    runs = inp.runs
    return {
        "papers": int(inp.reported["paper_key"].nunique()),
        "numbers": len(inp.reported),
        "tasks": int(runs["task"].nunique()) if not runs.empty else 0,
        "models": int(runs["model"].nunique()) if not runs.empty else 0,
        "seeds": int(runs["seed"].nunique()) if not runs.empty else 0,
        "runs": int(runs[["task", "model", "seed"]].drop_duplicates().shape[0])
        if not runs.empty
        else 0,
    }


def lead(inp: ReportInputs) -> list[str]:
    """The paragraphs under the question: the answer and the evidence behind it."""
    c = evidence_counts(inp)
    vt = inp.get("claim_verdicts")
    v = vt["verdict"].value_counts() if not vt.empty else pd.Series()
    claims = ", ".join(
        f"{int(v.get(x, 0))} {x}" for x in ("supported", "contradicted", "inconclusive")
    )
    return [
        answer_text(inp),
        f"Evidence: {c['papers']} papers with {c['numbers']} reported numbers; "
        f"{c['runs']} training runs of our own ({c['models']} models × {c['tasks']} tasks × "
        f"{c['seeds']} seeds). Of {verdict_count_words(vt)}: {claims}.",
    ]


def answer_text(inp: ReportInputs) -> str:
    """The answer to the question, per dimension and source (lnnmeta.report.answer)."""
    papers = sorted(inp.reported["paper_key"].unique()) if not inp.reported.empty else []
    groups = answer.author_groups(papers, inp.authors)
    note = (
        "all linked by shared authors (see Limitations)"
        if len(groups) == 1 and len(papers) > 1
        else ""
    )
    return answer.answer(
        inp.get("meta"),
        inp.get("effects"),
        inp.get("memory_votes"),
        inp.get("rerun_cost_ratios"),
        len(papers),
        group_note=note,
        level=inp.level,
    )


def plural(n: Any, word: str) -> str:
    """``1 paper``, ``2 papers``."""
    return f"{n} {word}" + ("" if int(n) == 1 else "s")
