"""One training job per task x model trains every seed; each seed equals a job of its own."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd

from lnnmeta.pipeline import train_seeds
from lnnmeta.tables import read_table, write_table

TRAINING = {
    "units": 6,
    "epochs": 3,
    "patience": 2,
    "batch_size": 32,
    "max_train_samples": 64,
    "max_test_samples": 48,
}
CONDITIONS = {"noise": [0.3], "irregular": [0.3], "length": [0.5]}
#: Measurements of the machine (time, memory), not results.
MEASURED = ["train_time_per_epoch_s", "infer_latency_s", "peak_train_mem_bytes", "git_commit"]


def _job(seeds: list[int], folder: Path, **kw: object) -> list[pd.DataFrame]:
    outs: list[str | Path] = [folder / f"seed{s}.parquet" for s in seeds]
    return train_seeds(
        "italy_power_demand", "cfc", seeds, TRAINING, {}, CONDITIONS, "fast", {}, outs, **kw
    )


def test_multi_seed_job_equals_single_seed_jobs_value_for_value(tmp_path: Path) -> None:
    together = _job([0, 1], tmp_path)
    # seed 1 alone, in a fresh interpreter (no state shared with the job above)
    code = (
        "import json,sys; from lnnmeta.pipeline import train_job; "
        "a=json.loads(sys.argv[1]); train_job('italy_power_demand','cfc',1,a['t'],{},a['c'],'fast',{},a['o'])"
    )
    out = tmp_path / "alone.parquet"
    args = json.dumps({"t": TRAINING, "c": CONDITIONS, "o": str(out)})
    subprocess.run(
        [sys.executable, "-c", code, args], check=True, env={**os.environ, "OMP_NUM_THREADS": "1"}
    )
    alone = read_table(out, "runs")
    pd.testing.assert_frame_equal(
        together[1].drop(columns=MEASURED), alone.drop(columns=MEASURED), check_exact=True
    )
    assert not together[0]["value"].equals(together[1]["value"])  # the seeds differ
    # each seed reads its own peak memory (the process's high-water mark is reset per seed; with
    # getrusage's lifetime mark the second seed read 0)
    from lnnmeta import memprobe

    if memprobe.reset_high_water_mark():
        assert (together[1]["peak_train_mem_bytes"] > 0).all()


def test_a_rerun_after_a_kill_takes_finished_seeds_from_the_resume_folder(tmp_path: Path) -> None:
    resume = tmp_path / "resume"
    first = _job([0], tmp_path / "a", resume_dir=resume, code_digest="x")[0]
    assert not resume.exists()  # a finished job leaves no resume folder behind
    # a killed job: seed 0 finished (kept under its key), seed 1 did not; mark the kept table
    from lnnmeta.training import Protocol, config_hash

    payload = {
        "task": "italy_power_demand",
        "model": "cfc",
        "seed": 0,
        "protocol": Protocol.from_config(TRAINING, {}).__dict__,
        "conditions": CONDITIONS,
        "backend": "fast",
        "user": None,
    }
    kept = resume / f"seed0-{config_hash({**payload, 'code': 'x'})}.parquet"
    kept.parent.mkdir(parents=True)
    write_table(first.assign(value=-1.0), kept, "runs")
    again = _job([0, 1], tmp_path / "b", resume_dir=resume, code_digest="x")
    assert (again[0]["value"] == -1.0).all()  # taken from the resume folder, not retrained
    assert (again[1]["value"] >= 0).all()
    # a changed code digest does not reuse it
    kept.parent.mkdir(parents=True)
    write_table(first.assign(value=-1.0), kept, "runs")
    fresh = _job([0], tmp_path / "c", resume_dir=resume, code_digest="changed")
    assert (fresh[0]["value"] >= 0).all()
