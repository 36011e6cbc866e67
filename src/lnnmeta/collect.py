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
from lnnmeta.tables import concat_tables, write_table
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


def collect_runs(
    paths: list[str], sanity_paths: list[str], out: str | Path, sanity_out: str | Path
) -> pd.DataFrame:
    """Concatenate every per-seed run table into ``all.parquet``, each run marked ``learned`` when
    its in-distribution metric beats its task's sanity threshold for that seed (lnnmeta.sanity);
    the sanity tables are gathered into ``sanity_out``."""
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
    return df
