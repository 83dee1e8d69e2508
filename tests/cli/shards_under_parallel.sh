#!/usr/bin/env bash
# A sweep cut into shards run by GNU parallel, then merged, gives the same run files, byte for
# byte, and the same summary as the whole sweep run at once. Usage: shards_under_parallel.sh SPECSIM SOURCE_DIR
set -euo pipefail
specsim=$1
source_dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
sweep=$source_dir/scenarios/sweeps/k-vs-match-rate.yaml
shards=3

"$specsim" sweep "$sweep" --episodes 100 -o "$tmp/local" --jobs 2 -q
# parallel keeps its state in PARALLEL_HOME (else ~/.parallel): inside the temporary folder.
PARALLEL_HOME=$tmp/parallel-home parallel --will-cite --halt now,fail=1 -j 2 "$specsim" sweep "$sweep" --episodes 100 -o "$tmp/shard-{}" --shard "{}/$shards" -q \
  ::: $(seq 1 $shards)
"$specsim" sweep merge "$tmp"/shard-* -o "$tmp/merged" -q

runs=$(find "$tmp/local/runs" -name '*.h5' | wc -l)
[ "$runs" -eq 72 ] || { echo "expected 72 runs locally, found $runs" >&2; exit 1; }
for s in $(seq 1 $shards); do
  n=$(find "$tmp/shard-$s/runs" -name '*.h5' | wc -l)
  [ "$n" -eq 24 ] || { echo "shard $s holds $n runs, expected 24" >&2; exit 1; }
done
diff -r "$tmp/local/runs" "$tmp/merged/runs"
cmp "$tmp/local/summary.csv" "$tmp/merged/summary.csv"
cmp "$tmp/local/sweep.json" "$tmp/merged/sweep.json"
cmp "$tmp/local/summary.h5" "$tmp/merged/summary.h5"
echo "72 runs in $shards shards under GNU parallel: merged files identical to the local sweep"
