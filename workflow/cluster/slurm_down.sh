#!/usr/bin/env bash
# Stop the one-node Slurm started by workflow/cluster/slurm_up.sh: slurmd, slurmctld, and munged if
# slurm_up.sh started it. Removes the configuration it wrote and the controller's state; keeps the
# packages and the logs under /var/log/slurm (the job completion log included). Idempotent.
set -euo pipefail

CONF=/etc/slurm/slurm.conf
MARKER="# written by lnnmeta workflow/cluster/slurm_up.sh"

say() { echo "slurm_down: $*" >&2; }

if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        exec sudo -n -E "$0" "$@"
    fi
    say "needs root (or passwordless sudo)"
    exit 2
fi

if [ -f "$CONF" ] && ! grep -qF "$MARKER" "$CONF"; then
    say "$CONF was not written by slurm_up.sh; leaving this Slurm alone"
    exit 3
fi

stop_pid() {
    local f=$1
    [ -s "$f" ] || return 0
    local pid
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
}

# Cancel what is still queued or running (this cluster runs only our jobs), so that no job step
# outlives slurmd.
if [ -s /run/slurmctld.pid ] && kill -0 "$(cat /run/slurmctld.pid)" 2>/dev/null; then
    if [ -n "$(squeue -h -o %i 2>/dev/null)" ]; then
        squeue -h -o %i | xargs -r scancel 2>/dev/null || true
        for _ in $(seq 30); do [ -z "$(squeue -h -t R,CG -o %i 2>/dev/null)" ] && break; sleep 0.5; done
    fi
fi
stop_pid /run/slurmd.pid
stop_pid /run/slurmctld.pid
if [ -e /run/munge/lnnmeta-started ]; then
    stop_pid /run/munge/munged.pid
    rm -f /run/munge/lnnmeta-started
fi
rm -f "$CONF"
rm -rf /var/spool/slurmctld/* /var/spool/slurmd/*
say "Slurm stopped"
