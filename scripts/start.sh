#!/usr/bin/env bash
# Installs what is missing, builds what is stale, and starts the demo.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
exec node web/demo/minimal-server.js
