import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@openeo/js-client';
import { ensureDemoData } from '../../../src/catalog/demo/generate';
import { DEFAULT_CONFIG } from '../../../src/config/defaults';
import { freePort } from '../../helpers/ports';
import { startTestServer, TestServer } from '../../helpers/testServer';

/** The test server with the demo collections, listening on a real port for the JS client. */
export interface DemoServer {
  server: TestServer;
  url: string;
  dataDir: string;
  close(): Promise<void>;
}

export async function startDemoServer(overrides: Record<string, unknown> = {}): Promise<DemoServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openeo-e2e-'));
  await ensureDemoData(dataDir);
  // The client follows the absolute URLs of /.well-known/openeo and of the links, which come from publicUrl.
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server = await startTestServer({ dataDir, publicUrl: url, collections: DEFAULT_CONFIG.collections, ...overrides });
  const listener = http.createServer(server.app);
  await new Promise<void>((resolve) => listener.listen(port, '127.0.0.1', resolve));
  return {
    server,
    url,
    dataDir,
    async close() {
      // The client keeps connections alive; close them so the test process can exit.
      listener.closeAllConnections();
      await new Promise((resolve) => listener.close(resolve));
      await server.close();
    },
  };
}

/** Writes what the client received (a stream in Node, a Buffer in some paths) to a file. */
export async function streamToFile(data: unknown, file: string): Promise<void> {
  if (Buffer.isBuffer(data)) return fs.promises.writeFile(file, data);
  await new Promise<void>((resolve, reject) => {
    const out = fs.createWriteStream(file);
    (data as NodeJS.ReadableStream).pipe(out);
    out.on('finish', resolve);
    out.on('error', reject);
  });
}

/**
 * The client rejects with axios errors, whose request and response objects refer to each other;
 * a jest worker cannot send such an error to the main process and crashes instead of reporting
 * the failure. Rethrown as plain errors with the openEO code and message, failures stay readable.
 */
export function plainClientErrors(): void {
  const proto = Connection.prototype as unknown as { _send: (...args: unknown[]) => Promise<unknown>; plainErrors?: boolean };
  if (proto.plainErrors) return;
  const send = proto._send;
  proto._send = async function (this: unknown, ...args: unknown[]) {
    try {
      return await send.apply(this, args);
    } catch (error) {
      const e = error as { message?: string; code?: string; response?: { status?: number } };
      throw new Error(`${e.response?.status ?? ''} ${e.code ?? ''}: ${e.message ?? String(error)}`.trim());
    }
  };
  proto.plainErrors = true;
}
