#!/usr/bin/env bash
# How a sweep splits over its jobs, counted by callgrind per thread (wall times on a shared machine
# are noise): each thread's instructions, the main thread's share of the whole (the serial part:
# start-up, expansion's hand-off, the summary), and the speed-up the split allows, the whole
# divided by the longest path (the main thread's instructions plus the busiest worker's). Waits
# cost no instructions, so a wait on HDF5's lock is not seen here; the wall-time benchmark
# `specsim_bench --benchmark_filter=sweep_jobs` shows it on an idle machine.
#
#   bench/sweep_instructions.sh SWEEP.yaml [EPISODES] [JOBS]
#   bench/sweep_instructions.sh scenarios/sweeps/k-vs-match-rate.yaml 300 2
#
# EPISODES overrides the sweep's episodes per run (default: the sweep's own), JOBS defaults to 2.
# The binary is $SPECSIM (default build/specsim).
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: $0 SWEEP.yaml [EPISODES] [JOBS]" >&2
  exit 2
fi
sweep=$1
episodes=${2:-}
jobs=${3:-2}
specsim=${SPECSIM:-build/specsim}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

args=(sweep "$sweep" --jobs "$jobs" -q -o "$dir/out")
[ -n "$episodes" ] && args+=(--episodes "$episodes")
valgrind --tool=callgrind --dump-instr=no --separate-threads=yes --callgrind-out-file="$dir/cg" \
  "$specsim" "${args[@]}" >"$dir/log" 2>&1 || { cat "$dir/log" >&2; exit 1; }

# One file per thread, cg-01 the main thread; each file's "summary:" line is its instructions.
for f in "$dir"/cg-*; do
  sed -n 's/^summary: \([0-9]*\)/\1/p' "$f"
done | awk -v jobs="$jobs" '
  NR == 1 { main = $1 }
  { total += $1; if (NR > 1 && $1 > busiest) busiest = $1; n = NR
    printf "thread %d: %.0f instructions\n", NR, $1 }
  END {
    printf "serial share (main thread): %.2f%% of %.0f instructions\n", 100 * main / total, total
    printf "speed-up by instruction count on %d jobs: %.2fx (%d threads)\n", jobs, total / (main + busiest), n
  }'
