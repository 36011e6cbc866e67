"""Outputs are written atomically: a writer killed mid-write leaves the previous file (or none),
never a partial one; a partial Parquet file is never read as a table; bad input logs one line per
problem and exits 1 without a traceback."""

from __future__ import annotations

import logging
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from lnnmeta.atomic import atomic_path, write_text
from lnnmeta.errors import InputError
from lnnmeta.logs import logged
from lnnmeta.tables import TableError, empty_frame, read_table, write_table


def test_failed_write_leaves_previous_content_and_no_temp(tmp_path: Path) -> None:
    target = tmp_path / "out" / "t.txt"
    write_text(target, "old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("interrupted")
    assert target.read_text() == "old"
    assert sorted(p.name for p in target.parent.iterdir()) == ["t.txt"]


def test_sigkilled_writer_leaves_no_partial_parquet(tmp_path: Path) -> None:
    """A process killed (SIGKILL) in the middle of writing a table: the target never appears."""
    target = tmp_path / "runs" / "seed0.parquet"
    code = textwrap.dedent(
        f"""
        import os, signal
        from lnnmeta.atomic import atomic_path
        with atomic_path({str(target)!r}) as tmp:
            tmp.write_bytes(b"PAR1" + b"x" * 1000)  # half a Parquet file
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    res = subprocess.run([sys.executable, "-c", code], check=False, timeout=60)
    assert res.returncode == -9
    assert not target.exists()
    leftovers = list(target.parent.iterdir())
    assert all(p.name.startswith(".seed0.parquet.") and p.suffix == ".tmp" for p in leftovers)


def test_partial_parquet_is_rejected_not_read(tmp_path: Path) -> None:
    whole = tmp_path / "whole.parquet"
    write_table(empty_frame("runs"), whole, "runs")
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(TableError, match="not a readable Parquet file"):
        read_table(cut, "runs")
    assert read_table(whole, "runs").empty


def test_write_table_rejects_bad_frames_before_writing(tmp_path: Path) -> None:
    target = tmp_path / "reported.parquet"
    with pytest.raises(TableError):
        write_table(pd.DataFrame({"x": [1]}), target, "reported")
    assert not target.exists() and not list(tmp_path.iterdir())


def test_logged_turns_input_errors_into_lines_and_exit_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    log = tmp_path / "logs" / "rule.log"
    problems = [
        "a.yaml: table 't1', row 0, field 'model': bad; expected good",
        "b.yaml: field 'x': bad; expected y",
    ]
    with pytest.raises(SystemExit) as info, logged(log):
        raise InputError(problems)
    assert info.value.code == 1
    text = log.read_text()
    assert all(p in text for p in problems) and "Traceback" not in text
    assert len(text.splitlines()) == 2
    assert "Traceback" not in capsys.readouterr().err
    assert not logging.getLogger("lnnmeta").handlers  # handlers removed again


def test_logged_writes_a_bugs_traceback_into_the_rule_log(tmp_path: Path) -> None:
    log = tmp_path / "rule.log"
    with pytest.raises(OverflowError), logged(log):
        raise OverflowError("cannot convert float infinity to integer")
    text = log.read_text()
    assert "unexpected error" in text and "Traceback" in text and "OverflowError" in text
    assert not logging.getLogger("lnnmeta").handlers
