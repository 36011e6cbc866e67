"""Wall time of the whole pipeline on a config, in a fresh working directory.

The workflow (Snakefile, rules, workflow, src, config) is linked into an empty temporary folder and
run there with ``snakemake --cores N --configfile CONFIG``, so nothing already computed is reused.
Reported: the wall time of the whole run, the number of jobs per rule, and from Snakemake's
``benchmark:`` files the wall and CPU seconds of the costly jobs (training, sanity baselines, the cost
benchmark). The load average before the run is recorded: a run on a machine that is busy with other
work is a diagnostic, not a measurement. Results go to ``benchmarks/pipeline.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

LINKED = ("Snakefile", "rules", "workflow", "src", "config")


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Command-line options of ``python -m lnnmeta.bench pipeline``."""
    p.add_argument("--configfile", default="config/config.yaml")
    p.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    p.add_argument("--root", default=".", help="the repository (default: here)")
    p.add_argument("--keep", action="store_true", help="keep the temporary working folder")
    p.add_argument("--out", default="benchmarks/pipeline.json")


def _benchmarks(work: Path) -> dict[str, dict[str, float]]:
    """Per rule: jobs, summed wall and CPU seconds, the longest job (Snakemake benchmark TSVs)."""
    out: dict[str, dict[str, float]] = defaultdict(
        lambda: {"jobs": 0, "wall_s": 0.0, "cpu_s": 0.0, "max_wall_s": 0.0, "max_rss_mb": 0.0}
    )
    for tsv in sorted((work / "benchmarks").rglob("*.tsv")):
        rule = tsv.relative_to(work / "benchmarks").parts[0]
        with tsv.open() as f:
            for row in csv.DictReader(f, delimiter="\t"):
                r = out[rule]
                wall = float(row["s"])
                r["jobs"] += 1
                r["wall_s"] += wall
                r["cpu_s"] += float(row.get("cpu_time") or 0.0)
                r["max_wall_s"] = max(r["max_wall_s"], wall)
                rss = row.get("max_rss") or "0"
                r["max_rss_mb"] = max(r["max_rss_mb"], float(rss) if rss != "-" else 0.0)
    return dict(out)


def _jobs(log: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    started = False
    for line in log.splitlines():
        if line.startswith("job ") and "count" in line:
            started = True
            continue
        if started:
            parts = line.split()
            if len(parts) == 2 and parts[1].isdigit():
                if parts[0] == "total":
                    break
                counts[parts[0]] = int(parts[1])
    return counts


def run(args: argparse.Namespace) -> int:
    """Run the pipeline in a fresh folder, print and write the timings."""
    root = Path(args.root).resolve()
    work = Path(tempfile.mkdtemp(prefix="lnnmeta-bench-"))
    for name in LINKED:
        (work / name).symlink_to(root / name)
    load = os.getloadavg()
    cmd = [
        sys.executable,
        "-m",
        "snakemake",
        "--cores",
        str(args.cores),
        "--configfile",
        args.configfile,
    ]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, cwd=work, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    result: dict[str, Any] = {
        "command": " ".join(["snakemake", *cmd[3:]]),
        "returncode": res.returncode,
        "wall_s": wall,
        "cores": args.cores,
        "cpu_count": os.cpu_count(),
        "load_before": load,
        "load_after": os.getloadavg(),
        "machine": platform.platform(),
        "jobs": _jobs(res.stdout + res.stderr),
        "rules": _benchmarks(work),
    }
    if res.returncode != 0:
        result["tail"] = (res.stdout + res.stderr)[-4000:]
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=1))
    print(f"{result['command']}: {wall / 60:.1f} min wall, exit {res.returncode}")
    print(
        f"load average before: {load[0]:.2f} (1 min), {load[1]:.2f} (5 min) on {os.cpu_count()} CPUs"
    )
    print(
        f"jobs: {sum(result['jobs'].values())} ({', '.join(f'{k} {v}' for k, v in result['jobs'].items())})"
    )
    for rule, r in result["rules"].items():
        print(
            f"  {rule:22s} {int(r['jobs']):4d} jobs  wall {r['wall_s']:8.1f} s  cpu {r['cpu_s']:8.1f} s"
            f"  longest {r['max_wall_s']:6.1f} s  max RSS {r['max_rss_mb']:7.1f} MB"
        )
    if args.keep:
        print(f"working folder kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if res.returncode == 0 else 1
