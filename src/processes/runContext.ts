import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/types';
import type { Catalog } from '../catalog/types';
import type { User } from '../auth/UserStore';
import type { ProcessContext } from './types';

/** A catalogue without collections, for runs that don't need data (conformance cases, pure math). */
export const EMPTY_CATALOG: Catalog = {
  list: () => [],
  get: () => undefined,
  items: () => [],
  stacCollection: () => undefined,
};

export interface RunEnvironment {
  config: Config;
  catalog: Catalog;
  logger: Logger;
  user?: User;
  signal: AbortSignal;
}

/** A fresh private work folder under `<dataDir>/tmp`; the caller removes it with `removeWorkDir`. */
export function createWorkDir(config: Config): string {
  const root = path.join(path.resolve(config.dataDir), 'tmp');
  fs.mkdirSync(root, { recursive: true });
  const dir = path.join(root, `run-${randomUUID()}`);
  fs.mkdirSync(dir);
  return dir;
}

export async function removeWorkDir(dir: string): Promise<void> {
  await fs.promises.rm(dir, { recursive: true, force: true });
}

export function createProcessContext(env: RunEnvironment, workDir: string): ProcessContext {
  return {
    config: env.config,
    catalog: env.catalog,
    user: env.user,
    logger: env.logger,
    signal: env.signal,
    workDir,
    stats: { inputPixels: 0 },
    outputs: [],
  };
}
