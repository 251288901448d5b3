import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import type { Express } from 'express';
import { loadConfig } from '../../src/config/load';
import { createLogger } from '../../src/logger';
import { closeContext, createContext, type ContextOptions } from '../../src/server';
import { createApp } from '../../src/app';
import type { ServerContext } from '../../src/context';
import { specChecked } from './specCheck';

export interface TestServer {
  ctx: ServerContext;
  app: Express;
  dataDir: string;
  /** Creates a user and returns the `Authorization` header value for it. */
  login(name?: string, password?: string): Promise<string>;
  /** Resolves once the job executor let go of its connections (the queue runner's Redis). */
  close(): Promise<void>;
}

/**
 * The real application (its responses checked against openapi.yaml) over a fresh SQLite file in a temporary data directory.
 * `overrides` are config settings; the demo data and account are off unless asked for.
 * `options` replace built-in parts (e.g. the map tile renderer).
 */
export async function startTestServer(overrides: Record<string, unknown> = {}, options: ContextOptions = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openeo-test-'));
  const config = loadConfig({
    file: path.resolve(__dirname, '../../config.json'),
    env: {},
    overrides: { dataDir, logLevel: 'silent', demo: false, collections: { sources: [] }, ...overrides },
  });
  const ctx = await createContext(config, createLogger(config.logLevel), options);
  // Every response is checked against the API document; specCheckSetup.ts reports mismatches.
  const app = specChecked(createApp(ctx));
  return {
    ctx,
    app,
    dataDir,
    async login(name = 'alice', password = 'correct horse battery') {
      if (!ctx.users.findByName(name)) await ctx.users.add(name, password);
      const res = await request(app).get('/credentials/basic').auth(name, password);
      if (res.status !== 200) throw new Error(`login of ${name} failed: ${res.status} ${JSON.stringify(res.body)}`);
      return `Bearer basic//${res.body.access_token}`;
    },
    close() {
      const stopped = closeContext(ctx);
      fs.rmSync(dataDir, { recursive: true, force: true });
      return stopped;
    },
  };
}
