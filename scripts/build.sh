#!/usr/bin/env bash
# Builds what is stale: the WebAssembly core (dist/sse_core.{wasm,mjs}), then the
# published JavaScript bundled from web/ (dist/index.js, react.js and inline.js). CMake and make rebuild only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build-wasm.sh
# The JavaScript bundles under the same lock as the wasm: several builds at once
# (tests, helpers) must not race.
exec 9>build/.js.lock
flock 9
if [ ! -f dist/index.js ] || [ -n "$(find web/*.js web/transport dist/sse_core.wasm dist/sse_core.mjs \
    scripts/build-js.mjs -newer dist/index.js -print -quit)" ]; then
  node scripts/build-js.mjs
fi
