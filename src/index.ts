import './threadpool';
import { ConfigError, loadConfig } from './config/load';
import { createLogger } from './logger';
import { closeContext, createContext, prepare, startServer } from './server';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`openeo: ${e.message}\n`);
      process.exit(2);
    }
    throw e;
  }
  const logger = createLogger(config.logLevel);
  const ctx = await createContext(config, logger);
  await prepare(ctx);
  const server = await startServer(ctx);
  logger.info({ url: config.publicUrl, port: config.port, dataDir: config.dataDir }, 'openEO back-end listening');

  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    server.close(() => {
      closeContext(ctx).finally(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 5000).unref();
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((e: unknown) => {
  const message = e instanceof Error ? e.message : String(e);
  process.stderr.write(`openeo: could not start: ${message}\n`);
  process.exit(1);
});
