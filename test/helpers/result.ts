import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { TestServer } from './testServer';

/** Posts a process graph to POST /result and keeps the raw response body as a Buffer, whatever its type. */
export function postResult(server: TestServer, auth: string, graph: Record<string, unknown>): Promise<request.Response> {
  return request(server.app)
    .post('/result')
    .set('Authorization', auth)
    .send({ process: { process_graph: graph } })
    .buffer(true)
    .parse((res, done) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => done(null, Buffer.concat(chunks)));
    });
}

/** A request body that keeps the executor busy for a long time: a child process for each of many elements. */
export const slowGraph = {
  process: {
    process_graph: {
      many: { process_id: 'array_create', arguments: { data: [1], repeat: 2_000_000 } },
      each: {
        process_id: 'array_apply',
        arguments: {
          data: { from_node: 'many' },
          process: { process_graph: { a: { process_id: 'add', arguments: { x: { from_parameter: 'x' }, y: 1 }, result: true } } },
        },
        result: true,
      },
    },
  },
};

/**
 * The run folders left under <dataDir>/tmp. Removal runs right after the response, so this
 * checks up to `attempts` times, 20 ms apart, until none is left.
 */
export async function runFolders(dataDir: string, attempts: number): Promise<string[]> {
  const dir = path.join(dataDir, 'tmp');
  const list = () => (fs.existsSync(dir) && fs.statSync(dir).isDirectory() ? fs.readdirSync(dir) : []);
  for (let attempt = 0; attempt < attempts && list().length > 0; attempt++) await new Promise((r) => setTimeout(r, 20));
  return list();
}
