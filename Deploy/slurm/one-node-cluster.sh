#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, on loopback, for trying Deploy/slurm/ without a
# real cluster (and for Tests/Integration/slurm.sh and Benchmarks/scaleout-benchmark.sh).
#
#   Deploy/slurm/one-node-cluster.sh start DIR   # writes DIR/slurm.conf, starts munged, slurmctld, slurmd
#   export SLURM_CONF=DIR/slurm.conf             # then sbatch, squeue, scontrol talk to it
#   Deploy/slurm/one-node-cluster.sh stop DIR    # stops the three daemons it started
#
# Everything lives in DIR: the munge key and socket, the config, the controller's state, the
# node's spool, the logs and the daemons' pid files. Nothing under /etc is read or changed.
# It runs as root (slurmd must), with the settings that need no cgroups and no systemd:
# SlurmUser=root, ProctrackType=proctrack/linuxproc, TaskPlugin=task/none, no accounting.
# The node is called `localnode`, has this machine's cores and memory, and is the only member
# of the partition `sweep`. Ports are picked free on 127.0.0.1.
# Needs Debian's slurm-wlm and munge (.ci/install/slurm.sh installs them).
set -euo pipefail

usage() { echo "usage: $0 start|stop DIR" >&2; exit 64; }
[[ $# -eq 2 ]] || usage
action=$1
dir=$2

free_port() {
    python3 - <<'PY'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
PY
}

stop() {
    # Only the daemons this script started, by the pids they wrote into DIR.
    for name in slurmd slurmctld munged; do
        local pidfile="$dir/run/$name.pid"
        [[ -f "$pidfile" ]] || continue
        local pid
        pid=$(cat "$pidfile" 2>/dev/null || true)
        if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
        fi
        rm -f "$pidfile"
    done
}

start() {
    for tool in munged mungekey slurmctld slurmd sbatch scontrol python3; do
        command -v "$tool" >/dev/null || { echo "$0: $tool not found: install Debian's slurm-wlm and munge (.ci/install/slurm.sh)" >&2; exit 77; }
    done
    [[ $(id -u) -eq 0 ]] || { echo "$0: must run as root (slurmd does)" >&2; exit 77; }
    mkdir -p "$dir"
    dir=$(cd "$dir" && pwd)
    runuser -u munge -- test -x "$dir" || { echo "$0: the user munge cannot reach $dir: every folder above it must be searchable by others (chmod o+x)" >&2; exit 1; }
    mkdir -p "$dir/munge" "$dir/munge-socket" "$dir/run" "$dir/log" "$dir/state" "$dir/spool"
    # munged checks that its folders belong to it and that no one else may write there; its key
    # folder is private, its socket folder must let every user through.
    chown munge:munge "$dir/munge" "$dir/munge-socket"
    chmod 0700 "$dir/munge"
    chmod 0755 "$dir/munge-socket"
    chmod 0755 "$dir"
    [[ -f "$dir/munge/munge.key" ]] || runuser -u munge -- mungekey --create --keyfile "$dir/munge/munge.key"
    runuser -u munge -- munged --key-file "$dir/munge/munge.key" --socket "$dir/munge-socket/munge.socket" \
        --pid-file "$dir/munge/munged.pid" --log-file "$dir/munge/munged.log" --seed-file "$dir/munge/munged.seed"
    cp "$dir/munge/munged.pid" "$dir/run/munged.pid"

    local cpus memory_mb ctld_port d_port
    cpus=$(nproc)
    memory_mb=$(( $(awk '/MemTotal/ { print $2 }' /proc/meminfo) / 1024 - 1024 ))
    ctld_port=$(free_port)
    d_port=$(free_port)
    while [[ "$d_port" == "$ctld_port" ]]; do d_port=$(free_port); done
    cat > "$dir/slurm.conf" <<CONF
# Written by Deploy/slurm/one-node-cluster.sh: one node on loopback, state in $dir.
ClusterName=platformsim
SlurmctldHost=localhost(127.0.0.1)
SlurmctldPort=$ctld_port
SlurmdPort=$d_port
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge-socket/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SwitchType=switch/none
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
SlurmctldTimeout=30
SlurmdTimeout=30
MinJobAge=300
NodeName=localnode NodeAddr=127.0.0.1 NodeHostname=localhost CPUs=$cpus RealMemory=$memory_mb State=UNKNOWN
PartitionName=sweep Nodes=localnode Default=YES MaxTime=INFINITE State=UP
CONF
    export SLURM_CONF="$dir/slurm.conf"
    slurmctld -f "$dir/slurm.conf"
    slurmd -f "$dir/slurm.conf" -N localnode
    # Ready when the node answers as idle.
    for _ in $(seq 1 100); do
        if scontrol show node localnode 2>/dev/null | grep -q 'State=IDLE'; then
            echo "$dir/slurm.conf"
            return 0
        fi
        sleep 0.2
    done
    echo "$0: the node did not come up within 20 s; logs in $dir/log" >&2
    tail -n 20 "$dir/log/slurmctld.log" "$dir/log/slurmd.log" >&2 || true
    stop
    exit 1
}

case $action in
    start) start ;;
    stop) stop ;;
    *) usage ;;
esac
