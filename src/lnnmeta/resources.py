"""Cluster resource requests of a training job, from measured memory and time (issue 7).

Measured with one thread, the ncps backend (the fast kernels need less) and batch 32: a Slurm job holds
two Snakemake processes (~0.38 GB each) and the training script (0.45-0.6 GB), 1.4 GB in all whatever
the model; LTC and LTC-NCP add ~0.0106 MB x units^2 x steps x batch/32 kept for backward (other
models < 20 MB). Memory: 2 GB plus 1.5x that LTC term. Time: seconds per epoch per model at 16
units on 400 sequences of 48 steps (``ModelSpec.epoch_s``: 1.2x to 4x the measured ones), scaled by
units (power 1.5 for LTC), sequences and steps, plus 5 minutes. Each retry asks for ``attempt``
times as much.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from lnnmeta.registry import get_spec
from lnnmeta.tasks import TASKS

#: User tasks are assumed to be this size (steps, training sequences); built-in tasks state
#: theirs in the task registry (lnnmeta.tasks.TaskSpec), models their epoch time in the model
#: registry (lnnmeta.registry.ModelSpec.epoch_s).
USER_SHAPE = (100, 4000)


def train_resources(
    task: str,
    model: str,
    training: Mapping[str, Any],
    model_params: Mapping[str, Any],
    n_seeds: int = 1,
) -> tuple[int, int]:
    """(mem_mb, runtime in minutes) of a first attempt of one training job (``n_seeds`` seeds in
    one process: the memory of one, the time of all)."""
    units = int(model_params.get("units", training["units"]))
    task_spec = TASKS.get(task)
    steps, n = (task_spec.steps, task_spec.train_sequences) if task_spec else USER_SHAPE
    n = min(n, training.get("max_train_samples") or n)
    spec = get_spec(model)
    ltc = spec.kind == "ltc"
    mem = round(2000 + ltc * 0.016 * units**2 * steps * training["batch_size"] / 32)
    minutes = 5 + math.ceil(
        n_seeds
        * training["epochs"]
        * spec.epoch_s
        * max(1.0, units / 16) ** (1.5 if ltc else 1.0)
        * n
        * steps
        / (400 * 48 * 60)
    )
    return mem, minutes
