"""Entry points the workflow scripts call: one function per rule, reading and writing declared tables."""

from __future__ import annotations

import platform
from pathlib import Path
from typing import Any

import pandas as pd

import lnnmeta
from lnnmeta.literature.loader import load_literature
from lnnmeta.tables import concat_tables, write_table
from lnnmeta.tasks import load_task
from lnnmeta.training import Protocol, config_hash, train_and_evaluate


def ingest_literature(literature_dir: str | Path, out: str | Path) -> pd.DataFrame:
    """Validate and normalize every literature file into ``reported.parquet``."""
    df, _ = load_literature(literature_dir)
    write_table(df, out, "reported")
    return df


def versions() -> dict[str, str]:
    """Versions of the packages that produce the numbers."""
    from importlib.metadata import version

    return {
        "python": platform.python_version(),
        "torch": version("torch"),
        "ncps": version("ncps"),
        "lnnmeta": lnnmeta.__version__,
    }


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
    protocol = Protocol.from_config(training, model_params)
    data = load_task(task, seed, user_tasks)
    rows, facts = train_and_evaluate(data, model, seed, protocol, conditions, backend)  # type: ignore[arg-type]
    v = versions()
    chash = config_hash(
        {
            "task": task,
            "model": model,
            "seed": seed,
            "protocol": protocol.__dict__,
            "conditions": conditions,
            "backend": backend,
            "user": user_tasks.get(task),
        }
    )
    df = pd.DataFrame(
        [
            {
                "task": task,
                "stands_in_for": data.stands_in_for,
                "model": model,
                "family": facts["family"],
                "backend": backend if model in _liquid() else "torch",
                "seed": seed,
                **r,
                "metric": data.metric,
                "higher_is_better": data.higher_is_better,
                **{
                    k: facts[k]
                    for k in (
                        "n_params",
                        "model_bytes",
                        "peak_train_mem_bytes",
                        "saved_for_backward_bytes",
                        "train_time_per_epoch_s",
                        "infer_latency_s",
                        "epochs_run",
                        "best_epoch",
                    )
                },
                "units": protocol.units,
                "lr": protocol.lr,
                "torch_version": v["torch"],
                "ncps_version": v["ncps"],
                "lnnmeta_version": v["lnnmeta"],
                "config_hash": chash,
                "git_commit": git_commit(),
            }
            for r in rows
        ]
    )
    write_table(df, out, "runs")
    return df


def git_commit() -> str:
    """The commit of the working tree the job runs in (provenance only; not a rerun trigger)."""
    import subprocess

    try:
        res = subprocess.run(
            ["git", "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10, check=False
        )
    except OSError:
        return "unknown"
    return res.stdout.strip() if res.returncode == 0 else "unknown"


def _liquid() -> set[str]:
    from lnnmeta.models import REGISTRY

    return {n for n, s in REGISTRY.items() if s.kind in ("ltc", "cfc")}


def collect_runs(paths: list[str], out: str | Path) -> pd.DataFrame:
    """Concatenate every per-seed run table into ``all.parquet``."""
    df = concat_tables(paths, "runs").sort_values(
        ["task", "model", "seed", "condition"], kind="stable"
    )
    write_table(df.reset_index(drop=True), out, "runs")
    return df
