"""Entry points of the sanity baselines (rule fit_sanity_baseline) and of the collected rerun table
(rule collect_runs), each run marked learned or not against its task's sanity threshold.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lnnmeta.errors import InputError
from lnnmeta.sanity import is_learned, sanity_baseline
from lnnmeta.tables import concat_tables, empty_frame, write_table
from lnnmeta.tasks import load_task
from lnnmeta.training import Protocol


def sanity_job(
    task: str,
    seeds: list[int],
    training: dict[str, Any],
    user_tasks: dict[str, Any],
    alpha: float,
    out: str | Path,
) -> pd.DataFrame:
    """The sanity baselines of one task for every seed (``results/sanity/{task}.parquet``)."""
    protocol = Protocol.from_config(training, {})
    rows = [
        sanity_baseline(load_task(task, seed, user_tasks), seed, protocol, alpha) for seed in seeds
    ]
    df = pd.DataFrame(rows)
    write_table(df, out, "sanity")
    return df


def sanity_summary(runs: pd.DataFrame, sanity: pd.DataFrame) -> pd.DataFrame:
    """Per task (and baselines): the sanity baselines' means over seeds, the task's
    in-distribution runs and the runs not learned (0 and 0 for a task without runs).

    Parameters
    ----------
    runs : pandas.DataFrame
        RUNS_ALL rows (``learned`` set).
    sanity : pandas.DataFrame
        SANITY rows, one per task and seed.

    Returns
    -------
    pandas.DataFrame
        :data:`lnnmeta.tables.SANITY_SUMMARY` rows, sorted by task.
    """
    keys = ["task", "metric", "naive", "linear"]
    if sanity.empty:
        return empty_frame("sanity_summary")
    tab = (
        sanity.groupby(keys, sort=True)
        .agg(
            n_seeds=("seed", "nunique"),
            naive_value=("naive_value", "mean"),
            threshold=("threshold", "mean"),
            linear_value=("linear_value", "mean"),
        )
        .reset_index()
    )
    ids = runs[runs["condition"] == "id"]
    learned = ids["learned"].astype(bool)
    n_runs = ids.groupby("task").size()
    n_bad = (~learned).groupby(ids["task"]).sum()
    tab["n_runs"] = [int(n_runs.get(t, 0)) for t in tab["task"]]
    tab["n_not_learned"] = [int(n_bad.get(t, 0)) for t in tab["task"]]
    return tab


def collect_runs(
    paths: list[str],
    sanity_paths: list[str],
    out: str | Path,
    sanity_out: str | Path,
    summary_out: str | Path | None = None,
) -> pd.DataFrame:
    """Concatenate every per-seed run table into ``all.parquet``, each run marked ``learned`` when
    its in-distribution metric beats its task's sanity threshold for that seed (lnnmeta.sanity);
    the sanity tables are gathered into ``sanity_out`` and summarised per task
    (:func:`sanity_summary`) into ``summary_out`` when given."""
    runs = concat_tables(paths, "runs")
    sanity = concat_tables(sanity_paths, "sanity").sort_values(["task", "seed"], kind="stable")
    threshold = sanity.set_index(["task", "seed"])["threshold"]
    ident = runs[runs["condition"] == "id"].set_index(["task", "model", "seed"])
    learned = {
        (t, m, s): is_learned(float(v), float(threshold.get((t, s), np.nan)), bool(h))
        for (t, m, s), v, h in zip(
            ident.index, ident["value"], ident["higher_is_better"], strict=True
        )
    }
    keys = list(zip(runs["task"], runs["model"], runs["seed"], strict=True))
    missing = sorted({(t, s) for t, _, s in keys} - set(threshold.index))
    if missing:
        raise InputError(
            f"{out}: no sanity baseline for task/seed {missing[0]}; expected one per run"
        )
    df = runs.assign(
        sanity_threshold=[float(threshold[(t, s)]) for t, _, s in keys],
        learned=[learned.get(k, False) for k in keys],
    ).sort_values(["task", "model", "seed", "condition"], kind="stable")
    write_table(df.reset_index(drop=True), out, "runs_all")
    write_table(sanity.reset_index(drop=True), sanity_out, "sanity")
    if summary_out is not None:
        write_table(sanity_summary(df, sanity), summary_out, "sanity_summary")
    return df
