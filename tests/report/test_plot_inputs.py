"""The report draws its forest, funnel and CD figures and its sanity table from analysis tables:
the CD diagram joins models at ``analysis.alpha``; the sanity table formats sanity_summary."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from matplotlib.figure import Figure

from lnnmeta import stats
from lnnmeta.collect import sanity_summary
from lnnmeta.report.inputs import ReportInputs
from lnnmeta.report.render import Section
from lnnmeta.report.sections.reruns import _ranks, _sanity
from lnnmeta.report.sink import TableSink
from lnnmeta.stats.schemas import RANK_FRIEDMAN, RANK_MEANS, RANK_PAIRWISE, typed_frame
from lnnmeta.tables import empty_frame
from tests.report.synthetic import MODELS, SEEDS, synthetic_runs, synthetic_sanity


def _inputs(analysis: dict[str, pd.DataFrame], alpha: float, runs: Any = None) -> ReportInputs:
    return ReportInputs(
        empty_frame("reported"),
        empty_frame("runs_all") if runs is None else runs,
        analysis,
        [],
        [],
        {"analysis": {"alpha": alpha}},
    )


def _rank_tables() -> dict[str, pd.DataFrame]:
    models = {"LTC": ("LNN", 1.2), "LSTM": ("RNN", 1.8), "GRU": ("RNN", 2.5)}
    pairs = [("LTC", "LSTM", 0.07), ("LTC", "GRU", 0.001), ("LSTM", "GRU", 0.001)]
    return {
        "rank_friedman": typed_frame(
            [
                {
                    "measure": "score",
                    "n_tasks": 8,
                    "n_models": 3,
                    "statistic": 12.0,
                    "p_value": 0.002,
                    "cd_nemenyi": 1.17,
                }
            ],
            RANK_FRIEDMAN,
        ),
        "rank_means": typed_frame(
            [
                {"measure": "score", "model": m, "family": f, "mean_rank": r, "n_tasks": 8}
                for m, (f, r) in models.items()
            ],
            RANK_MEANS,
        ),
        "rank_pairwise": typed_frame(
            [
                {
                    "measure": "score",
                    "model_a": a,
                    "model_b": b,
                    "family_a": models[a][0],
                    "family_b": models[b][0],
                    "n_tasks": 8,
                    "p_value": p / 3,
                    "p_holm": p,
                    "reject_holm": p < 0.05,
                }
                for a, b, p in pairs
            ],
            RANK_PAIRWISE,
        ),
    }


@pytest.mark.parametrize("alpha", [0.05, 0.10])
def test_cd_diagram_joins_models_at_the_analysis_alpha(
    alpha: float, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """p (Holm) = 0.07 between LTC and LSTM: one bar joins them at alpha 0.05, none at 0.10."""
    drawn: list[Figure] = []
    real = stats.cd_diagram

    def spy(*args: Any, **kwargs: Any) -> Figure:
        drawn.append(real(*args, **kwargs))
        return drawn[-1]

    monkeypatch.setattr(stats, "cd_diagram", spy)
    inp = _inputs(_rank_tables(), alpha)
    _ranks(inp, TableSink(tmp_path, empty_frame("reported")), Section("r", "R"))
    assert len(drawn) == 1
    lines = len(drawn[0].axes[0].lines)
    # The same tables drawn at each level directly: the report's figure is the one at its alpha.
    tabs = _rank_tables()
    ranks = tabs["rank_means"].set_index("model")["mean_rank"]
    at = {a: len(real(ranks, tabs["rank_pairwise"], alpha=a).axes[0].lines) for a in (0.05, 0.10)}
    assert at[0.05] == at[0.10] + 1  # the joining bar
    assert lines == at[alpha]


def test_sanity_section_prints_the_summary_table(tmp_path: Path) -> None:
    runs = synthetic_runs()
    bad = (runs["task"] == "gun_point") & runs["model"].isin(["ltc", "gru"]) & (runs["seed"] == 1)
    runs.loc[bad, "learned"] = False
    sanity = synthetic_sanity()
    extra = sanity[sanity["task"] == "gun_point"].assign(task="zz_no_runs")
    summary = sanity_summary(runs, pd.concat([sanity, extra], ignore_index=True))
    s = Section("r", "R")
    inp = _inputs({"sanity_summary": summary}, 0.05, runs)
    _sanity(inp, TableSink(tmp_path, empty_frame("reported")), s)
    n = len(MODELS) * len(SEEDS)
    assert f'"not learned": 2 of {8 * n} runs' in " ".join(s.paragraphs)
    csv = pd.read_csv(tmp_path / "sanity_baselines.csv").set_index("task")
    assert csv.loc["gun_point", "runs not learned"] == f"2 of {n}"
    # The CSV quotes a leading "-" (no spreadsheet formula); the task has no runs.
    assert csv.loc["zz_no_runs", "runs not learned"].lstrip("'") == "-"
    assert csv.loc["italy_power_demand", "runs not learned"] == f"0 of {n}"
    assert list(csv.columns) == [
        "metric",
        "naive",
        "linear",
        "naive_value",
        "threshold",
        "linear_value",
        "runs not learned",
    ]
