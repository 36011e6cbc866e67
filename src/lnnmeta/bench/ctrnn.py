"""Time of the CT-RNN baseline: the eager Euler loop against the native scan, and nn.LSTM.

For each unit count, three contenders with the same input and time spans -- the CT-RNN of the
rerun grid on its eager PyTorch loop (``native=False``; the ``ncps`` backend and the fallback),
the same model on the native scan (:mod:`lnnmeta.kernels.ctrnn`; the ``fast`` backend, loaded
with the eager model's weights) and ``nn.LSTM`` -- are run interleaved in one process with the
rotation of :func:`lnnmeta.bench.kernels.measure`: every round times one training step
(forward, mean-square loss, backward, Adam step) and one inference forward of each.  Medians
over rounds are reported, with the bytes each forward saves for backward and the largest
difference of the final states of the two CT-RNN paths.

A 512^3 ``torch.mm`` (:func:`lnnmeta.bench.kernels.big_gemm`) is timed in the same rotation: with
the multiply-adds of the recurrent products of one native training step (``3 T U B N^2``: one
``h U^T`` and one ``ga U`` per sub-step, and the weight gradient over all sub-steps) it gives the
rate the native step reaches on its products, beside the rate of a large product on this thread
(an upper bound: where the two are close, the step is bound by its matrix products).
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from lnnmeta.atomic import write_text
from lnnmeta.bench.kernels import (
    BIG_GEMM,
    BIG_GEMM_SIZE,
    CLOCKS,
    PHASES,
    Contender,
    big_gemm,
    environment,
    measure,
    saved_bytes,
)
from lnnmeta.models import CTRNN

#: The CT-RNN on its eager loop (the ``ncps`` backend, and the fallback), on the native scan (the
#: ``fast`` backend), and nn.LSTM.
CONTENDERS = ("eager", "fast", "lstm")


class _Sequence(nn.Module):
    """A CT-RNN called like the kernels benchmark's modules: ``module(x) -> (h, None)``,
    with fixed per-sample, per-step time spans."""

    def __init__(self, core: CTRNN, dt: Tensor) -> None:
        super().__init__()
        self.core = core
        self.register_buffer("dt", dt)

    def forward(self, x: Tensor) -> tuple[Tensor, None]:
        return self.core(x, self.dt), None


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the options of the ``ctrnn`` command to ``parser``."""
    parser.add_argument("--units", type=int, nargs="+", default=[16, 32, 128], help="unit counts")
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
    parser.add_argument("--out", type=Path, default=Path("benchmarks/ctrnn.json"))


def build_contenders(units: int, args: argparse.Namespace) -> tuple[list[Contender], Tensor]:
    """Eager and native CT-RNNs (same weights) and an LSTM, and the input they share."""
    torch.manual_seed(args.seed)
    dt = torch.rand(args.batch, args.steps) + 0.5  # varies per sample and step
    eager = CTRNN(args.inputs, units, native=False)
    native = CTRNN(args.inputs, units, native=True)
    native.load_state_dict(eager.state_dict())
    modules: dict[str, nn.Module] = {
        "eager": _Sequence(eager, dt),
        "fast": _Sequence(native, dt),
        "lstm": nn.LSTM(args.inputs, units, batch_first=True),
    }
    contenders = [
        Contender(name, module, torch.optim.Adam(module.parameters(), lr=1e-3))
        for name, module in modules.items()
    ]
    return contenders, torch.randn(args.batch, args.steps, args.inputs)


def benchmark(units: int, args: argparse.Namespace) -> dict[str, Any]:
    """Run one unit count and return its JSON record."""
    contenders, x = build_contenders(units, args)
    by_name = {c.name: c.module for c in contenders}
    with torch.no_grad():
        diff = float((by_name["eager"](x)[0] - by_name["fast"](x)[0]).abs().max())
    extra = {BIG_GEMM: big_gemm()}
    times = measure(contenders, x, args.rounds, args.warmup, CLOCKS[args.clock], extra)
    record: dict[str, Any] = {"model": "ctrnn", "units": units, "max_abs_diff": diff}
    for c in contenders:
        record[c.name] = {
            **{f"{p}_ms": 1e3 * statistics.median(c.times[p]) for p in PHASES},
            **{f"{p}_raw_ms": [1e3 * t for t in c.times[p]] for p in PHASES},
            "saved_bytes": saved_bytes(c.module, x),
        }
    for p in PHASES:
        record[f"{p}_speedup_vs_eager"] = record["eager"][f"{p}_ms"] / record["fast"][f"{p}_ms"]
        record[f"{p}_fast_cost_vs_lstm"] = record["fast"][f"{p}_ms"] / record["lstm"][f"{p}_ms"]
    core = by_name["fast"].core
    assert isinstance(core, CTRNN)
    macs = 3 * args.steps * core.unfolds * args.batch * units * units
    record["products_gflop"] = 2e-9 * macs
    record["products_gflops"] = 2e-9 * macs / (1e-3 * record["fast"]["train_ms"])
    record["big_gemm_gflops"] = 2e-9 * BIG_GEMM_SIZE**3 / statistics.median(times[BIG_GEMM])
    return record


def rate_sentence(record: dict[str, Any]) -> str:
    """One sentence on the rate of the native step's recurrent products."""
    return (
        f"ctrnn {record['units']}: the fast train step's recurrent products "
        f"({record['products_gflop']:.2f} GFLOP) run at {record['products_gflops']:.0f} GFLOP/s "
        f"counting the whole step's time, a {BIG_GEMM_SIZE}^3 product at "
        f"{record['big_gemm_gflops']:.0f}"
    )


def format_table(records: list[dict[str, Any]]) -> str:
    """Return a plain-text table of the records (times are medians in ms)."""
    head = (
        f"{'units':>5} | {'train ms eager/fast/lstm':>27} {'x eager':>8} {'/lstm':>6}"
        f" | {'infer ms eager/fast/lstm':>27} {'x eager':>8} {'/lstm':>6}"
        f" | {'saved MB eager/fast':>21} | {'max|diff|':>9}"
    )
    lines = [head, "-" * len(head)]
    for r in records:
        cells = [f"{r['units']:>5}"]
        for p in PHASES:
            ms = "/".join(f"{r[c][f'{p}_ms']:.2f}" for c in CONTENDERS)
            speedup, cost = r[f"{p}_speedup_vs_eager"], r[f"{p}_fast_cost_vs_lstm"]
            cells.append(f"{ms:>27} {speedup:>7.2f}x {cost:>5.1f}x")
        mb = "/".join(f"{r[c]['saved_bytes'] / 1e6:.1f}" for c in ("eager", "fast"))
        cells.append(f"{mb:>21}")
        cells.append(f"{r['max_abs_diff']:>9.1e}")
        lines.append(" | ".join(cells))
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    """Run the ``ctrnn`` benchmark: print the table and write the JSON file."""
    torch.set_num_threads(args.threads)
    records = []
    print(format_table([]), flush=True)
    for units in args.units:
        records.append(benchmark(units, args))
        print(format_table(records[-1:]).splitlines()[-1], flush=True)
    env = environment(args)
    print(
        f"\nmedians of {args.rounds} rounds, {args.clock} clock, {args.threads} thread(s), "
        f"batch {args.batch}, T {args.steps}; native kernels: {env['ltc_kernels']}"
    )
    for record in records:
        print(rate_sentence(record))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    document = {"environment": env, "results": records}
    write_text(args.out, json.dumps(document, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0
