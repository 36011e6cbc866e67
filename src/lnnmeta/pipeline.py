"""The training jobs' entry point (rule train_baseline): one task x model, every seed, one table each.

The numbers come from lnnmeta.training, the provenance stamped on each run from lnnmeta.provenance.
This module imports only what training needs: its sources are the rule's code inputs
(lnnmeta.codedeps), so a change elsewhere (the literature, the sanity baselines) retrains nothing.
The other stages' entry points: lnnmeta.literature.loader.ingest_literature, lnnmeta.collect.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pandas as pd

from lnnmeta.measures import training_measure_names
from lnnmeta.provenance import git_commit, versions
from lnnmeta.registry import liquid_models
from lnnmeta.tables import RUNS, read_table, write_table
from lnnmeta.tasks import load_task
from lnnmeta.training import Protocol, config_hash, train_and_evaluate


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
