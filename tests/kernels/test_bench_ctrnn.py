"""Smoke test of ``python -m lnnmeta.bench ctrnn`` (tiny sizes; no timing assertions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lnnmeta.bench import main


def test_ctrnn_benchmark_writes_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ctrnn.json"
    argv = ["ctrnn", "--units", "4", "7", "--rounds", "2", "--warmup", "0", "--batch", "3"]
    assert main([*argv, "--steps", "5", "--inputs", "2", "--out", str(out)]) == 0
    document = json.loads(out.read_text())
    assert document["environment"]["threads"] == 1
    records = document["results"]
    assert [r["units"] for r in records] == [4, 7]
    for record in records:
        assert record["max_abs_diff"] <= 1e-5  # eager and fast (native) CT-RNN agree
        for name in ("eager", "fast", "lstm"):
            assert len(record[name]["train_raw_ms"]) == 2
            assert record[name]["train_ms"] > 0 and record[name]["saved_bytes"] > 0
        ratio = record["eager"]["train_ms"] / record["fast"]["train_ms"]
        assert record["train_speedup_vs_eager"] == pytest.approx(ratio)
        # 3 recurrent products per sub-step and sample: T 5, 6 unfolds, batch 3, N x N
        units = record["units"]
        assert record["products_gflop"] == pytest.approx(2e-9 * 3 * 5 * 6 * 3 * units * units)
        assert record["big_gemm_gflops"] > 0
    printed = capsys.readouterr().out
    assert "x eager" in printed and "ctrnn 7: the fast train step's recurrent products" in printed
