#!/usr/bin/env bash
# Installs what is missing, then runs the whole test suite: type check, jest, and the
# openEO process conformance cases when ../shared/openeo is present. The last line sums up jest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node_modules/.bin/tsc -p tsconfig.test.json

results=$(mktemp)
trap 'rm -f "$results"' EXIT
status=0
node_modules/.bin/jest --ci --json --outputFile="$results" "$@" || status=$?

# The openEO process conformance cases live outside the repository; run them when present and
# fail when a case on the committed pass list no longer passes.
cases=../shared/openeo/processes/tests
if [ "$status" = 0 ]; then
  if [ -d "$cases" ]; then
    node dist/cli/conformance.js "$cases" --check test/conformance/passing.json || status=$?
  else
    echo "conformance: skipped ($cases not found)"
  fi
fi

node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed`);
' "$results" || true
exit "$status"
