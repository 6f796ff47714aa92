#!/usr/bin/env bash
# Installs what is missing, builds what is stale (the wasm core, then the demo
# page), and starts the demo server: the page and the simulated assistant API on
# one port. PORT overrides the port (default 5173), HOST the address (127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh

# The page is rebuilt only when a source (web/, the wasm build, the lock file) is
# newer than the last build.
built=web/demo/dist/index.html
if [ ! -f "$built" ] || [ -n "$(find web dist/sse_core.mjs dist/sse_core.wasm package-lock.json \
    -path web/demo/dist -prune -o -type f -newer "$built" -print -quit)" ]; then
  echo "start: building the demo page (vite)"
  npx --no-install vite build --config web/demo/vite.config.js --logLevel warn
fi

export PORT="${PORT:-5173}"
exec node web/demo/server.js   # prints the URL once it listens
