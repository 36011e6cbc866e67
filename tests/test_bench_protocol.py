"""The learning-curve replay behind the protocol's epochs and patience, and the pipeline bench's parsing."""

from __future__ import annotations

from lnnmeta.bench.curves import choose_protocol, converged, replay
from lnnmeta.bench.pipeline import _jobs


def test_replay_follows_the_training_loops_early_stopping() -> None:
    curve = [1.0, 0.8, 0.7, 0.75, 0.74, 0.73, 0.5]
    assert replay(curve, epochs=10, patience=3) == (0.7, 6)  # stops 3 epochs after epoch 3
    assert replay(curve, epochs=10, patience=4) == (0.5, 7)
    assert replay(curve, epochs=2, patience=5) == (0.8, 2)


def test_converged_means_most_of_the_achievable_improvement() -> None:
    slow = [1.0 - 0.009 * e for e in range(100)]  # still improving at the end
    assert not converged(slow, epochs=50, patience=10, tolerance=0.05)
    assert converged(slow, epochs=100, patience=10, tolerance=0.05)
    flat = [1.0] * 20
    assert converged(flat, epochs=5, patience=2, tolerance=0.05)


def test_choose_protocol_takes_the_cheapest_that_converges_often_enough() -> None:
    fast = [1.0, 0.2] + [0.2] * 98
    slow = [1.0 - 0.009 * e for e in range(100)]
    choice = choose_protocol([fast, fast, slow], 0.05, 0.6, [20, 50, 100], [5, 10])
    assert choice["chosen"]["epochs"] == 20 and choice["chosen"]["patience"] == 5  # 2 of 3 suffice
    strict = choose_protocol([fast, fast, slow], 0.05, 1.0, [20, 50, 100], [5, 10])
    assert strict["chosen"]["epochs"] == 100


def test_pipeline_bench_reads_snakemakes_job_table() -> None:
    log = "Job stats:\njob               count\n--------------  -------\nall 1\ntrain_baseline 154\ntotal 155\n"
    assert _jobs(log) == {"all": 1, "train_baseline": 154}
