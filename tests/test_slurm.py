"""The rerun grid on a real Slurm through ``workflow/profiles/slurm`` (issue 7).

The slow tests start a one-node Slurm with ``workflow/cluster/slurm_up.sh`` (as root or through
passwordless sudo; the script installs the Debian packages on a fresh machine), run the rerun grid of
config/ci.yaml (one seed; every job up to results/runs/all.parquet) through the slurm profile and, at
the same time, through the local profile in a second copy of the workflow, then check that every job
went through Slurm (its job completion log, ``JobCompType=jobcomp/filetxt``) and that both runs give
the same metric values. ``slurm_down.sh`` stops the cluster in the fixture's finalizer.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from tests.conftest import ROOT, copy_workflow

CLUSTER = ROOT / "workflow" / "cluster"
PROFILES = ROOT / "workflow" / "profiles"
TARGET = "results/runs/all.parquet"
KEYS = ["task", "model", "seed", "condition"]
RUN_TIMEOUT_S = 300  # per run; `timeout -k` because a hung Snakemake ignores SIGTERM
# One seed of the CI grid (2 tasks x 4 models): each Slurm job starts Snakemake twice (the job and its
# step), ~30 s per job on 2 busy cores, and the whole test must stay within about 6 minutes.
SEEDS = [0]
CONF_MARKER = "# written by lnnmeta workflow/cluster/slurm_up.sh"


def _profile(name: str) -> dict[str, Any]:
    data = yaml.safe_load((PROFILES / name / "config.yaml").read_text())
    assert isinstance(data, dict)
    return data


def _env() -> dict[str, str]:
    # Jobs run Snakemake with this interpreter; its bin/ must be on PATH for srun and the job step.
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"
    return {**os.environ, "PATH": path, "OMP_NUM_THREADS": "1"}


def _start(workdir: Path, *args: str) -> subprocess.Popen[bytes]:
    log = (workdir / "snakemake.out").open("wb")
    cmd = ["timeout", "-k", "15", str(RUN_TIMEOUT_S), sys.executable, "-m", "snakemake", *args]
    return subprocess.Popen(
        cmd, cwd=workdir, env=_env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def _finish(proc: subprocess.Popen[bytes], workdir: Path, what: str) -> str:
    rc = proc.wait(timeout=RUN_TIMEOUT_S + 60)
    out = (workdir / "snakemake.out").read_text(errors="replace")
    hint = " (timed out)" if rc in (124, 137) else ""
    assert rc == 0, f"{what} run failed with exit code {rc}{hint}:\n{out[-6000:]}"
    return out


def _as_root(script: Path) -> list[str]:
    return [str(script)] if os.geteuid() == 0 else ["sudo", "-n", str(script)]


def _can_be_root() -> bool:
    if os.geteuid() == 0:
        return True
    if shutil.which("sudo") is None:
        return False
    return subprocess.run(["sudo", "-n", "true"], capture_output=True, check=False).returncode == 0


def _jobcomp_records(path: Path) -> list[dict[str, str]]:
    """The job completion log: one line per finished job, ``Key=Value`` fields."""
    records = []
    for line in path.read_text().splitlines():
        fields = dict(f.split("=", 1) for f in line.split() if "=" in f)
        if "JobId" in fields:
            records.append(fields)
    return records


def _mem_mb(tres: str) -> int:
    """Memory in MB from a Tres field such as ``cpu=1,mem=2000M,node=1``."""
    mem = dict(kv.split("=", 1) for kv in tres.split(","))["mem"]
    factor = {"M": 1, "G": 1024, "T": 1024 * 1024}[mem[-1]]
    return round(float(mem[:-1]) * factor)


# --- fast checks of the profiles ---------------------------------------------------------------


def test_profiles_hold_what_the_cluster_needs() -> None:
    slurm = _profile("slurm")
    assert slurm["executor"] == "slurm"
    assert slurm["slurm-status-command"] == "squeue"  # sacct hangs without slurmdbd
    assert slurm["retries"] >= 1
    # account and partition are site settings: a site profile's default-resources must pass through
    assert "default-resources" not in slurm
    assert set(slurm["set-resources"]) >= {"collect_runs", "pool_effects", "render_report_pdf"}
    assert "train_baseline" not in slurm["set-resources"]  # scaled on the rule itself
    local = _profile("local")
    assert "executor" not in local and local["keep-going"] and local["rerun-incomplete"]


def test_gpu_profile_is_the_slurm_profile_plus_gpus() -> None:
    slurm, gpu = _profile("slurm"), _profile("gpu")
    assert gpu["resources"]["gpu"] >= 1
    assert gpu["set-resources"].pop("train_baseline") == {"gpu": 1}
    del gpu["resources"]
    assert gpu == slurm


def test_cluster_scripts_are_valid_bash() -> None:
    for script in ("slurm_up.sh", "slurm_down.sh"):
        path = CLUSTER / script
        assert os.access(path, os.X_OK), f"{path} is not executable"
        subprocess.run(["bash", "-n", str(path)], check=True)


# --- Snakemake with the profiles ---------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize("profile", ["slurm", "gpu", "local"])
def test_dry_run_with_profile(profile: str, tmp_path: Path) -> None:
    """`snakemake --profile workflow/profiles/<name> -n` works from the repository root."""
    work = copy_workflow(tmp_path)
    cmd = ["timeout", "-k", "10", "120", sys.executable, "-m", "snakemake"]
    cmd += ["--profile", f"workflow/profiles/{profile}", "-n", "--configfile", "config/ci.yaml"]
    res = subprocess.run(cmd, cwd=work, env=_env(), capture_output=True, text=True, check=False)
    out = res.stdout + res.stderr
    assert res.returncode == 0, out[-4000:]
    assert "train_baseline" in out and "mem_mb=" in out


@pytest.fixture(scope="module")
def slurm_cluster(request: pytest.FixtureRequest) -> Path:
    """A running one-node Slurm; returns its job completion log. Stopped by the finalizer."""
    if not _can_be_root():
        pytest.skip("starting a Slurm needs root or passwordless sudo")
    conf = Path("/etc/slurm/slurm.conf")
    if conf.exists() and CONF_MARKER not in conf.read_text(errors="replace"):
        pytest.skip(f"{conf} belongs to a Slurm not started by slurm_up.sh; not touching it")
    if shutil.which("apt-get") is None and shutil.which("slurmctld") is None:
        pytest.skip("no Slurm installed and no apt-get to install it")

    def down() -> None:
        subprocess.run([*_as_root(CLUSTER / "slurm_down.sh")], timeout=120, check=False)

    request.addfinalizer(down)  # before starting, so that a half-started cluster is stopped too
    up = subprocess.run(
        [*_as_root(CLUSTER / "slurm_up.sh")], capture_output=True, text=True, timeout=600
    )
    assert up.returncode == 0, f"slurm_up.sh failed:\n{up.stdout}\n{up.stderr}"
    config = subprocess.run(
        ["scontrol", "show", "config"], capture_output=True, text=True, check=True
    ).stdout
    loc = next(ln.split("=", 1)[1].strip() for ln in config.splitlines() if "JobCompLoc" in ln)
    return Path(loc)


@pytest.fixture(scope="module")
def grid_runs(slurm_cluster: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The CI rerun grid through the slurm profile and, side by side, the local profile."""
    slurm_dir = copy_workflow(tmp_path_factory.mktemp("slurm_run"))
    local_dir = copy_workflow(tmp_path_factory.mktemp("local_run"))
    for work in (slurm_dir, local_dir):
        (work / "seeds.yaml").write_text(yaml.safe_dump({"seeds": SEEDS}))
    # --configfile takes one or more files: "--" ends them before the target.
    common = ["--configfile", "config/ci.yaml", "seeds.yaml", "--", TARGET]
    start = time.monotonic()
    on_slurm = _start(
        slurm_dir,
        "--profile",
        "workflow/profiles/slurm",
        "--slurm-init-seconds-before-status-checks",
        "5",
        "--slurm-keep-successful-logs",
        *common,
    )
    local = _start(local_dir, "--profile", "workflow/profiles/local", *common)
    try:
        _finish(local, local_dir, "local")
        out = _finish(on_slurm, slurm_dir, "Slurm")
    finally:
        for proc in (local, on_slurm):  # a failed check leaves the other run going: stop it
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
    return {
        "slurm": slurm_dir.resolve(),
        "local": local_dir.resolve(),
        "out": out,
        "seconds": time.monotonic() - start,
        "jobcomp": _jobcomp_records(slurm_cluster),
    }


def _slurm_jobs(runs: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Slurm job id -> (rule, wildcards), from the plugin's per-job logs."""
    logs = runs["slurm"] / ".snakemake" / "slurm_logs"
    jobs = {}
    for log in logs.rglob("*.log"):
        rel = log.relative_to(logs).parts  # rule_<name>/[<wildcards>/]<jobid>.log
        jobs[log.stem] = (rel[0].removeprefix("rule_"), rel[1] if len(rel) == 3 else "")
    return jobs


@pytest.mark.slow
def test_every_job_ran_on_slurm(grid_runs: dict[str, Any]) -> None:
    ci = yaml.safe_load((ROOT / "config" / "ci.yaml").read_text())
    n_train = len(ci["tasks"]) * len(ci["models"]) * len(SEEDS)
    jobs = _slurm_jobs(grid_runs)
    rules = [rule for rule, _ in jobs.values()]
    assert rules.count("train_baseline") == n_train, jobs
    assert rules.count("collect_runs") == 1, jobs
    # Slurm's own record of every job of this run: started in its working directory, completed.
    ours = {
        r["JobId"]: r for r in grid_runs["jobcomp"] if r.get("WorkDir") == str(grid_runs["slurm"])
    }
    assert set(ours) == set(jobs), (
        f"Snakemake's jobs {sorted(jobs)}, Slurm's records {sorted(ours)}"
    )
    for job_id, rec in ours.items():
        assert rec["JobState"] == "COMPLETED" and rec["ExitCode"] == "0:0", (jobs[job_id], rec)
    assert "SLURM run ID" in grid_runs["out"]
    for run in ("slurm", "local"):  # every training job of the grid wrote its table
        assert len(list((grid_runs[run] / "results/runs").glob("*/*/seed*.parquet"))) == n_train


@pytest.mark.slow
def test_rule_resources_reach_slurm(grid_runs: dict[str, Any]) -> None:
    jobs = _slurm_jobs(grid_runs)
    mem = {
        jobs[r["JobId"]]: _mem_mb(r["Tres"])
        for r in grid_runs["jobcomp"]
        if r["JobId"] in jobs and r.get("WorkDir") == str(grid_runs["slurm"])
    }
    train = {wc: mb for (rule, wc), mb in mem.items() if rule == "train_baseline"}
    ltc = [mb for wc, mb in train.items() if wc.endswith("_ltc")]  # wildcards: {task}_{model}
    lstm = [mb for wc, mb in train.items() if wc.endswith("_lstm")]
    assert ltc and lstm and min(ltc) > max(lstm) >= 2000, train  # LTC's backward term
    assert mem[("collect_runs", "")] == 2000  # from the profile's set-resources


@pytest.mark.slow
def test_slurm_results_equal_local_results(grid_runs: dict[str, Any]) -> None:
    def values(run: str) -> pd.DataFrame:
        df = pd.read_parquet(grid_runs[run] / TARGET, columns=[*KEYS, "value"])
        return df.sort_values(KEYS).reset_index(drop=True)

    on_slurm, local = values("slurm"), values("local")
    assert len(on_slurm) > 0
    # Training is deterministic on one machine for one seed: the values are identical.
    pd.testing.assert_frame_equal(on_slurm, local, check_exact=True)
