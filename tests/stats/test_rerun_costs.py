"""Cost medians and memory ratios of the reruns, and the memory sign test (tables the report reads)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from lnnmeta import stats
from lnnmeta.tables import conform
from tests.stats.builders import reported_frame, runs_frame


def _runs() -> pd.DataFrame:
    rows = []
    # two tasks, LTC (LNN) and LSTM (RNN), three seeds; parameter counts and saved bytes differ
    for t, scale in (("a", 1.0), ("b", 3.0)):
        for model, params, saved in (("ltc", 100, [10, 30, 20]), ("lstm", 400, [5, 5, 40])):
            for seed, sb in enumerate(saved):
                rows.append(
                    {
                        "task": t,
                        "model": model,
                        "family": "LNN" if model == "ltc" else "RNN",
                        "seed": seed,
                        "value": 0.5,
                        "n_params": params,
                        "saved_for_backward_bytes": int(sb * scale),
                        "peak_train_mem_bytes": 1000,
                    }
                )
    return runs_frame(rows)


def test_medians_per_task_and_over_tasks() -> None:
    costs = stats.rerun_costs(_runs())
    conform(costs, "stats_rerun_costs")
    got = costs.set_index(["task", "model", "measure"])["median"]
    assert got[("a", "ltc", "saved_for_backward_bytes")] == 20.0  # median of 10, 30, 20
    assert got[("b", "lstm", "saved_for_backward_bytes")] == 15.0  # median of 15, 15, 120
    # over tasks and seeds: median of the six values 10, 30, 20, 30, 90, 60
    assert got[("all", "ltc", "saved_for_backward_bytes")] == np.median([10, 30, 20, 30, 90, 60])
    assert got[("all", "lstm", "n_params")] == 400.0


def test_memory_ratios_are_the_median_over_tasks_of_family_medians() -> None:
    ratios = stats.rerun_cost_ratios(_runs()).set_index("measure")
    conform(ratios.reset_index(), "stats_rerun_cost_ratios")
    assert ratios.loc["n_params", "ratio"] == pytest.approx(0.25)
    assert ratios.loc["saved_for_backward_bytes", "ratio"] == pytest.approx(4.0)  # 20/5, 60/15
    assert ratios.loc["peak_train_mem_bytes", "n_tasks"] == 2


def test_memory_sign_test_counts_only_memory_metrics() -> None:
    """Three papers where the LNN has fewer parameters (3 of 3 comparisons): the exact two-sided
    binomial p of 3 successes in 3 is 0.25 (scipy.stats.binomtest)."""
    params = {
        "column_id": "size",
        "metric": "n_params",
        "metric_family": "parameters",
        "dimension": "efficiency",
        "higher_is_better": False,
        "unit": "count",
    }
    rows = []
    for i in range(3):
        for model, family, size, acc in (
            ("LTC", "LNN", 10.0 + i, 50.0),
            ("LSTM", "RNN", 100.0, 90.0),
        ):
            rows.append({"paper_key": f"p{i}", "model": model, "family": family, "value": acc})
            rows.append(
                {"paper_key": f"p{i}", "model": model, "family": family, "value": size, **params}
            )
    effects = stats.literature_effects(reported_frame(rows))
    votes = stats.memory_sign_test(effects)
    conform(votes, "stats_sign_test")
    assert int(votes["n_positive"].sum()) == 3 and int(votes["n_negative"].sum()) == 0
    assert votes["p_value"].iloc[0] == pytest.approx(sps.binomtest(3, 3).pvalue)
