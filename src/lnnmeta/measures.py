"""The efficiency-measure registry: every cost a rerun table or the cost benchmark records.

Two sources measure costs:

* **training** -- columns of the rerun table (:data:`lnnmeta.tables.RUNS`), measured inside each
  training job (lnnmeta.training). Its timing columns are taken while other jobs share the machine:
  they are *diagnostics*, never evidence for a claim.
* **benchmark** -- the cost benchmark (lnnmeta.costs), measured alone on a grid of sequence lengths
  and widths; its measures are judged one at a time (``cost_measures`` of a claim).

Every other list of measures (the RUNS columns, the rerun statistics' metric families, the claims
schema's enums, the verdicts' diagnostics, the cost tables) is derived from here; tests/test_measures.py
checks that they agree. Torch-free and pandas-free, so the claims schema can use it at DAG build time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Dimension = Literal["time", "memory", "parameters"]
Source = Literal["training", "benchmark"]
Unit = Literal["s", "bytes", "count"]


@dataclass(frozen=True)
class Measure:
    """One efficiency measure.

    Attributes
    ----------
    name : str
        Column name (training) or ``measure`` value (benchmark).
    unit : {"s", "bytes", "count"}
        Unit of its values; ``count`` measures are integers.
    dimension : {"time", "memory", "parameters"}
        What it measures (the metric family of the rerun statistics).
    source : {"training", "benchmark"}
        Measured inside the training jobs or by the cost benchmark.
    label : str
        Printed name in report tables and figures.
    description : str
        How it is measured.
    diagnostic : bool
        Timed while other jobs share the machine: shown, never judged.
    per_round : bool
        Benchmark only: measured in every timing round (else once per configuration).
    lower_is_better : bool
        Always true for costs; kept explicit for the rerun statistics' orientation.
    headline : bool
        The measure that stands for its dimension (one per source and dimension) where a figure or
        a sorted table shows one measure per dimension (accuracy-against-cost plots, sort order).
    noisy : bool
        Page-granular or otherwise noisy (may read 0): in full tables and figures, not in printed
        summaries such as the growth-exponent table.
    """

    name: str
    unit: Unit
    dimension: Dimension
    source: Source
    label: str
    description: str
    diagnostic: bool = False
    per_round: bool = False
    lower_is_better: bool = True
    headline: bool = False
    noisy: bool = False

    @property
    def integer(self) -> bool:
        """Whether its values are integers (counts and bytes)."""
        return self.unit in ("count", "bytes")


_CONTENTION = "measured under contention, diagnostic"

#: The efficiency columns of the rerun table, in column order.
TRAINING_MEASURES: dict[str, Measure] = {
    m.name: m
    for m in [
        Measure(
            "n_params",
            "count",
            "parameters",
            "training",
            "Parameters",
            "trainable parameters (readout included; ncps sparsity masks excluded)",
            headline=True,
        ),
        Measure(
            "model_bytes",
            "bytes",
            "memory",
            "training",
            "Model size",
            "bytes of the model's state (parameters and buffers, masks included), as stored",
        ),
        Measure(
            "peak_train_mem_bytes",
            "bytes",
            "memory",
            "training",
            "Peak training memory",
            "peak resident-memory increase over the seed's training loop (high-water mark reset at its start)",
        ),
        Measure(
            "saved_for_backward_bytes",
            "bytes",
            "memory",
            "training",
            "Saved for backward",
            "bytes autograd saves for backward in one training forward pass (each storage once)",
            headline=True,
        ),
        Measure(
            "train_time_per_epoch_s",
            "s",
            "time",
            "training",
            f"Training time per epoch ({_CONTENTION})",
            "mean wall seconds of one training epoch, while other jobs share the machine",
            diagnostic=True,
            headline=True,
        ),
        Measure(
            "infer_latency_s",
            "s",
            "time",
            "training",
            f"Inference latency per sequence ({_CONTENTION})",
            "median seconds per sequence of a batched forward pass over the test set, "
            "while other jobs share the machine",
            diagnostic=True,
        ),
    ]
}

#: The cost benchmark's measures (``measure`` of the cost tables), in report order.
COST_MEASURES: dict[str, Measure] = {
    m.name: m
    for m in [
        Measure(
            "train_step_s",
            "s",
            "time",
            "benchmark",
            "train step",
            "CPU seconds of one training step of a batch (forward, MSE loss, backward, Adam), "
            "one thread",
            per_round=True,
            headline=True,
        ),
        Measure(
            "infer_s_per_seq",
            "s",
            "time",
            "benchmark",
            "inference per sequence",
            "CPU seconds per sequence of a batched forward pass without autograd",
            per_round=True,
        ),
        Measure(
            "n_params",
            "count",
            "parameters",
            "benchmark",
            "parameters",
            "trainable parameters (readout included)",
            headline=True,
        ),
        Measure(
            "saved_bytes",
            "bytes",
            "memory",
            "benchmark",
            "saved for backward",
            "bytes autograd saves for backward in one training forward pass",
            headline=True,
        ),
        Measure(
            "peak_alloc_bytes",
            "bytes",
            "memory",
            "benchmark",
            "peak tensor memory",
            "peak tensor memory (torch CPU allocator) allocated and held at once in one "
            "training step",
        ),
        Measure(
            "peak_rss_bytes",
            "bytes",
            "memory",
            "benchmark",
            "peak RSS increase",
            "peak resident-memory increase of the process during one training step "
            "(all allocations)",
            per_round=True,
            noisy=True,
        ),
    ]
}


def training_measure_names(*, diagnostic: bool | None = None) -> tuple[str, ...]:
    """Names of the rerun table's efficiency columns, in column order.

    ``diagnostic=True`` gives only the contention-timed diagnostics, ``False`` only the measures a
    claim may name, ``None`` all of them.
    """
    return tuple(
        n for n, m in TRAINING_MEASURES.items() if diagnostic is None or m.diagnostic == diagnostic
    )


def cost_measure_names() -> tuple[str, ...]:
    """Names of the cost benchmark's measures, in report order."""
    return tuple(COST_MEASURES)


def headline_measure(source: Source, dimension: Dimension) -> str:
    """The measure that stands for ``dimension`` among the ``source``'s measures (``headline``)."""
    table = TRAINING_MEASURES if source == "training" else COST_MEASURES
    names = [n for n, m in table.items() if m.headline and m.dimension == dimension]
    if len(names) != 1:
        raise ValueError(f"{source} measures: {len(names)} headline measures of {dimension}")
    return names[0]


#: Contention-timed training columns: diagnostics, never evidence (lnnmeta.verdicts).
DIAGNOSTIC_MEASURES: tuple[str, ...] = training_measure_names(diagnostic=True)
