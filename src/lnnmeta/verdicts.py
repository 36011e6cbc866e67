"""Computed verdicts for the claims under test: literature and reruns side by side.

Rules (stated in the report's Methods):

* Literature: the overall REML random-effects estimate (Knapp-Hartung interval) of the claim's
  dimension (and metric family, if the claim names one) over the reported effects. ``lnn_better``
  is supported when the interval lies above 0 and contradicted when it lies below 0; ``rnn_better``
  the reverse; ``lnn_not_better`` is contradicted when the interval lies above 0 and supported
  when it lies below 0. Otherwise, or when fewer than 3 comparisons exist, inconclusive.
* Reruns, ``overall``: the same rule on the REML pooled rerun effects of the claim's dimension
  (for generalization: the drops under the named condition kinds).
* Reruns, ``some``: supported when at least one LNN variant beats every traditional RNN (RNN, LSTM,
  GRU present in the grid) on a named measure across tasks (pairwise Wilcoxon with Holm), contradicted
  when every LNN variant is beaten by at least one of them, inconclusive otherwise.
* Combined: supported (contradicted) when one source supports (contradicts) and the other does not
  disagree; inconclusive when they disagree or neither decides.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

TRADITIONAL = ("rnn", "lstm", "gru")
MIN_K = 3


def _interval_verdict(lo: float, hi: float, direction: str) -> str:
    if pd.isna(lo) or pd.isna(hi):
        return "inconclusive"
    above, below = lo > 0, hi < 0
    if direction == "lnn_better":
        return "supported" if above else "contradicted" if below else "inconclusive"
    if direction == "rnn_better":
        return "supported" if below else "contradicted" if above else "inconclusive"
    return "contradicted" if above else "supported" if below else "inconclusive"


def _pooled(meta: pd.DataFrame, source: str, dimension: str, family: str | None) -> pd.DataFrame:
    if meta.empty:
        return meta
    sel = meta[
        (meta["source"] == source)
        & (meta["scope"] == "overall")
        & (meta["method"] == "REML")
        & (meta["dimension"] == dimension)
        & (meta["metric_family"] == (family or "all"))
    ]
    return sel


def _from_pooled(rows: pd.DataFrame, direction: str) -> tuple[str, str]:
    usable = rows[rows["k"] >= MIN_K] if not rows.empty else rows
    if usable.empty:
        k = int(rows["k"].max()) if not rows.empty else 0
        return "inconclusive", f"k = {k} comparisons: too few to pool"
    verdicts, texts = [], []
    for _, r in usable.iterrows():
        v = _interval_verdict(r["ci_low"], r["ci_high"], direction)
        verdicts.append(v)
        texts.append(
            f"{r['scale']}: {r['estimate']:.3g} [{r['ci_low']:.3g}, {r['ci_high']:.3g}], k = {int(r['k'])}, "
            f"{int(r['n_papers'])} paper(s)"
        )
    return combine(verdicts), "; ".join(texts)


def combine(verdicts: list[str]) -> str:
    """Supported/contradicted if some say so and none says the opposite; else inconclusive."""
    s, c = "supported" in verdicts, "contradicted" in verdicts
    if s and not c:
        return "supported"
    if c and not s:
        return "contradicted"
    return "inconclusive"


def _some_from_pairwise(
    pairwise: pd.DataFrame, measures: list[str], models: list[str]
) -> tuple[str, str]:
    trad = [m for m in TRADITIONAL if m in models]
    if pairwise.empty or not trad:
        return "inconclusive", "no rank tests across tasks"
    winners, all_beaten, looked = [], True, False
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
                if bool(row["reject_holm"]) and better:
                    beats += 1
                elif bool(row["reject_holm"]):
                    beaten = True
            if beats == len(trad):
                winners.append(f"{lnn} ({measure})")
            all_beaten = all_beaten and beaten
    if winners:
        return "supported", "beats every traditional RNN: " + ", ".join(winners)
    if looked and all_beaten:
        return "contradicted", "every LNN variant is beaten by a traditional RNN"
    return "inconclusive", "no LNN variant beats every traditional RNN significantly"


def claim_verdicts(
    claims: list[dict[str, Any]], meta: pd.DataFrame, pairwise: pd.DataFrame, models: list[str]
) -> pd.DataFrame:
    """One row per claim: literature verdict, rerun verdict, combined verdict, and the evidence."""
    rows = []
    for c in claims:
        lit = c.get("literature") or {}
        lv, le = _from_pooled(
            _pooled(
                meta, "reported", lit.get("dimension", c["dimension"]), lit.get("metric_family")
            ),
            c["direction"],
        )
        rr = c.get("rerun") or {}
        if c["quantifier"] == "some" and rr.get("measures"):
            rv, re_ = _some_from_pairwise(pairwise, list(rr["measures"]), models)
        else:
            rv, re_ = _from_pooled(_pooled(meta, "rerun", c["dimension"], None), c["direction"])
        rows.append(
            {
                "claim": c["claim"],
                "source": c["source"],
                "dimension": c["dimension"],
                "literature": lv,
                "literature evidence": le,
                "reruns": rv,
                "rerun evidence": re_,
                "verdict": combine([lv, rv])
                if "inconclusive" in (lv, rv) or lv == rv
                else "inconclusive",
            }
        )
    return pd.DataFrame(rows)
