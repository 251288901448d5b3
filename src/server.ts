import fs from 'node:fs';
import http from 'node:http';
import type { Logger } from 'pino';
import type { Config } from './config/types';
import type { ServerContext } from './context';
import { UserStore } from './auth/UserStore';
import { BatchJobs } from './jobs/BatchJobs';
import { OidcAuthenticator } from './auth/oidc/OidcAuthenticator';
import { openDataDatabase } from './store/database';
import { createWorkspace } from './workspace';
import { readBackendVersion } from './version';
import { createApp } from './app';
import { answerClientErrors } from './http/clientError';
import { ensureDemoAccount } from './auth/demoAccount';
import { LocalCatalog } from './catalog/LocalCatalog';
import { ensureDemoData } from './catalog/demo/generate';
import { Processing } from './processes/sync';
import { MapServices } from './services/MapServices';
import type { TileRenderer } from './services/types';
import { createTileRenderer } from './services/render';

/** What start-up may be given instead of the built-in parts. */
export interface ContextOptions {
  /** Draws the map services' tiles instead of the renderer over the run service (tests of the tile machinery). */
  renderer?: TileRenderer;
}

/** Opens the stores in the data directory and wires the context every resource gets. */
export async function createContext(config: Config, logger: Logger, options: ContextOptions = {}): Promise<ServerContext> {
  fs.mkdirSync(config.dataDir, { recursive: true });
  const db = openDataDatabase(config.dataDir);
  const users = new UserStore(db);
  const workspace = createWorkspace(config, db);
  const oidc = new OidcAuthenticator(config.oidc, users, logger);
  const catalog = new LocalCatalog(config, db, logger);
  await catalog.refresh(true);
  const processing = new Processing({ config, logger, catalog, findUserProcess: (userId, id) => workspace.processGraphs.find(userId, id) });
  const jobs = new BatchJobs({
    config,
    db,
    logger,
    catalog,
    runs: {
      callerOf: (userId) => processing.caller(users.findById(userId)),
      validate: (process, caller) => processing.validateProcess(process, caller, 'run'),
    },
  });
  const renderer =
    options.renderer ??
    createTileRenderer({
      run: processing.runs,
      caller: (userId) => processing.caller(users.findById(userId)),
      logger,
      config,
    });
  const services = new MapServices({ config, db, logger, catalog, processing, users, renderer });
  return { config, logger, db, users, catalog, oidc, workspace, jobs, services, processing, backendVersion: readBackendVersion() };
}

/** Everything start-up does before listening: demo data and account where configured. */
export async function prepare(ctx: ServerContext): Promise<void> {
  if (ctx.config.demo && !ctx.config.production) await ensureDemoAccount(ctx.users, ctx.logger);
  if (ctx.config.demo && (await ensureDemoData(ctx.config.dataDir, ctx.logger))) await ctx.catalog.refresh?.(true);
  // Not awaited: the server must serve Basic users even while an identity provider is unreachable.
  ctx.oidc.warmUp();
}

export async function startServer(ctx: ServerContext): Promise<http.Server> {
  const app = createApp(ctx);
  const server = http.createServer(app);
  // Slow clients may not hold a socket forever; large uploads and results still have time.
  server.headersTimeout = 60_000;
  server.requestTimeout = 0;
  server.keepAliveTimeout = 5_000;
  answerClientErrors(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(ctx.config.port, ctx.config.host, () => resolve());
  });
  // Jobs start once the port is bound: a second server on the same data directory fails before touching them.
  ctx.jobs.start();
  return server;
}

/** Closes the database at once; resolves when the job executor has let go of its connections. */
export function closeContext(ctx: ServerContext): Promise<void> {
  const stopped = ctx.jobs.stop();
  ctx.db.close();
  return stopped;
}
