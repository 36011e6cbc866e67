"""Time and memory of the fast liquid kernels against ncps 1.0.1 and nn.LSTM.

For each model (LTC; CfC in modes default and pure, with mixed memory and with an NCP
wiring) and unit count, three contenders with the same input -- ncps, the fast kernel
(loaded with the ncps weights) and ``nn.LSTM`` -- are run interleaved in one process:
every round times one training step (forward, mean-square loss, backward, Adam step) and
one inference forward of each contender, the order rotating from round to round.
Medians over rounds are reported, together with the bytes each forward saves for
backward (distinct storages seen by ``torch.autograd.graph.saved_tensors_hooks``) and the
largest output difference between the fast kernel and ncps.

For the CfC models on the native kernels, each round also times the **matrix-product
floor**: the native kernel calls of one fast training step (forward and backward, every
layer) replayed with only their BLAS ``sgemm`` calls -- the same shapes, in the same
order, on the same buffers, without the element-wise work.  No implementation of the
step that performs these float32 products can be faster than that; the report says how
close the fast kernel is to it and whether 3x the speed of ncps would fit above it.  The
hoisted input projections (a product with the few input features), the loss and the
optimiser step are not part of the floor, so it is a lower bound.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.metadata
import inspect
import json
import platform
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ncps
import ncps.torch
import ncps.wirings
import torch
from torch import Tensor, nn

import lnnmeta.kernels
from lnnmeta.kernels import _native

CONTENDERS = ("ncps", "fast", "lstm")
PHASES = ("train", "infer")
#: Benchmarked models: kind ("ltc" or "cfc") and constructor options; "ncp" means an
#: ``AutoNCP(units, max(2, units // 4))`` wiring, as in the rerun grid.
MODELS: dict[str, tuple[str, dict[str, Any]]] = {
    "ltc": ("ltc", {}),
    "cfc": ("cfc", {}),
    "cfc_pure": ("cfc", {"mode": "pure"}),
    "cfc_mm": ("cfc", {"mixed_memory": True}),
    "cfc_ncp": ("cfc", {"ncp": True}),
}
#: The floor phase (see the module docstring) and the large product timed beside it.
FLOOR = "gemm_floor"
BIG_GEMM = "big_gemm"
BIG_GEMM_SIZE = 512
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
    parser.add_argument("--models", nargs="+", choices=list(MODELS), default=list(MODELS))
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
    kind, options = MODELS[model]
    options = dict(options)
    ncp = options.pop("ncp", False)
    reference_cls: Any = ncps.torch.LTC if kind == "ltc" else ncps.torch.CfC
    fast_cls: Any = lnnmeta.kernels.LTC if kind == "ltc" else lnnmeta.kernels.CfC

    def cells() -> Any:
        return ncps.wirings.AutoNCP(units, max(2, units // 4)) if ncp else units

    torch.manual_seed(seed)
    reference = reference_cls(inputs, cells(), **options)
    fast = fast_cls(inputs, cells(), **options)
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
    contenders: list[Contender],
    x: Tensor,
    rounds: int,
    warmup: int,
    clock: Callable[[], float],
    extra: dict[str, Callable[[], None]] | None = None,
) -> dict[str, list[float]]:
    """Time every contender and phase for ``rounds`` rounds after ``warmup`` untimed ones.

    The order rotates by one every round, so that slow drifts of the machine (other
    load, clock frequency) spread evenly over the contenders.  The ``extra`` jobs (the
    floor) are timed in the same rotation, after the fast contender; their times are
    returned by name.
    """
    extra = extra or {}
    jobs: list[tuple[Contender | None, str, Callable[[], None]]] = []
    for contender in contenders:
        for phase, step in (("train", train_step), ("infer", infer_step)):
            jobs.append((contender, phase, lambda c=contender, s=step: s(c, x)))  # type: ignore[misc]
        if contender.name == "fast":
            jobs += [(None, name, fn) for name, fn in extra.items()]
    extra_times: dict[str, list[float]] = {name: [] for name in extra}
    for r in range(warmup + rounds):
        shift = r % len(jobs)
        for owner, phase, fn in jobs[shift:] + jobs[:shift]:
            seconds = timed(fn, clock)
            if r < warmup:
                continue
            if owner is None:
                extra_times[phase].append(seconds)
            else:
                owner.times[phase].append(seconds)
    return extra_times


@dataclass
class NativeCalls:
    """Arguments of the native CfC kernel calls made while recording (bound by name)."""

    forward: list[dict[str, Any]] = field(default_factory=list)
    backward: list[dict[str, Any]] = field(default_factory=list)


@contextlib.contextmanager
def recorded_calls(native: _native.NativeLibrary) -> Iterator[NativeCalls]:
    """Record every ``cfc_forward`` / ``cfc_backward`` call of ``native`` in the block."""
    calls = NativeCalls()
    originals = {name: getattr(native, name) for name in ("cfc_forward", "cfc_backward")}

    def recorder(name: str, into: list[dict[str, Any]]) -> Callable[..., Any]:
        signature = inspect.signature(originals[name])

        def call(*args: Any, **kwargs: Any) -> Any:
            into.append(dict(signature.bind(*args, **kwargs).arguments))
            return originals[name](*args, **kwargs)

        return call

    setattr(native, "cfc_forward", recorder("cfc_forward", calls.forward))  # noqa: B010
    setattr(native, "cfc_backward", recorder("cfc_backward", calls.backward))  # noqa: B010
    try:
        yield calls
    finally:
        for name in originals:
            delattr(native, name)


def gemm_floor(contender: Contender, x: Tensor) -> tuple[Callable[[], None], int] | None:
    """Return a replay of the sgemm calls of one native training step of ``contender``,
    and the number of multiply-adds they perform.

    None when the step makes no native CfC call (LTC, eager path).  See the module
    docstring.
    """
    native = _native.cfc_library()
    if native is None:
        return None
    with recorded_calls(native) as calls:
        train_step(contender, x)
    if not calls.forward:
        return None

    def replay() -> None:
        for arguments in calls.forward:
            native.cfc_forward(**{**arguments, "mode": arguments["mode"] | _native.GEMM_ONLY})
        for arguments in calls.backward:
            native.cfc_backward(**{**arguments, "mode": arguments["mode"] | _native.GEMM_ONLY})

    return replay, sum(map(scan_macs, calls.forward))


def scan_macs(forward: dict[str, Any]) -> int:
    """Multiply-adds of the sgemm calls of one native CfC forward call and its backward.

    Mirrors the products of ``csrc/cfc_body.h`` (T steps, B samples, N units, H backbone
    units, K N heads): per step, forward ``l w_h^T`` (B H N) and ``a w_y^T`` (B K N H);
    backward ``dy w_y`` (B H K N) and ``d_pre w_h`` (B N H); over all steps ``d w_y``
    (K N H), ``d b_y`` (K N) and ``d w_h`` (H N) per sample and step.  Without a backbone
    the ``w_y`` products drop out (H = K N); mixed memory adds ``l w_rec^T``,
    ``d_zl w_rec`` and ``d w_rec`` (4 N N each per sample and step).
    """
    steps, batch, hidden = forward["z_in"].shape
    units = forward["l0"].size(1)
    weights: _native.CfcWeights = forward["weights"]
    heads = weights.heads_count(units) * units
    per_sample = 2 * hidden * units + hidden * units  # l w_h^T, d_pre w_h, d w_h
    if weights.w_y is not None:
        per_sample += 3 * heads * hidden + heads  # a w_y^T, dy w_y, d w_y, d b_y
    if forward["memory"] is not None:
        per_sample += 3 * 4 * units * units
    return steps * batch * per_sample


def saved_bytes(module: nn.Module, x: Tensor) -> int:
    """Bytes one forward pass of ``module`` saves for backward, each storage once.

    Per storage, the bytes up to the last element a saved tensor reaches, not the storage's
    capacity (the rule of ``lnnmeta.training.saved_for_backward_bytes``): the fast kernels
    reuse buffers of earlier, possibly larger calls.
    """
    storages: dict[int, int] = {}

    def pack(t: Tensor) -> Tensor:
        pointer = t.untyped_storage().data_ptr()
        storages[pointer] = max(storages.get(pointer, 0), _extent_bytes(t))
        return t

    with torch.autograd.graph.saved_tensors_hooks(pack, lambda t: t):
        module(x)
    return sum(storages.values())


def _extent_bytes(t: Tensor) -> int:
    """Bytes from the start of ``t``'s storage to the last element ``t`` reaches."""
    if t.numel() == 0:
        return 0
    last = t.storage_offset() + sum((n - 1) * st for n, st in zip(t.shape, t.stride(), strict=True))
    return int((last + 1) * t.element_size())


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
    floor = gemm_floor(next(c for c in contenders if c.name == "fast"), x)
    extra = {} if floor is None else {FLOOR: floor[0], BIG_GEMM: big_gemm()}
    extra_times = measure(contenders, x, args.rounds, args.warmup, CLOCKS[args.clock], extra)
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
    record[FLOOR] = None if floor is None else floor_record(record, extra_times, floor[1])
    return record


def big_gemm(size: int = BIG_GEMM_SIZE) -> Callable[[], None]:
    """A large float32 product, timed beside the floor: the rate this thread can reach."""
    gen = torch.Generator().manual_seed(0)
    a, b = (torch.randn(size, size, generator=gen) for _ in range(2))
    out = torch.empty(size, size)

    def product() -> None:
        torch.mm(a, b, out=out)

    return product


def floor_record(
    record: dict[str, Any], times: dict[str, list[float]], macs: int
) -> dict[str, Any]:
    """The floor's median and what it implies for the fast kernel and a 3x target."""
    floor_s = statistics.median(times[FLOOR])
    big_gflops = 2e-9 * BIG_GEMM_SIZE**3 / statistics.median(times[BIG_GEMM])
    fast_ms, ncps_ms = record["fast"]["train_ms"], record["ncps"]["train_ms"]
    return {
        "ms": 1e3 * floor_s,
        "raw_ms": [1e3 * t for t in times[FLOOR]],
        "gflop": 2e-9 * macs,
        "gflops": 2e-9 * macs / floor_s,
        "big_gemm_gflops": big_gflops,
        "fast_over_floor": fast_ms / (1e3 * floor_s),
        "three_x_budget_ms": ncps_ms / 3,
        "max_speedup_vs_ncps": ncps_ms / (1e3 * floor_s),
    }


def floor_sentence(record: dict[str, Any]) -> str:
    """One sentence on the matrix-product floor of a record (empty without one)."""
    floor = record.get(FLOOR)
    if not floor:
        return ""
    fast_ms = record["fast"]["train_ms"]
    budget, floor_ms = floor["three_x_budget_ms"], floor["ms"]
    verdict = "below" if budget < floor_ms else "above"
    return (
        f"{record['model']} {record['units']}: fast train step {fast_ms:.1f} ms = "
        f"{floor['fast_over_floor']:.2f}x its sgemm floor {floor_ms:.1f} ms; 3x ncps needs "
        f"<= {budget:.1f} ms, {verdict} the floor (ncps / floor = "
        f"{floor['max_speedup_vs_ncps']:.2f}x at most); the floor's {floor['gflop']:.2f} GFLOP "
        f"run at {floor['gflops']:.0f} GFLOP/s, a {BIG_GEMM_SIZE}^3 product at "
        f"{floor['big_gemm_gflops']:.0f}"
    )


def format_table(records: list[dict[str, Any]]) -> str:
    """Return a plain-text table of the records (times are medians in ms)."""
    head = (
        f"{'model':<8} {'units':>5} | {'train ms ncps/fast/lstm':>24} {'x ncps':>7} {'/lstm':>6}"
        f" | {'infer ms ncps/fast/lstm':>24} {'x ncps':>7} {'/lstm':>6}"
        f" | {'saved MB ncps/fast/lstm':>24} {'ncps/fast':>9} | {'max|diff|':>9}"
        f" | {'floor ms':>8} {'fast/fl':>7}"
    )
    lines = [head, "-" * len(head)]
    for r in records:
        cells = [f"{r['model']:<8} {r['units']:>5}"]
        for p in PHASES:
            ms = "/".join(f"{r[c][f'{p}_ms']:.1f}" for c in CONTENDERS)
            speedup, cost = r[f"{p}_speedup_vs_ncps"], r[f"{p}_cost_vs_lstm"]
            cells.append(f"{ms:>24} {speedup:>6.2f}x {cost:>5.1f}x")
        mb = "/".join(f"{r[c]['saved_bytes'] / 1e6:.1f}" for c in CONTENDERS)
        cells.append(f"{mb:>24} {r['saved_ratio_ncps_over_fast']:>8.1f}x")
        cells.append(f"{r['max_abs_diff']:>9.1e}")
        floor = r.get(FLOOR)
        cells.append(
            f"{floor['ms']:>8.1f} {floor['fast_over_floor']:>6.2f}x" if floor else f"{'-':>16}"
        )
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
    for sentence in filter(None, map(floor_sentence, records)):
        print(sentence)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    document = {"environment": environment(args), "results": records}
    args.out.write_text(json.dumps(document, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0
