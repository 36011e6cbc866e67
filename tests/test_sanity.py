"""Sanity baselines: the floor a run must beat, and the runs table's ``learned`` flag."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from lnnmeta.collect import collect_runs
from lnnmeta.sanity import is_learned, sanity_baseline
from lnnmeta.tables import empty_frame, read_table, write_table
from lnnmeta.tasks import Split, TaskData
from lnnmeta.training import Protocol

PROTOCOL = Protocol(max_train_samples=None, max_test_samples=None, val_fraction=0.2)


def _classes(n_train: int, n_test: int, share_zero: float) -> TaskData:
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n_train + n_test, 5, 1)).astype(np.float32)
    y = (rng.random(n_train + n_test) > share_zero).astype(np.int64)
    dt = np.ones((n_train + n_test, 5), dtype=np.float32)
    tr, te = slice(0, n_train), slice(n_train, None)
    return TaskData(
        "noise_labels",
        "classification",
        "-",
        2,
        Split(x[tr], dt[tr], y[tr]),
        Split(x[te], dt[te], y[te]),
    )


def test_classification_threshold_is_the_binomial_quantile_of_the_majority_rate() -> None:
    data = _classes(200, 300, share_zero=0.3)  # class 1 is the majority
    rec = sanity_baseline(data, 0, PROTOCOL, alpha=0.05)
    p = float(np.mean(data.test.y == 1))
    assert rec["naive"] == "majority class"
    assert rec["naive_value"] == pytest.approx(100 * p)
    assert rec["threshold"] == pytest.approx(100 * sps.binom.ppf(0.95, 300, p) / 300)
    assert rec["threshold"] > rec["naive_value"]
    # labels are noise: the linear model cannot beat the threshold by much
    assert rec["linear_value"] < rec["threshold"] + 5


def test_regression_prefers_persistence_on_a_smooth_series() -> None:
    t = np.linspace(0, 60, 3000, dtype=np.float32)
    series = np.sin(t)
    n = 400
    starts = np.arange(n) * 5
    x = np.stack([series[s : s + 20] for s in starts])[..., None].astype(np.float32)
    y = np.asarray([series[s + 20] for s in starts], dtype=np.float32)
    dt = np.ones(x.shape[:2], dtype=np.float32)
    data = TaskData(
        "sine",
        "regression",
        "-",
        1,
        Split(x[:300], dt[:300], y[:300]),
        Split(x[300:], dt[300:], y[300:]),
        target_channel=0,
    )
    rec = sanity_baseline(data, 0, PROTOCOL)
    assert rec["naive"] == "persistence"
    assert rec["threshold"] == pytest.approx(
        float(np.mean((x[300:, -1, 0] - y[300:]) ** 2)), rel=1e-5
    )
    assert rec["threshold"] < 0.05 < float(np.var(y))  # far better than the mean predictor


def test_is_learned_is_strict_and_oriented() -> None:
    assert is_learned(60.0, 55.0, True) and not is_learned(55.0, 55.0, True)
    assert is_learned(0.1, 0.2, False) and not is_learned(0.3, 0.2, False)
    assert not is_learned(float("nan"), 0.2, False)


def _run_rows(task: str, model: str, seed: int, value: float) -> pd.DataFrame:
    row = {c: None for c in empty_frame("runs").columns}
    row.update(
        task=task,
        stands_in_for="-",
        model=model,
        family="RNN",
        backend="torch",
        seed=seed,
        condition="id",
        condition_kind="id",
        condition_level=0.0,
        metric="accuracy",
        higher_is_better=True,
        value=value,
        n_params=1,
        model_bytes=4,
        peak_train_mem_bytes=0,
        saved_for_backward_bytes=0,
        train_time_per_epoch_s=0.1,
        infer_latency_s=0.1,
        epochs_run=1,
        best_epoch=1,
        units=4,
        lr=0.01,
        torch_version="t",
        ncps_version="n",
        lnnmeta_version="l",
        config_hash="h",
        git_commit="g",
    )
    noisy = {
        **row,
        "condition": "noise_0.3",
        "condition_kind": "noise",
        "condition_level": 0.3,
        "value": 10.0,
    }
    return pd.DataFrame([row, noisy])


def test_collect_marks_every_row_of_a_run_by_its_in_distribution_value(tmp_path: Path) -> None:
    paths = []
    for model, value in (("lstm", 80.0), ("gru", 52.0)):
        p = tmp_path / f"{model}.parquet"
        write_table(_run_rows("t", model, 0, value), p, "runs")
        paths.append(str(p))
    san = pd.DataFrame(
        [
            {
                "task": "t",
                "seed": 0,
                "metric": "accuracy",
                "higher_is_better": True,
                "n_test": 100,
                "naive": "majority class",
                "naive_value": 50.0,
                "threshold": 58.0,
                "linear": "logistic regression",
                "linear_value": 60.0,
            }
        ]
    )
    write_table(san, tmp_path / "s.parquet", "sanity")
    collect_runs(
        paths, [str(tmp_path / "s.parquet")], tmp_path / "all.parquet", tmp_path / "san.parquet"
    )
    out = read_table(tmp_path / "all.parquet", "runs_all")
    learned = out.groupby("model")["learned"].agg(["all", "any"])
    assert learned.loc["lstm"].tolist() == [True, True]  # the noisy row keeps the run's flag
    assert learned.loc["gru"].tolist() == [False, False]
    assert (out["sanity_threshold"] == 58.0).all()


def test_collect_refuses_a_run_without_a_sanity_baseline(tmp_path: Path) -> None:
    write_table(_run_rows("t", "lstm", 1, 80.0), tmp_path / "r.parquet", "runs")
    write_table(empty_frame("sanity"), tmp_path / "s.parquet", "sanity")
    with pytest.raises(Exception, match="no sanity baseline for task/seed"):
        collect_runs(
            [str(tmp_path / "r.parquet")],
            [str(tmp_path / "s.parquet")],
            tmp_path / "a.parquet",
            tmp_path / "b.parquet",
        )
    assert not (tmp_path / "a.parquet").exists()
