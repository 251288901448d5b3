#!/usr/bin/env bash
# Longer local runs of the hardening tests (the CI runs of the same tests are short):
#   npm run fuzz -- --seconds 600 --seed 42 [--max-requests N] [--log]
#   npm run load -- --seconds 60 --clients 100
# Only loopback traffic: the tests start their own server on 127.0.0.1. Job workers run from
# dist/, so build first (npm run build) after changing the sources.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:?usage: hardening.sh fuzz|load [options]}"
shift
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) export FUZZ_SECONDS="$2" LOAD_SECONDS="$2"; shift 2 ;;
    --seed) export FUZZ_SEED="$2"; shift 2 ;;
    --max-requests) export FUZZ_MAX_REQUESTS="$2"; shift 2 ;;
    --clients) export LOAD_CLIENTS="$2"; shift 2 ;;
    --log) export FUZZ_LOG=1; shift ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
case "$what" in
  fuzz) test=test/scenarios/hardening/fuzz.test.ts ;;
  load) test=test/scenarios/hardening/load.test.ts ;;
  *) echo "unknown run '$what' (fuzz or load)" >&2; exit 2 ;;
esac
# In band with --expose-gc, so the fuzz test can measure the heap after a full collection.
exec node --expose-gc node_modules/jest/bin/jest.js --runInBand "$test"
