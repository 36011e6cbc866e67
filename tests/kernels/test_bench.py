"""Smoke test of ``python -m lnnmeta.bench kernels`` (tiny sizes; no timing assertions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from lnnmeta.bench import main
from lnnmeta.bench.kernels import build_contenders, gemm_floor
from lnnmeta.kernels import _native


def test_kernels_benchmark_writes_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "kernels.json"
    argv = ["kernels", "--units", "8", "--rounds", "1", "--warmup", "0", "--batch", "2"]
    assert main([*argv, "--steps", "3", "--inputs", "2", "--out", str(out)]) == 0
    document = json.loads(out.read_text())
    assert document["environment"]["threads"] == 1
    assert document["environment"]["ltc_kernels"].startswith(("native-", "eager"))
    records = document["results"]
    models = ["ltc", "cfc", "cfc_pure", "cfc_mm", "cfc_ncp"]
    assert [(r["model"], r["units"]) for r in records] == [(m, 8) for m in models]
    for record in records:
        assert record["max_abs_diff"] <= 1e-5
        assert {"ncps", "fast", "lstm"} <= record.keys()
        assert record["fast"]["train_ms"] > 0 and record["fast"]["saved_bytes"] > 0
    printed = capsys.readouterr().out
    assert "x ncps" in printed
    if _native.cfc_library() is not None:  # the CfC models have a matrix-product floor
        for record in records[1:]:
            floor = record["gemm_floor"]
            assert floor["ms"] > 0 and floor["gflop"] > 0
            assert floor["max_speedup_vs_ncps"] == pytest.approx(
                record["ncps"]["train_ms"] / floor["ms"]
            )
            assert f"{record['model']} 8: fast train step" in printed


def test_scan_macs_count_the_products_of_a_step() -> None:
    """The multiply-adds of one default-mode CfC scan, counted by hand for small sizes."""
    if _native.cfc_library() is None:
        pytest.skip("native CfC kernels unavailable")
    contender = build_contenders("cfc", 4, 2, 0)[1]
    x = torch.randn(3, 5, 2)
    floor = gemm_floor(contender, x)
    assert floor is not None
    steps, batch, n, h, k = 5, 3, 4, 128, 3  # ncps' default backbone: 128 units
    # forward l w_h^T and a w_y^T, backward dy w_y, d_pre w_h, d w_y, d b_y, d w_h
    per_sample_step = h * n + k * n * h + h * k * n + n * h + k * n * h + k * n + h * n
    assert floor[1] == steps * batch * per_sample_step
