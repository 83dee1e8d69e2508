#!/usr/bin/env bash
# Instruction counts (callgrind) of the DSP learner on scenarios/dsp-openagi-like.yaml: one
# training job, and one simulated DSP step with a job at every breaking point and with
# `train_every: 16`, each in double and in float (`learner: {precision: float}`); a job is
# DspPolicy::start_training_job inclusive (drawing its batches, copying the weights, the epochs,
# the finiteness check), over the jobs it started. A step's cost
# is the run with one dsp policy (the scenario's first entry at tau 0.5) less the run with
# `sequential` alone, over the dsp policy's steps. Also prints each run's own steps/s line.
# Then the same runs on 2 threads (the training jobs on a worker thread of the policy's own),
# per thread (callgrind --separate-threads=yes): a DSP step's instructions of planning (the
# run's pool threads less the jobs they ran and less the `sequential` run's) and of training.
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
printf "%-14s %14s %14s %16s   %s\n" variant jobs "instr/job" "instr/dsp step" "the run's own figure (wall time, noisy)"
for v in every-double every-float 16-double 16-float; do
  read -r total steps jobs train < <(count "$v")
  dsp_steps=$((steps - seq_steps))
  printed="$("$specsim" run "$work/$v.yaml" --episodes "$episodes" --threads 1 | tail -1)"
  printf "%-14s %14d %14d %16d   %s\n" "$v" "$jobs" $((train / (jobs > 0 ? jobs : 1))) \
    $(((total - seq_total) / dsp_steps)) "$printed"
done

# Per-thread counts on 2 threads: the planning threads' instructions less the jobs they ran
# themselves (a job the worker had not taken by its completion event runs there; valgrind
# serialises threads, so some do), and the jobs' instructions wherever they ran (each job is
# the start_training_job lambda, inclusive).
count_threads() {  # NAME: prints "planning_instructions job_instructions"
  local out="$work/$1.threads"
  valgrind --tool=callgrind --dump-instr=no --separate-threads=yes --callgrind-out-file="$out" "$specsim" run \
    "$work/$1.yaml" --episodes "$episodes" --threads 2 -q >/dev/null 2>&1
  local planning=0 jobs=0 f total job
  for f in "$out"-*; do
    [ "$f" = "$out-01" ] && continue  # the main thread: setup and the results
    total="$(sed -n 's/^summary: //p' "$f")"
    job="$(callgrind_annotate --inclusive=yes --threshold=100 "$f" 2>/dev/null |
      awk '/_M_invoke/ && /start_training_job/ { gsub(",", "", $1); s += $1 } END { print s + 0 }')"
    jobs=$((jobs + job))
    # The worker's own thread: its jobs and the few instructions of waiting for them.
    if callgrind_annotate --inclusive=yes "$f" 2>/dev/null | grep 'BackgroundWorker::submit' >/dev/null; then continue; fi
    planning=$((planning + total - job))
  done
  echo "$planning $jobs"
}

read -r seq_pool _ < <(count_threads sequential)
printf "\n%-14s %22s %22s   %s\n" "on 2 threads" "planning instr/step" "training instr/step" "the run's own figure (wall time, noisy)"
for v in every-double every-float 16-double 16-float; do
  read -r pool worker < <(count_threads "$v")
  printed="$("$specsim" run "$work/$v.yaml" --episodes "$episodes" --threads 2 | tail -1)"
  dsp_steps=$(($(sed -n 's/^simulated \([0-9]*\) steps.*/\1/p' <<<"$printed") - seq_steps))
  printf "%-14s %22d %22d   %s\n" "$v" $(((pool - seq_pool) / dsp_steps)) $((worker / dsp_steps)) "$printed"
done
