"""LNN family vs RNN family across tasks, and what the design can reach."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lnnmeta.stats.family import (
    family_tests,
    learned_tasks,
    min_p_signed_rank,
    smallest_design,
    tasks_needed,
)

MODELS = {"lstm": "RNN", "gru": "RNN", "cfc": "LNN", "ltc": "LNN"}


def _runs(n_tasks: int, lnn_wins: int, seeds: int = 3, learned: bool = True) -> pd.DataFrame:
    """Accuracy tables where the LNN models are best on the first ``lnn_wins`` tasks."""
    rng = np.random.default_rng(1)
    rows = []
    for t in range(n_tasks):
        for m, fam in MODELS.items():
            base = (
                80.0
                + (5.0 if (fam == "LNN") == (t < lnn_wins) else 0.0)
                + {"lstm": 1, "gru": 0, "cfc": 1, "ltc": 0}[m]
            )
            for s in range(seeds):
                rows.append(
                    {
                        "task": f"t{t}",
                        "model": m,
                        "family": fam,
                        "seed": s,
                        "condition": "id",
                        "condition_kind": "id",
                        "condition_level": 0.0,
                        "metric": "accuracy",
                        "higher_is_better": True,
                        "value": base + rng.normal(0, 0.5),
                        "n_params": 10,
                        "model_bytes": 40,
                        "peak_train_mem_bytes": 0,
                        "saved_for_backward_bytes": 1,
                        "train_time_per_epoch_s": 0.1,
                        "infer_latency_s": 0.01,
                        "learned": learned,
                    }
                )
    return pd.DataFrame(rows)


def test_smallest_p_of_the_signed_rank_test() -> None:
    # Exact null distribution of the signed-rank statistic: P(all n signs agree) = 2 / 2^n.
    assert min_p_signed_rank(5) == pytest.approx(0.0625)  # the old 5-task grid: never < 0.05
    assert min_p_signed_rank(6) == pytest.approx(0.03125)
    assert smallest_design(0.05) == 6 and smallest_design(0.01) == 8


def test_a_five_task_design_is_flagged_unreachable() -> None:
    fam = family_tests(_runs(5, 5), measures=["score"])
    row = fam.iloc[0]
    assert row["n_tasks"] == 5 and not row["p_reachable"]
    assert row["p_value"] == pytest.approx(0.0625)  # as small as it gets, still not < 0.05
    assert "smallest possible p is 0.0625" in row["note"]


def test_twelve_tasks_all_won_by_lnns_is_significant() -> None:
    fam = family_tests(_runs(12, 12), measures=["score"])
    row = fam.iloc[0]
    assert row["p_reachable"] and row["lnn_better_tasks"] == 12 and row["rnn_better_tasks"] == 0
    assert row["p_value"] == pytest.approx(2 / 2**12)  # scipy's exact signed-rank p
    assert row["mean_difference"] > 0 and bool(row["reject_holm"])


def test_mixed_results_are_not_significant_and_ask_for_more_tasks() -> None:
    row = family_tests(_runs(12, 7), measures=["score"]).iloc[0]
    assert row["p_value"] > 0.05 and row["tasks_needed"] > 12


def test_tasks_needed_matches_the_paired_t_sample_size_over_the_are() -> None:
    # Paired t-test, dz = 0.5, alpha = 0.05 two-sided, power 0.8: 34 pairs (G*Power's a-priori
    # result for "Means: difference from constant / matched pairs", the textbook value; the
    # noncentral-t power at n = 33 is 0.79). Divided by the signed-rank test's ARE 3/pi: 35.6 -> 36.
    from lnnmeta.stats.family import seeds_needed

    assert seeds_needed(0.5) == 34
    assert tasks_needed(0.5) == 36
    assert math.isnan(tasks_needed(0.0))
    assert tasks_needed(5.0) == smallest_design(0.05)  # never fewer than can reach p < alpha


def test_tasks_where_nothing_learned_are_left_out_with_a_count() -> None:
    runs = _runs(7, 7)
    runs.loc[runs["task"] == "t0", "learned"] = False
    kept, dead = learned_tasks(runs)
    assert dead == ["t0"] and "t0" not in set(kept["task"])
    row = family_tests(runs, measures=["score"]).iloc[0]
    assert row["n_tasks"] == 6 and row["tasks_left_out"] == 1 and "t0" in row["note"]


def test_a_negligible_effect_needs_more_tasks_than_can_be_counted() -> None:
    from lnnmeta.stats.family import seeds_needed

    assert tasks_needed(1e-4) == math.inf and seeds_needed(1e-4) == math.inf


def test_identical_differences_on_every_task_need_only_the_smallest_design() -> None:
    assert tasks_needed(1e17) == smallest_design(0.05) and tasks_needed(math.inf) == 6
