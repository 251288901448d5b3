#!/usr/bin/env bash
# Installs whatever is missing for running and testing the server, and nothing that is there already:
# Debian's GDAL (libgdal-dev, gdal-bin), the npm dependencies (gdal-async built against that GDAL,
# see .npmrc) and the compiled TypeScript in dist/.
set -euo pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v gdal-config >/dev/null 2>&1 || ! command -v gdalinfo >/dev/null 2>&1; then
  echo "setup: installing GDAL from Debian (libgdal-dev, gdal-bin)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libgdal-dev gdal-bin >/dev/null
fi

# npm ci only when the lock file changed since the last install (or nothing is installed).
stamp=node_modules/.install-stamp
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "setup: installing npm packages (gdal-async is compiled against the system GDAL; takes a few minutes the first time)"
  npm ci --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi

if ! node -e "process.exit(require('gdal-async').bundled ? 1 : 0)" 2>/dev/null; then
  echo "setup: gdal-async is not linked to the system GDAL; rebuilding it"
  npm rebuild gdal-async --build-from-source --shared_gdal
fi

node_modules/.bin/tsc -p tsconfig.json
