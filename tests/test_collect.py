"""lnnmeta.collect: the per-task sanity summary the report prints (rule collect_runs)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lnnmeta.collect import collect_runs, sanity_summary
from lnnmeta.tables import conform, read_table, write_table
from tests.report.synthetic import MODELS, SEEDS, TASKS, synthetic_runs, synthetic_sanity
from tests.test_sanity import _run_rows


def test_sanity_summary_means_over_seeds_and_runs_not_learned() -> None:
    runs = synthetic_runs()
    # Two runs of one task did not learn (every condition of a run carries its flag).
    bad = (runs["task"] == "gun_point") & runs["model"].isin(["ltc", "gru"]) & (runs["seed"] == 1)
    runs.loc[bad, "learned"] = False
    sanity = synthetic_sanity()
    gp = sanity["task"] == "gun_point"
    sanity.loc[gp, "naive_value"] = [0.40, 0.50, 0.75]  # seeds 0, 1, 2
    sanity.loc[gp, "threshold"] = [0.45, 0.55, 0.80]
    # A task with baselines but no runs.
    extra = sanity[gp].assign(task="zz_no_runs")
    out = sanity_summary(runs, pd.concat([sanity, extra], ignore_index=True))
    conform(out, "sanity_summary")
    assert list(out["task"]) == sorted([*TASKS, "zz_no_runs"])
    row = out.set_index("task").loc["gun_point"]
    assert row["n_seeds"] == len(SEEDS)
    assert row["naive_value"] == pytest.approx((0.40 + 0.50 + 0.75) / 3)
    assert row["threshold"] == pytest.approx((0.45 + 0.55 + 0.80) / 3)
    assert row["linear_value"] == pytest.approx(0.6)
    assert (row["n_runs"], row["n_not_learned"]) == (len(MODELS) * len(SEEDS), 2)
    others = out[~out["task"].isin(["gun_point", "zz_no_runs"])]
    assert (others["n_not_learned"] == 0).all()
    assert (others["n_runs"] == len(MODELS) * len(SEEDS)).all()
    assert out.set_index("task").loc["zz_no_runs", ["n_runs", "n_not_learned"]].tolist() == [0, 0]


def test_collect_runs_writes_the_summary(tmp_path: Path) -> None:
    paths = []
    for model, value in (("lstm", 80.0), ("gru", 52.0)):
        p = tmp_path / f"{model}.parquet"
        write_table(_run_rows("t", model, 0, value), p, "runs")
        paths.append(str(p))
    san = synthetic_sanity().head(1).assign(task="t", seed=0, threshold=58.0)
    write_table(san, tmp_path / "s.parquet", "sanity")
    summary = tmp_path / "summary.parquet"
    collect_runs(
        paths,
        [str(tmp_path / "s.parquet")],
        tmp_path / "all.parquet",
        tmp_path / "san.parquet",
        summary,
    )
    out = read_table(summary, "sanity_summary")
    assert out[["task", "n_runs", "n_not_learned"]].values.tolist() == [["t", 2, 1]]
    assert out["threshold"].tolist() == [58.0]
