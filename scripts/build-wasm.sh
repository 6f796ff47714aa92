#!/usr/bin/env bash
# Builds dist/sse_core.{mjs,wasm} with Debian's Emscripten.
set -euo pipefail
cd "$(dirname "$0")/.."
# Several builds at once (tests, helpers) must not race in one build folder.
mkdir -p build
exec 9>build/.wasm.lock
flock 9
# Debian's Emscripten runs its JS optimizer with the system node; acorn lives here.
export NODE_PATH="${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs"


if [ ! -f build/wasm/CMakeCache.txt ]; then
  emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release -DSSEW_DIST_DIR="$PWD/dist" >/dev/null
fi
cmake --build build/wasm -j2 --target sse_core
