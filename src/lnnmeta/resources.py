"""Cluster resource requests of a training job, from measured memory and time (issue 7).

Measured with one thread, the ncps backend (the fast kernels need less) and batch 32: a Slurm job holds
two Snakemake processes (~0.38 GB each) and the training script (0.45-0.6 GB), 1.4 GB in all whatever
the model; LTC and LTC-NCP add ~0.0106 MB x units^2 x steps x batch/32 kept for backward (other
models < 20 MB). Memory: 2 GB plus 1.5x that LTC term. Time: seconds per epoch per model at 16 units
on 400 sequences of 48 steps (1.2x to 4x the measured ones), scaled by units (power 1.5 for LTC),
sequences and steps, plus 5 minutes. Each retry asks for ``attempt`` times as much.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

#: Built-in task: (steps, training sequences). User tasks are assumed to be (100, 4000).
TRAIN_SHAPES: dict[str, tuple[int, int]] = {
    "italy_power_demand": (24, 67),
    "basic_motions": (25, 40),
    "japanese_vowels": (29, 270),
    "elec_demand": (48, 545),
    "santafe_laser": (40, 660),
    "mnist1d": (40, 2400),
    "bitstream_xor": (16, 2000),
    "gunpoint": (30, 50),
    "arrow_head": (31, 36),
    "osu_leaf": (42, 200),
    "digits_rows": (8, 1258),
    "sunspots": (20, 147),
    "mackey_glass": (30, 519),
    "lorenz": (30, 519),
    "taylor": (48, 261),
}
USER_SHAPE = (100, 4000)

#: Seconds per epoch at 16 units (measured: LSTM 0.03, CfC 0.2-0.6, CfC-NCP 0.6-1.2, LTC 1.2-2.5).
EPOCH_S: dict[str, float] = {
    "rnn": 0.1,
    "lstm": 0.1,
    "gru": 0.1,
    "ctrnn": 1.0,
    "cfc": 0.8,
    "cfc_nogate": 0.8,
    "cfc_pure": 0.8,
    "cfc_mm": 1.0,
    "cfc_ncp": 1.5,
    "ltc": 3.0,
    "ltc_ncp": 3.0,
}


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
    steps, n = TRAIN_SHAPES.get(task, USER_SHAPE)
    n = min(n, training.get("max_train_samples") or n)
    ltc = model.startswith("ltc")
    mem = round(2000 + ltc * 0.016 * units**2 * steps * training["batch_size"] / 32)
    minutes = 5 + math.ceil(
        n_seeds
        * training["epochs"]
        * EPOCH_S.get(model, 3.0)
        * max(1.0, units / 16) ** (1.5 if ltc else 1.0)
        * n
        * steps
        / (400 * 48 * 60)
    )
    return mem, minutes
