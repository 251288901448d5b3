import type { Logger } from 'pino';
import type { Config } from './config/types';
import type { Db } from './store/database';
import type { UserStore } from './auth/UserStore';
import type { Catalog } from './catalog/types';
import type { BatchJobs } from './jobs/BatchJobs';
import type { OidcAuthenticator } from './auth/oidc/OidcAuthenticator';
import type { Processing } from './processes/sync';
import type { Workspace } from './workspace';
import type { MapServices } from './services/MapServices';

/**
 * Everything a request handler may use, created once at start-up and handed to each
 * resource class. There are no module-level singletons: tests build their own context.
 */
export interface ServerContext {
  config: Config;
  logger: Logger;
  db: Db;
  users: UserStore;
  /** The collections: what the data locations hold, for the collection endpoints and load_collection. */
  catalog: Catalog;
  /** OpenID Connect providers and the check of their access tokens. */
  oidc: OidcAuthenticator;
  /** Users' uploaded files and user-defined processes. */
  workspace: Workspace;
  /** Batch jobs: the queue, worker processes, logs and results. */
  jobs: BatchJobs;
  /** Map services (XYZ, WMTS) of the users and their public tiles. */
  services: MapServices;
  /** The process registry, graph validation and synchronous runs (POST /result) with their logs. */
  processing: Processing;
  /** Version of this back-end, from package.json. */
  backendVersion: string;
}
