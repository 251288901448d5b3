import { Config } from './types';

/** Built-in settings: a server started without any config file behaves like the shipped config.json. */
export const DEFAULT_CONFIG: Config = {
  port: 5000,
  host: '0.0.0.0',
  publicUrl: '',
  dataDir: './data',
  logLevel: 'info',
  demo: true,
  production: false,
  service: {
    id: 'openeo-gdal',
    title: 'openEO back-end',
    description: 'A self-hosted openEO back-end processing local raster data with GDAL.',
    contactEmail: null,
  },
  cors: { allowOrigin: '*' },
  auth: {
    tokenLifetimeSeconds: 86400,
    maxFailedLogins: 5,
    lockoutSeconds: 300,
    defaultStorageQuotaBytes: 10 * 1024 * 1024 * 1024,
  },
  limits: {
    requestBodyBytes: 10 * 1024 * 1024,
    syncMaxPixels: 100_000_000,
    syncTimeoutSeconds: 300,
    graphMaxNodes: 1000,
    graphMaxDepth: 32,
    maxUploadBytes: 2 * 1024 * 1024 * 1024,
    syncConcurrentPerUser: 2,
    jobsPerUser: 10,
  },
  processing: { tileSize: 512, gdalCacheMb: 64, threads: 0 },
  udf: { enabled: true, memoryMegabytes: 2048, cpuSeconds: 300, timeoutSeconds: 60 },
  jobs: {
    maxConcurrent: null,
    maxRunSeconds: 24 * 3600,
    maxMemoryMb: 4096,
    resultRetentionDays: 30,
    resultLinkSeconds: 7 * 24 * 3600,
    onRestart: 'error',
  },
  services: { maxPerUser: 20, tileConcurrency: 4, tileTimeoutSeconds: 30, cacheMegabytes: 64 },
  collections: {
    sources: [
      { type: 'folder', path: 'demo/sentinel2', id: 'SENTINEL2_L2A_DEMO', pattern: 'S2_{date}_{band}.tif' },
      { type: 'folder', path: 'demo/dem' },
    ],
    rescanSeconds: 5,
  },
  oidc: {
    providers: [],
    requestTimeoutSeconds: 5,
    clockSkewSeconds: 60,
    metadataRefreshSeconds: 3600,
    jwksMinRefreshSeconds: 30,
    userinfoCacheSeconds: 120,
    retryAfterFailureSeconds: 10,
  },
};
