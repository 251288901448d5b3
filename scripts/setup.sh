#!/usr/bin/env bash
# Installs whatever is missing for running and testing the server, and nothing that is there already:
# Debian's GDAL (libgdal-dev, gdal-bin), the npm dependencies (gdal-async built against that GDAL),
# Debian's python3-xarray and python3-netcdf4 (the tests read NetCDF results as users do), the UDF
# runtime (Debian's numpy, xarray, pandas, scipy and bubblewrap), Debian's redis-server (the job queue
# of the bullmq runner and its tests) and the compiled TypeScript in dist/.
set -euo pipefail
cd "$(dirname "$0")/.."

# gdal-async's installer (node-pre-gyp, then node-gyp) reads these from the environment: compile it
# rather than download a build with its own GDAL, and link it to the system GDAL. They are not npm
# settings, so they stay out of .npmrc, where npm warns about keys it does not know.
export npm_config_build_from_source=gdal-async npm_config_shared_gdal=true

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v gdal-config >/dev/null 2>&1 || ! command -v gdalinfo >/dev/null 2>&1; then
  echo "setup: installing GDAL from Debian (libgdal-dev, gdal-bin)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libgdal-dev gdal-bin >/dev/null
fi

if ! /usr/bin/python3 -c 'import xarray, netCDF4' >/dev/null 2>&1; then
  echo "setup: installing xarray and netCDF4 for the system python3 (Debian's python3-xarray, python3-netcdf4)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-xarray python3-netcdf4 >/dev/null
fi

# Python UDFs (run_udf): Debian's numpy, xarray, pandas and scipy, run inside bubblewrap.
if ! /usr/bin/python3 -c 'import numpy, xarray, pandas, scipy' >/dev/null 2>&1 || ! [ -x /usr/bin/bwrap ]; then
  echo "setup: installing the UDF runtime (python3-numpy, python3-xarray, python3-pandas, python3-scipy, bubblewrap)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-numpy python3-xarray python3-pandas python3-scipy bubblewrap >/dev/null
fi

# The bullmq runner's queue (jobs.runner: "bullmq") and its tests: Debian's Redis.
if ! command -v redis-server >/dev/null 2>&1; then
  echo "setup: installing Redis for the job queue (Debian's redis-server)"
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
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
  npm rebuild gdal-async
fi

node_modules/.bin/tsc -p tsconfig.json
