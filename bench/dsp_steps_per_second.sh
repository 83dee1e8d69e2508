#!/usr/bin/env bash
# Simulated steps per second of `specsim run` on scenarios/dsp-openagi-like.yaml's eight dsp
# policies (and the hidden sequential baseline), as the run's closing line prints them: with a
# training job at every breaking point (the scenario as bundled) and with `train_every: 16` added
# to each, on 1 thread and on every core, the median of three runs each. Wall time: run it on an
# idle machine.
# Usage: bench/dsp_steps_per_second.sh [BUILD_DIR] [EPISODES]   (defaults: build, 10000)
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
build="${1:-build}"
episodes="${2:-10000}"
specsim="$(cd "$build" && pwd)/specsim"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

python3 - "$here/scenarios/dsp-openagi-like.yaml" "$work" <<'PY'
import sys, yaml
source, out = sys.argv[1], sys.argv[2]
scenario = yaml.safe_load(open(source))
dsp = [p for p in scenario["policies"] if isinstance(p, dict) and p["kind"] == "dsp"]
yaml.safe_dump(dict(scenario, policies=dsp), open(f"{out}/every.yaml", "w"))
yaml.safe_dump(dict(scenario, policies=[dict(p, train_every=16) for p in dsp]), open(f"{out}/16.yaml", "w"))
PY

rate() {  # VARIANT THREADS: the median of three runs' steps/s
  for _ in 1 2 3; do
    "$specsim" run "$work/$1.yaml" --episodes "$episodes" --threads "$2" | sed -n 's/.*: \([0-9.e+]*\) steps\/s.*/\1/p'
  done | sort -g | sed -n 2p
}

cores="$(nproc)"
printf "%-26s %14s %14s\n" "steps/s, $episodes episodes" "1 thread" "$cores threads"
printf "%-26s %14s %14s\n" "a job every breaking point" "$(rate every 1)" "$(rate every "$cores")"
printf "%-26s %14s %14s\n" "train_every: 16" "$(rate 16 1)" "$(rate 16 "$cores")"
