"""Computed verdicts on small hand-made tables: supported, contradicted and inconclusive cases."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from lnnmeta.stats.schemas import EFFECTS, META, RANK_PAIRWISE, typed_frame
from lnnmeta.verdicts import (
    claim_verdicts,
    combine,
    condition_kind,
    dimension_verdicts,
    interval_verdict,
    min_wilcoxon_p,
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
    assert "6 comparisons from 3 papers" in row["literature_amount"]
    assert row["literature_strength"] == "moderate"
    assert row["rerun_verdict"] == "inconclusive" and row["rerun_strength"] == "none"


def test_too_few_comparisons_are_inconclusive() -> None:
    m = meta(meta_row(k=2, n_papers=1))
    row = claim_verdicts([claim()], m, pd.DataFrame(), ["lstm"]).iloc[0]
    assert row["literature_verdict"] == "inconclusive"
    assert "too few to pool" in row["literature_amount"]
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
    assert f"{k} comparisons with a spread over 4 tasks" in row["rerun_amount"]
    assert "24 training runs" in row["rerun_amount"]  # 4 tasks x 2 models x 3 seeds
    assert row["rerun_strength"] == amount


def test_missing_condition_kind_says_so(gen_effects: pd.DataFrame) -> None:
    c = claim(dimension="generalization", rerun={"condition_kinds": ["irregular"]})
    row = claim_verdicts([c], meta(), pd.DataFrame(), ["lstm"], gen_effects).iloc[0]
    assert row["rerun_verdict"] == "inconclusive"
    assert row["rerun_amount"] == "no rerun effects (conditions irregular)"
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
    assert "disagree" in row["basis"]


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
    assert "8 tasks" in row["rerun_amount"]


def test_some_contradicted_when_every_lnn_is_beaten() -> None:
    pw = pairwise([("cfc", "lstm", True, 0.05, 0.9), ("ltc", "gru", True, 0.05, 0.9)])
    row = claim_verdicts([SOME], meta(), pw, ["cfc", "ltc", "lstm", "gru"]).iloc[0]
    assert row["rerun_verdict"] == "contradicted"


def test_some_inconclusive_without_significant_tests_and_says_why() -> None:
    pw = pairwise([("cfc", "lstm", False, 0.6, 0.3), ("cfc", "gru", False, 0.6, 0.3)], n_tasks=2)
    row = claim_verdicts([SOME], meta(), pw, ["cfc", "lstm", "gru"]).iloc[0]
    assert row["rerun_verdict"] == "inconclusive"
    assert "no test can reach p < 0.05" in row["rerun_amount"]
    assert row["rerun_strength"] == "too little"


def test_some_without_traditional_rnn_is_inconclusive() -> None:
    row = claim_verdicts([SOME], meta(), pairwise([]), ["cfc", "ltc"]).iloc[0]
    assert row["rerun_verdict"] == "inconclusive"
    assert row["rerun_amount"] == "no traditional RNN in the grid"


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
    summary, detail = dimension_verdicts(
        m, gen_effects, ["accuracy", "efficiency", "generalization"]
    )
    verdict = dict(zip(summary["dimension"], summary["verdict"], strict=True))
    assert verdict == {
        "accuracy": "LNN better",
        "efficiency": "inconclusive",
        "generalization": "mixed",
    }
    gen_rerun = detail[(detail["dimension"] == "generalization") & (detail["source"] == "rerun")]
    assert gen_rerun["tasks"].iloc[0] == 4 and gen_rerun["runs"].iloc[0] == 24
    eff = detail[(detail["dimension"] == "efficiency") & (detail["source"] == "reported")]
    assert eff["says"].iloc[0] == "inconclusive" and "no verdict" in eff["note"].iloc[0]
    assert np.isfinite(detail["estimate"].dropna()).all()
