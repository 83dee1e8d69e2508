#!/usr/bin/env bash
# Runs a sweep on a SLURM cluster as a job array: array task I of N runs shard I/N of the sweep
# into OUT/shard-I, and a job that waits for the whole array (afterok) merges the shards into
# OUT/merged, the same files a local `specsim sweep` writes. Prints the merge job's id.
#
#   tools/slurm/sweep_array.sh SWEEP.yaml OUT N [specsim sweep options, e.g. --episodes 1000]
#
# OUT must be on a file system every node sees. The binary is $SPECSIM (default: specsim on PATH).
# Options for sbatch go in its own environment variables (SBATCH_PARTITION, SBATCH_TIMELIMIT,
# SBATCH_ACCOUNT, ...); each task uses the CPUs SLURM gives it (--cpus-per-task) as --jobs.
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: $0 SWEEP.yaml OUT N [specsim sweep options]" >&2
  exit 2
fi
sweep=$(realpath "$1")
out=$(realpath -m "$2")
shards=$3
shift 3
if ! [[ $shards =~ ^[1-9][0-9]*$ ]]; then
  echo "$0: N must be a whole number >= 1, got '$shards'" >&2
  exit 2
fi
specsim=$(command -v "${SPECSIM:-specsim}") || { echo "$0: no specsim binary (set SPECSIM)" >&2; exit 2; }
mkdir -p "$out"

# Every word quoted for the shell that runs the job; the task's index is expanded there.
q() { printf '%q ' "$@"; }
task="$(q "$specsim" sweep "$sweep" "$@")-o $(printf %q "$out")/shard-\$SLURM_ARRAY_TASK_ID"
task+=" --shard \$SLURM_ARRAY_TASK_ID/$shards --jobs \${SLURM_CPUS_PER_TASK:-1} -q"
array=$(sbatch --parsable --job-name=specsim-sweep --array="1-$shards" --output="$out/slurm-%A_%a.log" --wrap "$task")
array=${array%%;*}  # "id;cluster" on a federation

shard_dirs=""
for i in $(seq 1 "$shards"); do shard_dirs+="$(q "$out/shard-$i")"; done
merge="$(q "$specsim")sweep merge $shard_dirs-o $(q "$out/merged")-q"
sbatch --parsable --job-name=specsim-merge --dependency="afterok:$array" --kill-on-invalid-dep=yes \
  --output="$out/slurm-merge-%j.log" --wrap "$merge"
