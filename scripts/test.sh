#!/usr/bin/env bash
# Installs what is missing, then runs the whole test suite: type check, jest, and the
# openEO process conformance cases when ../shared/openeo is present.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node_modules/.bin/tsc -p tsconfig.test.json
node_modules/.bin/jest --ci "$@"

# The openEO process conformance cases live outside the repository; run them when present and
# fail when a case on the committed pass list no longer passes.
cases=../shared/openeo/processes/tests
if [ -d "$cases" ]; then
  node dist/cli/conformance.js "$cases" --check test/conformance/passing.json
else
  echo "conformance: skipped ($cases not found)"
fi
