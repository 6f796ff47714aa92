#!/usr/bin/env bash
# Builds every libFuzzer target (clang, ASan, UBSan) and runs each for $1 seconds,
# starting from its seed corpus. A crash fails the run and leaves the input in
# build/fuzz/crashes/: turn it into a regression test. `npm run fuzz` runs longer.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
CC=clang CXX=clang++ cmake -S . -B build/fuzz -DSSEW_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/fuzz -j2
mkdir -p build/fuzz/crashes
for src in tests/fuzz/*_fuzz.cpp; do
  name=$(basename "$src" .cpp)
  seeds="tests/fuzz/corpus/${name%_fuzz}"
  work="build/fuzz/corpus/${name%_fuzz}"
  mkdir -p "$work"
  args=("$work")
  [ -d "$seeds" ] && args+=("$seeds")
  echo "-- $name: ${seconds}s"
  log="build/fuzz/$name.log"
  status=0
  "build/fuzz/$name" -max_total_time="$seconds" -print_final_stats=1 \
    -artifact_prefix=build/fuzz/crashes/ "${args[@]}" >"$log" 2>&1 || status=$?
  grep -E "^stat::number_of_executed_units|^Done" "$log" || true
  if [ "$status" -ne 0 ]; then
    tail -n 40 "$log"
    echo "fuzz: $name failed (status $status); the input is in build/fuzz/crashes/"
    exit 1
  fi
done
