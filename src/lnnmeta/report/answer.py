"""The report's answer to its question, and its limitations, computed from the data.

:func:`answer` says, per dimension (accuracy, memory efficiency, generalization) and per source
(papers, reruns), which side the evidence favours and how sure it is; :func:`limitations` lists
what restricts the answer (who wrote the papers, copied baselines, which models count as LNN and
RNN, the scale of the reruns, the conditions of the timings). Both are plain text built from the
analysis tables; nothing in them is typed by hand.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from lnnmeta.report.labels import interval, number
from lnnmeta.stats.bias import MEMORY_METRICS
from lnnmeta.verdicts import MIN_K, pooled_rows, strength

SCALE_NAMES = {"smd": "Hedges' g", "log_ratio": "log ratio"}
SOURCE_NAMES = {"reported": "the papers", "rerun": "our reruns"}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def _direction(lo: Any, hi: Any) -> str:
    if pd.isna(lo) or pd.isna(hi):
        return "no interval"
    if lo > 0:
        return "LNNs better"
    if hi < 0:
        return "RNNs better"
    return "no clear difference"


def _sources(effects: pd.DataFrame, source: str) -> int:
    col = "evidence_paper" if source == "reported" else "task"
    return int(effects[col].nunique()) if not effects.empty else 0


def pooled_sentence(
    meta: pd.DataFrame, effects: pd.DataFrame, source: str, dimension: str
) -> str | None:
    """What one source's pooled effects of one dimension say, with estimate, interval and k."""
    rows = pooled_rows(meta, source, dimension, None)
    rows = rows[rows["k"] >= MIN_K] if not rows.empty else rows
    sel = effects[(effects["source"] == source) & (effects["dimension"] == dimension)]
    if rows.empty:
        if sel.empty:
            return None
        n = int(sel["cluster_id"].nunique())
        return (
            f"{SOURCE_NAMES[source]}: too few comparisons with a spread to pool "
            f"({_plural(n, 'comparison')} in all, fewer than {MIN_K} poolable; evidence too little)"
        )
    parts, words, ks = [], [], []
    for _, r in rows.sort_values("scale").iterrows():
        word = _direction(r["ci_low"], r["ci_high"])
        scale = SCALE_NAMES.get(str(r["scale"]), r["scale"])
        words.append((scale, word))
        ks.append(int(r["k"]))
        parts.append(
            f"{scale} {number(r['estimate'])} "
            f"{interval(r['ci_low'], r['ci_high'])}, k = {int(r['k'])}"
        )
    distinct = {w for _, w in words}
    said = (
        distinct.pop()
        if len(distinct) == 1
        else "the scales disagree (" + ", ".join(f"{sc}: {w}" for sc, w in words) + ")"
    )
    n_src = _sources(sel, source)
    unit = "paper" if source == "reported" else "task"
    sure = strength(max(ks), n_src)
    return (
        f"{SOURCE_NAMES[source]}: {said} ({'; '.join(parts)}; {_plural(n_src, unit)}; "
        f"evidence {sure})"
    )


def sign_sentence(votes: pd.DataFrame, effects: pd.DataFrame, source: str) -> str | None:
    """The vote count of one source's memory and size comparisons (``memory_votes`` rows)."""
    row = votes[votes["source"] == source] if not votes.empty else votes
    if row.empty:
        return None
    pos, neg, n = (int(row[c].sum()) for c in ("n_positive", "n_negative", "n"))
    p = (
        float(row["p_value"].iloc[0])
        if len(row) == 1 and pd.notna(row["p_value"].iloc[0])
        else None
    )
    said = "LNNs smaller" if pos > neg else "RNNs smaller" if neg > pos else "even"
    sel = effects[(effects["source"] == source) & effects["metric"].isin(list(MEMORY_METRICS))]
    named = ", ".join(sorted(sel["metric"].unique()))
    return (
        f"{SOURCE_NAMES[source]}: {said} ({pos} of {n} comparisons of {named} favour the LNN, "
        f"{neg} the RNN" + (f", sign test p = {number(p, 2)}" if p is not None else "") + ")"
    )


#: How the memory measures of ``rerun_cost_ratios`` are named in the answer.
RATIO_WORDS = {
    "peak_train_mem_bytes": "peak training memory",
    "saved_for_backward_bytes": "activations saved for backward",
    "n_params": "parameters",
}


def memory_ratios(ratios: pd.DataFrame) -> str | None:
    """Median over tasks of the LNN/RNN ratio of family medians (``rerun_cost_ratios`` rows)."""
    ok = ratios[ratios["ratio"].notna()] if not ratios.empty else ratios
    if ok.empty:
        return None
    parts = [
        f"{RATIO_WORDS.get(m, m)} {number(float(r), 2)}×"
        for m, r in zip(ok["measure"], ok["ratio"], strict=True)
    ]
    return (
        "in our reruns the LNN models need, as the median over tasks of LNN/RNN medians, "
        + ", ".join(parts)
        + " of the RNNs'"
    )


def answer(
    meta: pd.DataFrame,
    effects: pd.DataFrame,
    votes: pd.DataFrame,
    ratios: pd.DataFrame,
    n_papers: int,
    group_note: str = "",
    level: str = "95%",
) -> str:
    """One paragraph answering the question per dimension and source, with how sure it is.

    ``votes``: the memory sign tests (``memory_votes``); ``ratios``: the reruns' LNN/RNN memory
    ratios (``rerun_cost_ratios``); ``level``: the intervals' confidence level as printed.
    """
    if effects.empty:
        return "No LNN-vs-RNN comparison could be formed from the data: the question stays open."
    out = []
    acc = [pooled_sentence(meta, effects, s, "accuracy") for s in ("reported", "rerun")]
    acc_text = "; ".join(x for x in acc if x) or "nothing could be pooled"
    out.append(f"Accuracy — {acc_text}.")
    mem = [sign_sentence(votes, effects, "reported"), memory_ratios(ratios)]
    mem_text = "; ".join(x for x in mem if x) or "no memory or size comparison in the data"
    out.append(
        "Memory efficiency (size and memory counts have no spread, so they are counted, not "
        f"pooled) — {mem_text}."
    )
    gen = [pooled_sentence(meta, effects, s, "generalization") for s in ("reported", "rerun")]
    gen_text = "; ".join(x for x in gen if x) or "nothing could be pooled"
    out.append(f"Generalization out of distribution — {gen_text}.")
    pooled = [x for x in (*acc, *gen) if x and "too few" not in x]
    decided = [x for x in pooled if x.count("better") and "disagree" not in x]
    out.append(
        f"How sure: {len(decided)} of the {len(pooled)} pooled answers above decide a direction "
        f"(every scale's {level} interval excludes 0 on the same side); the others cannot tell "
        "the two families apart or their scales disagree. "
        f"The literature comes from {_plural(n_papers, 'paper')}"
        + (f", {group_note}" if group_note else "")
        + "; the words for the amount of evidence follow the rules in Methods."
    )
    return "Answer, computed from the data: " + " ".join(out)


def bib_authors(bib_path: str | Path) -> dict[str, list[str]]:
    """Surname of every author of every BibTeX entry, keyed by entry key."""
    import bibtexparser

    with open(bib_path, encoding="utf-8") as f:
        db = bibtexparser.load(f)
    out = {}
    for e in db.entries:
        names = [n.strip() for n in e.get("author", "").replace("\n", " ").split(" and ")]
        out[e["ID"]] = [
            (n.split(",")[0] if "," in n else n.split()[-1]).strip("{} ") for n in names if n
        ]
    return out


def author_groups(papers: Sequence[str], authors: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """The papers in groups linked by shared authors (connected components), largest first."""
    left = [p for p in papers if p in authors]
    groups: list[list[str]] = []
    while left:
        group = [left.pop(0)]
        names = set(authors[group[0]])
        grown = True
        while grown:
            grown = False
            for p in list(left):
                if names & set(authors[p]):
                    group.append(p)
                    names |= set(authors[p])
                    left.remove(p)
                    grown = True
        groups.append(sorted(group))
    return sorted(groups, key=len, reverse=True)


def group_sentence(papers: Sequence[str], authors: Mapping[str, Sequence[str]]) -> str:
    """Who wrote the curated papers: groups linked by shared authors and the shared authors."""
    known = [p for p in papers if p in authors]
    if not known:
        return "The papers' authors are not in the bibliography."
    groups = author_groups(known, authors)
    count = Counter(a for p in known for a in set(authors[p]))
    # most papers first, ties by name (set order would differ between processes)
    ranked = sorted(count.items(), key=lambda an: (-an[1], an[0]))
    shared = [f"{a} ({n} of {len(known)})" for a, n in ranked if n >= 2]
    if len(groups) == 1 and len(known) > 1:
        head = (
            f"All {len(known)} curated papers come from one group: every paper shares an author "
            "with another, and the shared authors link them all"
        )
    else:
        head = (
            f"The {len(known)} curated papers form {_plural(len(groups), 'group')} of papers "
            "linked by shared authors"
        )
    return (
        head
        + (f" (authors on two or more papers: {', '.join(shared)})" if shared else "")
        + ". The literature side is the evidence of the models' own proposers; no independent "
        "group's LNN-vs-RNN numbers are in the data. Affiliations are not recorded in the "
        "literature files."
    )


def model_classes(reported: pd.DataFrame, runs: pd.DataFrame) -> str:
    """Which models count as LNN, as RNN and as neither, in the papers and in the reruns."""

    def names(df: pd.DataFrame, fam: str) -> list[str]:
        return (
            sorted({str(m) for m in df.loc[df["family"] == fam, "model"]}) if not df.empty else []
        )

    lnn, rnn, other = (names(reported, f) for f in ("LNN", "RNN", "other"))
    text = (
        f"Model classes (lnnmeta.literature.vocabulary): in the papers {len(lnn)} models count as "
        f"LNN ({', '.join(lnn)}), {len(rnn)} as RNN (every non-linear recurrence, including the "
        f"ODE/CDE-based baselines and the MGU/GRU/LSTM-derived SSMs: {', '.join(rnn)}) and "
        f"{len(other)} as neither (Transformers, convolutions and linear state-space models such "
        "as S4, S5, LRU and Mamba, whose input-dependent step does not make it liquid here); "
        "their rows are shown but never compared."
    )
    if not runs.empty:
        text += f" In the reruns: LNN {', '.join(names(runs, 'LNN'))}; RNN {', '.join(names(runs, 'RNN'))}."
    return text


def rerun_scale(runs: pd.DataFrame, config: Mapping[str, Any]) -> str | None:
    """Units, samples, epochs, seeds and tasks of the reruns, from the config and the runs."""
    if runs.empty:
        return None
    tr = config.get("training", {}) or {}
    ids = runs[runs["condition"] == "id"]
    epochs = ids["epochs_run"].astype(float)
    stand = config.get("analysis", {}).get("stand_ins", {}) or {}
    return (
        f"Rerun scale: {tr.get('units', '?')} units per model, at most "
        f"{tr.get('max_train_samples', 'all')} training and {tr.get('max_test_samples', 'all')} test "
        f"sequences per task, at most {tr.get('epochs', '?')} epochs (patience "
        f"{tr.get('patience', '?')}; epochs run: median {number(round(float(epochs.median())))}, "
        f"range {number(int(epochs.min()))}-{number(int(epochs.max()))}), "
        f"{_plural(int(runs['seed'].nunique()), 'seed')}, {_plural(int(runs['task'].nunique()), 'task')}; "
        f"the papers' own data sets cannot be had offline, so {_plural(len(stand), 'rerun task')} "
        "stand in for paper tasks (analysis.stand_ins). The reruns test the models at a small "
        "scale, not the papers' configurations."
    )


def timing_conditions(config: Mapping[str, Any]) -> str:
    """Under which conditions the times and memory of the reruns were measured."""
    costs = config.get("costs")
    text = (
        "Timings: the training time per epoch and the inference latency in the rerun tables are "
        "timed inside the training jobs, which run side by side and share the machine "
        "(measured under contention): they are diagnostics, not a cost comparison."
    )
    if costs:
        text += (
            " A separate cost benchmark (rule measure_costs) measures time and memory alone, on one "
            f"thread, for sequence lengths {costs.get('steps', '?')} and units {costs.get('units', '?')}, "
            f"{costs.get('rounds', '?')} rounds (config 'costs')."
        )
    return text


def limitations(
    reported: pd.DataFrame,
    runs: pd.DataFrame,
    effects: pd.DataFrame,
    config: Mapping[str, Any],
    authors: Mapping[str, Sequence[str]],
) -> list[str]:
    """The limitations of this report, each one computed from the data."""
    out = []
    if not reported.empty:
        papers = sorted(reported["paper_key"].unique())
        out.append(group_sentence(papers, authors))
        copied = int(reported["copied_from"].notna().sum())
        lit = effects[effects["source"] == "reported"] if not effects.empty else effects
        with_copy = int(lit["copied"].astype(bool).sum()) if not lit.empty else 0
        out.append(
            f"Copied baselines: {copied} of {len(reported)} reported numbers "
            f"({number(100 * copied / len(reported), 2)}%) are baselines copied from earlier "
            f"papers, not rerun by the authors; {with_copy} of {len(lit)} LNN-RNN pairs have a "
            "copied side. Each copied number is counted once, and the Sensitivity table pools "
            "without them."
        )
        out.append(model_classes(reported, runs))
    scale = rerun_scale(runs, config)
    if scale:
        out.append(scale)
    out.append(timing_conditions(config))
    return out
