#!/usr/bin/env bash
# Installs what is missing (Debian packages; needs root or sudo), then builds specsim in ./build.
# Set SPECSIM_WERROR=1 to treat warnings as errors (CI does).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(cmake make g++ pkg-config git
  libboost-random-dev libeigen3-dev libyaml-cpp-dev libhdf5-dev zlib1g-dev catch2 libcli11-dev parallel
  nlohmann-json3-dev libfmt-dev libbenchmark-dev libboost-dev libcurl4-openssl-dev
  python3 python3-numpy python3-h5py python3-matplotlib python3-pandas python3-yaml)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The npm conformance test needs node (nodejs and npm from Debian when the machine has none).
if [ "${SPECSIM_TESTS:-ON}" != "OFF" ] && ! command -v npm >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi

werror=OFF
[ "${SPECSIM_WERROR:-0}" = "1" ] && werror=ON
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DSPECSIM_WERROR="$werror" -DSPECSIM_TESTS="${SPECSIM_TESTS:-ON}" >/dev/null
# Test-only npm packages, exactly as the lockfile pins them.
if [ "${SPECSIM_TESTS:-ON}" != "OFF" ]; then
  (cd tests/live/npm && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
cmake --build build -j"$(nproc)"
