#!/usr/bin/env bash
# Instruction counts (callgrind) of the DSP learner on scenarios/dsp-openagi-like.yaml: one
# training job, and one simulated DSP step with a job at every breaking point and with
# `train_every: 16`, each in double and in float (`learner: {precision: float}`); a job is
# DspPolicy::start_training_job inclusive (drawing its batches, copying the weights, the epochs,
# the finiteness check), over the jobs it started. A step's cost
# is the run with one dsp policy (the scenario's first entry at tau 0.5) less the run with
# `sequential` alone, over the dsp policy's steps, split into training (the jobs) and planning
# (the rest). Also prints each run's own steps/s line. `specsim run` trains inline on any
# number of threads, so the split is the same on 2 (bench/dsp_steps_per_second.sh times runs).
# Usage: bench/learner_instructions.sh [BUILD_DIR] [EPISODES]   (defaults: build, 2000)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-build}"
episodes="${2:-2000}"
specsim="$(cd "$build" && pwd)/specsim"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 - "$here/scenarios/dsp-openagi-like.yaml" "$work" <<'PY'
import sys, yaml
source, out = sys.argv[1], sys.argv[2]
scenario = yaml.safe_load(open(source))
dsp = next(p for p in scenario["policies"] if isinstance(p, dict) and p["kind"] == "dsp")
dsp = dict(dsp, tau=0.5)
variants = {
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

