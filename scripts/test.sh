#!/usr/bin/env bash
# Installs what is missing, then runs the whole test suite: type check, jest, and the
# openEO process conformance cases when ../shared/openeo is present.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node_modules/.bin/tsc -p tsconfig.test.json
node_modules/.bin/jest --ci "$@"
