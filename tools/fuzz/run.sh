#!/usr/bin/env bash
# Builds the libFuzzer targets in build-fuzz/ (clang, AddressSanitizer, UndefinedBehaviorSanitizer)
# and runs each for the given time (default 60 s):
#
#   bash tools/fuzz/run.sh [seconds per target] [target...]
#                  targets: trace scenario sweep dsp_import specactions_import (default all)
#
#   fuzz_trace       the trace reader (validate_trace_text, parse_trace), then the writer's round trip,
#                    statistics, match rules and text features of what parses
#   fuzz_scenario    the scenario loader (parse_scenario): a scenario or a sim::InputError, nothing
#                    else; then one bounded episode of every policy of a scenario that loads
#   fuzz_sweep       sweep files (load_sweep, expand_sweep) and shard manifests (sweep merge)
#   fuzz_dsp_import  DSP's run logs of one datapoint (cut at "=====" lines) through the importer
#   fuzz_specactions_import  a folder tree (a line "===== <path>" starts each file) through the
#                    importers of Speculative Actions' HotpotQA runs and chess games
#
# Installs clang and the libFuzzer/sanitizer runtimes (Debian: clang, libclang-rt-14-dev) if missing;
# the normal build does not need them. Seeds: tools/fuzz/corpus/<target>/ (and scenarios/**.yaml for
# the scenario and sweep targets); what the fuzzer learns is kept in build-fuzz/fuzz/corpus/<target>/ for the next
# run. Findings go to build-fuzz/fuzz/artifacts/<target>/ (crash-*, timeout-*, oom-*, leak-*); the
# script lists them and exits 1 if there are any. Reproduce one with
#   build-fuzz/tools/fuzz/fuzz_<target> build-fuzz/fuzz/artifacts/<target>/crash-...
# Environment: SPECSIM_FUZZ_JOBS (build jobs, default 2), SPECSIM_FUZZ_ARGS (extra libFuzzer flags).
set -euo pipefail
cd "$(dirname "$0")/../.."

seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(trace scenario sweep dsp_import specactions_import)

packages=(clang libclang-rt-14-dev cmake make)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "fuzz: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

cmake -S . -B build-fuzz -DSPECSIM_FUZZ=ON -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSPECSIM_TESTS=OFF -DSPECSIM_BENCH=OFF >/dev/null
cmake --build build-fuzz -j"${SPECSIM_FUZZ_JOBS:-2}" --target $(printf 'fuzz_%s ' "${targets[@]}")

status=0
for t in "${targets[@]}"; do
  corpus=build-fuzz/fuzz/corpus/$t
  artifacts=build-fuzz/fuzz/artifacts/$t
  mkdir -p "$corpus" "$artifacts"
  seeds=(tools/fuzz/corpus/"$t")
  if [ "$t" = scenario ] || [ "$t" = sweep ]; then
    mkdir -p build-fuzz/fuzz/seeds/"$t"
    find scenarios -name '*.yaml' -exec cp {} build-fuzz/fuzz/seeds/"$t"/ \;
    seeds+=(build-fuzz/fuzz/seeds/"$t")
  fi
  echo "fuzz: $t for ${seconds} s"
  # -timeout: an input taking 10 s is a hang; -rss_limit_mb/-malloc_limit_mb: a giant allocation is a finding.
  # shellcheck disable=SC2086
  build-fuzz/tools/fuzz/fuzz_"$t" "$corpus" "${seeds[@]}" -dict=tools/fuzz/"$t".dict \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -malloc_limit_mb=1024 \
    -artifact_prefix="$artifacts"/ -print_final_stats=1 ${SPECSIM_FUZZ_ARGS:-} \
    >"build-fuzz/fuzz/$t.log" 2>&1 || status=1
  grep -E "^(Done [0-9]+ runs|stat::peak_rss_mb)" "build-fuzz/fuzz/$t.log" || true
  found=$(find "$artifacts" -type f | sort)
  if [ -n "$found" ]; then
    status=1
    echo "fuzz: $t FOUND PROBLEMS (log: build-fuzz/fuzz/$t.log):"
    echo "$found" | sed 's/^/  /'
  else
    echo "fuzz: $t: no findings ($(find "$corpus" -type f | wc -l) inputs in the corpus)"
  fi
done
exit $status
