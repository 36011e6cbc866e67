"""Rerun layer: summaries, per-task comparisons, rerun effects, null simulation."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from lnnmeta.stats import (
    prob_outperform,
    rerun_comparisons,
    rerun_effects,
    rerun_summary,
    two_sample_test,
)
from lnnmeta.stats.simulation import null_rejection_rate
from lnnmeta.tables import conform
from tests.stats.builders import runs_frame, scores_to_runs


def test_summary_mean_sd_and_t_interval() -> None:
    runs = scores_to_runs({"t": {"LTC": [0.9, 0.8, 0.85, 0.95], "LSTM": [0.7]}})
    summ = rerun_summary(runs)
    conform(summ, "stats_rerun_summary")
    row = summ[(summ["model"] == "LTC") & (summ["measure"] == "value")].iloc[0]
    x = np.array([0.9, 0.8, 0.85, 0.95])
    half = sps.t.ppf(0.975, 3) * x.std(ddof=1) / 2
    assert row["n"] == 4 and row["mean"] == pytest.approx(x.mean())
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((x.mean() - half, x.mean() + half))
    single = summ[(summ["model"] == "LSTM") & (summ["measure"] == "value")].iloc[0]
    assert math.isnan(single["std"]) and "n < 2" in single["note"]
    eff = summ[summ["measure"] == "n_params"]
    assert len(eff) == 2 and not eff["higher_is_better"].any()


def test_summary_drops_non_finite_values_with_a_note() -> None:
    runs = scores_to_runs({"t": {"LTC": [0.9, float("nan"), 0.8]}}, validate=False)
    row = rerun_summary(runs).query("measure == 'value'").iloc[0]
    assert row["n"] == 2 and "non-finite" in row["note"]


def test_generalization_drop_is_id_minus_condition() -> None:
    rows: list[dict[str, Any]] = []
    for seed in range(3):
        rows.append({"task": "t", "model": "LTC", "seed": seed, "value": 0.9})
        rows.append(
            {
                "task": "t",
                "model": "LTC",
                "seed": seed,
                "value": 0.7,
                "condition": "noise_0.1",
                "condition_kind": "noise",
                "condition_level": 0.1,
            }
        )
    summ = rerun_summary(runs_frame(rows))
    drop = summ[summ["measure"] == "drop"].iloc[0]
    assert drop["condition"] == "noise_0.1" and drop["mean"] == pytest.approx(0.2)


def test_comparisons_probability_holm_and_rule() -> None:
    runs = scores_to_runs(
        {
            "a": {
                "LTC": [0.91, 0.92, 0.93, 0.94, 0.95],
                "LSTM": [0.81, 0.82, 0.83, 0.84, 0.85],
                "GRU": [0.9, 0.9, 0.9, 0.9, 0.9],
            },
            "b": {"CfC": [0.5, 0.6, 0.7], "LSTM": [0.5, 0.6, 0.7]},
        }
    )
    comp = rerun_comparisons(runs, n_boot=200)
    conform(comp, "stats_rerun_comparisons")
    assert len(comp) == 3
    ltc_lstm = comp[(comp["lnn_model"] == "LTC") & (comp["rnn_model"] == "LSTM")].iloc[0]
    assert ltc_lstm["p_lnn_better"] == 1.0 and ltc_lstm["difference"] == pytest.approx(0.1)
    assert ltc_lstm["test"] == "welch" and ltc_lstm["significant"]
    assert ltc_lstm["meaningful"]
    ltc_gru = comp[comp["rnn_model"] == "GRU"].iloc[0]
    assert ltc_gru["test"] == "mann_whitney" and ltc_gru["test_reason"] == "zero variance on a side"
    same = comp[comp["task"] == "b"].iloc[0]
    assert same["p_lnn_better"] == 0.5 and same["p_value"] == pytest.approx(1.0)
    p = comp["p_value"].to_numpy(float)
    assert (comp["p_holm"].to_numpy(float) >= p - 1e-12).all()


def test_lower_is_better_orientation() -> None:
    runs = scores_to_runs(
        {"t": {"LTC": [0.1, 0.11, 0.12], "LSTM": [0.2, 0.21, 0.22]}},
        higher_is_better=False,
        extra={"metric": "mse"},
    )
    comp = rerun_comparisons(runs, n_boot=100).iloc[0]
    assert comp["p_lnn_better"] == 1.0 and comp["difference"] > 0
    assert comp["mean_lnn"] == pytest.approx(0.11)  # reported in metric units


def test_degenerate_comparisons_do_not_raise() -> None:
    runs = scores_to_runs({"t": {"LTC": [0.9], "LSTM": [0.8]}, "u": {"LTC": [0.9, 0.8]}})
    comp = rerun_comparisons(runs, n_boot=50)
    assert len(comp) == 1 and comp["test"].iloc[0] == "none"
    assert comp["p_holm"].isna().all()
    assert rerun_comparisons(runs.iloc[0:0]).empty


def test_two_sample_rule_uses_mann_whitney_for_skewed_data() -> None:
    skewed = [1.0, 1.0, 1.1, 1.0, 1.05, 5.0, 1.02, 1.01]
    res = two_sample_test(skewed, [1.2, 1.3, 1.25, 1.22, 1.28, 1.31, 1.27, 1.24])
    assert res.test == "mann_whitney" and res.reason == "Shapiro-Wilk rejects normality"


def test_prob_outperform_ties_and_interval(rng: np.random.Generator) -> None:
    est, lo, hi = prob_outperform([1, 2, 3], [2, 2, 2], rng=rng)
    assert est == pytest.approx((0 + 0.5 + 1) / 3)
    assert lo <= est <= hi


def test_rerun_effects_schema_and_dimensions() -> None:
    rows: list[dict[str, Any]] = []
    for seed in range(4):
        for model, acc, params in (
            ("LTC", 0.9 + seed / 100, 500),
            ("LSTM", 0.8 + seed / 100, 2000),
        ):
            rows.append(
                {
                    "task": "t",
                    "model": model,
                    "seed": seed,
                    "value": acc,
                    "n_params": params,
                    "train_time_per_epoch_s": 1.0 + seed / 10,
                }
            )
            rows.append(
                {
                    "task": "t",
                    "model": model,
                    "seed": seed,
                    "value": acc - 0.1,
                    "condition": "shift",
                    "condition_kind": "shift",
                    "n_params": params,
                }
            )
    eff = rerun_effects(runs_frame(rows))
    conform(eff, "stats_effects")
    assert (eff["source"] == "rerun").all()
    assert set(eff["dimension"]) == {"accuracy", "efficiency", "generalization"}
    acc = eff[eff["dimension"] == "accuracy"].iloc[0]
    assert acc["effect_kind"] == "hedges_g" and acc["effect"] > 0
    params = eff[eff["metric"] == "n_params"].iloc[0]
    assert params["effect"] == pytest.approx(math.log(4.0))  # LNN has 4x fewer parameters
    assert params["effect_kind"] == "log_ratio_no_spread"  # deterministic: no spread


def test_null_simulation_rejects_at_about_five_percent() -> None:
    # Two identical models, 10 seeds each, 800 replications (fixed seed): the rate should be
    # within ~3 Monte Carlo SEs (0.023) of 0.05. The script lnnmeta.stats.simulation runs larger.
    for dist in ("normal", "lognormal"):
        res = null_rejection_rate(replications=800, n_seeds=10, distribution=dist, seed=7)
        assert abs(res.rejection_rate - 0.05) < 0.023, res
    small = null_rejection_rate(replications=200, n_seeds=10, seed=3, with_outperform=True)
    assert abs(small.mean_p_outperform - 0.5) < 0.03


def test_summary_handles_empty_runs() -> None:
    empty = pd.DataFrame(columns=scores_to_runs({"t": {"LTC": [1.0]}}).columns)
    assert rerun_summary(empty).empty


def test_significance_is_holm_controlled_not_bootstrap(rng: np.random.Generator) -> None:
    # Identical models with 3 seeds: the old bootstrap flag fired in ~20 % of comparisons; the
    # Holm-controlled test must keep the family-wise false-positive rate near alpha = 0.05.
    false_pos = 0
    for rep in range(60):
        scores = {
            f"t{t}": {m: list(rng.normal(0.9, 0.02, 3)) for m in ("LTC", "LSTM")} for t in range(4)
        }
        comp = rerun_comparisons(scores_to_runs(scores), n_boot=100, seed=rep)
        false_pos += int(comp["significant"].fillna(False).astype(bool).any())
        assert (comp["significant"].fillna(False) == comp["reject_holm"].fillna(False)).all()
    assert false_pos / 60 <= 0.15


def test_summary_intervals_stay_within_the_metrics_range() -> None:
    from lnnmeta.stats.reruns import summarize_long

    long = pd.DataFrame(
        {
            "task": "t",
            "model": "m",
            "family": "RNN",
            "condition": "id",
            "condition_kind": "id",
            "condition_level": 0.0,
            "measure": "value",
            "metric": ["accuracy"] * 3 + ["mse"] * 3,
            "higher_is_better": [True] * 3 + [False] * 3,
            "seed": [0, 1, 2] * 2,
            "value": [100.0, 100.0, 60.0, 0.001, 0.002, 0.2],
        }
    )
    s = summarize_long(long).set_index("metric")
    assert s.loc["accuracy", "ci_high"] == 100.0 and s.loc["accuracy", "ci_low"] < 100
    assert s.loc["mse", "ci_low"] == 0.0 and s.loc["mse", "ci_high"] > 0.2
    assert "clipped" in s.loc["accuracy", "note"] and "clipped" in s.loc["mse", "note"]


def test_drops_are_compared_on_hedges_g_never_on_a_log_ratio() -> None:
    """MSE in distribution takes the log-ratio scale; its drops under noise do not, even where
    every model degrades (a ratio of drops explodes near zero: 0.0005 vs 0.05 would be log 100)."""
    rows = []
    for model, mse, drop in (("CfC", 0.10, 0.0005), ("LSTM", 0.12, 0.05)):
        for seed in range(5):
            jitter = 1 + 0.1 * seed
            rows.append(
                {
                    "task": "t",
                    "model": model,
                    "seed": seed,
                    "metric": "mse",
                    "value": mse * jitter,
                    "higher_is_better": False,
                }
            )
            rows.append(
                {
                    "task": "t",
                    "model": model,
                    "seed": seed,
                    "metric": "mse",
                    "value": (mse + drop) * jitter,
                    "higher_is_better": False,
                    "condition": "noise_0.3",
                    "condition_kind": "noise",
                    "condition_level": 0.3,
                }
            )
    eff = rerun_effects(runs_frame(rows))
    acc = eff[eff["dimension"] == "accuracy"]
    gen = eff[eff["dimension"] == "generalization"]
    assert set(acc["scale"]) == {"log_ratio"}
    assert len(gen) == 1 and gen["scale"].iloc[0] == "smd"
    assert gen["effect"].iloc[0] > 0  # the LNN drops less
