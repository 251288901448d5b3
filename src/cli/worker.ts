/**
 * `npm run worker`: runs batch-job units from the Redis queue on this host (the `bullmq` runner).
 * Reads the same config.json and environment as the server; the data folder must be the one the
 * API server uses (a shared file system). SIGTERM or SIGINT: no new units, the running ones get
 * `--grace <seconds>` (default 60) to finish, then go back to the queue for other workers.
 */
import '../threadpool';
import { ConfigError, loadConfig } from '../config/load';
import { createLogger } from '../logger';
import { WorkerHost } from '../jobs/queue/workerHost';
import { option } from './options';

async function main(args: string[]): Promise<void> {
  const grace = option(args, '--grace') ?? '60';
  if (!/^\d+(\.\d+)?$/.test(grace)) throw new Error('--grace takes a number of seconds');
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  const host = new WorkerHost(config, logger);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, graceSeconds: Number(grace) }, 'worker: stopping; running units may finish');
    host.stop(Number(grace) * 1000).then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'worker: stopping failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
  await host.start();
}

main(process.argv.slice(2)).catch((e: unknown) => {
  const message = e instanceof ConfigError || e instanceof Error ? e.message : String(e);
  process.stderr.write(`worker: ${message}\n`);
  process.exit(1);
});
