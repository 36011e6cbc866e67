"""Computed verdicts on small hand-made tables: supported, contradicted and inconclusive cases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from lnnmeta.report.sections.claims import amount_words, basis
from lnnmeta.stats.schemas import (
    CLAIM_VERDICTS,
    EFFECTS,
    META,
    RANK_FAMILY,
    RANK_PAIRWISE,
    typed_frame,
)
from lnnmeta.tables import conform
from lnnmeta.verdicts import (
    claim_verdicts,
    combine,
    condition_kind,
    dimension_verdicts,
    interval_verdict,
    judge_claims,
    min_wilcoxon_p,
    select_lnn,
    select_rerun_effects,
    strength,
    training_runs,
)


def meta_row(**kw: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "source": "reported",
        "scope": "overall",
        "dimension": "accuracy",
        "metric_family": "all",
        "scale": "smd",
        "method": "REML",
        "dependence": "average",
        "k": 6,
        "n_pairs": 12,
        "n_papers": 3,
        "estimate": 0.5,
        "ci_low": 0.2,
        "ci_high": 0.8,
        "pi_low": -0.1,
        "pi_high": 1.1,
        "note": None,
    }
    row.update(kw)
    return row


def meta(*rows: dict[str, Any]) -> pd.DataFrame:
    return typed_frame(list(rows), META)


def claim(**kw: Any) -> dict[str, Any]:
    c: dict[str, Any] = {
        "id": "c",
        "claim": "LNNs are more accurate.",
        "source": "test",
        "dimension": "accuracy",
        "direction": "lnn_better",
        "quantifier": "overall",
        "literature": {"dimension": "accuracy"},
    }
    c.update(kw)
    return c


def rerun_effect(
    task: str, condition: str, effect: float, variance: float = 0.01
) -> dict[str, Any]:
    """One rerun LNN-vs-RNN generalization effect (a drop under ``condition``), 3 seeds a side."""
    kind = condition_kind(condition)
    metric = f"drop:{condition}:accuracy"
    return {
        "source": "rerun",
        "paper_key": "rerun",
        "evidence_paper": "rerun",
        "location": "rerun",
        "table_id": "rerun",
        "column_id": condition,
        "task": task,
        "metric": metric,
        "metric_family": kind,
        "dimension": "generalization",
        "higher_is_better": False,
        "cluster_id": f"rerun|{task}|{metric}",
        "lnn_model": "cfc",
        "rnn_model": "lstm",
        "lnn_value": 1.0,
        "rnn_value": 1.0 + effect,
        "lnn_sd": 0.1,
        "rnn_sd": 0.1,
        "lnn_n": 3,
        "rnn_n": 3,
        "effect": effect,
        "variance": variance,
        "effect_kind": "hedges_g",
        "scale": "smd",
        "copied": False,
    }


@pytest.fixture
def gen_effects() -> pd.DataFrame:
    """Noise: the LNN clearly better on 4 tasks; shift: clearly worse on 4 tasks."""
    rows = []
    for i, task in enumerate(["a", "b", "c", "d"]):
        rows.append(rerun_effect(task, "noise_0.3", 1.0 + 0.05 * i))
        rows.append(rerun_effect(task, "noise_0.1", 0.9 + 0.05 * i))
        rows.append(rerun_effect(task, "shift", -1.0 - 0.05 * i))
    return typed_frame(rows, EFFECTS)


def test_interval_rules() -> None:
    assert interval_verdict(0.1, 0.5, "lnn_better") == "supported"
    assert interval_verdict(-0.5, -0.1, "lnn_better") == "contradicted"
    assert interval_verdict(-0.5, 0.1, "lnn_better") == "inconclusive"
    assert interval_verdict(-0.5, -0.1, "rnn_better") == "supported"
    assert interval_verdict(0.1, 0.5, "rnn_better") == "contradicted"
    assert interval_verdict(0.1, 0.5, "lnn_not_better") == "contradicted"
    assert interval_verdict(-0.5, -0.1, "lnn_not_better") == "supported"
    assert interval_verdict(float("nan"), 0.5, "lnn_better") == "inconclusive"


def test_combine() -> None:
    assert combine(["supported", "inconclusive"]) == "supported"
    assert combine(["contradicted", "inconclusive"]) == "contradicted"
    assert combine(["supported", "contradicted"]) == "inconclusive"
    assert combine(["inconclusive", "inconclusive"]) == "inconclusive"
    assert combine([]) == "inconclusive"


@pytest.mark.parametrize(
    ("lo", "hi", "direction", "expected"),
    [
        (0.2, 0.8, "lnn_better", "supported"),
        (-0.8, -0.2, "lnn_better", "contradicted"),
        (-0.2, 0.8, "lnn_better", "inconclusive"),
        (-0.8, -0.2, "lnn_not_better", "supported"),
    ],
)
def test_literature_side(lo: float, hi: float, direction: str, expected: str) -> None:
    m = meta(meta_row(ci_low=lo, ci_high=hi, estimate=(lo + hi) / 2))
    out = claim_verdicts([claim(direction=direction)], m, pd.DataFrame(), ["lstm", "cfc"])
    row = out.iloc[0]
    assert row["literature_verdict"] == expected
    assert row["verdict"] == expected  # no rerun evidence: the literature decides alone
    # typed counts in the table, the words in the report
    assert (row["literature_k"], row["literature_sources"], row["literature_pairs"]) == (6, 3, 12)
    assert row["literature_kind"] == "pooled" and pd.isna(row["literature_reason"])
    assert amount_words(row, "literature") == "6 comparisons from 3 papers (12 LNN-RNN pairs)"
    assert row["literature_strength"] == "moderate"
    assert row["rerun_verdict"] == "inconclusive" and row["rerun_strength"] == "none"


def test_too_few_comparisons_are_inconclusive() -> None:
    m = meta(meta_row(k=2, n_papers=1))
    row = claim_verdicts([claim()], m, pd.DataFrame(), ["lstm"]).iloc[0]
    assert row["literature_verdict"] == "inconclusive"
    assert row["literature_reason"] == "too_few_to_pool"
    assert amount_words(row, "literature").endswith(": too few to pool (needs 3)")
    assert row["literature_strength"] == "too little"


def test_two_scales_must_agree() -> None:
    m = meta(meta_row(), meta_row(scale="log_ratio", ci_low=-0.9, ci_high=-0.1, estimate=-0.5))
    row = claim_verdicts([claim()], m, pd.DataFrame(), ["lstm"]).iloc[0]
    assert row["literature_verdict"] == "inconclusive"
    assert "smd" in row["literature_evidence"] and "log_ratio" in row["literature_evidence"]


def test_metric_family_and_other_sources_are_ignored() -> None:
    m = meta(
        meta_row(metric_family="error", ci_low=-0.9, ci_high=-0.1),
        meta_row(source="rerun", ci_low=-0.9, ci_high=-0.1),
        meta_row(method="DL", ci_low=-0.9, ci_high=-0.1),
        meta_row(scope="paper:x", ci_low=-0.9, ci_high=-0.1),
        meta_row(),
    )
    row = claim_verdicts([claim()], m, pd.DataFrame(), ["lstm"]).iloc[0]
    assert row["literature_verdict"] == "supported"
    fam = claim_verdicts(
        [claim(literature={"dimension": "accuracy", "metric_family": "error"})],
        m,
        pd.DataFrame(),
        ["lstm"],
    ).iloc[0]
    assert fam["literature_verdict"] == "contradicted"


def test_condition_kind() -> None:
    assert condition_kind("id") == "id"
    assert condition_kind("shift") == "shift"
    assert condition_kind("noise_0.3") == "noise"
    assert condition_kind("irregular_0.5") == "irregular"
    assert condition_kind("length_2") == "length"


def test_rerun_effects_are_selected_by_condition_kind(gen_effects: pd.DataFrame) -> None:
    noise = select_rerun_effects(gen_effects, "generalization", ["noise"])
    assert set(noise["column_id"]) == {"noise_0.1", "noise_0.3"}
    both = select_rerun_effects(gen_effects, "generalization", ["noise", "shift"])
    assert len(both) == len(gen_effects)
    assert select_rerun_effects(gen_effects, "generalization", ["length"]).empty
    assert select_rerun_effects(gen_effects, "accuracy", None).empty


@pytest.mark.parametrize(
    ("kinds", "expected", "k", "amount"),
    [
        (["noise"], "supported", 8, "moderate"),
        (["shift"], "contradicted", 4, "limited"),
        (["noise", "shift"], "inconclusive", 12, "substantial"),
    ],
)
def test_generalization_reruns_use_exactly_the_named_kinds(
    gen_effects: pd.DataFrame, kinds: list[str], expected: str, k: int, amount: str
) -> None:
    c = claim(
        dimension="generalization",
        literature={"dimension": "generalization"},
        rerun={"condition_kinds": kinds},
    )
    row = claim_verdicts([c], meta(), pd.DataFrame(), ["lstm", "cfc"], gen_effects).iloc[0]
    assert row["rerun_verdict"] == expected
    assert row["verdict"] == expected
    # 4 tasks x 2 models x 3 seeds
    assert (row["rerun_k"], row["rerun_sources"], row["rerun_runs"]) == (k, 4, 24)
    words = amount_words(row, "rerun")
    assert f"{k} comparisons with a spread over 4 tasks" in words
    assert words.endswith(f"({row['rerun_conditions']}), 24 training runs")
    assert row["rerun_strength"] == amount


def test_missing_condition_kind_says_so(gen_effects: pd.DataFrame) -> None:
    c = claim(dimension="generalization", rerun={"condition_kinds": ["irregular"]})
    row = claim_verdicts([c], meta(), pd.DataFrame(), ["lstm"], gen_effects).iloc[0]
    assert row["rerun_verdict"] == "inconclusive"
    assert (row["rerun_kind"], row["rerun_reason"]) == ("none", "no_evidence")
    assert row["rerun_reason_text"] == "no rerun effects (conditions irregular)"
    assert amount_words(row, "rerun") == "no rerun effects (conditions irregular)"
    assert row["rerun_strength"] == "none"


def test_sources_that_disagree_give_inconclusive(gen_effects: pd.DataFrame) -> None:
    m = meta(meta_row(dimension="generalization", ci_low=-0.9, ci_high=-0.2))
    c = claim(
        dimension="generalization",
        literature={"dimension": "generalization"},
        rerun={"condition_kinds": ["noise"]},
    )
    row = claim_verdicts([c], m, pd.DataFrame(), ["lstm"], gen_effects).iloc[0]
    assert (row["literature_verdict"], row["rerun_verdict"], row["verdict"]) == (
        "contradicted",
        "supported",
        "inconclusive",
    )
    assert basis(row) == (
        "The papers contradict it (evidence: moderate); the reruns support it "
        "(evidence: moderate): the two disagree."
    )


def pairwise(rows: list[tuple[str, str, bool, float, float]], n_tasks: int = 8) -> pd.DataFrame:
    """RANK_PAIRWISE rows: (model_a, model_b, reject_holm, p_a_better, p_b_better)."""
    fam = {"cfc": "LNN", "ltc": "LNN", "lstm": "RNN", "gru": "RNN"}
    return typed_frame(
        [
            {
                "measure": "n_params",
                "model_a": a,
                "model_b": b,
                "family_a": fam[a],
                "family_b": fam[b],
                "n_tasks": n_tasks,
                "p_value": 0.01 if rej else 0.5,
                "p_holm": 0.02 if rej else 0.9,
                "reject_holm": rej,
                "p_a_better": pa,
                "p_rope": 1 - pa - pb,
                "p_b_better": pb,
            }
            for a, b, rej, pa, pb in rows
        ],
        RANK_PAIRWISE,
    )


SOME = claim(
    dimension="efficiency",
    quantifier="some",
    literature={"dimension": "efficiency", "metric_family": "cost"},
    rerun={"measures": ["n_params"]},
)


def test_some_supported_when_one_lnn_beats_every_rnn() -> None:
    pw = pairwise(
        [
            ("cfc", "lstm", True, 0.9, 0.05),
            ("cfc", "gru", True, 0.9, 0.05),
            ("ltc", "lstm", False, 0.4, 0.4),
            ("gru", "ltc", True, 0.9, 0.05),
        ]
    )
    row = claim_verdicts([SOME], meta(), pw, ["cfc", "ltc", "lstm", "gru"]).iloc[0]
    assert row["rerun_verdict"] == "supported"
    assert "cfc (n_params)" in row["rerun_evidence"]
    assert (row["rerun_kind"], row["rerun_k"], row["rerun_sources"]) == ("rank_tests", 8, 8)
    assert amount_words(row, "rerun") == "pairwise Wilcoxon tests over 8 tasks"


def test_some_contradicted_when_every_lnn_is_beaten() -> None:
    pw = pairwise([("cfc", "lstm", True, 0.05, 0.9), ("ltc", "gru", True, 0.05, 0.9)])
    row = claim_verdicts([SOME], meta(), pw, ["cfc", "ltc", "lstm", "gru"]).iloc[0]
    assert row["rerun_verdict"] == "contradicted"


def test_some_inconclusive_without_significant_tests_and_says_why() -> None:
    pw = pairwise([("cfc", "lstm", False, 0.6, 0.3), ("cfc", "gru", False, 0.6, 0.3)], n_tasks=2)
    row = claim_verdicts([SOME], meta(), pw, ["cfc", "lstm", "gru"]).iloc[0]
    assert row["rerun_verdict"] == "inconclusive"
    assert row["rerun_reason"] == "p_unreachable"
    assert amount_words(row, "rerun") == (
        "pairwise Wilcoxon tests over 2 tasks: no test can reach p < 0.05 "
        "(smallest possible p = 0.5)"
    )
    assert row["rerun_strength"] == "too little"


def test_some_without_traditional_rnn_is_inconclusive() -> None:
    row = claim_verdicts([SOME], meta(), pairwise([]), ["cfc", "ltc"]).iloc[0]
    assert row["rerun_verdict"] == "inconclusive"
    assert row["rerun_reason"] == "no_evidence"
    assert amount_words(row, "rerun") == "no traditional RNN in the grid"


def test_min_wilcoxon_p_and_strength() -> None:
    assert min_wilcoxon_p(2) == 0.5
    assert min_wilcoxon_p(6) == pytest.approx(2 / 64)
    assert strength(0, 0) == "none"
    assert strength(2, 2) == "too little"
    assert strength(4, 4) == "limited"
    assert strength(8, 2) == "limited"
    assert strength(8, 3) == "moderate"
    assert strength(12, 5) == "substantial"


def test_training_runs_counts_each_model_once(gen_effects: pd.DataFrame) -> None:
    # 4 tasks x (cfc, lstm) x 3 seeds, whatever the number of conditions
    assert training_runs(gen_effects) == 24
    assert training_runs(gen_effects.iloc[0:0]) == 0


def test_dimension_verdicts(gen_effects: pd.DataFrame) -> None:
    m = meta(
        meta_row(dimension="accuracy"),
        meta_row(dimension="generalization", ci_low=-0.9, ci_high=-0.2),
        meta_row(dimension="generalization", source="rerun", ci_low=0.2, ci_high=0.9),
        meta_row(dimension="efficiency", k=2),
    )
    detail = dimension_verdicts(m, gen_effects, ["accuracy", "efficiency", "generalization"])
    conform(detail, "stats_dimension_verdicts")  # the declared schema of the judge_claims output
    verdict = dict(zip(detail["dimension"], detail["verdict"], strict=False))
    assert verdict == {
        "accuracy": "LNN better",
        "efficiency": "inconclusive",
        "generalization": "mixed",
    }
    gen_rerun = detail[(detail["dimension"] == "generalization") & (detail["source"] == "rerun")]
    assert gen_rerun["n_tasks"].iloc[0] == 4 and gen_rerun["n_runs"].iloc[0] == 24
    eff = detail[(detail["dimension"] == "efficiency") & (detail["source"] == "reported")]
    assert eff["says"].iloc[0] == "inconclusive" and "no verdict" in eff["note"].iloc[0]
    assert np.isfinite(detail["estimate"].dropna()).all()


# --- claims judged on their own evidence -------------------------------------------------------


def lit_effect(paper: str, comparison: int, lnn: str, effect: float) -> dict[str, Any]:
    """One reported accuracy effect (Hedges' g) of ``lnn`` against an LSTM in ``paper``."""
    cluster = f"{paper}|t{comparison}|acc"
    return {
        "source": "reported",
        "paper_key": paper,
        "evidence_paper": paper,
        "location": "Table 1",
        "table_id": "t1",
        "column_id": f"task{comparison}",
        "task": f"task{comparison}",
        "metric": "accuracy",
        "metric_family": "score",
        "dimension": "accuracy",
        "higher_is_better": True,
        "cluster_id": cluster,
        "lnn_model": lnn,
        "rnn_model": "LSTM",
        "lnn_value": 90.0,
        "rnn_value": 88.0,
        "lnn_sd": 1.0,
        "rnn_sd": 1.0,
        "lnn_n": 5,
        "rnn_n": 5,
        "effect": effect,
        "variance": 0.04,
        "effect_kind": "hedges_g",
        "scale": "smd",
        "copied": False,
    }


@pytest.fixture
def mixed_lit() -> pd.DataFrame:
    """LTC clearly better than the LSTM (9 comparisons, 3 papers); every CfC variant clearly worse."""
    rows = []
    for p, paper in enumerate(["pa", "pb", "pc"]):
        for c in range(3):
            rows.append(lit_effect(paper, c, "LTC", 1.0 + 0.05 * c + 0.02 * p))
            lnn = ["CfC", "CfC-mmRNN", "CfC-noGate"][c]
            rows.append(lit_effect(paper, c, lnn, -1.0 - 0.05 * c - 0.02 * p))
    return typed_frame(rows, EFFECTS)


def test_ltc_claim_uses_only_ltc_effects(mixed_lit: pd.DataFrame) -> None:
    ltc = claim(id="ltc", lnn_models=["LTC"])
    cfc = claim(id="cfc", lnn_models=["CfC", "CfC-noGate", "CfC-pure", "CfC-mmRNN"])
    every = claim(id="all")
    # meta pools every LNN: the claims naming LNNs must not use it.
    m = meta(meta_row(ci_low=-5.0, ci_high=5.0, estimate=0.0, k=18))
    out = claim_verdicts([ltc, cfc, every], m, pd.DataFrame(), ["lstm"], effects=mixed_lit)
    by = out.set_index("id")
    assert by.loc["ltc", "literature_verdict"] == "supported"
    assert by.loc["cfc", "literature_verdict"] == "contradicted"
    assert by.loc["all", "literature_verdict"] == "inconclusive"  # from meta
    # k = the pairs of the claim's LNN only (three-level model: 9 LTC pairs, 9 CfC pairs).
    assert by.loc["ltc", "literature_k"] == 9 and by.loc["cfc", "literature_k"] == 9
    assert by.loc["ltc", "literature_estimate"] == pytest.approx(1.07, abs=0.01)
    assert by.loc["cfc", "literature_estimate"] == pytest.approx(-1.07, abs=0.01)
    assert by.loc["ltc", "literature_method"].startswith("REML3")
    assert by.loc["ltc", "literature_sources"] == 3
    assert by.loc["ltc", "lnn_models"] == "LTC"
    assert "LNNs: LTC" in by.loc["ltc", "literature_named"]


def test_rerun_side_keeps_the_registry_models_of_the_named_lnns(gen_effects: pd.DataFrame) -> None:
    # gen_effects: cfc better under noise; add an LTC that is worse under noise on every task.
    ltc_rows = gen_effects[gen_effects["column_id"] == "noise_0.3"].assign(
        lnn_model="ltc", effect=[-1.2, -1.1, -1.3, -1.25]
    )
    mm = gen_effects[gen_effects["column_id"] == "noise_0.3"].assign(lnn_model="cfc_mm")
    eff = pd.concat([gen_effects, ltc_rows, mm], ignore_index=True)
    assert set(select_lnn(eff, ["CfC-mmRNN"])["lnn_model"]) == {"cfc_mm"}
    assert set(select_lnn(eff, ["CfC", "LTC"])["lnn_model"]) == {"cfc", "ltc"}
    assert len(select_lnn(eff, None)) == len(eff)
    gen = {"dimension": "generalization", "rerun": {"condition_kinds": ["noise"]}}
    ltc = claim(id="ltc", lnn_models=["LTC"], **gen)
    cfc = claim(id="cfc", lnn_models=["CfC", "CfC-mmRNN"], **gen)
    out = claim_verdicts([ltc, cfc], meta(), pd.DataFrame(), ["lstm"], effects=eff).set_index("id")
    assert out.loc["ltc", "rerun_verdict"] == "contradicted"
    assert out.loc["ltc", "rerun_k"] == 4  # noise_0.3 on 4 tasks
    assert out.loc["cfc", "rerun_verdict"] == "supported"
    assert out.loc["cfc", "rerun_k"] == 8  # noise_0.1 and noise_0.3 (cfc_mm pairs share clusters)


def family_row(measure: str, n_tasks: int, tasks_needed: float, seeds: float) -> dict[str, Any]:
    """A RANK_FAMILY row; ``min_p`` of the exact signed-rank test on ``n_tasks`` tasks."""
    return {
        "measure": measure,
        "n_tasks": n_tasks,
        "n_lnn": 2,
        "n_rnn": 2,
        "tasks_left_out": 0,
        "lnn_better_tasks": 2,
        "rnn_better_tasks": 2,
        "min_p": 2.0 / 2**n_tasks,
        "p_reachable": 2.0 / 2**n_tasks < 0.05,
        "tasks_needed": tasks_needed,
        "seeds": 3,
        "seeds_needed": seeds,
    }


def test_design_limits_appear_for_rerun_sides(gen_effects: pd.DataFrame) -> None:
    fam = typed_frame(
        [
            family_row("score", 4, 11.3, 6.2),
            family_row("drop:noise_0.3", 4, 20.0, 9.0),
            family_row("drop:shift", 6, 7.5, float("nan")),
        ],
        RANK_FAMILY,
    )
    acc = claim(rerun={"condition_kinds": ["id"]})
    noise = claim(id="n", dimension="generalization", rerun={"condition_kinds": ["noise"]})
    out = claim_verdicts(
        [acc, noise], meta(), pd.DataFrame(), ["lstm"], effects=gen_effects, family=fam
    ).set_index("id")
    a = out.loc["c"]
    assert a["rerun_design_measures"] == "score"
    assert a["rerun_min_p"] == pytest.approx(0.125)  # 2 / 2^4: no 4-task result can reach 0.05
    assert not a["rerun_p_reachable"]
    assert a["rerun_tasks_needed"] == pytest.approx(11.3)
    assert a["rerun_seeds_needed"] == pytest.approx(6.2)
    assert (
        "cannot reach 0.05" in a["rerun_design"]
        and "12 tasks or 7 seeds per task" in a["rerun_design"]
    )
    n = out.loc["n"]
    assert n["rerun_design_measures"] == "drop:noise_0.3"  # not the shift drop
    assert n["rerun_tasks_needed"] == pytest.approx(20.0)


# --- efficiency claims on the cost benchmark ----------------------------------------------------


def cost_row(measure: str, lnn: str, backend: str, rnn: str, ratio: float, lo: float, hi: float):  # type: ignore[no-untyped-def]
    from lnnmeta.costs import MEASURES

    favours = "LNN" if hi < 1 else "RNN" if lo > 1 else "neither"
    m = MEASURES[measure]
    return {
        "measure": measure,
        "dimension": m.dimension,
        "unit": m.unit,
        "lnn_model": lnn,
        "backend": backend,
        "rnn_model": rnn,
        "steps": 50,
        "units": 32,
        "lnn_median": ratio,
        "rnn_median": 1.0,
        "lnn_n": 3 if m.per_round else 1,
        "rnn_n": 3 if m.per_round else 1,
        "ratio": ratio,
        "ratio_low": lo,
        "ratio_high": hi,
        "interval_kind": "percentile_bootstrap" if m.per_round else "exact",
        "interval_level": 0.95 if m.per_round else None,
        "resamples": 200 if m.per_round else None,
        "favours": favours,
    }


@pytest.fixture
def comparisons() -> pd.DataFrame:
    """ltc has fewer parameters than GRU and LSTM; every LNN is slower per training step with ncps;
    with the fast kernel cfc is faster than both RNNs."""
    from lnnmeta.costs import COST_COMPARISONS

    rows = []
    for backend in ("ncps", "fast"):
        for rnn in ("gru", "lstm"):
            rows.append(cost_row("n_params", "ltc", backend, rnn, 0.8, 0.8, 0.8))
            rows.append(cost_row("n_params", "cfc", backend, rnn, 3.0, 3.0, 3.0))
            slow = 5.0 if backend == "ncps" else 2.0
            rows.append(cost_row("train_step_s", "ltc", backend, rnn, slow, slow - 1, slow + 1))
            fast = (4.0, 3.0, 5.0) if backend == "ncps" else (0.5, 0.4, 0.6)
            rows.append(cost_row("train_step_s", "cfc", backend, rnn, *fast))
        # ctrnn is an RNN-family model but not a traditional RNN: never a reference.
        rows.append(cost_row("n_params", "ltc", backend, "ctrnn", 9.0, 9.0, 9.0))
    return typed_frame(rows, COST_COMPARISONS)


PARAMS = claim(
    id="params",
    dimension="efficiency",
    quantifier="some",
    literature={"dimension": "efficiency", "metrics": ["n_params"]},
    rerun={"cost_measures": ["n_params"]},
)
SPEED = claim(
    id="speed",
    dimension="efficiency",
    quantifier="some",
    literature={"dimension": "efficiency", "metrics": ["time_per_epoch"]},
    rerun={"cost_measures": ["train_step_s"]},
)


def test_efficiency_claim_uses_the_cost_comparisons_of_its_measure_only(
    comparisons: pd.DataFrame,
) -> None:
    # Rerun effects of the training jobs' timings say the LNN is much faster: they must not count.
    timing = typed_frame(
        [
            {
                **rerun_effect(t, "id", 3.0),
                "metric": "train_time_per_epoch_s",
                "dimension": "efficiency",
            }
            for t in "abcd"
        ],
        EFFECTS,
    )
    out = claim_verdicts(
        [PARAMS, SPEED], meta(), pd.DataFrame(), ["lstm", "gru"], effects=timing,
        comparisons=comparisons,
    )  # fmt: skip
    assert list(zip(out["id"], out["backend"], strict=True)) == [
        ("params", "ncps"),
        ("params", "fast"),
        ("speed", "ncps"),
        ("speed", "fast"),
    ]
    # the cell and rounds as numbers; the report names the backend and words the amount
    assert set(out["cost_steps"]) == {50} and set(out["cost_units"]) == {32}
    assert set(out["cost_rnn_models"]) == {2}  # gru, lstm: ctrnn is no traditional RNN
    assert set(out["rerun_kind"]) == {"cost_benchmark"}
    p_ncps = out[(out["id"] == "params") & (out["backend"] == "ncps")].iloc[0]
    assert (p_ncps["cost_rounds_min"], p_ncps["cost_rounds_max"]) == (1, 1)
    assert pd.isna(p_ncps["cost_interval_level"]) and pd.isna(p_ncps["cost_resamples"])
    assert amount_words(p_ncps, "rerun") == (
        "cost benchmark at T = 50, H = 32 units (LNN as published in ncps): 2 LNN variants x "
        "2 traditional RNNs, 1 measurement round per model"
    )
    p = out[out["id"] == "params"]
    assert set(p["rerun_verdict"]) == {"supported"}  # ltc beats GRU and LSTM; ctrnn ignored
    assert all("train_step_s" not in e for e in p["rerun_evidence"])
    assert all("ltc 0.8x (beats every RNN)" in e for e in p["rerun_evidence"])
    assert p["rerun_estimate"].tolist() == [pytest.approx(0.8)] * 2
    s = out[out["id"] == "speed"].set_index("backend")
    assert s.loc["ncps", "rerun_verdict"] == "contradicted"  # every LNN slower with ncps
    assert s.loc["fast", "rerun_verdict"] == "supported"  # cfc with the fast kernel
    assert all("n_params" not in e for e in s["rerun_evidence"])
    assert s.loc["fast", "rerun_estimate"] == pytest.approx(0.5)
    assert s.loc["fast", "rerun_ci_high"] == pytest.approx(0.6)
    assert s.loc["ncps", "rerun_design"] == "cost benchmark: measured directly, no task design"
    assert (s.loc["fast", "cost_interval_level"], s.loc["fast", "cost_resamples"]) == (0.95, 200)
    assert (s.loc["fast", "cost_rounds_min"], s.loc["fast", "cost_rounds_max"]) == (3, 3)
    assert pd.isna(s.loc["ncps", "rerun_min_p"])
    # The training-job timing effects were not pooled into any side.
    assert (out["rerun_method"].str.startswith("cost benchmark")).all()


def test_measures_are_never_pooled(comparisons: pd.DataFrame) -> None:
    both = claim(
        id="both", dimension="efficiency", quantifier="overall",
        rerun={"cost_measures": ["n_params", "train_step_s"]},
    )  # fmt: skip
    out = claim_verdicts([both], meta(), pd.DataFrame(), [], comparisons=comparisons)
    fast = out[out["backend"] == "fast"].iloc[0]
    # n_params: ltc cheaper, cfc dearer -> neither; train_step_s fast: ltc slower, cfc faster.
    assert fast["rerun_verdict"] == "inconclusive"
    assert "n_params (LNN/RNN)" in fast["rerun_evidence"]
    assert "train_step_s (LNN/RNN)" in fast["rerun_evidence"]


def test_cost_claim_without_comparisons_says_so() -> None:
    out = claim_verdicts([PARAMS], meta(), pd.DataFrame(), [], comparisons=pd.DataFrame())
    row = out.iloc[0]
    assert pd.isna(row["backend"]) and row["rerun_verdict"] == "inconclusive"
    assert row["rerun_reason"] == "no_evidence"
    assert "no cost comparisons" in amount_words(row, "rerun")


def test_lnn_models_restrict_the_cost_comparisons(comparisons: pd.DataFrame) -> None:
    cfc_params = {**PARAMS, "id": "cfc_params", "lnn_models": ["CfC"]}
    out = claim_verdicts([cfc_params], meta(), pd.DataFrame(), [], comparisons=comparisons)
    assert set(out["rerun_verdict"]) == {"contradicted"}  # only cfc, which has more parameters
    assert all("ltc" not in e for e in out["rerun_evidence"])


# --- the table, the rule's entry point, the claims file -----------------------------------------


def test_claim_verdicts_table_matches_its_schema(
    tmp_path: Path, mixed_lit: pd.DataFrame, comparisons: pd.DataFrame
) -> None:
    import yaml

    from lnnmeta.costs import COST_COMPARISONS
    from lnnmeta.stats import pool_effects, pool_multilevel
    from lnnmeta.stats.schemas import CLAIM_VERDICTS, TABLE_NAMES
    from lnnmeta.tables import read_table, write_table

    claims = [
        {k: v for k, v in c.items()}
        for c in (claim(id="ltc", lnn_models=["LTC"], rerun={"condition_kinds": ["id"]}), PARAMS)
    ]
    (tmp_path / "claims.yaml").write_text(yaml.safe_dump({"claims": claims}), encoding="utf-8")
    m = pd.concat([pool_multilevel(mixed_lit), pool_effects(mixed_lit)], ignore_index=True)
    paths = {n: str(tmp_path / f"{n}.parquet") for n in ("e", "m", "pw", "fam", "cmp", "out")}
    write_table(mixed_lit, paths["e"], TABLE_NAMES["stats_effects"])
    write_table(m, paths["m"], TABLE_NAMES["stats_meta"])
    write_table(typed_frame([], RANK_PAIRWISE), paths["pw"], TABLE_NAMES["stats_rank_pairwise"])
    fam = typed_frame([family_row("score", 5, 8.0, 4.0)], RANK_FAMILY)
    write_table(fam, paths["fam"], TABLE_NAMES["stats_rank_family"])
    write_table(comparisons, paths["cmp"], COST_COMPARISONS)
    out = judge_claims(
        str(tmp_path / "claims.yaml"), paths["e"], paths["m"], paths["pw"], paths["fam"],
        paths["cmp"], paths["out"], models=["lstm", "ltc"],
    )  # fmt: skip
    back = read_table(paths["out"], "stats_claim_verdicts")  # raises on any schema mismatch
    assert list(back.columns) == CLAIM_VERDICTS.names
    assert len(back) == len(out) == 3  # ltc once, params once per backend
    assert back.loc[back["id"] == "ltc", "rerun_min_p"].iloc[0] == pytest.approx(0.0625)
    assert set(back["verdict"]) <= {"supported", "contradicted", "inconclusive"}
    for col in ("literature_method", "rerun_method", "literature_kind", "rerun_sources"):
        assert back[col].notna().all()
    cost = back[back["rerun_kind"] == "cost_benchmark"]
    assert len(cost) == 2 and cost["cost_steps"].notna().all()
    assert back.loc[back["id"] == "ltc", ["cost_steps", "cost_units"]].isna().all(axis=None)


def test_claims_file_lnn_models_and_cost_measures(tmp_path: Path) -> None:
    import yaml

    from lnnmeta.claims import COST_MEASURES, load_claims
    from lnnmeta.costs import MEASURES
    from lnnmeta.errors import InputError
    from lnnmeta.models import REGISTRY

    assert set(COST_MEASURES) == set(MEASURES)
    base = {
        "id": "x", "claim": "c", "source": "s", "dimension": "efficiency",
        "direction": "lnn_better", "quantifier": "some",
    }  # fmt: skip

    def load(**kw: Any) -> list[dict[str, Any]]:
        path = tmp_path / "claims.yaml"
        path.write_text(yaml.safe_dump({"claims": [{**base, **kw}]}), encoding="utf-8")
        return load_claims(path)

    lnns = sorted({s.canonical for s in REGISTRY.values() if s.family == "LNN"})
    assert load(lnn_models=lnns)[0]["lnn_models"] == lnns  # every rerun LNN has a canonical name
    with pytest.raises(
        InputError, match=r"claim 0 \('x'\), field 'lnn_models': 'NCP' is spelled 'LTC-NCP'"
    ):
        load(lnn_models=["NCP"])
    with pytest.raises(InputError, match="'LSTM' is not a liquid network"):
        load(lnn_models=["LSTM"])
    with pytest.raises(InputError, match=r"rerun\.measures"):  # a contended timing decides nothing
        load(rerun={"measures": ["train_time_per_epoch_s"]})
    assert load(rerun={"cost_measures": ["peak_alloc_bytes"]})[0]["rerun"]
    with pytest.raises(InputError, match=r"rerun\.cost_measures"):
        load(rerun={"cost_measures": ["all"]})


def test_repository_claims_name_their_lnns() -> None:
    from lnnmeta.claims import load_claims
    from tests.conftest import ROOT

    by = {c["id"]: c for c in load_claims(ROOT / "config/claims.yaml")}
    assert by["ltc_accuracy"]["lnn_models"] == ["LTC"]
    assert "CfC" in by["cfc_time_series"]["lnn_models"]
    for c in by.values():
        assert "measures" not in (c.get("rerun") or {}) or c["dimension"] != "efficiency"


def test_claim_card_names_the_backend() -> None:
    from lnnmeta.report.sections.claims import claim_card, verdict_count_words

    rows = typed_frame(
        [
            {
                **{f: "" for f in ("claim", "quote", "source", "lnn_models")},
                "id": "speed", "dimension": "efficiency", "direction": "lnn_better",
                "quantifier": "some", "backend": b,
                **{
                    f"{p}_{f}": v
                    for p in ("literature", "rerun")
                    for f, v in (("verdict", "inconclusive"), ("method", "m"), ("named", "n"),
                                 ("k", 0), ("sources", 0), ("evidence", ""), ("kind", "none"),
                                 ("reason", "no_evidence"), ("reason_text", "a"),
                                 ("strength", "none"))
                },
                "verdict": "inconclusive",
            }
            for b in ("ncps", "fast")
        ],
        CLAIM_VERDICTS,
    )  # fmt: skip
    cards = [claim_card(r) for _, r in rows.iterrows()]
    assert [c["id"] for c in cards] == ["speed-ncps", "speed-fast"]
    assert cards[0]["sides"][1]["name"] == "Cost benchmark, LNN as published in ncps"
    assert "LNN with an optimised kernel" in cards[1]["claim"]
    assert cards[1]["tested"].endswith("papers: n; n; LNN with an optimised kernel.")
    assert cards[0]["sides"][1]["amount"] == "a; method: m"
    assert cards[0]["basis"] == (
        "The papers cannot decide (no evidence); the reruns cannot decide (no evidence)."
    )
    assert verdict_count_words(rows) == (
        "1 claims under test (2 verdicts: efficiency claims once per backend)"
    )
