"""Generalization conditions: named transformations of a test split, evaluated on a trained model.

``id``            the in-distribution test split, unchanged;
``noise_<s>``     additive Gaussian noise of std ``s`` (inputs are standardized, so ``s`` is in input stds);
``shift``         the task's natural distribution shift (e.g. Jan-Jun -> Jul-Dec), where it has one;
``irregular_<p>`` a fraction ``p`` of the time steps dropped at random, the gaps given to the model;
``length_<f>``    the series resampled to ``f`` times its length (linear interpolation), each step's
                  gap scaled by ``1/f`` so the series covers the same time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from lnnmeta.tasks import Split, TaskData


@dataclass(frozen=True)
class Condition:
    name: str
    kind: str
    level: float


def conditions_for(data: TaskData, cfg: dict[str, Any]) -> list[Condition]:
    """The conditions evaluated on ``data`` for the config block ``conditions``."""
    out = [Condition("id", "id", 0.0)]
    out += [Condition(f"noise_{s:g}", "noise", float(s)) for s in cfg.get("noise", [0.1, 0.3])]
    if cfg.get("shift", True) and data.shift is not None:
        out.append(Condition("shift", "shift", 1.0))
    if not data.irregular_native:
        out += [
            Condition(f"irregular_{p:g}", "irregular", float(p))
            for p in cfg.get("irregular", [0.3])
        ]
        out += [Condition(f"length_{f:g}", "length", float(f)) for f in cfg.get("length", [0.5])]
    return out


def apply(c: Condition, split: Split, seed: int) -> Split:
    """The test split under condition ``c`` (deterministic for a seed)."""
    rng = np.random.default_rng(10_000 + seed)
    if c.kind in ("id", "shift"):
        return split
    if c.kind == "noise":
        noise = rng.normal(0.0, c.level, size=split.x.shape).astype(np.float32)
        real = (split.dt > 0)[..., None]  # padding stays padding
        return Split(split.x + noise * real, split.dt, split.y)
    if c.kind == "irregular":
        return drop_steps(split, c.level, rng)
    if c.kind == "length":
        return resample(split, c.level)
    raise ValueError(f"unknown condition kind {c.kind!r}")


def drop_steps(split: Split, frac: float, rng: np.random.Generator) -> Split:
    """Drop ``frac`` of the steps of each sequence (never the last); gaps accumulate onto the next kept step."""
    n, t, c = split.x.shape
    keep_n = max(1, t - round(frac * t))
    x = np.zeros((n, keep_n, c), dtype=np.float32)
    dt = np.zeros((n, keep_n), dtype=np.float32)
    for i in range(n):
        kept = np.sort(np.concatenate([rng.choice(t - 1, keep_n - 1, replace=False), [t - 1]]))
        cum = np.cumsum(split.dt[i])
        x[i] = split.x[i, kept]
        dt[i] = np.diff(cum[kept], prepend=0.0)
    return Split(x, dt, split.y)


def resample(split: Split, factor: float) -> Split:
    """Linear resampling of every sequence to ``factor`` times its length."""
    t = split.x.shape[1]
    new_t = max(2, round(t * factor))
    src = np.linspace(0.0, t - 1.0, new_t)
    lo = np.floor(src).astype(int)
    hi = np.minimum(lo + 1, t - 1)
    w = (src - lo)[None, :, None].astype(np.float32)
    x = (1 - w) * split.x[:, lo] + w * split.x[:, hi]
    dt = np.where(split.dt[:, hi] > 0, np.float32(1.0 / factor), np.float32(0.0)).astype(np.float32)
    return Split(x.astype(np.float32), dt, split.y)
