#!/usr/bin/env bash
# Instruction counts (callgrind) of the DSP learner on scenarios/dsp-openagi-like.yaml: one
# training job, and one simulated DSP step with a job at every breaking point and with
# `train_every: 16`, each in double and in float (`learner: {precision: float}`); a job is
# DspPolicy::start_training_job inclusive (drawing its batches, copying the weights, the epochs,
# the finiteness check), over the jobs it started. A step's cost
# is the run with one dsp policy (the scenario's first entry at tau 0.5) less the run with
# `sequential` alone, over the dsp policy's steps, split into training (the jobs) and planning
# (the rest). Also prints each run's own steps/s line. `specsim run` trains inline on any
# number of threads, so the split is the same on 2.
# Last, the rates of `specsim run` on the scenario's eight dsp policies (and the hidden
# sequential baseline), as the run's closing line prints them: with a job at every breaking
# point and with `train_every: 16` added to each, on 1 thread and on every core, the median of
# three runs of RATE_EPISODES each (wall time: run it on an idle machine).
# Usage: bench/learner_instructions.sh [BUILD_DIR] [EPISODES] [RATE_EPISODES]   (defaults: build, 2000, 10000)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-build}"
episodes="${2:-2000}"
rate_episodes="${3:-10000}"
specsim="$(cd "$build" && pwd)/specsim"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 - "$here/scenarios/dsp-openagi-like.yaml" "$work" <<'PY'
import sys, yaml
source, out = sys.argv[1], sys.argv[2]
scenario = yaml.safe_load(open(source))
every = [p for p in scenario["policies"] if isinstance(p, dict) and p["kind"] == "dsp"]
dsp = dict(every[0], tau=0.5)
variants = {
    "eight-every": every,
    "eight-16": [dict(p, train_every=16) for p in every],
    "sequential": ["sequential"],
    "every-double": [dsp],
    "every-float": [dict(dsp, learner={"precision": "float"})],
    "16-double": [dict(dsp, train_every=16)],
    "16-float": [dict(dsp, train_every=16, learner={"precision": "float"})],
}
for name, policies in variants.items():
    yaml.safe_dump(dict(scenario, policies=policies), open(f"{out}/{name}.yaml", "w"))
PY

count() {  # NAME: prints "total_instructions steps jobs train_instructions"
  local out="$work/$1.cg"
  local steps
  steps="$(valgrind --tool=callgrind --dump-instr=no --callgrind-out-file="$out" "$specsim" run "$work/$1.yaml" \
    --episodes "$episodes" --threads 1 2>/dev/null | sed -n 's/^simulated \([0-9]*\) steps.*/\1/p')"
  callgrind_annotate --tree=caller --inclusive=yes --threshold=100 "$out" 2>/dev/null | awk -v steps="$steps" '
    /PROGRAM TOTALS/ { gsub(",", "", $1); total = $1 }
    /\*  .*DspPolicy::start_training_job\(\) \[/ { gsub(",", "", $1); train = $1 }
    /< .*DspPolicy::start_training_job\(\) \(/ { c = $0; sub(/.*\(/, "", c); sub(/x\).*/, "", c); gsub(",", "", c); caller = c }
    /\*  .*learner::prepare_job\(/ { jobs = caller }  # once per job started
    END { printf "%s %s %s %s\n", total, steps, jobs + 0, train + 0 }'
}

read -r seq_total seq_steps _ _ < <(count sequential)
printf "%-14s %10s %10s %15s %10s %10s   %s\n" variant jobs "instr/job" "instr/dsp step" planning training "the run's own figure (wall time, noisy)"
for v in every-double every-float 16-double 16-float; do
  read -r total steps jobs train < <(count "$v")
  dsp_steps=$((steps - seq_steps))
  printed="$("$specsim" run "$work/$v.yaml" --episodes "$episodes" --threads 1 | tail -1)"
  printf "%-14s %10d %10d %15d %10d %10d   %s\n" "$v" "$jobs" $((train / (jobs > 0 ? jobs : 1))) \
    $(((total - seq_total) / dsp_steps)) $(((total - seq_total - train) / dsp_steps)) $((train / dsp_steps)) "$printed"
done

rate() {  # VARIANT THREADS: the median of three runs' steps/s
  for _ in 1 2 3; do
    "$specsim" run "$work/$1.yaml" --episodes "$rate_episodes" --threads "$2" | sed -n 's/.*: \([0-9.e+]*\) steps\/s.*/\1/p'
  done | sort -g | sed -n 2p
}

cores="$(nproc)"
printf "\n%-34s %14s %14s\n" "eight dsp policies, $rate_episodes episodes" "1 thread" "$cores threads"
printf "%-34s %14s %14s\n" "a job every breaking point" "$(rate eight-every 1)" "$(rate eight-every "$cores")"
printf "%-34s %14s %14s\n" "train_every: 16" "$(rate eight-16 1)" "$(rate eight-16 "$cores")"
