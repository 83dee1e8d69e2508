#!/usr/bin/env bash
# Instructions per simulated step of one policy, counted by callgrind (wall times on a shared
# machine are noise): the scenario run with `sequential` and the policy, minus the same run with
# `sequential` alone, over the policy's steps. Both runs see the same worlds, so the sequential
# lane, parsing and start-up cancel out. Also prints the whole process's instructions per step.
#
#   bench/instructions_per_step.sh SCENARIO.yaml 'POLICY' [EPISODES]
#   bench/instructions_per_step.sh scenarios/validation/iid-fixed.yaml '{kind: fixed_k, k: 3}' 2000
#
# POLICY is the policy's entry as one line of YAML. The binary is $SPECSIM (default build/specsim).
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 SCENARIO.yaml 'POLICY' [EPISODES]" >&2
  exit 2
fi
scenario=$1
policy=$2
episodes=${3:-2000}
specsim=${SPECSIM:-build/specsim}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# The scenario up to its `policies:` list (the last key of the bundled scenarios), then ours.
with_policies() {
  awk '/^policies:/ { exit } { print }' "$scenario"
  echo "policies:"
  for p in "$@"; do echo "  - $p"; done
}
# A copy next to the original would resolve relative paths (traces) the same way; the bundled
# synthetic scenarios have none, so the copies live in the temporary folder.
with_policies sequential >"$dir/alone.yaml"
with_policies sequential "$policy" >"$dir/both.yaml"

# Prints "instructions steps" of one run.
count() {
  local log=$dir/$1.log out=$dir/$1.out
  valgrind --tool=callgrind --dump-instr=no --callgrind-out-file="$dir/$1.callgrind" \
    "$specsim" run "$dir/$1.yaml" --episodes "$episodes" --threads 1 >"$out" 2>"$log"
  local ir steps
  ir=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$log")
  steps=$(sed -n 's/^simulated \([0-9]*\) steps.*/\1/p' "$out")
  echo "$ir $steps"
}
read -r ir_alone steps_alone < <(count alone)
read -r ir_both steps_both < <(count both)
awk -v a="$ir_alone" -v sa="$steps_alone" -v b="$ir_both" -v sb="$steps_both" -v p="$policy" 'BEGIN {
  printf "%s: %.0f instructions per simulated step (%d steps)\n", p, (b - a) / (sb - sa), sb - sa
  printf "whole process, both policies: %.0f instructions per step (%d instructions, %d steps)\n", b / sb, b, sb
}'
if [ -n "${KEEP_PROFILE:-}" ]; then
  cp "$dir/both.callgrind" "$KEEP_PROFILE"
  echo "profile of the run with the policy: $KEEP_PROFILE (callgrind_annotate --inclusive=yes)"
fi
