"""Entry points the workflow scripts call: one function per rule, reading and writing declared tables.

Ingest (literature), training (one task x model, every seed), sanity baselines and collecting the
runs. The numbers themselves come from lnnmeta.training, lnnmeta.sanity and lnnmeta.literature; the
provenance stamped on each run from lnnmeta.provenance.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lnnmeta.errors import InputError
from lnnmeta.literature.loader import load_literature
from lnnmeta.measures import training_measure_names
from lnnmeta.provenance import git_commit, versions
from lnnmeta.registry import liquid_models
from lnnmeta.tables import RUNS, concat_tables, read_table, write_table
from lnnmeta.tasks import load_task
from lnnmeta.training import Protocol, config_hash, train_and_evaluate


def ingest_literature(literature_dir: str | Path, out: str | Path) -> pd.DataFrame:
    """Validate and normalize every literature file into ``reported.parquet``."""
    df, _ = load_literature(literature_dir)
    write_table(df, out, "reported")
    return df


def train_job(
    task: str,
    model: str,
    seed: int,
    training: dict[str, Any],
    model_params: dict[str, Any],
    conditions: dict[str, Any],
    backend: str,
    user_tasks: dict[str, Any],
    out: str | Path,
) -> pd.DataFrame:
    """Train one task x model x seed and write its rows (one per condition)."""
    return train_seeds(
        task, model, [seed], training, model_params, conditions, backend, user_tasks, [out]
    )[0]


def train_seeds(
    task: str,
    model: str,
    seeds: list[int],
    training: dict[str, Any],
    model_params: dict[str, Any],
    conditions: dict[str, Any],
    backend: str,
    user_tasks: dict[str, Any],
    outs: list[str | Path],
    resume_dir: str | Path | None = None,
    code_digest: str = "",
) -> list[pd.DataFrame]:
    """Train one task x model for every seed in one process; write each seed's table to ``outs``.

    Each seed starts from :func:`lnnmeta.training.set_determinism`, so its values equal those of a
    job that trains that seed alone. With ``resume_dir``, each finished seed is also kept there
    under a key of its settings and ``code_digest``; a rerun of the job after it was killed (whose
    outputs the scheduler deletes) takes the finished seeds from there instead of training them again.
    """
    protocol = Protocol.from_config(training, model_params)
    frames = []
    for seed, out in zip(seeds, outs, strict=True):
        payload = {
            "task": task,
            "model": model,
            "seed": seed,
            "protocol": protocol.__dict__,
            "conditions": conditions,
            "backend": backend,
            "user": user_tasks.get(task),
        }
        kept = (
            Path(resume_dir) / f"seed{seed}-{config_hash({**payload, 'code': code_digest})}.parquet"
            if resume_dir is not None
            else None
        )
        if kept is not None and kept.exists():
            df = read_table(kept, "runs")
        else:
            df = _train_one(task, model, seed, protocol, conditions, backend, user_tasks, payload)
            if kept is not None:
                write_table(df, kept, "runs")
        write_table(df, out, "runs")
        frames.append(df)
    if resume_dir is not None:
        shutil.rmtree(resume_dir, ignore_errors=True)
    return frames


def _train_one(
    task: str,
    model: str,
    seed: int,
    protocol: Protocol,
    conditions: dict[str, Any],
    backend: str,
    user_tasks: dict[str, Any],
    payload: dict[str, Any],
) -> pd.DataFrame:
    data = load_task(task, seed, user_tasks)
    rows, facts = train_and_evaluate(data, model, seed, protocol, conditions, backend)  # type: ignore[arg-type]
    v = versions()
    chash = config_hash(payload)
    commit = git_commit()
    return pd.DataFrame(
        [
            {
                "task": task,
                "stands_in_for": data.stands_in_for,
                "model": model,
                "family": facts["family"],
                "backend": backend if model in liquid_models() else "torch",
                "seed": seed,
                **r,
                "metric": data.metric,
                "higher_is_better": data.higher_is_better,
                **{k: facts[k] for k in (*training_measure_names(), "epochs_run", "best_epoch")},
                "units": protocol.units,
                "lr": protocol.lr,
                "torch_version": v["torch"],
                "ncps_version": v["ncps"],
                "lnnmeta_version": v["lnnmeta"],
                "config_hash": chash,
                "git_commit": commit,
            }
            for r in rows
        ]
    )[RUNS.names]


def sanity_job(
    task: str,
    seeds: list[int],
    training: dict[str, Any],
    user_tasks: dict[str, Any],
    alpha: float,
    out: str | Path,
) -> pd.DataFrame:
    """The sanity baselines of one task for every seed (``results/sanity/{task}.parquet``)."""
    from lnnmeta.sanity import sanity_baseline

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
    from lnnmeta.sanity import is_learned

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
