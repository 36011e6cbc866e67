"""Time and memory of the fast liquid kernels against ncps 1.0.1 and nn.LSTM.

For each model (LTC, CfC) and unit count, three contenders with the same input -- ncps,
the fast kernel (loaded with the ncps weights) and ``nn.LSTM`` -- are run interleaved in
one process: every round times one training step (forward, mean-square loss, backward,
Adam step) and one inference forward of each contender, the contender order rotating from
round to round.  Medians over rounds are reported, together with the bytes each forward
saves for backward (distinct storages seen by ``torch.autograd.graph.saved_tensors_hooks``)
and the largest output difference between the fast kernel and ncps.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ncps
import ncps.torch
import torch
from torch import Tensor, nn

import lnnmeta.kernels
from lnnmeta.kernels import _native

CONTENDERS = ("ncps", "fast", "lstm")
PHASES = ("train", "infer")
CLOCKS: dict[str, Callable[[], float]] = {"cpu": time.process_time, "wall": time.perf_counter}
SETTINGS = ("units", "models", "rounds", "warmup", "batch", "steps", "inputs", "seed", "clock")


@dataclass
class Contender:
    """One module under test, with its optimiser and collected timings (seconds)."""

    name: str
    module: nn.Module
    optimizer: torch.optim.Optimizer
    times: dict[str, list[float]] = field(default_factory=lambda: {p: [] for p in PHASES})


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of the ``kernels`` command to ``parser``."""
    parser.add_argument("--units", type=int, nargs="+", default=[32, 128], help="unit counts")
    parser.add_argument("--models", nargs="+", choices=["ltc", "cfc"], default=["ltc", "cfc"])
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds (median)")
    parser.add_argument("--warmup", type=int, default=1, help="untimed rounds first")
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--steps", type=int, default=100, help="sequence length T")
    parser.add_argument("--inputs", type=int, default=8, help="input features")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--clock",
        choices=sorted(CLOCKS),
        default="cpu",
        help="cpu: process CPU time (robust on a shared machine); wall: elapsed time",
    )
    parser.add_argument("--out", type=Path, default=Path("benchmarks/kernels.json"))


def build_contenders(model: str, units: int, inputs: int, seed: int) -> list[Contender]:
    """Return ncps, fast (same weights) and LSTM contenders for ``model`` with ``units``."""
    reference_cls: Any = ncps.torch.LTC if model == "ltc" else ncps.torch.CfC
    fast_cls: Any = lnnmeta.kernels.LTC if model == "ltc" else lnnmeta.kernels.CfC
    torch.manual_seed(seed)
    reference = reference_cls(inputs, units)
    fast = fast_cls(inputs, units)
    fast.load_state_dict(reference.state_dict())
    lstm = nn.LSTM(inputs, units, batch_first=True)
    modules = {"ncps": reference, "fast": fast, "lstm": lstm}
    return [
        Contender(name, module, torch.optim.Adam(module.parameters(), lr=1e-3))
        for name, module in modules.items()
    ]


def train_step(contender: Contender, x: Tensor) -> None:
    """One optimisation step: forward, mean-square loss, backward, Adam."""
    contender.optimizer.zero_grad(set_to_none=True)
    output, _ = contender.module(x)
    output.pow(2).mean().backward()
    contender.optimizer.step()


def infer_step(contender: Contender, x: Tensor) -> None:
    """One forward pass without autograd."""
    with torch.no_grad():
        contender.module(x)


def timed(fn: Callable[[], None], clock: Callable[[], float]) -> float:
    """Return the seconds ``fn`` takes on ``clock``."""
    start = clock()
    fn()
    return clock() - start


def measure(
    contenders: list[Contender], x: Tensor, rounds: int, warmup: int, clock: Callable[[], float]
) -> None:
    """Time every contender and phase for ``rounds`` rounds after ``warmup`` untimed ones.

    The contender order rotates by one every round, so that slow drifts of the machine
    (other load, clock frequency) spread evenly over the contenders.
    """
    for r in range(warmup + rounds):
        shift = r % len(contenders)
        for contender in contenders[shift:] + contenders[:shift]:
            for phase, step in (("train", train_step), ("infer", infer_step)):
                seconds = timed(lambda c=contender, s=step: s(c, x), clock)  # type: ignore[misc]
                if r >= warmup:
                    contender.times[phase].append(seconds)


def saved_bytes(module: nn.Module, x: Tensor) -> int:
    """Bytes of the distinct storages one forward pass of ``module`` saves for backward."""
    storages: dict[int, int] = {}

    def pack(t: Tensor) -> Tensor:
        storage = t.untyped_storage()
        storages[storage.data_ptr()] = storage.nbytes()
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        module(x)
    return sum(storages.values())


def output_difference(contenders: list[Contender], x: Tensor) -> float:
    """Largest absolute output difference between the fast kernel and ncps."""
    by_name = {c.name: c.module for c in contenders}
    with torch.no_grad():
        return float((by_name["ncps"](x)[0] - by_name["fast"](x)[0]).abs().max())


def benchmark(model: str, units: int, args: argparse.Namespace) -> dict[str, Any]:
    """Run one (model, units) configuration and return its JSON record."""
    contenders = build_contenders(model, units, args.inputs, args.seed)
    x = torch.randn(args.batch, args.steps, args.inputs)
    record: dict[str, Any] = {
        "model": model,
        "units": units,
        "max_abs_diff": output_difference(contenders, x),
    }
    measure(contenders, x, args.rounds, args.warmup, CLOCKS[args.clock])
    for c in contenders:
        record[c.name] = {
            **{f"{p}_ms": 1e3 * statistics.median(c.times[p]) for p in PHASES},
            **{f"{p}_raw_ms": [1e3 * t for t in c.times[p]] for p in PHASES},
            "saved_bytes": saved_bytes(c.module, x),
        }
    for p in PHASES:
        ms = {c: record[c][f"{p}_ms"] for c in CONTENDERS}
        record[f"{p}_speedup_vs_ncps"] = ms["ncps"] / ms["fast"]
        record[f"{p}_cost_vs_lstm"] = ms["fast"] / ms["lstm"]
        record[f"{p}_ncps_cost_vs_lstm"] = ms["ncps"] / ms["lstm"]
    saved = {c: record[c]["saved_bytes"] for c in CONTENDERS}
    record["saved_ratio_ncps_over_fast"] = saved["ncps"] / saved["fast"]
    return record


def format_table(records: list[dict[str, Any]]) -> str:
    """Return a plain-text table of the records (times are medians in ms)."""
    head = (
        f"{'model':<5} {'units':>5} | {'train ms ncps/fast/lstm':>24} {'x ncps':>7} {'/lstm':>6}"
        f" | {'infer ms ncps/fast/lstm':>24} {'x ncps':>7} {'/lstm':>6}"
        f" | {'saved MB ncps/fast/lstm':>24} {'ncps/fast':>9} | {'max|diff|':>9}"
    )
    lines = [head, "-" * len(head)]
    for r in records:
        cells = [f"{r['model']:<5} {r['units']:>5}"]
        for p in PHASES:
            ms = "/".join(f"{r[c][f'{p}_ms']:.1f}" for c in CONTENDERS)
            speedup, cost = r[f"{p}_speedup_vs_ncps"], r[f"{p}_cost_vs_lstm"]
            cells.append(f"{ms:>24} {speedup:>6.2f}x {cost:>5.1f}x")
        mb = "/".join(f"{r[c]['saved_bytes'] / 1e6:.1f}" for c in CONTENDERS)
        cells.append(f"{mb:>24} {r['saved_ratio_ncps_over_fast']:>8.1f}x")
        cells.append(f"{r['max_abs_diff']:>9.1e}")
        lines.append(" | ".join(cells))
    return "\n".join(lines)


def ltc_kernel_path() -> str:
    """Which LTC path the fast kernel runs: the native instruction set, or "eager"."""
    native = _native.library()
    return f"native-{native.isa_name}" if native is not None else "eager"


def environment(args: argparse.Namespace) -> dict[str, Any]:
    """Return the settings and software versions of this run."""
    return {
        "ltc_kernels": ltc_kernel_path(),
        "torch": torch.__version__,
        "ncps": importlib.metadata.version("ncps"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "threads": torch.get_num_threads(),
        **{k: v for k, v in vars(args).items() if k in SETTINGS},
    }


def run(args: argparse.Namespace) -> int:
    """Run the ``kernels`` benchmark: print the table and write the JSON file."""
    torch.set_num_threads(args.threads)
    records = []
    print(format_table([]), flush=True)
    for units in args.units:
        for model in args.models:
            records.append(benchmark(model, units, args))
            print(format_table(records[-1:]).splitlines()[-1], flush=True)
    print(
        f"\nmedians of {args.rounds} rounds, {args.clock} clock, {args.threads} thread(s); "
        f"LTC kernels: {ltc_kernel_path()}"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    document = {"environment": environment(args), "results": records}
    args.out.write_text(json.dumps(document, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0
