"""Builders of small REPORTED and RUNS tables for the statistics tests."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

from lnnmeta.tables import REPORTED, RUNS, conform

_REPORTED_DEFAULTS: dict[str, Any] = {
    "paper_key": "p1",
    "location": "Table 1",
    "table_id": "t1",
    "caption": "",
    "column_id": "c1",
    "row_index": 0,
    "task": "task_a",
    "dataset": "ds",
    "metric": "accuracy",
    "metric_family": "accuracy",
    "dimension": "accuracy",
    "higher_is_better": True,
    "unit": "%",
    "unit_fixed_from": None,
    "model_as_printed": "",
    "model": "LTC",
    "family": "LNN",
    "value": 90.0,
    "value_as_printed": 90.0,
    "spread": None,
    "spread_kind": "none",
    "n_runs": None,
    "n_params": None,
    "copied_from": None,
    "note": None,
    "source": "table",
}


def reported_frame(rows: Iterable[Mapping[str, Any]], validate: bool = True) -> pd.DataFrame:
    """A REPORTED table from partial rows (defaults fill the rest); validated unless told not."""
    recs = []
    for i, r in enumerate(rows):
        rec = {**_REPORTED_DEFAULTS, "row_index": i, **r}
        rec["model_as_printed"] = rec["model"]
        rec["value_as_printed"] = rec["value"]
        recs.append(rec)
    df = pd.DataFrame(recs, columns=REPORTED.names)
    df["n_runs"] = df["n_runs"].astype("Int64")
    df["n_params"] = df["n_params"].astype("Int64")
    df["spread"] = df["spread"].astype("float64")
    return conform(df, REPORTED).to_pandas() if validate else df


_RUN_DEFAULTS: dict[str, Any] = {
    "stands_in_for": "",
    "backend": "torch",
    "condition": "id",
    "condition_kind": "id",
    "condition_level": 0.0,
    "metric": "accuracy",
    "higher_is_better": True,
    "n_params": 1000,
    "model_bytes": 4000,
    "peak_train_mem_bytes": 10**6,
    "saved_for_backward_bytes": 10**5,
    "train_time_per_epoch_s": 1.0,
    "infer_latency_s": 0.01,
    "epochs_run": 10,
    "best_epoch": 9,
    "units": 32,
    "lr": 1e-3,
    "torch_version": "2",
    "ncps_version": "1",
    "lnnmeta_version": "0.1",
    "config_hash": "h",
    "git_commit": "c",
}

FAMILY = {"LTC": "LNN", "CfC": "LNN", "NCP": "LNN", "LSTM": "RNN", "GRU": "RNN", "RNN": "RNN"}


def runs_frame(rows: Iterable[Mapping[str, Any]], validate: bool = True) -> pd.DataFrame:
    """A RUNS table from partial rows (needs task, model, seed, value); validated unless told not."""
    recs = []
    for r in rows:
        rec = {**_RUN_DEFAULTS, **r}
        rec.setdefault("family", FAMILY.get(rec["model"], "other"))
        recs.append(rec)
    df = pd.DataFrame(recs, columns=RUNS.names)
    return conform(df, RUNS).to_pandas() if validate else df


def scores_to_runs(
    scores: Mapping[str, Mapping[str, Iterable[float]]],
    higher_is_better: bool = True,
    extra: Mapping[str, Any] | None = None,
    validate: bool = True,
) -> pd.DataFrame:
    """RUNS rows from {task: {model: values over seeds}} (condition "id")."""
    rows = []
    for task, by_model in scores.items():
        for model, values in by_model.items():
            for seed, v in enumerate(values):
                rows.append(
                    {
                        "task": task,
                        "model": model,
                        "seed": seed,
                        "value": float(v),
                        "higher_is_better": higher_is_better,
                        **(extra or {}),
                    }
                )
    return runs_frame(rows, validate)
