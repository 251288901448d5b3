export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface CollectionSourceConfig {
  /** `folder`: rasters described automatically; `stac`: a static STAC catalogue or collection file. */
  type: 'folder' | 'stac';
  /** Relative paths are resolved against the data directory. */
  path: string;
  /** Collection id for a folder time series; derived from the folder name when omitted. */
  id?: string;
  /** File name pattern with {date} and {band} placeholders, e.g. `S2_{date}_{band}.tif`. */
  pattern?: string;
  title?: string;
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
  };
  processing: { tileSize: number; gdalCacheMb: number };
  collections: { sources: CollectionSourceConfig[]; rescanSeconds: number };
}
