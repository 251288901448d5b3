#!/usr/bin/env bash
# Installs what is missing, then starts the server (port, data directory and config from
# config.json, PORT, OPENEO_DATA_DIR, OPENEO_CONFIG and OPENEO_PUBLIC_URL).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
source scripts/memory-env.sh
exec node dist/index.js
