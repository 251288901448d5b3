export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface CollectionSourceConfig {
  /**
   * `folder`: rasters described automatically; `stac`: a static STAC catalogue or collection file;
   * `sentinel2` / `landsat`: a folder of downloaded products (SAFE, Collection 2 bundles), one collection per product type.
   */
  type: 'folder' | 'stac' | 'sentinel2' | 'landsat';
  /** Relative paths are resolved against the data directory. */
  path: string;
  /** Collection id for a folder time series (derived from the folder name when omitted), or of a product folder's collection. */
  id?: string;
  /** File name pattern with {date} and {band} placeholders, e.g. `S2_{date}_{band}.tif`. */
  pattern?: string;
  title?: string;
}

/** One pre-registered public client that openEO clients may use without their own registration. */
export interface OidcDefaultClientConfig {
  id: string;
  grant_types: string[];
  redirect_urls?: string[];
}

/**
 * Who may sign in through a provider, checked on every login. `open` lets in everyone the
 * provider authenticates; otherwise a user needs at least one matching rule.
 */
export interface OidcAccessConfig {
  open?: boolean;
  emailDomains?: string[];
  entitlements?: string[];
  subjects?: string[];
  emails?: string[];
}

/** An OpenID Connect provider; the snake_case keys are passed on as `GET /credentials/oidc` lists them. */
export interface OidcProviderConfig {
  id: string;
  issuer: string;
  title: string;
  description?: string;
  scopes?: string[];
  default_clients?: OidcDefaultClientConfig[];
  /** When set, a JWT access token must name one of these in its `aud` claim. */
  audience?: string[];
  access: OidcAccessConfig;
}

export interface OidcConfig {
  providers: OidcProviderConfig[];
  /** Time limit for each request to a provider (discovery, keys, userinfo). */
  requestTimeoutSeconds: number;
  /** Tolerated clock difference when checking `exp`, `nbf` and `iat`. */
  clockSkewSeconds: number;
  /** How long discovery documents and key sets are used before they are fetched again. */
  metadataRefreshSeconds: number;
  /** Least time between two key set downloads caused by unknown key ids. */
  jwksMinRefreshSeconds: number;
  /** How long an answer of the userinfo endpoint is reused for the same token. */
  userinfoCacheSeconds: number;
  /** After a provider could not be reached, requests fail at once for this long. */
  retryAfterFailureSeconds: number;
}

/** Batch jobs: how many run at once, their limits, and how long results are kept. */
export interface JobsConfig {
  /** Jobs running at the same time; null means the number of CPU cores minus one (at least one). */
  maxConcurrent: number | null;
  /** Wall-clock limit of one job run; the job fails when it is exceeded. */
  maxRunSeconds: number;
  /** Memory limit of a job's worker process (heap limit and resident memory). */
  maxMemoryMb: number;
  /** Result files of finished jobs are deleted after this many days (0 keeps them); metadata stays. */
  resultRetentionDays: number;
  /** Lifetime of the signed download links in a results document. */
  resultLinkSeconds: number;
  /** What happens to jobs that were running when the server stopped: `error` or `requeue`. */
  onRestart: 'error' | 'requeue';
  /** Where jobs run: child processes of this server (`local`) or workers on any host through Redis (`bullmq`). */
  runner: 'local' | 'bullmq';
  /** Rows per block when a job's output is split into blocks (rounded to whole tiles); each block is one unit of work. */
  blockRows: number;
  bullmq: BullmqConfig;
}

/** The Redis queue used by the `bullmq` runner and by `npm run worker`. */
export interface BullmqConfig {
  /** e.g. `redis://:password@10.0.0.5:6379/0`; required for the `bullmq` runner and for workers. */
  redisUrl: string | null;
  /** Prefix of every Redis key, so several back-ends can share one Redis. */
  prefix: string;
  /** A worker that has not renewed its hold on a unit for this long is taken for dead; the unit runs again elsewhere. */
  lockSeconds: number;
  /** Units one worker process runs at the same time; null means the number of CPU cores minus one (at least one). */
  workerConcurrency: number | null;
}

/** Map services (XYZ, WMTS): how many a user may keep and how their tiles are computed. */
export interface ServicesConfig {
  /** Services one user may have at the same time. */
  maxPerUser: number;
  /** Tiles computed at the same time, server-wide (apart from synchronous requests and jobs). */
  tileConcurrency: number;
  /** A tile that takes longer fails. */
  tileTimeoutSeconds: number;
  /** Memory for finished tiles, shared by all services. */
  cacheMegabytes: number;
}

/** The complete, validated configuration: every key has a value after loading. */
export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  logLevel: LogLevel;
  demo: boolean;
  production: boolean;
  service: { id: string; title: string; description: string; contactEmail: string | null };
  cors: { allowOrigin: string };
  auth: {
    tokenLifetimeSeconds: number;
    maxFailedLogins: number;
    lockoutSeconds: number;
    defaultStorageQuotaBytes: number;
  };
  limits: {
    requestBodyBytes: number;
    syncMaxPixels: number;
    syncTimeoutSeconds: number;
    graphMaxNodes: number;
    graphMaxDepth: number;
    /** Largest file a user may upload to the workspace, in bytes. */
    maxUploadBytes: number;
    /** Synchronous requests (POST /result) one user may have computing at the same time. */
    syncConcurrentPerUser: number;
    /** Batch jobs one user may have queued or running at the same time. */
    jobsPerUser: number;
  };
  processing: { tileSize: number; gdalCacheMb: number; threads: number };
  /** Python UDFs (run_udf): whether they run, and the sandbox's limits per interpreter (memory, CPU time) and per call (wall clock). */
  udf: { enabled: boolean; memoryMegabytes: number; cpuSeconds: number; timeoutSeconds: number };
  jobs: JobsConfig;
  services: ServicesConfig;
  collections: { sources: CollectionSourceConfig[]; rescanSeconds: number };
  oidc: OidcConfig;
}
