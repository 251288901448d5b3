import fs from 'node:fs';
import path from 'node:path';
import type { Express } from 'express';
import { loadConfig } from '../../src/config/load';
import { createLogger } from '../../src/logger';
import { closeContext, createContext } from '../../src/server';
import { createApp } from '../../src/app';
import type { ServerContext } from '../../src/context';
import { tempDir } from './rasters';
import { specChecked } from '../helpers/specCheck';

/** Log lines the server wrote, parsed. */
export type LogLine = Record<string, unknown> & { msg?: string; level: number };

export interface LoggedServer {
  ctx: ServerContext;
  app: Express;
  dataDir: string;
  log: LogLine[];
  close(): void;
}

/** The real app like startTestServer, but with its log kept so tests can check what was reported. */
export async function startLoggedServer(collections: Record<string, unknown>, dataDir = tempDir('catalog-data-')): Promise<LoggedServer> {
  const log: LogLine[] = [];
  const config = loadConfig({
    file: path.resolve(__dirname, '../../config.json'),
    env: {},
    overrides: { dataDir, logLevel: 'debug', demo: false, collections },
  });
  const logger = createLogger('debug', { write: (line: string) => void log.push(JSON.parse(line) as LogLine) });
  const ctx = await createContext(config, logger);
  return {
    ctx,
    app: specChecked(createApp(ctx)),
    dataDir,
    log,
    close() {
      closeContext(ctx);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
