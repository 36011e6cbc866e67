#!/usr/bin/env bash
# Start a one-node Slurm on this machine (for tests and trying the slurm profile), without systemd.
#
#   workflow/cluster/slurm_up.sh      # as root, or through sudo; idempotent
#   workflow/cluster/slurm_down.sh    # stops it again
#
# Installs slurmctld, slurmd, slurm-client and munge with apt-get when they are missing, writes
# /etc/slurm/slurm.conf (the job-step plugin drops SLURM_CONF, so the default path is the only one that
# works), starts munged on its default socket, then slurmctld and slurmd, and waits for the node to be
# idle. The node's CPUs and memory come from this machine; DefMemPerCPU is set so that a job without a
# memory request does not take the whole node. There is no slurmdbd: `sacct` does not work (use the
# profile's `slurm-status-command: squeue`); every finished job is written to the job completion log
# (JobCompType=jobcomp/filetxt), $LNNMETA_SLURM_JOBCOMP (default /var/log/slurm/jobcomp.log).
#
# A Slurm configuration that this script did not write is never touched: the script stops with an error.
set -euo pipefail

CONF_DIR=/etc/slurm
CONF=$CONF_DIR/slurm.conf
MARKER="# written by lnnmeta workflow/cluster/slurm_up.sh"
LOG_DIR=/var/log/slurm
JOBCOMP=${LNNMETA_SLURM_JOBCOMP:-$LOG_DIR/jobcomp.log}
PARTITION=${LNNMETA_SLURM_PARTITION:-debug}
PACKAGES=(slurmctld slurmd slurm-client munge)

say() { echo "slurm_up: $*" >&2; }

if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
        exec sudo -n -E "$0" "$@"
    fi
    say "needs root (or passwordless sudo) to install and start Slurm"
    exit 2
fi

# 1. Packages (not started by their maintainer scripts: there is no init system to start them).
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "installing ${missing[*]}"
    own_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod +x /usr/sbin/policy-rc.d
        own_policy=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    [ -n "$own_policy" ] && rm -f /usr/sbin/policy-rc.d
fi

# 2. Configuration (never overwrite a site's own).
if [ -f "$CONF" ] && ! grep -qF "$MARKER" "$CONF"; then
    say "$CONF exists and was not written by this script; refusing to touch a real Slurm"
    exit 3
fi
host=$(hostname -s)
cpus=$(nproc)
# Memory: what slurmd sees, capped by a cgroup limit, less 10% for the system.
mem_mb=$(slurmd -C 2>/dev/null | sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' | head -1)
[ -n "$mem_mb" ] || mem_mb=$(($(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024))
if [ -r /sys/fs/cgroup/memory.max ] && [ "$(cat /sys/fs/cgroup/memory.max)" != max ]; then
    cg_mb=$(($(cat /sys/fs/cgroup/memory.max) / 1048576))
    [ "$cg_mb" -lt "$mem_mb" ] && mem_mb=$cg_mb
fi
mem_mb=$((mem_mb * 9 / 10))
def_mem=$((mem_mb / cpus))
[ "$def_mem" -gt 1024 ] && def_mem=1024

mkdir -p "$CONF_DIR" "$LOG_DIR" /var/spool/slurmctld /var/spool/slurmd "$(dirname "$JOBCOMP")"
cat >"$CONF.tmp" <<EOF
$MARKER
# One node, no accounting database: tests and local trials of workflow/profiles/slurm.
ClusterName=lnnmeta
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CryptoType=crypto/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/affinity
ReturnToService=2
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmdSpoolDir=/var/spool/slurmd
StateSaveLocation=/var/spool/slurmctld
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU_Memory
DefMemPerCPU=$def_mem
# Finished jobs stay visible to squeue for 5 minutes (the profile's status command relies on it).
MinJobAge=300
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$JOBCOMP
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=$PARTITION Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
mv "$CONF.tmp" "$CONF"

# 3. munge on its default socket (/run/munge/munge.socket.2), as the munge user.
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    if [ ! -s /etc/munge/munge.key ]; then
        mkdir -p /etc/munge
        if command -v mungekey >/dev/null; then
            mungekey --create --keyfile /etc/munge/munge.key
        else
            dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null
        fi
    fi
    chown munge:munge /etc/munge/munge.key
    chmod 0400 /etc/munge/munge.key
    mkdir -p /run/munge /var/log/munge /var/lib/munge
    chown munge:munge /run/munge /var/log/munge /var/lib/munge
    chmod 0755 /run/munge
    runuser -u munge -- /usr/sbin/munged
    for _ in $(seq 50); do
        munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
        sleep 0.1
    done
    munge -n | unmunge >/dev/null || { say "munged did not start"; exit 4; }
    touch /run/munge/lnnmeta-started   # slurm_down.sh stops only a munged started here
fi

# 4. The daemons: restarted, so that they read the configuration just written.
stop_pid() {
    local f=$1
    [ -s "$f" ] || return 0
    local pid
    pid=$(cat "$f")
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$f"
}
stop_pid /run/slurmd.pid
stop_pid /run/slurmctld.pid
/usr/sbin/slurmctld -c   # -c: start from a clean state (no jobs left from an earlier start)
/usr/sbin/slurmd

# 5. Wait until the node takes jobs.
state=""
for i in $(seq 120); do
    state=$(sinfo -h -N -n "$host" -o %T 2>/dev/null | head -1 || true)
    case "$state" in
        idle | mixed | allocated) break ;;
        down* | drain* | inval*)
            if [ $((i % 10)) = 0 ]; then
                scontrol update nodename="$host" state=resume 2>/dev/null || true
            fi
            ;;
    esac
    sleep 0.5
done
case "$state" in
    idle | mixed | allocated) ;;
    *)
        say "node $host is '$state' after 60 s; see $LOG_DIR/slurmctld.log and $LOG_DIR/slurmd.log"
        exit 5
        ;;
esac
say "Slurm is up: node $host ($cpus CPUs, $mem_mb MB, DefMemPerCPU=$def_mem), partition $PARTITION, job completion log $JOBCOMP"
