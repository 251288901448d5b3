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
