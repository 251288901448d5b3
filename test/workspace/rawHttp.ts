import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';

/** The app on a real port, for requests supertest would normalise or buffer. */
export async function listen(app: Express): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** Reads a whole response; `onChunk` sees the body pieces as they arrive (for memory checks). */
export function collect(res: http.IncomingMessage, onChunk?: (chunk: Buffer) => void): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    res.on('data', (chunk: Buffer) => (onChunk ? onChunk(chunk) : chunks.push(chunk)));
    res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    res.on('error', reject);
  });
}

/** Sends a request with the path exactly as given (no URL normalisation). */
export function rawRequest(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: Buffer | string,
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, headers }, (res) => collect(res).then(resolve, reject));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Uploads `total` bytes produced on the fly in chunks of `fill` bytes, without ever holding
 * the body in memory. Returns the response (which may come before everything was sent).
 * With `sendAll` the whole body is sent even after an early answer, as simple clients do.
 */
export function streamUpload(
  port: number,
  path: string,
  auth: string,
  total: number,
  options: { fill?: number; chunkSize?: number; declareLength?: boolean; sendAll?: boolean } = {},
): Promise<RawResponse> {
  const chunkSize = options.chunkSize ?? 64 * 1024;
  const chunk = Buffer.alloc(chunkSize, options.fill ?? 0x61);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Authorization: auth, 'Content-Type': 'application/octet-stream' };
    if (options.declareLength) headers['Content-Length'] = String(total);
    const req = http.request({ host: '127.0.0.1', port, method: 'PUT', path, headers });
    let answered = false;
    req.on('response', (res) => {
      answered = true;
      collect(res).then(resolve, reject);
    });
    req.on('error', (error) => {
      if (!answered) reject(error);
    });
    let sent = 0;
    const pump = (): void => {
      while (sent < total && (options.sendAll || !answered)) {
        const piece = Math.min(chunkSize, total - sent);
        sent += piece;
        if (!req.write(piece === chunkSize ? chunk : chunk.subarray(0, piece))) {
          req.once('drain', pump);
          return;
        }
      }
      req.end();
    };
    pump();
  });
}
