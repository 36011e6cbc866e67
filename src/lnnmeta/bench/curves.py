"""Learning curves behind the training protocol's ``epochs`` and ``patience``.

Every (task, model) of a config is trained once (one seed) for ``--max-epochs`` epochs without early
stopping, recording the validation loss after each epoch. On these curves each candidate protocol
(``epochs`` E, ``patience`` p) is replayed: early stopping as in :mod:`lnnmeta.training` (stop when
the validation loss has not improved for p epochs; keep the best epoch). A run *converges* under
(E, p) when the best validation loss it keeps achieves at least ``1 - --tolerance`` of the curve's
whole improvement (from the first epoch's loss to the best loss of the whole curve). Curves are
cut at ``--max-epochs``: improvement after that is not seen. The cheapest protocol (fewest epochs run in total) under which at least
``--share`` of the runs converge is printed and written to ``benchmarks/learning_curves.json``.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from itertools import product
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from lnnmeta.training import improved


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Command-line options of ``python -m lnnmeta.bench curves``."""
    p.add_argument("--config", default="config/config.yaml", help="config (tasks, training caps)")
    p.add_argument("--models", nargs="+", default=None, help="models (default: the config's)")
    p.add_argument("--tasks", nargs="+", default=None, help="tasks (default: the config's)")
    p.add_argument("--max-epochs", type=int, default=150)
    p.add_argument(
        "--min-steps",
        type=int,
        default=None,
        help="training.min_steps of the candidates (default: the config's); curves of small data "
        "sets are recorded for correspondingly more epochs",
    )
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--tolerance", type=float, default=0.05, help="share of improvement forgone")
    p.add_argument("--share", type=float, default=0.85, help="share of runs that must converge")
    p.add_argument("--out", default="benchmarks/learning_curves.json")


def replay(history: list[float], epochs: int, patience: int) -> tuple[float, int]:
    """(best validation loss kept, epochs run) of early stopping replayed on a recorded curve.

    The same rule as :func:`lnnmeta.training.train_and_evaluate` (:func:`lnnmeta.training.improved`);
    stop once ``patience`` epochs passed since the best one.
    """
    best, best_epoch, run = float("inf"), 0, 0
    for e, loss in enumerate(history[:epochs], start=1):
        run = e
        if improved(loss, best):
            best, best_epoch = loss, e
        elif e - best_epoch >= patience:
            break
    return best, run


def converged(history: list[float], epochs: int, patience: int, tolerance: float) -> bool:
    """Whether early stopping under (epochs, patience) keeps at least ``1 - tolerance`` of the
    improvement the whole curve achieves (from the first epoch's loss to the curve's best)."""
    finite = [x for x in history if np.isfinite(x)]
    if not finite:
        return False
    first, target = finite[0], min(finite)
    if first <= target:
        return True
    kept, _ = replay(history, epochs, patience)
    return bool(first - kept >= (1.0 - tolerance) * (first - target))


def scaled_budget(epochs: int, patience: int, per_epoch: int, min_steps: int) -> tuple[int, int]:
    """(epochs, patience) as :meth:`lnnmeta.training.Protocol.budget` scales them."""
    scale = max(1.0, min_steps / (epochs * max(1, per_epoch)))
    return math.ceil(epochs * scale), math.ceil(patience * scale)


def choose_protocol(
    curves: list[list[float]],
    tolerance: float,
    share: float,
    epochs_grid: list[int],
    patience_grid: list[int],
    per_epoch: list[int] | None = None,
    min_steps: int = 0,
) -> dict[str, Any]:
    """The (epochs, patience) with the fewest epochs run in total among those under which at least
    ``share`` of the curves converge; every candidate's numbers are returned too. ``per_epoch``
    (batches per epoch of each curve's run) and ``min_steps`` scale each run's budget as training
    does."""
    batches = per_epoch or [1] * len(curves)
    table = []
    for e, p in product(epochs_grid, patience_grid):
        if p > e:
            continue
        budgets = [scaled_budget(e, p, b, min_steps) for b in batches]
        ok = [converged(h, be, bp, tolerance) for h, (be, bp) in zip(curves, budgets, strict=True)]
        cost = sum(replay(h, be, bp)[1] for h, (be, bp) in zip(curves, budgets, strict=True))
        table.append(
            {"epochs": e, "patience": p, "converged": float(np.mean(ok)), "epochs_run": cost}
        )
    good = [r for r in table if r["converged"] >= share]
    best = min(good, key=lambda r: (r["epochs_run"], r["epochs"])) if good else None
    return {"chosen": best, "candidates": table, "min_steps": min_steps}


def run(args: argparse.Namespace) -> int:
    """Train every (task, model), replay the protocols, print and write the result."""
    import torch

    from lnnmeta.tasks import load_task
    from lnnmeta.training import Protocol, train_and_evaluate

    torch.set_num_threads(1)
    cfg = yaml.safe_load(Path(args.config).read_text())
    tasks = args.tasks or cfg["tasks"]
    models = args.models or cfg["models"]
    records = []
    for task in tasks:
        data = load_task(task, args.seed, cfg.get("user_tasks") or {})
        for model in models:
            override = (cfg.get("model_params") or {}).get(model, {})
            min_steps = (
                cfg["training"].get("min_steps", 0) if args.min_steps is None else args.min_steps
            )
            base = Protocol.from_config(cfg["training"], override)
            n_fit = min(len(data.train), base.max_train_samples or len(data.train))
            n_fit -= max(1, round(n_fit * base.val_fraction))
            per_epoch = max(1, math.ceil(n_fit / base.batch_size))
            longest = scaled_budget(args.max_epochs, args.max_epochs, per_epoch, min_steps)[0]
            training = {**cfg["training"], "epochs": longest, "patience": longest, "min_steps": 0}
            protocol = Protocol.from_config(training, override)
            t0 = time.process_time()
            none = {"noise": [], "irregular": [], "length": [], "shift": False}
            _, facts = train_and_evaluate(data, model, args.seed, protocol, none, "fast")
            h = [float(x) for x in facts["val_loss_history"]]
            best = int(np.nanargmin(h)) + 1
            records.append(
                {
                    "task": task,
                    "model": model,
                    "best_epoch": best,
                    "cpu_s": time.process_time() - t0,
                    "batches_per_epoch": per_epoch,
                    "history": h,
                }
            )
            print(
                f"{task:20s} {model:12s} best epoch {best:4d}  {records[-1]['cpu_s']:.1f} s",
                flush=True,
            )
    curves = [r["history"] for r in records]
    grid_e = list(range(20, args.max_epochs + 1, 10))
    print(
        "per model: median best epoch",
        {
            m: float(np.median([r["best_epoch"] for r in records if r["model"] == m]))
            for m in models
        },
    )
    grid_p = [5, 8, 10, 15, 20, 30]
    choice = choose_protocol(
        curves,
        args.tolerance,
        args.share,
        grid_e,
        grid_p,
        [r["batches_per_epoch"] for r in records],
        min_steps,
    )
    out = {
        "settings": {k: v for k, v in vars(args).items() if k != "func"},
        "best_epoch_quantiles": {
            q: float(np.quantile([r["best_epoch"] for r in records], q / 100)) for q in (50, 75, 90)
        },
        "chosen": choice["chosen"],
        "candidates": choice["candidates"],
        "runs": records,
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=1))
    print("best epoch quantiles (50/75/90%):", out["best_epoch_quantiles"])
    print("chosen protocol:", choice["chosen"])
    return 0
