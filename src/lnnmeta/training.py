"""One training job: train a registered model on a task with the shared protocol, then evaluate it
in distribution and under every generalization condition, and measure its cost.

Protocol: Adam, gradient-norm clipping, a seeded validation split of the training data, early stopping
on the validation loss with the best checkpoint restored before testing, one thread.
"""

from __future__ import annotations

import copy
import hashlib
import json
import logging
import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from lnnmeta import conditions as cond
from lnnmeta import memprobe
from lnnmeta.models import Backend, build_model, count_trainable, get_spec, model_bytes
from lnnmeta.tasks import Split, TaskData

log = logging.getLogger("lnnmeta.training")


@dataclass(frozen=True)
class Protocol:
    """Training settings shared by every model (``training`` in the config) plus per-model overrides."""

    units: int = 16
    epochs: int = 30
    patience: int = 5
    batch_size: int = 32
    val_fraction: float = 0.2
    lr: float = 0.005
    grad_clip: float = 1.0
    max_train_samples: int | None = None
    max_test_samples: int | None = None
    min_steps: int = 0

    def budget(self, n_fit: int) -> tuple[int, int]:
        """(epochs, patience) for a training split of ``n_fit`` sequences.

        Both grow by the same factor when ``epochs`` would give fewer than ``min_steps`` optimizer
        steps, so that a tiny data set (one or two batches per epoch) trains as many steps as a
        larger one instead of stopping far from convergence (measured: ``python -m lnnmeta.bench
        curves``).
        """
        per_epoch = max(1, math.ceil(n_fit / self.batch_size))
        scale = max(1.0, self.min_steps / (self.epochs * per_epoch))
        return math.ceil(self.epochs * scale), math.ceil(self.patience * scale)

    @classmethod
    def from_config(cls, training: dict[str, Any], override: dict[str, Any]) -> Protocol:
        known = {k: v for k, v in training.items() if k in cls.__dataclass_fields__}
        known.update({k: v for k, v in override.items() if k in ("lr", "units")})
        return cls(**known)


#: Early stopping counts an epoch as an improvement when the validation loss falls by more than this
#: share of the best loss so far (and by more than 1e-6): a loss creeping towards 0 on a small,
#: already perfectly classified validation split does not keep a run going.
MIN_REL_IMPROVEMENT = 1e-3


def improved(loss: float, best: float) -> bool:
    """Whether ``loss`` improves on ``best`` by the early-stopping rule (see MIN_REL_IMPROVEMENT)."""
    if not np.isfinite(loss):
        return False
    if not np.isfinite(best):
        return True
    return bool(loss < best - max(1e-6, MIN_REL_IMPROVEMENT * abs(best)))


def config_hash(payload: dict[str, Any]) -> str:
    """Short stable hash of a job's settings (provenance)."""
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()[
        :16
    ]


def set_determinism(seed: int) -> None:
    """Seed every RNG and pin torch to one thread and deterministic kernels."""
    torch.manual_seed(seed)
    np.random.seed(seed % 2**32)
    torch.set_num_threads(1)
    # The ATen flag behind torch.use_deterministic_algorithms(True). The public function also sets
    # torch._inductor's config, and importing torch._inductor costs about 4-8 s of CPU per process
    # in torch 2.13; nothing here is compiled, so the ATen flag is all that applies.
    torch._C._set_deterministic_algorithms(True)


def _tensors(split: Split) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    return torch.from_numpy(split.x), torch.from_numpy(split.dt), torch.from_numpy(split.y)


def _loss_fn(kind: str) -> nn.Module:
    return nn.CrossEntropyLoss() if kind == "classification" else nn.MSELoss()


def _predict(model: nn.Module, split: Split, batch: int = 256) -> torch.Tensor:
    x, dt, _ = _tensors(split)
    outs = []
    with torch.no_grad():
        for i in range(0, len(split), batch):
            outs.append(model(x[i : i + batch], dt[i : i + batch]))
    return torch.cat(outs)


def evaluate(model: nn.Module, split: Split, kind: str) -> tuple[float, float]:
    """(metric, loss) on ``split``: accuracy in percent for classification, MSE for regression."""
    model.eval()
    out = _predict(model, split)
    y = torch.from_numpy(split.y)
    if kind == "classification":
        loss = float(nn.functional.cross_entropy(out, y))
        return 100.0 * float((out.argmax(-1) == y).float().mean()), loss
    mse = float(nn.functional.mse_loss(out.squeeze(-1), y))
    return mse, mse


def _cap(split: Split, n: int | None, rng: np.random.Generator) -> Split:
    if n is None or len(split) <= n:
        return split
    return split.take(np.sort(rng.choice(len(split), n, replace=False)))


def prepare_splits(data: TaskData, seed: int, protocol: Protocol) -> tuple[Split, Split, Split]:
    """(fit, validation, test) splits of one seed: the caps on samples, then a seeded validation split.

    The sanity baselines (:mod:`lnnmeta.sanity`) use the same splits, so both see the same data.
    """
    rng = np.random.default_rng(seed)
    train = _cap(data.train, protocol.max_train_samples, rng)
    test = _cap(data.test, protocol.max_test_samples, rng)
    order = rng.permutation(len(train))
    n_val = max(1, round(len(train) * protocol.val_fraction))
    return train.take(order[n_val:]), train.take(order[:n_val]), test


def _extent_bytes(t: torch.Tensor) -> int:
    """Bytes from the start of ``t``'s storage to the last element ``t`` reaches."""
    if t.numel() == 0:
        return 0
    last = t.storage_offset() + sum((n - 1) * st for n, st in zip(t.shape, t.stride(), strict=True))
    return int((last + 1) * t.element_size())


def saved_for_backward_bytes(model: nn.Module, split: Split, kind: str, batch: int) -> int:
    """Bytes that autograd saves for backward in one training forward pass (each storage once).

    Per storage, the bytes up to the last element a saved tensor reaches, not the storage's
    capacity: a kernel that reuses a larger buffer from an earlier call (lnnmeta.kernels' workspace)
    would otherwise report what an earlier, bigger batch needed.
    """
    x, dt, y = _tensors(split.take(np.arange(min(batch, len(split)))))
    seen: dict[int, int] = {}

    def pack(t: torch.Tensor) -> torch.Tensor:
        ptr = t.untyped_storage().data_ptr()
        seen[ptr] = max(seen.get(ptr, 0), _extent_bytes(t))
        return t

    model.train()
    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        out = model(x, dt)
        loss = _loss_fn(kind)(out.squeeze(-1) if kind == "regression" else out, y)
    del loss
    return int(sum(seen.values()))


def inference_latency(model: nn.Module, split: Split, repeats: int = 3) -> float:
    """Median seconds per sequence for a batched forward pass over (up to 256 of) the test set."""
    part = split.take(np.arange(min(256, len(split))))
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        _predict(model, part)
        times.append((time.perf_counter() - t0) / len(part))
    return float(np.median(times))


def train_and_evaluate(
    data: TaskData,
    model_name: str,
    seed: int,
    protocol: Protocol,
    conditions: dict[str, Any],
    backend: Backend,
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Train ``model_name`` on ``data`` and return one measurement dict per condition plus job facts."""
    set_determinism(seed)
    fit, val, test = prepare_splits(data, seed, protocol)

    model = build_model(model_name, data.train.x.shape[2], data.n_outputs, protocol.units, backend)
    opt = torch.optim.Adam(model.parameters(), lr=protocol.lr)
    loss_fn = _loss_fn(data.kind)
    x, dt, y = _tensors(fit)
    gen = torch.Generator().manual_seed(seed)
    sfb = saved_for_backward_bytes(model, fit, data.kind, protocol.batch_size)
    # this seed's own peak: the high-water mark is reset (a multi-seed job's later seeds read
    # their own peak, not 0 after the first seed reached the process's mark)
    probe = memprobe.start_peak()
    best = (float("inf"), 0, copy.deepcopy(model.state_dict()))  # epoch 0: the initial weights
    epoch_times: list[float] = []
    val_history: list[float] = []
    epoch = 0
    start = time.perf_counter()
    epochs, patience = protocol.budget(len(fit))
    for epoch in range(1, epochs + 1):
        model.train()
        t0 = time.perf_counter()
        perm = torch.randperm(len(fit), generator=gen)
        total = 0.0
        for i in range(0, len(fit), protocol.batch_size):
            idx = perm[i : i + protocol.batch_size]
            out = model(x[idx], dt[idx])
            loss = loss_fn(out.squeeze(-1) if data.kind == "regression" else out, y[idx])
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), protocol.grad_clip)
            opt.step()
            total += float(loss.detach()) * len(idx)
        epoch_times.append(time.perf_counter() - t0)
        val_metric, val_loss = evaluate(model, val, data.kind)
        val_history.append(val_loss)
        log.info(
            "epoch %d loss %.4f val_loss %.4f val_%s %.4f elapsed %.1fs",
            epoch,
            total / len(fit),
            val_loss,
            data.metric,
            val_metric,
            time.perf_counter() - start,
        )
        if improved(val_loss, best[0]):
            best = (val_loss, epoch, copy.deepcopy(model.state_dict()))
        elif epoch - best[1] >= patience:
            log.info("early stop at epoch %d (best epoch %d)", epoch, best[1])
            break
    peak = probe.increase()
    model.load_state_dict(best[2])
    model.eval()

    rows = []
    for c in cond.conditions_for(data, conditions):
        split = cond.apply(c, test if c.kind != "shift" else data.shift, seed)  # type: ignore[arg-type]
        metric, _ = evaluate(model, split, data.kind)
        rows.append(
            {
                "condition": c.name,
                "condition_kind": c.kind,
                "condition_level": c.level,
                "value": metric,
            }
        )
        log.info("test %s %s = %.4f", c.name, data.metric, metric)
    facts = {
        "n_params": count_trainable(model),
        "model_bytes": model_bytes(model),
        "peak_train_mem_bytes": peak,
        "saved_for_backward_bytes": sfb,
        "train_time_per_epoch_s": float(np.mean(epoch_times)),
        "infer_latency_s": inference_latency(model, test),
        "epochs_run": epoch,
        "best_epoch": best[1],
        "val_loss_history": val_history,
        "family": get_spec(model_name).family,
    }
    return rows, facts
