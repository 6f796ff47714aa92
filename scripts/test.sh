#!/usr/bin/env bash
# Every test: native (GoogleTest via CTest), fuzzing (libFuzzer, bounded time per
# target), and JavaScript (node --test against the wasm build).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh

echo "== native tests (CTest)"
cmake -S . -B build/native -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build/native -j2
ctest --test-dir build/native --output-on-failure -j2

echo "== fuzzing (${SSEW_FUZZ_SECONDS:-20} s per target)"
bash scripts/fuzz.sh "${SSEW_FUZZ_SECONDS:-20}"

echo "== JavaScript tests: Node, browser (headless Chromium), install (node --test)"
dirs=(tests/node/)
for d in tests/browser/ tests/install/; do [ -d "$d" ] && dirs+=("$d"); done
node --test --test-reporter=spec "${dirs[@]}"
