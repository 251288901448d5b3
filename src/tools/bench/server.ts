import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { pipeline } from 'node:stream/promises';
import { loadConfig } from '../../config/load';
import { createLogger } from '../../logger';
import { closeContext, createContext, startServer } from '../../server';
import { DEFAULT_CONFIG } from '../../config/defaults';
import { ensureDemoData } from '../../catalog/demo/generate';
import type { ServerContext } from '../../context';
import type { Config } from '../../config/types';

export interface BenchServer {
  baseUrl: string;
  collectionId: string;
  /** The `Authorization` header of the bench user. */
  auth: string;
  /** The server's settings as loaded (workers of the queue runner start from them). */
  config: Config;
  /** Posts a process graph to POST /result and stores the body in `outFile`; throws on an HTTP error. */
  runGraph(graph: Record<string, unknown>, outFile: string): Promise<void>;
  close(): Promise<void>;
}

/** A port on 127.0.0.1 nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as net.AddressInfo).port;
      probe.close(() => resolve(port));
    });
  });
}

/** The real server in this process, on 127.0.0.1, with a fresh data directory and the bench folder as its only collection. */
export async function startBenchServer(benchFolder: string, collectionId: string, configFile: string, options: { withDemo?: boolean } = {}): Promise<BenchServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openeo-bench-'));
  // The demo collections too, for benchmarks that compare with them (written into the data directory).
  if (options.withDemo) await ensureDemoData(dataDir);
  const demoSources = options.withDemo ? DEFAULT_CONFIG.collections.sources : [];
  const config = loadConfig({
    file: configFile,
    env: {},
    overrides: {
      dataDir,
      port: await freePort(),
      host: '127.0.0.1',
      logLevel: 'silent',
      demo: false,
      collections: { sources: [{ type: 'folder', path: benchFolder, id: collectionId, pattern: 'S2_{date}_{band}.tif' }, ...demoSources], rescanSeconds: 3600 },
      limits: { syncMaxPixels: 1e12, syncTimeoutSeconds: 3600, syncConcurrentPerUser: 2 },
    },
  });
  const ctx: ServerContext = await createContext(config, createLogger(config.logLevel));
  const server: http.Server = await startServer(ctx);
  const baseUrl = `http://127.0.0.1:${config.port}`;
  const user = 'bench';
  const password = 'bench password 1234';
  if (!ctx.users.findByName(user)) await ctx.users.add(user, password);
  const login = await fetch(`${baseUrl}/credentials/basic`, { headers: { Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` } });
  if (login.status !== 200) throw new Error(`bench login failed: HTTP ${login.status} ${await login.text()}`);
  const token = ((await login.json()) as { access_token: string }).access_token;
  const auth = `Bearer basic//${token}`;
  return {
    baseUrl,
    collectionId,
    auth,
    config,
    async runGraph(graph, outFile) {
      // node:http rather than fetch: the client shares the process with the server, and web
      // streams cost it more time per chunk than the server spends sending the file.
      const body = JSON.stringify({ process: { process_graph: graph } });
      const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
        const req = http.request(`${baseUrl}/result`, {
          method: 'POST',
          headers: { Authorization: auth, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) },
        }, resolve);
        req.on('error', reject);
        req.end(body);
      });
      if (res.statusCode !== 200) {
        const chunks: Buffer[] = [];
        for await (const chunk of res) chunks.push(chunk as Buffer);
        throw new Error(`POST /result: HTTP ${res.statusCode} ${Buffer.concat(chunks).toString()}`);
      }
      await pipeline(res, fs.createWriteStream(outFile));
    },
    async close() {
      // Kept-alive client sockets would otherwise hold close() open until they time out.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      closeContext(ctx);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
