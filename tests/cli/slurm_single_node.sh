#!/usr/bin/env bash
# tools/slurm/sweep_array.sh end to end on a one-node SLURM cluster this test starts (munged,
# slurmctld and slurmd from Debian's munge and slurm-wlm, configured and kept in a temporary
# folder, on free local ports) and stops: the merged shards of the job array are the files, byte
# for byte, of the same sweep run locally. Exits 77 (skipped) without SLURM or root (slurmd
# starts jobs as their user). Usage: slurm_single_node.sh SPECSIM SOURCE_DIR
set -euo pipefail
specsim=$1
source_dir=$2
for tool in munged slurmctld slurmd sbatch squeue; do
  command -v "$tool" >/dev/null || PATH=$PATH:/usr/sbin
  command -v "$tool" >/dev/null || { echo "skipped: no $tool (Debian packages munge and slurm-wlm)"; exit 77; }
done
[ "$(id -u)" -eq 0 ] || { echo "skipped: slurmd needs root"; exit 77; }

tmp=$(mktemp -d)
chmod 755 "$tmp"
stop() {
  for pid in "$tmp"/slurmd.pid "$tmp"/slurmctld.pid; do [ -f "$pid" ] && kill "$(cat "$pid")" 2>/dev/null || true; done
  [ -S "$tmp/munge/munge.sock" ] && munged --socket="$tmp/munge/munge.sock" --stop 2>/dev/null || true
  sleep 1
  rm -rf "$tmp"
}
trap stop EXIT

mkdir -p "$tmp/munge" "$tmp/state" "$tmp/spool"
chmod 700 "$tmp/munge"
head -c 1024 /dev/urandom > "$tmp/munge/munge.key"
chmod 400 "$tmp/munge/munge.key"
munged --force --key-file="$tmp/munge/munge.key" --socket="$tmp/munge/munge.sock" --log-file="$tmp/munge/munged.log" \
  --pid-file="$tmp/munge/munged.pid" --seed-file="$tmp/munge/seed"

read -r ctld_port node_port < <(python3 -c '
import socket
s = [socket.socket() for _ in range(2)]
for x in s: x.bind(("127.0.0.1", 0))
print(*[x.getsockname()[1] for x in s])')
node=$(hostname -s)
: > "$tmp/plugstack.conf"
cat > "$tmp/slurm.conf" <<CONF
ClusterName=specsimtest
SlurmctldHost=$node(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$tmp/munge/munge.sock
CredType=cred/munge
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/slurmctld.pid
SlurmdPidFile=$tmp/slurmd.pid
SlurmctldPort=$ctld_port
SlurmdPort=$node_port
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/builtin
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
PlugStackConfig=$tmp/plugstack.conf
SlurmctldLogFile=$tmp/slurmctld.log
SlurmdLogFile=$tmp/slurmd.log
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=test Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF=$tmp/slurm.conf
slurmctld -f "$SLURM_CONF"
slurmd -f "$SLURM_CONF"
for _ in $(seq 1 60); do sinfo -h -o %t 2>/dev/null | grep -qx idle && break; sleep 0.5; done
sinfo -h -o %t | grep -qx idle || { echo "the node never became idle" >&2; tail -n 20 "$tmp"/slurm*.log >&2; exit 1; }

sweep=$source_dir/scenarios/sweeps/k-vs-match-rate.yaml
"$specsim" sweep "$sweep" --episodes 100 -o "$tmp/local" --jobs 2 -q
merge_job=$(SPECSIM=$specsim bash "$source_dir/tools/slurm/sweep_array.sh" "$sweep" "$tmp/cluster" 3 --episodes 100)
for _ in $(seq 1 240); do
  [ -z "$(squeue -h -j "$merge_job" 2>/dev/null)" ] && break
  sleep 0.5
done
[ -f "$tmp/cluster/merged/summary.csv" ] || { echo "no merged summary" >&2; cat "$tmp"/cluster/slurm-*.log >&2 || true; exit 1; }
for s in 1 2 3; do
  n=$(find "$tmp/cluster/shard-$s/runs" -name '*.h5' | wc -l)
  [ "$n" -eq 24 ] || { echo "array task $s holds $n runs, expected 24" >&2; exit 1; }
done
diff -r "$tmp/local/runs" "$tmp/cluster/merged/runs"
for f in summary.csv summary.h5 sweep.json; do cmp "$tmp/local/$f" "$tmp/cluster/merged/$f"; done
echo "a 3-task SLURM job array and its merge job: merged files identical to the local sweep"
