"""Costs as a benchmark: time, memory and parameters of every model and backend over a scaling grid.

The training jobs of the rerun grid time themselves while other jobs share the machine; their timing
columns are diagnostics. This module measures the costs on their own, in one process on one thread:

* **models and backends** -- every registry model; the liquid ones (LTC, CfC and its modes, NCP-wired)
  both "as published in ncps" (``ncps``, ncps 1.0.1 stepped per time step as the pipeline runs it) and
  "with an optimised kernel" (``fast``, :mod:`lnnmeta.kernels`); RNN, LSTM and GRU in PyTorch, and the
  CT-RNN with its native scan (:mod:`lnnmeta.kernels.ctrnn`, as the training jobs run it), under the
  backend key ``torch``. All are the pipeline's :class:`lnnmeta.models.SequenceModel` (core + linear readout),
  fed the same random batch (``inputs`` channels, unit time gaps, one regression target).
* **grid** -- sequence length T and units H: a cross through an anchor cell (T varies at the anchor's
  H, H varies at the anchor's T) or the full product.
* **rounds** -- after ``warmup`` untimed rounds, every timed round visits every cell and, inside it,
  every contender in an order that rotates by one each round (slow drifts of the machine spread evenly).
* **measures** (:data:`MEASURES`) -- per round: CPU seconds of one training step (forward, MSE loss,
  backward, Adam) and of one no-grad forward divided by the batch (seconds per sequence), and the peak
  resident-memory increase during one extra, untimed training step; once per cell (they do not vary):
  trainable parameters, bytes autograd saves for backward
  (:func:`lnnmeta.training.saved_for_backward_bytes`) and the peak of tensor memory held by torch's CPU
  allocator during one training step (from ``torch.profiler`` memory events).

What the memory measures see: ``peak_alloc_bytes`` counts tensors only (exact, deterministic), not
scratch buffers a native kernel allocates itself (the fast LTC solver's ``std::vector`` work space);
``peak_rss_bytes`` counts every page the process touches (tensors, scratch, allocator slack) at page
granularity, after ``malloc_trim`` and a reset of the kernel's high-water mark
(``/proc/self/clear_refs``), so it is Linux-only and noisier; it reads 0 where the step fits in memory
the process already holds.

Summaries are medians with the interquartile range over rounds. :func:`fit_exponents` fits
``cost = c * T^a * H^b`` by log-log OLS (statsmodels) on the cell medians, with 95% intervals.
:func:`compare_costs` gives one row per measure x LNN model x backend x reference RNN at one stated cell:
the ratio LNN / RNN of the medians with a bootstrap interval over rounds; measures are never pooled.
"""

from __future__ import annotations

import contextlib
import importlib.metadata
import logging
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import torch
from torch import nn

from lnnmeta import memprobe
from lnnmeta.errors import InputError
from lnnmeta.measures import COST_MEASURES, Measure
from lnnmeta.models import REGISTRY, Backend, build_model, canonical_name, count_trainable, get_spec
from lnnmeta.tables import read_table, register, write_table
from lnnmeta.tasks import Split
from lnnmeta.training import saved_for_backward_bytes

log = logging.getLogger("lnnmeta.costs")

CostBackend = Literal["ncps", "fast", "torch"]

#: Every measure of the cost tables (the registry lnnmeta.measures). All are costs: lower is better.
MEASURES: dict[str, Measure] = COST_MEASURES


#: The backends of the cost tables (``backend``); their printed names are the report's
#: (lnnmeta.report.labels.BACKEND_LABELS).
BACKENDS: tuple[CostBackend, ...] = ("ncps", "fast", "torch")

#: How a comparison's interval was obtained (``interval_kind`` of :data:`COST_COMPARISONS`):
#: a percentile bootstrap over rounds (measures taken every round) or exact (measured once).
IntervalKind = Literal["percentile_bootstrap", "exact"]
INTERVAL_KINDS: tuple[IntervalKind, ...] = ("percentile_bootstrap", "exact")

#: Why a growth fit has no exponent or no interval (``fit`` of :data:`COST_EXPONENTS`).
FitStatus = Literal["fitted", "no_interval", "too_few_cells"]
FIT_STATUSES: tuple[FitStatus, ...] = ("fitted", "no_interval", "too_few_cells")

_S, _F, _I = pa.string(), pa.float64(), pa.int64()


def _f(name: str, typ: pa.DataType, nullable: bool = False) -> pa.Field:
    return pa.field(name, typ, nullable=nullable)


_CONTENDER = [
    _f("model", _S),
    _f("canonical", _S),
    _f("family", _S),
    _f("backend", _S),
]

#: One row per round x cell x contender x per-round measure (``results/costs/rounds.parquet``).
COST_ROUNDS = register(
    "cost_rounds",
    pa.schema(
        [
            *_CONTENDER,
            _f("steps", _I),
            _f("units", _I),
            _f("round", _I),
            _f("measure", _S),
            _f("unit", _S),
            _f("value", _F),
        ]
    ),
)

#: One row per cell x contender x measure: median and spread (``results/costs/costs.parquet``).
COSTS = register(
    "costs",
    pa.schema(
        [
            *_CONTENDER,
            _f("steps", _I),
            _f("units", _I),
            _f("batch", _I),
            _f("inputs", _I),
            _f("measure", _S),
            _f("dimension", _S),
            _f("unit", _S),
            _f("n", _I),
            _f("median", _F),
            _f("q25", _F),
            _f("q75", _F),
            _f("clock", _S),
            _f("threads", _I),
            _f("torch_version", _S),
            _f("ncps_version", _S),
        ]
    ),
)

#: One row per contender x measure: the fitted growth exponents (``results/costs/exponents.parquet``).
COST_EXPONENTS = register(
    "cost_exponents",
    pa.schema(
        [
            *_CONTENDER,
            _f("measure", _S),
            _f("dimension", _S),
            _f("unit", _S),
            _f("n_cells", _I),
            _f("exponent_steps", _F, True),
            _f("steps_low", _F, True),
            _f("steps_high", _F, True),
            _f("exponent_units", _F, True),
            _f("units_low", _F, True),
            _f("units_high", _F, True),
            _f("r_squared", _F, True),
            # Confidence level of the exponents' intervals (``level`` of the grid).
            _f("interval_level", _F),
            # Cells left out of the fit because their median is 0 (log undefined).
            _f("zero_cells", _I),
            # One of FIT_STATUSES: "no_interval" without a residual degree of freedom,
            # "too_few_cells" when no exponent could be fitted.
            _f("fit", _S),
        ]
    ),
)

#: One row per measure x LNN model x backend x reference RNN at one cell
#: (``results/costs/comparisons.parquet``). ``ratio`` = LNN / RNN; below 1 the LNN is cheaper.
COST_COMPARISONS = register(
    "cost_comparisons",
    pa.schema(
        [
            _f("measure", _S),
            _f("dimension", _S),
            _f("unit", _S),
            _f("lnn_model", _S),
            _f("backend", _S),
            _f("rnn_model", _S),
            _f("steps", _I),
            _f("units", _I),
            _f("lnn_median", _F),
            _f("rnn_median", _F),
            _f("lnn_n", _I),
            _f("rnn_n", _I),
            _f("ratio", _F, True),
            _f("ratio_low", _F, True),
            _f("ratio_high", _F, True),
            # One of INTERVAL_KINDS; level and resamples of a bootstrap, null for exact ones.
            _f("interval_kind", _S),
            _f("interval_level", _F, True),
            _f("resamples", _I, True),
            _f("favours", _S),
        ]
    ),
)


@dataclass(frozen=True)
class CostGrid:
    """The settings of one cost benchmark (the ``costs`` section of the config)."""

    steps: tuple[int, ...] = (25, 50, 100, 200, 400)
    units: tuple[int, ...] = (8, 16, 32, 64, 128)
    anchor_steps: int = 50
    anchor_units: int = 32
    design: Literal["cross", "full"] = "cross"
    models: tuple[str, ...] = tuple(REGISTRY)
    backends: tuple[Backend, ...] = ("ncps", "fast")
    rounds: int = 3
    warmup: int = 0
    batch: int = 8
    inputs: int = 8
    seed: int = 0
    bootstrap: int = 2000
    level: float = 0.95

    @classmethod
    def from_config(cls, section: dict[str, Any], where: str = "config") -> CostGrid:
        """Build the grid from the config's ``costs`` section; bad values raise :class:`InputError`."""
        known = set(cls.__dataclass_fields__)
        unknown = sorted(set(section) - known)
        if unknown:
            raise InputError(
                f"{where}: key 'costs.{unknown[0]}': unknown key; expected one of {sorted(known)}"
            )
        values: dict[str, Any] = {
            k: tuple(v) if isinstance(v, list) else v for k, v in section.items()
        }
        grid = cls(**values)
        grid.check(where)
        return grid

    def check(self, where: str = "config") -> None:
        """Raise :class:`InputError` (one line per problem) if the grid cannot be measured."""
        problems = []
        if self.anchor_steps not in self.steps:
            problems.append(f"key 'costs.anchor_steps': {self.anchor_steps} is not in costs.steps")
        if self.anchor_units not in self.units:
            problems.append(f"key 'costs.anchor_units': {self.anchor_units} is not in costs.units")
        for m in self.models:
            if m not in REGISTRY:
                problems.append(
                    f"key 'costs.models': unknown model {m!r}; expected one of {list(REGISTRY)}"
                )
        if min(self.steps, default=0) < 1 or min(self.units, default=0) < 2:
            problems.append("key 'costs.steps'/'costs.units': expected steps >= 1 and units >= 2")
        if self.rounds < 1 or self.batch < 1:
            problems.append("key 'costs.rounds'/'costs.batch': expected at least 1")
        if problems:
            raise InputError([f"{where}: {p}" for p in problems])

    def cells(self) -> list[tuple[int, int]]:
        """(T, H) cells: the cross through the anchor, or the full product, sorted."""
        if self.design == "full":
            cells = {(t, h) for t in self.steps for h in self.units}
        else:
            cells = {(t, self.anchor_units) for t in self.steps}
            cells |= {(self.anchor_steps, h) for h in self.units}
        return sorted(cells)

    def contenders(self) -> list[tuple[str, CostBackend]]:
        """(model, backend) pairs: liquid models once per backend, the others with ``torch``."""
        out: list[tuple[str, CostBackend]] = []
        for m in self.models:
            if get_spec(m).liquid:
                out.extend((m, b) for b in self.backends)
            else:
                out.append((m, "torch"))
        return out


@dataclass
class _Contender:
    model: str
    backend: CostBackend
    module: nn.Module
    optimizer: torch.optim.Optimizer
    values: dict[str, list[float]] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------------
# Memory probes


def rss_supported() -> bool:
    """Whether the peak-RSS probe works here (Linux with a writable ``/proc/self/clear_refs``)."""
    return memprobe.reset_high_water_mark()


def peak_rss_increase(fn: Callable[[], None]) -> int:
    """Bytes by which the process's resident high-water mark rises above its current RSS during ``fn``.

    Freed heap memory is first returned to the system (``malloc_trim``) and the high-water mark reset
    (writing 5 to ``/proc/self/clear_refs``), so that the peak is that of ``fn`` alone
    (:mod:`lnnmeta.memprobe`).
    """
    probe = memprobe.start_peak()
    fn()
    return probe.increase()


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """Send file descriptor 2 to /dev/null meanwhile (the profiler prints two lines per use)."""
    sys.stderr.flush()
    saved = os.dup(2)
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(null, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def peak_alloc_increase(fn: Callable[[], None]) -> int:
    """Peak of the tensor bytes that ``fn`` allocates through torch's CPU allocator and holds at once.

    The running sum of the allocation and free events that ``torch.profiler`` records with
    ``profile_memory=True``, in time order. The profiler does not see frees of blocks allocated
    before ``fn`` (for example the previous step's gradients), so those are not netted out.
    """
    from torch.profiler import ProfilerActivity, profile

    with _quiet_stderr(), profile(activities=[ProfilerActivity.CPU], profile_memory=True) as prof:
        fn()
    events = [e for e in prof.profiler.kineto_results.events() if e.name() == "[memory]"]
    level = peak = 0
    for e in sorted(events, key=lambda e: e.start_ns()):
        level += e.nbytes()
        peak = max(peak, level)
    return int(peak)


# ---------------------------------------------------------------------------------------------------
# Measurement


def _batch(grid: CostGrid, steps: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    gen = torch.Generator().manual_seed(grid.seed + steps)
    x = torch.randn(grid.batch, steps, grid.inputs, generator=gen)
    return x, torch.ones(grid.batch, steps), torch.randn(grid.batch, generator=gen)


def _train_step(c: _Contender, x: torch.Tensor, dt: torch.Tensor, y: torch.Tensor) -> None:
    c.optimizer.zero_grad(set_to_none=True)
    loss = nn.functional.mse_loss(c.module(x, dt).squeeze(-1), y)
    loss.backward()
    c.optimizer.step()


def _infer(c: _Contender, x: torch.Tensor, dt: torch.Tensor) -> None:
    with torch.no_grad():
        c.module(x, dt)


def _cpu_seconds(fn: Callable[[], None]) -> float:
    start = time.process_time()
    fn()
    return time.process_time() - start


@contextlib.contextmanager
def _one_thread() -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def _build(grid: CostGrid, model: str, backend: CostBackend, units: int) -> _Contender:
    torch.manual_seed(grid.seed)
    module = build_model(model, grid.inputs, 1, units, "fast" if backend == "torch" else backend)
    return _Contender(model, backend, module, torch.optim.Adam(module.parameters(), lr=1e-3))


def _once(
    c: _Contender, batch: tuple[torch.Tensor, torch.Tensor, torch.Tensor]
) -> dict[str, float]:
    """The measures taken once per cell: they do not vary between rounds."""
    x, dt, y = batch
    split = Split(x.numpy(), dt.numpy(), y.numpy())
    return {
        "n_params": count_trainable(c.module),
        "saved_bytes": saved_for_backward_bytes(c.module, split, "regression", len(split)),
        "peak_alloc_bytes": peak_alloc_increase(partial(_train_step, c, x, dt, y)),
    }


def _each_round(
    contenders: list[_Contender], batch: tuple[torch.Tensor, torch.Tensor, torch.Tensor], rss: bool
) -> list[dict[str, float]]:
    """The measures taken every round, per contender in the given order: first every contender's
    times, then the peak RSS of one extra (untimed) step each, so that the RSS probe's release of
    freed memory does not fall between timed steps."""
    x, dt, y = batch
    values = [
        {
            "train_step_s": _cpu_seconds(partial(_train_step, c, x, dt, y)),
            "infer_s_per_seq": _cpu_seconds(partial(_infer, c, x, dt)) / len(x),
        }
        for c in contenders
    ]
    if rss:
        for c, v in zip(contenders, values, strict=True):
            v["peak_rss_bytes"] = float(peak_rss_increase(partial(_train_step, c, x, dt, y)))
    return values


def measure(grid: CostGrid) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Run the benchmark; return (per-round table, summary table) following :data:`COST_ROUNDS` and
    :data:`COSTS`.

    Runs on one torch thread (restored afterwards); times are CPU seconds of this process
    (``time.process_time``), which other processes on the machine do not inflate. Before any
    round, every contender runs one training step (optimizer state), then the once-per-cell measures
    (two more forward passes), which also serve as warm-up.
    """
    grid.check()
    rss = rss_supported()
    if not rss:
        log.warning("peak_rss_bytes not measured: /proc/self/clear_refs is not writable here")
    cells = grid.cells()
    with _one_thread():
        batches = {t: _batch(grid, t) for t in sorted({t for t, _ in cells})}
        table = {
            cell: [_build(grid, m, b, cell[1]) for m, b in grid.contenders()] for cell in cells
        }
        fixed: dict[tuple[int, int, str, str], dict[str, float]] = {}
        for (steps, units), contenders in table.items():
            for c in contenders:
                _train_step(c, *batches[steps])
                fixed[(steps, units, c.model, c.backend)] = _once(c, batches[steps])
                memprobe.release_free_memory()
        log.info(
            "once-per-cell measures done (%d cells x %d contenders)", len(cells), len(contenders)
        )
        rows: list[dict[str, Any]] = []
        for r in range(grid.warmup + grid.rounds):
            for (steps, units), contenders in table.items():
                shift = r % len(contenders)
                order = contenders[shift:] + contenders[:shift]
                measured = _each_round(order, batches[steps], rss)
                if r < grid.warmup:
                    continue
                for c, values in zip(order, measured, strict=True):
                    rows.extend(
                        _row(c.model, c.backend, steps=steps, units=units, round=r - grid.warmup,
                             measure=k, unit=MEASURES[k].unit, value=v)
                        for k, v in values.items()
                    )  # fmt: skip
            log.info("round %d of %d done", r + 1, grid.warmup + grid.rounds)
    rounds = _frame(rows, COST_ROUNDS)
    return rounds, summarise(rounds, fixed, grid)


def _row(model: str, backend: str, **values: Any) -> dict[str, Any]:
    spec = get_spec(model)
    return {
        "model": model,
        "canonical": canonical_name(model),
        "family": spec.family,
        "backend": backend,
        **values,
    }


def _frame(rows: Sequence[dict[str, Any]], schema: pa.Schema) -> pd.DataFrame:
    from lnnmeta.stats.schemas import typed_frame

    return typed_frame(rows, schema)


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def summarise(
    rounds: pd.DataFrame,
    fixed: dict[tuple[int, int, str, str], dict[str, float]],
    grid: CostGrid,
) -> pd.DataFrame:
    """Medians and quartiles over rounds per cell x contender x measure, plus the once-per-cell
    measures in ``fixed`` (keyed by steps, units, model, backend; ``n`` = 1, no spread)."""
    env = {
        "batch": grid.batch,
        "inputs": grid.inputs,
        "clock": "process_time",
        "threads": 1,
        "torch_version": torch.__version__,
        "ncps_version": _version("ncps"),
    }
    rows = []
    keys = ["model", "backend", "steps", "units", "measure"]
    for key, g in rounds.groupby(keys, sort=True):
        model, backend, t, h, name = (str(k) for k in key)
        v = g["value"].to_numpy(float)
        rows.append(_summary_row(model, backend, int(t), int(h), name, v, env))
    for (steps, units, model, backend), values in sorted(fixed.items()):
        for name, value in values.items():
            rows.append(_summary_row(model, backend, steps, units, name, np.array([value]), env))
    return _frame(rows, COSTS)


def _summary_row(
    model: str, backend: str, steps: int, units: int, name: str, v: np.ndarray, env: dict[str, Any]
) -> dict[str, Any]:
    q25, med, q75 = np.quantile(v, [0.25, 0.5, 0.75])
    m = MEASURES[name]
    return _row(
        model, backend, steps=int(steps), units=int(units), measure=name, dimension=m.dimension,
        unit=m.unit, n=len(v), median=float(med), q25=float(q25), q75=float(q75), **env,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------------
# Growth exponents


def fit_exponents(costs: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Fit ``log cost = log c + a log T + b log H`` by OLS per contender x measure (statsmodels).

    Uses the cell medians of ``costs`` (:data:`COSTS`); cells with a non-positive median (a memory
    increase of 0) are left out and counted in ``zero_cells``. Intervals are the OLS ``level``
    confidence intervals; with no residual degree of freedom (3 cells or fewer) only the point
    estimates are given (``fit`` "no_interval"), and an exponent is null where its variable takes a
    single value ("too_few_cells" when none can be fitted). Rows follow :data:`COST_EXPONENTS`.
    """
    import statsmodels.api as sm

    rows = []
    keys = ["model", "backend", "measure"]
    for key, g in costs.groupby(keys, sort=True):
        model, backend, name = (str(k) for k in key)
        use = g[g["median"] > 0]
        dropped = len(g) - len(use)
        cols = [c for c in ("steps", "units") if use[c].nunique() > 1]
        est: dict[str, float | None] = {}
        r2: float | None = None
        status: FitStatus = "fitted"
        if cols and len(use) > len(cols):
            design = sm.add_constant(np.log(use[cols].to_numpy(float)), has_constant="add")
            fit = sm.OLS(np.log(use["median"].to_numpy(float)), design).fit()
            ci = fit.conf_int(1 - level) if fit.df_resid > 0 else None
            for i, c in enumerate(cols, start=1):
                est[c] = float(fit.params[i])
                est[f"{c}_low"] = float(ci[i, 0]) if ci is not None else None
                est[f"{c}_high"] = float(ci[i, 1]) if ci is not None else None
            r2 = float(fit.rsquared) if fit.df_resid > 0 else None
            if ci is None:
                status = "no_interval"
        else:
            status = "too_few_cells"
        m = MEASURES[name]
        rows.append(
            _row(
                model,
                backend,
                measure=name,
                dimension=m.dimension,
                unit=m.unit,
                n_cells=len(use),
                exponent_steps=est.get("steps"),
                steps_low=est.get("steps_low"),
                steps_high=est.get("steps_high"),
                exponent_units=est.get("units"),
                units_low=est.get("units_low"),
                units_high=est.get("units_high"),
                r_squared=r2,
                interval_level=level,
                zero_cells=dropped,
                fit=status,
            )
        )
    return _frame(rows, COST_EXPONENTS)


# ---------------------------------------------------------------------------------------------------
# LNN vs RNN comparisons


def _bootstrap_ratio(
    lnn: np.ndarray, rnn: np.ndarray, resamples: int, level: float, rng: np.random.Generator
) -> tuple[float, float]:
    """Percentile interval of median(lnn) / median(rnn), resampling each side's rounds."""
    a = np.median(rng.choice(lnn, (resamples, len(lnn))), axis=1)
    b = np.median(rng.choice(rnn, (resamples, len(rnn))), axis=1)
    ratios = a[b > 0] / b[b > 0]
    tail = 100 * (1 - level) / 2
    low, high = np.percentile(ratios, [tail, 100 - tail])
    return float(low), float(high)


def compare_costs(
    costs: pd.DataFrame,
    rounds: pd.DataFrame,
    steps: int,
    units: int,
    resamples: int = 2000,
    level: float = 0.95,
    seed: int = 0,
) -> pd.DataFrame:
    """LNN-vs-RNN cost ratios at the cell (``steps``, ``units``), one measure at a time.

    One row per measure x LNN model x backend x RNN-family model, with ``ratio`` = LNN median / RNN
    median (lower is cheaper, so below 1 favours the LNN). Measures taken every round get a
    percentile-bootstrap interval (``resamples`` resamples of each side's rounds, ``level``;
    ``interval_kind`` "percentile_bootstrap"); measures taken once are exact (interval = the ratio,
    ``interval_kind`` "exact", no level or resamples). ``favours`` is "LNN" when the whole interval lies below
    1, "RNN" when above, "neither" otherwise. Both models have H = ``units`` (equal units, not equal
    parameters). Rows follow :data:`COST_COMPARISONS`; a cell not in ``costs`` raises
    :class:`InputError`.
    """
    here = costs[(costs["steps"] == steps) & (costs["units"] == units)]
    if here.empty:
        raise InputError(
            f"costs: no measurements at steps={steps}, units={units}; expected a grid cell"
        )
    at = rounds[(rounds["steps"] == steps) & (rounds["units"] == units)]
    rng = np.random.default_rng(seed)
    rows = []
    for name, m in MEASURES.items():
        sub = here[here["measure"] == name]
        lnns = sub[sub["family"] == "LNN"].sort_values(["model", "backend"])
        rnns = sub[sub["family"] == "RNN"].sort_values("model")
        for _, lnn in lnns.iterrows():
            for _, rnn in rnns.iterrows():
                ratio = lnn["median"] / rnn["median"] if rnn["median"] > 0 else None
                low = high = ratio
                kind: IntervalKind = "exact"
                if m.per_round and ratio is not None:
                    lv = _round_values(at, lnn["model"], lnn["backend"], name)
                    rv = _round_values(at, rnn["model"], rnn["backend"], name)
                    low, high = _bootstrap_ratio(lv, rv, resamples, level, rng)
                    kind = "percentile_bootstrap"
                boot = kind == "percentile_bootstrap"
                favours = "neither"
                if high is not None and high < 1:
                    favours = "LNN"
                elif low is not None and low > 1:
                    favours = "RNN"
                rows.append(
                    {
                        "measure": name, "dimension": m.dimension, "unit": m.unit,
                        "lnn_model": lnn["model"], "backend": lnn["backend"],
                        "rnn_model": rnn["model"],
                        "steps": steps, "units": units, "lnn_median": lnn["median"],
                        "rnn_median": rnn["median"], "lnn_n": lnn["n"], "rnn_n": rnn["n"],
                        "ratio": ratio, "ratio_low": low, "ratio_high": high,
                        "interval_kind": kind, "interval_level": level if boot else None,
                        "resamples": resamples if boot else None, "favours": favours,
                    }
                )  # fmt: skip
    return _frame(rows, COST_COMPARISONS)


def _round_values(rounds: pd.DataFrame, model: str, backend: str, name: str) -> np.ndarray:
    sel = rounds[
        (rounds["model"] == model) & (rounds["backend"] == backend) & (rounds["measure"] == name)
    ]
    return sel["value"].to_numpy(float)


def read_comparisons(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read ``results/costs/comparisons.parquet`` (checked against :data:`COST_COMPARISONS`).

    The entry point for judging efficiency claims: filter by ``measure`` (or ``dimension``) and
    ``backend``; never pool rows of different measures.
    """
    return read_table(path, COST_COMPARISONS)


def comparisons_for(
    comparisons: pd.DataFrame,
    measure: str,
    backend: str,
    lnn_models: Sequence[str] | None = None,
    rnn_models: Sequence[str] | None = None,
) -> pd.DataFrame:
    """The rows of ``comparisons`` (:data:`COST_COMPARISONS`) for one measure and one LNN backend.

    The way to judge an efficiency claim on the cost benchmark: one measure at a time (time,
    memory and parameters never pooled) and the backend named. ``lnn_models``/``rnn_models``
    narrow the pairs (all when None). An unknown measure or backend raises :class:`InputError`;
    an empty result means the benchmark has no such pair.
    """
    if measure not in MEASURES:
        raise InputError(
            f"cost comparisons: unknown measure {measure!r}; expected one of {list(MEASURES)}"
        )
    if backend not in ("ncps", "fast"):
        raise InputError(
            f"cost comparisons: unknown backend {backend!r}; expected 'ncps' or 'fast'"
        )
    keep = (comparisons["measure"] == measure) & (comparisons["backend"] == backend)
    if lnn_models is not None:
        keep &= comparisons["lnn_model"].isin(list(lnn_models))
    if rnn_models is not None:
        keep &= comparisons["rnn_model"].isin(list(rnn_models))
    return comparisons[keep].reset_index(drop=True)


# ---------------------------------------------------------------------------------------------------
# Workflow entry points


def run_measure(grid: CostGrid, rounds_out: str, costs_out: str) -> None:
    """Measure ``grid`` and write the per-round and summary tables atomically."""
    rounds, costs = measure(grid)
    write_table(rounds, rounds_out, COST_ROUNDS)
    write_table(costs, costs_out, COSTS)


def run_compare(
    grid: CostGrid, rounds_in: str, costs_in: str, exponents_out: str, comparisons_out: str
) -> None:
    """Fit exponents and compare LNNs with RNNs at the grid's anchor cell; write both tables."""
    rounds = read_table(rounds_in, COST_ROUNDS)
    costs = read_table(costs_in, COSTS)
    write_table(fit_exponents(costs, grid.level), exponents_out, COST_EXPONENTS)
    comparisons = compare_costs(
        costs, rounds, grid.anchor_steps, grid.anchor_units, grid.bootstrap, grid.level, grid.seed
    )
    write_table(comparisons, comparisons_out, COST_COMPARISONS)
