"""``analysis.alpha`` reaches every interval and level of the statistics layer and the verdicts.

At a non-default alpha (0.10) each interval must be the 90 % interval, checked against published
closed forms or quantiles; the notes on unreachable significance must use alpha, not 0.05.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest

from lnnmeta.stats import literature_effects, random_effects, rank_tests, sign_test
from lnnmeta.stats.plots import forest_plot, forest_rows, level_text
from lnnmeta.stats.reruns import prob_outperform, rerun_comparisons
from lnnmeta.verdicts import rerun_side_some
from tests.stats.builders import reported_frame, scores_to_runs

#: Standard normal quantiles z_{0.975} and z_{0.95} (any printed normal table, e.g. Abramowitz &
#: Stegun 1964, Table 26.5: 1.959964, 1.644854).
Z_975, Z_95 = 1.959964, 1.644854


def _all_lnn_better(n: int) -> pd.DataFrame:
    """``n`` papers, each one comparison without spread in which the LNN is better."""
    rows: list[dict[str, Any]] = []
    for i in range(n):
        rows += [
            {"paper_key": f"p{i}", "model": "LTC", "family": "LNN", "value": 91.0 + i},
            {"paper_key": f"p{i}", "model": "LSTM", "family": "RNN", "value": 90.0},
        ]
    return literature_effects(reported_frame(rows))


@pytest.mark.parametrize("alpha", [0.05, 0.10])
def test_sign_test_clopper_pearson_at_level(alpha: float) -> None:
    # Clopper & Pearson (1934) with x = n successes: the interval is [(alpha/2)^(1/n), 1]
    # (closed form documented e.g. by R GenBinomApps::clopper.pearson.ci and stests::
    # ci_p_clopper_pearson). 5 of 5: 0.025^(1/5) = 0.47818 at 95 %, 0.05^(1/5) = 0.54928 at 90 %.
    st = sign_test(_all_lnn_better(5), alpha=alpha)
    row = st[(st["subset"] == "all") & (st["metric_family"] == "all")].iloc[0]
    assert (row["n_positive"], row["n"]) == (5, 5)
    assert row["ci_low"] == pytest.approx((alpha / 2) ** (1 / 5), rel=1e-9)
    assert row["ci_low"] == pytest.approx({0.05: 0.47818, 0.10: 0.54928}[alpha], abs=5e-6)
    assert row["ci_high"] == pytest.approx(1.0)
    # 5 comparisons: the smallest two-sided p is 2/32 = 0.0625 -- unreachable at 0.05 only.
    assert row["p_value"] == pytest.approx(0.0625)
    note = row["note"]
    if alpha == 0.05:
        assert isinstance(note, str) and "0.0625 >= 0.05" in note
    else:
        assert note is None or pd.isna(note)


def _corpus() -> pd.DataFrame:
    rows: list[dict[str, Any]] = []
    for i, delta in enumerate([0.5, 1.0, 1.5, 0.8]):
        sp = {"paper_key": f"p{i}", "spread": 1.0, "spread_kind": "std", "n_runs": 5}
        rows += [
            {"model": "LTC", "family": "LNN", "value": 90 + delta, **sp},
            {"model": "LSTM", "family": "RNN", "value": 90.0, **sp},
        ]
    return literature_effects(reported_frame(rows))


def test_forest_intervals_follow_alpha() -> None:
    eff = _corpus()
    for alpha, z in ((0.05, Z_975), (0.10, Z_95)):
        rows = forest_rows(eff, dimension="accuracy", alpha=alpha)
        studies = rows[rows["kind"] == "study"]
        assert not studies.empty
        half = ((studies["high"] - studies["low"]) / 2).tolist()
        var = eff.groupby("evidence_paper")["variance"].first().to_numpy(float)
        assert sorted(half) == pytest.approx(sorted(z * np.sqrt(var)), rel=1e-5)
        overall = rows[rows["kind"] == "overall"].iloc[0]
        ref = random_effects(eff["effect"], eff["variance"], "REML", alpha)
        assert (overall["low"], overall["high"]) == pytest.approx((ref.ci_low, ref.ci_high))

    def _overall(alpha: float) -> pd.Series:
        rows = forest_rows(eff, dimension="accuracy", alpha=alpha)
        return rows[rows["kind"] == "overall"].iloc[0]

    wide, narrow = _overall(0.05), _overall(0.10)
    assert narrow["high"] - narrow["low"] < wide["high"] - wide["low"]
    assert narrow["pi_high"] - narrow["pi_low"] < wide["pi_high"] - wide["pi_low"]
    # The printed column header names the level.
    texts = [t.get_text() for t in forest_plot(eff, alpha=0.10).axes[0].texts]
    assert "Estimate [90% CI]" in texts and "Estimate [95% CI]" not in texts
    assert (level_text(0.05), level_text(0.10), level_text(0.005)) == ("95%", "90%", "99.5%")


def test_rerun_probability_interval_follows_alpha() -> None:
    scores = {"t": {"LTC": [0.91, 0.93, 0.90, 0.95], "LSTM": [0.90, 0.92, 0.89, 0.91]}}
    runs = scores_to_runs(scores, extra={"metric": "accuracy"})
    for alpha in (0.05, 0.10):
        row = rerun_comparisons(runs, n_boot=500, alpha=alpha, seed=3).iloc[0]
        # Same generator and draws as the comparison: the percentile interval at 1 - alpha.
        ref = prob_outperform(
            scores["t"]["LTC"], scores["t"]["LSTM"], 500, alpha, np.random.default_rng(3)
        )
        assert (row["p_ci_low"], row["p_ci_high"]) == pytest.approx(ref[1:])
    at05 = rerun_comparisons(runs, n_boot=500, alpha=0.05, seed=3).iloc[0]
    at10 = rerun_comparisons(runs, n_boot=500, alpha=0.10, seed=3).iloc[0]
    assert at10["p_ci_high"] - at10["p_ci_low"] <= at05["p_ci_high"] - at05["p_ci_low"]


def test_wilcoxon_note_uses_alpha() -> None:
    rng = np.random.default_rng(0)
    scores = {
        f"t{i}": {"LTC": [0.8 + 0.01 * i], "LSTM": [0.7 + rng.uniform(0, 0.05)]} for i in range(5)
    }
    runs = scores_to_runs(scores)
    for alpha, unreachable in ((0.05, True), (0.10, False)):
        res = rank_tests(runs, measures=["score"], alpha=alpha, n_samples=200, figures=False)
        note = res.pairwise["note"].iloc[0]
        assert (isinstance(note, str) and "0.0625" in note) is unreachable


def _pairwise(n_tasks: int) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "measure": "score",
                "model_a": "cfc",
                "model_b": "lstm",
                "family_a": "LNN",
                "family_b": "RNN",
                "n_tasks": n_tasks,
                "p_a_better": 0.9,
                "p_b_better": 0.05,
                "reject_holm": False,
            }
        ]
    )


def test_verdict_design_note_uses_alpha() -> None:
    # 5 tasks: the smallest signed-rank p is 0.0625, above 0.05 but below 0.10.
    at05 = rerun_side_some(_pairwise(5), ["score"], ["cfc", "lstm"], alpha=0.05)
    at10 = rerun_side_some(_pairwise(5), ["score"], ["cfc", "lstm"], alpha=0.10)
    assert at05.reason == "p_unreachable"
    assert at05.reason_text is not None and "no test can reach p < 0.05" in at05.reason_text
    assert at05.strength == "too little"
    assert at10.reason != "p_unreachable" and at10.strength != "too little"


def test_cd_diagram_joins_models_at_alpha() -> None:
    from lnnmeta.stats.ranks import cd_diagram

    ranks = pd.Series({"LTC": 1.2, "LSTM": 1.8, "GRU": 2.5})
    pairs = pd.DataFrame(
        [
            {"model_a": "LTC", "model_b": "LSTM", "p_holm": 0.07},
            {"model_a": "LTC", "model_b": "GRU", "p_holm": 0.001},
            {"model_a": "LSTM", "model_b": "GRU", "p_holm": 0.001},
        ]
    )
    # p (Holm) = 0.07 joins LTC and LSTM by a bar at 0.05 and separates them at 0.10.
    joined = cd_diagram(ranks, pairs, alpha=0.05).axes[0]
    apart = cd_diagram(ranks, pairs, alpha=0.10).axes[0]
    assert len(joined.lines) == len(apart.lines) + 1
