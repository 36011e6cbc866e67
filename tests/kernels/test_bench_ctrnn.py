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
        assert record["max_abs_diff"] <= 1e-5  # eager and native CT-RNN agree
        for name in ("eager", "native", "lstm"):
            assert len(record[name]["train_raw_ms"]) == 2
            assert record[name]["train_ms"] > 0 and record[name]["saved_bytes"] > 0
        ratio = record["eager"]["train_ms"] / record["native"]["train_ms"]
        assert record["train_speedup_vs_eager"] == pytest.approx(ratio)
    assert "x eager" in capsys.readouterr().out
