"""Smoke test of ``python -m lnnmeta.bench kernels`` (tiny sizes; no timing assertions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lnnmeta.bench import main


def test_kernels_benchmark_writes_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "kernels.json"
    argv = ["kernels", "--units", "4", "--rounds", "1", "--warmup", "0", "--batch", "2"]
    assert main([*argv, "--steps", "3", "--inputs", "2", "--out", str(out)]) == 0
    document = json.loads(out.read_text())
    assert document["environment"]["threads"] == 1
    assert document["environment"]["ltc_kernels"].startswith(("native-", "eager"))
    records = document["results"]
    assert [(r["model"], r["units"]) for r in records] == [("ltc", 4), ("cfc", 4)]
    for record in records:
        assert record["max_abs_diff"] <= 1e-5
        assert {"ncps", "fast", "lstm"} <= record.keys()
        assert record["fast"]["train_ms"] > 0 and record["fast"]["saved_bytes"] > 0
    assert "x ncps" in capsys.readouterr().out
