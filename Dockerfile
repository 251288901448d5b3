# The same server as `npm start`, on Debian 12 with GDAL from apt.
FROM node:20-bookworm-slim

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      libgdal-dev gdal-bin python3 make g++ \
      python3-numpy python3-xarray python3-pandas python3-scipy bubblewrap \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY package.json package-lock.json ./
# gdal-async compiled against Debian's GDAL, as scripts/setup.sh does it.
RUN npm_config_build_from_source=gdal-async npm_config_shared_gdal=true npm ci --no-audit --no-fund \
 && cp package-lock.json node_modules/.install-stamp
COPY tsconfig.json config.json ./
COPY src ./src
COPY scripts ./scripts
# The Python side of UDFs (worker and openeo.udf compatibility package), bound read-only into the sandbox.
COPY udf ./udf
RUN node_modules/.bin/tsc -p tsconfig.json

ENV OPENEO_DATA_DIR=/data PORT=5000
# See scripts/memory-env.sh: keeps resident memory close to what the threads really use.
ENV MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072
VOLUME /data
EXPOSE 5000
CMD ["node", "dist/index.js"]
