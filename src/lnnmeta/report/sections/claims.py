"""Section 0: the claims under test and their computed verdicts (rule judge_claims)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from lnnmeta.report.inputs import ReportInputs
from lnnmeta.report.render import Section
from lnnmeta.report.sink import TableSink

DIRECTION_WORDS = {
    "lnn_better": "LNNs better than RNNs",
    "rnn_better": "RNNs better than LNNs",
    "lnn_not_better": "LNNs not better than RNNs",
}
MARK = {"supported": "good", "contradicted": "bad", "inconclusive": "neutral"}


def claims(inp: ReportInputs, out: TableSink) -> Section:
    """Section 0: one card per claim (claim_verdicts), the counts of verdicts, the exported table."""
    s = Section("claims", "0. Claims under test")
    s.paragraphs.append(
        "Each claim (config/claims.yaml) is judged twice: by the random-effects pooling of what the "
        "papers report and by our reruns, on exactly the evidence the claim names (for "
        "generalization claims, only the rerun conditions of the named kinds). Positive effects "
        "mean the LNN is better. The rules, and the words used for the amount of evidence, are "
        "in the Methods section."
    )
    vt = inp.get("claim_verdicts")
    if vt.empty:
        s.notice(
            "No claim verdicts: results/analysis/claim_verdicts.parquet (rule judge_claims) "
            "was not given to the report."
        )
        return s
    s.claims([claim_card(r) for _, r in vt.iterrows()])
    counts = vt["verdict"].value_counts()
    s.paragraphs.append(
        f"Verdicts on {verdict_count_words(vt)}: "
        + ", ".join(
            f"{int(counts.get(x, 0))} {x}" for x in ("supported", "contradicted", "inconclusive")
        )
        + f". Estimates are pooled effects with {inp.level} intervals "
        "(smd = Hedges' g, log_ratio = log of the ratio of means; > 0 favours the LNN); "
        "efficiency claims are judged on the cost benchmark, one measure at a time and once per "
        "backend (ratio LNN/RNN, < 1 favours the LNN). The training jobs' own timings are "
        "measured under contention and decide no claim."
    )
    out.export(vt, "claims", "Claims under test and their computed verdicts")
    return s


def verdict_count_words(vt: pd.DataFrame) -> str:
    """'7 claims under test' (and how many verdicts, when a claim has one per backend)."""
    n = int(vt["id"].nunique()) if not vt.empty else 0
    extra = f" ({len(vt)} verdicts: efficiency claims once per backend)" if len(vt) > n else ""
    return f"{n} claims under test{extra}"


def _side_card(r: pd.Series, prefix: str, name: str) -> dict[str, Any]:
    """One side of a claim card from a CLAIM_VERDICTS row (``prefix`` literature or rerun)."""
    amount = str(r[f"{prefix}_amount"])
    if r[f"{prefix}_method"] and r[f"{prefix}_method"] != "none":
        amount += f"; method: {r[f'{prefix}_method']}"
    design = r.get("rerun_design") if prefix == "rerun" else None
    if isinstance(design, str) and design:
        amount += f"; {design}"
    return {
        "name": name,
        "verdict": r[f"{prefix}_verdict"],
        "mark": MARK[r[f"{prefix}_verdict"]],
        "evidence": r[f"{prefix}_evidence"],
        "amount": amount,
        "strength": r[f"{prefix}_strength"],
    }


def claim_card(r: pd.Series) -> dict[str, Any]:
    """The card of one CLAIM_VERDICTS row (a claim, or a claim on one cost-benchmark backend)."""
    label = r["backend_label"] if isinstance(r["backend_label"], str) else ""
    rerun_name = f"Cost benchmark, {label}" if label else "Reruns"
    tested = (
        f"Tested: {DIRECTION_WORDS[r['direction']]} ({r['quantifier']}); papers: "
        f"{r['literature_named']}; {'cost benchmark' if label else 'reruns'}: {r['rerun_named']}."
    )
    return {
        "id": r["id"] + (f"-{r['backend']}" if isinstance(r["backend"], str) else ""),
        "claim": r["claim"] + (f" [{label}]" if label else ""),
        "quote": r["quote"],
        "source": r["source"],
        "verdict": r["verdict"],
        "mark": MARK[r["verdict"]],
        "basis": r["basis"],
        "tested": tested,
        "sides": [
            _side_card(r, "literature", "Papers"),
            _side_card(r, "rerun", rerun_name),
        ],
    }
