#!/usr/bin/env bash
# Builds what is stale: the WebAssembly core (dist/) that the package ships.
# CMake and make rebuild only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-wasm.sh
