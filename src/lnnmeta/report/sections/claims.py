"""Section 0: the claims under test and their computed verdicts (rule judge_claims)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from lnnmeta.report.inputs import ReportInputs
from lnnmeta.report.labels import BACKEND_LABELS, cost_interval_words, missing
from lnnmeta.report.render import Section
from lnnmeta.report.sink import TableSink
from lnnmeta.verdicts import MIN_K

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
    out.export(with_words(vt), "claims", "Claims under test and their computed verdicts")
    return s


def with_words(vt: pd.DataFrame) -> pd.DataFrame:
    """The claim table with the report's words beside its typed columns: the backend's label, each
    side's amount of evidence and the basis of the combined verdict."""
    rows = [r for _, r in vt.iterrows()]
    return vt.assign(
        backend_label=pd.Series([backend_label(r) or None for r in rows], index=vt.index),
        literature_amount=[amount_words(r, "literature") for r in rows],
        rerun_amount=[amount_words(r, "rerun") for r in rows],
        basis=[basis(r) for r in rows],
    )


def verdict_count_words(vt: pd.DataFrame) -> str:
    """'7 claims under test' (and how many verdicts, when a claim has one per backend)."""
    n = int(vt["id"].nunique()) if not vt.empty else 0
    extra = f" ({len(vt)} verdicts: efficiency claims once per backend)" if len(vt) > n else ""
    return f"{n} claims under test{extra}"


def _plural(n: Any, word: str) -> str:
    k = int(n)
    return f"{k} {word}" + ("" if k == 1 else "s")


def _int(x: Any) -> int | None:
    return None if missing(x) else int(x)


def amount_words(r: pd.Series, prefix: str) -> str:
    """The amount of evidence of one side, in words, from the typed columns of a CLAIM_VERDICTS row
    (``<prefix>_kind``, ``_k``, ``_sources``, ``_pairs``, ``_runs``, ``_conditions``, ``_reason``,
    ``_reason_text`` and, for the cost benchmark, the ``cost_*`` columns)."""
    kind, k, sources = r[f"{prefix}_kind"], int(r[f"{prefix}_k"]), int(r[f"{prefix}_sources"])
    reason, why = r[f"{prefix}_reason"], r[f"{prefix}_reason_text"]
    why = why if isinstance(why, str) and why else None
    if kind == "none" or (reason == "no_evidence" and k == 0):
        return why or "no evidence"
    if kind == "cost_benchmark":
        backend = r["backend"]
        label = BACKEND_LABELS.get(str(backend), str(backend))
        lo, hi = _int(r["cost_rounds_min"]), _int(r["cost_rounds_max"])
        rounds = f"{lo}" if lo == hi else f"{lo}-{hi}"
        text = (
            f"cost benchmark at T = {_int(r['cost_steps'])}, H = {_int(r['cost_units'])} units "
            f"({label}): {_plural(sources, 'LNN variant')} x "
            f"{_plural(r['cost_rnn_models'], 'traditional RNN')}, {rounds} measurement "
            f"round{'' if rounds == '1' else 's'} per model"
        )
    elif kind == "rank_tests":
        text = f"pairwise Wilcoxon tests over {_plural(k, 'task')}"
    elif kind == "sign_test":
        text = f"{_plural(k, 'comparison')} without spread from {_plural(sources, 'paper')}"
    elif prefix == "literature":
        text = f"{_plural(k, 'comparison')} from {_plural(sources, 'paper')}"
        if _int(r[f"{prefix}_pairs"]) is not None:
            text += f" ({_plural(r[f'{prefix}_pairs'], 'LNN-RNN pair')})"
        if kind == "per_measure":
            text += ", each measure on its own"
    else:
        conds = r[f"{prefix}_conditions"]
        text = _plural(k, "comparison")
        if sources:
            text += f" with a spread over {_plural(sources, 'task')}"
        if isinstance(conds, str) and conds:
            text += f" and {_plural(len(conds.split(', ')), 'condition')} ({conds})"
        if _int(r[f"{prefix}_runs"]) is not None:
            text += f", {_plural(r[f'{prefix}_runs'], 'training run')}"
    if reason == "too_few_to_pool":
        text += f": too few to pool (needs {MIN_K})"
    if why:
        text += f" ({why})" if kind == "sign_test" else f": {why}"
    return text


def basis(r: pd.Series) -> str:
    """One plain sentence: which source decides, and how much evidence stands behind each side."""

    def says(prefix: str, name: str) -> str:
        strength = r[f"{prefix}_strength"]
        amount = "no evidence" if strength == "none" else f"evidence: {strength}"
        if r[f"{prefix}_verdict"] == "inconclusive":
            return f"the {name} cannot decide ({amount})"
        verb = "support" if r[f"{prefix}_verdict"] == "supported" else "contradict"
        return f"the {name} {verb} it ({amount})"

    sentence = f"{says('literature', 'papers')}; {says('rerun', 'reruns')}"
    sides = (r["literature_verdict"], r["rerun_verdict"])
    if r["verdict"] == "inconclusive" and "inconclusive" not in sides:
        sentence += ": the two disagree"
    return sentence[0].upper() + sentence[1:] + "."


def _method_words(r: pd.Series, prefix: str) -> str:
    method = r[f"{prefix}_method"]
    if not method or method == "none":
        return ""
    if prefix == "rerun" and r[f"{prefix}_kind"] == "cost_benchmark":
        if missing(r["cost_interval_level"]):
            method += "; exact ratios (measured once)"
        else:
            boot = cost_interval_words(
                "percentile_bootstrap", r["cost_interval_level"], r["cost_resamples"]
            )
            method += f"; ratios of timed measures: {boot}; others exact (measured once)"
    return method


def _side_card(r: pd.Series, prefix: str, name: str) -> dict[str, Any]:
    """One side of a claim card from a CLAIM_VERDICTS row (``prefix`` literature or rerun)."""
    amount = amount_words(r, prefix)
    method = _method_words(r, prefix)
    if method:
        amount += f"; method: {method}"
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


def backend_label(r: pd.Series) -> str:
    """The printed name of a row's cost-benchmark backend ("" for claims judged otherwise)."""
    b = r["backend"]
    return BACKEND_LABELS.get(b, b) if isinstance(b, str) and b else ""


def claim_card(r: pd.Series) -> dict[str, Any]:
    """The card of one CLAIM_VERDICTS row (a claim, or a claim on one cost-benchmark backend)."""
    label = backend_label(r)
    rerun_name = f"Cost benchmark, {label}" if label else "Reruns"
    # a cost side names itself ("cost benchmark: n_params ..."); the backend follows it
    rerun_named = f"{r['rerun_named']}; {label}" if label else f"reruns: {r['rerun_named']}"
    tested = (
        f"Tested: {DIRECTION_WORDS[r['direction']]} ({r['quantifier']}); papers: "
        f"{r['literature_named']}; {rerun_named}."
    )
    return {
        "id": r["id"] + (f"-{r['backend']}" if isinstance(r["backend"], str) else ""),
        "claim": r["claim"] + (f" [{label}]" if label else ""),
        "quote": r["quote"],
        "source": r["source"],
        "verdict": r["verdict"],
        "mark": MARK[r["verdict"]],
        "basis": basis(r),
        "tested": tested,
        "sides": [
            _side_card(r, "literature", "Papers"),
            _side_card(r, "rerun", rerun_name),
        ],
    }
