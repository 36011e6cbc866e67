"""The training protocol: deterministic for a seed, early stopping restores the best checkpoint."""

from __future__ import annotations

from lnnmeta.tasks import load_bitstream_xor
from lnnmeta.training import Protocol, train_and_evaluate

SMALL = Protocol(
    units=6, epochs=3, patience=2, batch_size=32, max_train_samples=64, max_test_samples=32
)


def _run(model: str, seed: int) -> tuple[list[float], dict[str, object]]:
    data = load_bitstream_xor(0, bits=6, n_train=64, n_test=32)
    rows, facts = train_and_evaluate(data, model, seed, SMALL, {"noise": [0.3]}, "ncps")
    return [r["value"] for r in rows], facts


def test_same_seed_same_metrics() -> None:
    for model in ("lstm", "cfc"):
        a, fa = _run(model, 3)
        b, fb = _run(model, 3)
        assert a == b
        assert fa["best_epoch"] == fb["best_epoch"]


def test_measurements_are_positive_and_plausible() -> None:
    values, facts = _run("ltc", 0)
    assert len(values) == 2 and all(0.0 <= v <= 100.0 for v in values)
    assert facts["n_params"] > 0 and facts["model_bytes"] >= 4 * facts["n_params"]
    assert facts["saved_for_backward_bytes"] > 0
    assert facts["train_time_per_epoch_s"] > 0 and facts["infer_latency_s"] > 0
    assert 0 <= facts["best_epoch"] <= facts["epochs_run"] <= SMALL.epochs
    assert facts["best_epoch"] >= 1  # the LTC trains (zero padding gaps do not make it diverge)


def test_budget_gives_small_training_sets_as_many_steps_as_large_ones() -> None:
    p = Protocol(epochs=150, patience=30, batch_size=32, min_steps=1500)
    assert p.budget(320) == (150, 30)  # 10 batches per epoch: 1500 steps already
    assert p.budget(40) == (750, 150)  # 2 batches per epoch: five times the epochs and patience
    assert Protocol(epochs=150, patience=30, batch_size=32).budget(40) == (
        150,
        30,
    )  # off by default


def test_min_steps_lengthens_training_on_a_tiny_set() -> None:
    data = load_bitstream_xor(0, bits=6, n_train=40, n_test=16)
    tiny = Protocol(units=4, epochs=2, patience=50, batch_size=32, min_steps=8)
    _, facts = train_and_evaluate(data, "lstm", 0, tiny, {"noise": []}, "fast")
    assert facts["epochs_run"] == 8  # 32 fit sequences = 1 batch per epoch: 8 epochs for 8 steps


def test_determinism_is_on_without_importing_the_compiler() -> None:
    import subprocess
    import sys

    code = (
        "import sys, torch; from lnnmeta.training import set_determinism; set_determinism(0); "
        "print(torch.are_deterministic_algorithms_enabled(), 'torch._inductor' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "False"]  # deterministic, and no 4-8 s compiler import


def test_improvement_is_relative_to_the_best_loss() -> None:
    from lnnmeta.training import improved

    assert improved(0.5, float("inf")) and not improved(float("nan"), 1.0)
    assert improved(0.998, 1.0) and not improved(0.9995, 1.0)  # 0.1% of the best loss
    assert not improved(0.0039999, 0.004)  # a loss creeping towards 0 is no progress


def test_saved_bytes_count_what_a_tensor_reaches_not_its_buffers_capacity() -> None:
    import torch

    from lnnmeta.training import _extent_bytes

    buf = torch.zeros(1000)
    assert _extent_bytes(buf[:10]) == 40  # a view at the start of a large reused buffer
    assert _extent_bytes(buf[5:10]) == 40  # from the storage's start to its last element
    assert _extent_bytes(buf.view(100, 10)[:, 0]) == (99 * 10 + 1) * 4  # strided
    assert _extent_bytes(buf[:0]) == 0
