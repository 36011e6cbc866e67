"""Reported vs reproduced: directions (with stand-ins) and value consistency tests."""

from __future__ import annotations

from typing import Any

import pytest

from lnnmeta.stats import reported_vs_reproduced
from lnnmeta.tables import conform
from tests.stats.builders import reported_frame, scores_to_runs


def _rep(task: str, model: str, family: str, value: float, **kw: Any) -> dict[str, Any]:
    return {"task": task, "column_id": task, "model": model, "family": family, "value": value, **kw}


def test_directions_with_stand_in_and_same_task() -> None:
    reported = reported_frame(
        [
            _rep("xor_event", "LTC", "LNN", 95.0),
            _rep("xor_event", "LSTM", "RNN", 90.0),
            _rep("walker", "LTC", "LNN", 0.80, metric="mse", higher_is_better=False),
            _rep("walker", "LSTM", "RNN", 0.60, metric="mse", higher_is_better=False),
        ]
    )
    runs = scores_to_runs(
        {
            "xor": {"LTC": [0.95, 0.96, 0.97], "LSTM": [0.90, 0.91, 0.92]},
        }
    )
    walker = scores_to_runs(
        {"walker": {"LTC": [0.5, 0.55, 0.6], "LSTM": [0.7, 0.72, 0.74]}},
        higher_is_better=False,
        extra={"metric": "mse"},
    )
    import pandas as pd

    out = reported_vs_reproduced(
        reported, pd.concat([runs, walker], ignore_index=True), {"xor": "xor_event"}
    )
    conform(out.directions, "stats_rvr_directions")
    conform(out.values, "stats_rvr_values")
    d = out.directions.set_index("rerun_task")
    assert d.loc["xor", "paper_task"] == "xor_event" and not d.loc["xor", "same_task"]
    assert d.loc["xor", "agreement"] == "agree"
    # The paper says the RNN has the lower error; the reruns say the LNN does.
    assert d.loc["walker", "agreement"] == "disagree" and d.loc["walker", "same_task"]
    # Values are compared only on the same task (walker), never on a stand-in.
    assert set(out.values["task"]) == {"walker"}


def test_value_tests_and_verdicts() -> None:
    reported = reported_frame(
        [
            # SD and n known: Welch from summary statistics, consistent.
            _rep("t", "LTC", "LNN", 0.90, spread=0.01, spread_kind="std", n_runs=5),
            # No spread: one-sample t against the reported number; reruns are clearly worse.
            _rep("t", "LSTM", "RNN", 0.95),
            # Spread without n: z-test with the spread as the uncertainty of the number.
            _rep("t", "GRU", "RNN", 0.70, spread=0.05, spread_kind="std"),
        ]
    )
    runs = scores_to_runs(
        {
            "t": {
                "LTC": [0.89, 0.90, 0.91, 0.905],
                "LSTM": [0.80, 0.81, 0.82],
                "GRU": [0.71, 0.72, 0.70],
            }
        }
    )
    vals = reported_vs_reproduced(reported, runs).values.set_index("model")
    assert vals.loc["LTC", "test"] == "welch_from_stats"
    assert vals.loc["LTC", "verdict"] == "consistent"
    assert vals.loc["LSTM", "test"] == "one_sample_t"
    assert vals.loc["LSTM", "verdict"] == "reproduced_worse"
    assert vals.loc["GRU", "test"] == "z_reported_spread"
    assert vals.loc["GRU", "verdict"] == "consistent"
    assert vals.loc["GRU", "reproduced_mean"] == pytest.approx(0.71)


def test_untestable_and_nothing_to_compare() -> None:
    reported = reported_frame([_rep("t", "LTC", "LNN", 0.9), _rep("t", "LSTM", "RNN", 0.8)])
    runs = scores_to_runs({"t": {"LTC": [0.9], "LSTM": [0.7]}, "other": {"GRU": [0.5, 0.6]}})
    out = reported_vs_reproduced(reported, runs)
    assert (out.values["verdict"] == "untestable").all()
    assert out.directions["agreement"].tolist() == ["agree"]
