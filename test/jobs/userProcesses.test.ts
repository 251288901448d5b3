import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';
import { requireBuiltWorker, waitFor } from './helpers';

let server: TestServer;
let alice: string;
let bob: string;

beforeAll(async () => {
  requireBuiltWorker();
  server = await startTestServer();
  server.ctx.jobs.start();
  alice = await server.login('alice');
  bob = await server.login('bob');
  // `scale` calls `multiply_by`: a job has to reach user processes through other user processes too.
  const multiplyBy = {
    parameters: [
      { name: 'x', description: 'value', schema: { type: 'number' } },
      { name: 'by', description: 'factor', schema: { type: 'number' } },
    ],
    process_graph: { m: { process_id: 'multiply', arguments: { x: { from_parameter: 'x' }, y: { from_parameter: 'by' } }, result: true } },
  };
  const scale = {
    parameters: [{ name: 'x', description: 'value', schema: { type: 'number' } }],
    process_graph: { s: { process_id: 'multiply_by', arguments: { x: { from_parameter: 'x' }, by: 2 }, result: true } },
  };
  for (const [id, doc] of [['multiply_by', multiplyBy], ['scale', scale]] as const) {
    expect((await request(server.app).put(`/process_graphs/${id}`).set('Authorization', alice).send(doc)).status).toBe(200);
  }
});
afterAll(() => server?.close());

const callScale = { process: { process_graph: { a: { process_id: 'add', arguments: { x: 20, y: 1 } }, s: { process_id: 'scale', arguments: { x: { from_node: 'a' } }, result: true } } } };

test('a batch job calls the user processes POST /result can call', async () => {
  expect((await request(server.app).post('/result').set('Authorization', alice).send(callScale)).body).toBe(42);
  const created = await request(server.app).post('/jobs').set('Authorization', alice).send(callScale);
  expect(created.status).toBe(201);
  const id = created.headers['openeo-identifier'];
  expect((await request(server.app).post(`/jobs/${id}/results`).set('Authorization', alice)).status).toBe(202);
  const job = await waitFor('the job to end', async () => {
    const res = await request(server.app).get(`/jobs/${id}`).set('Authorization', alice);
    return ['finished', 'error'].includes(res.body.status) ? res.body : undefined;
  });
  const logs = await request(server.app).get(`/jobs/${id}/logs`).set('Authorization', alice);
  expect([job.status, logs.body.logs.filter((e: { level: string }) => e.level === 'error')]).toEqual(['finished', []]);
  const results = await request(server.app).get(`/jobs/${id}/results`).set('Authorization', alice);
  const asset = Object.values(results.body.assets as Record<string, { href: string }>)[0];
  const file = await request(server.app).get(new URL(asset.href).pathname + new URL(asset.href).search);
  expect(JSON.parse(file.text)).toBe(42);
});

test("another user's processes do not exist for a job", async () => {
  const refused = await request(server.app).post('/jobs').set('Authorization', bob).send(callScale);
  expect([refused.status, refused.body.code]).toEqual([400, 'ProcessUnsupported']);
});

test('a job is checked again when it starts, against the user processes stored then', async () => {
  const created = await request(server.app).post('/jobs').set('Authorization', alice).send(callScale);
  const id = created.headers['openeo-identifier'];
  expect((await request(server.app).delete('/process_graphs/scale').set('Authorization', alice)).status).toBe(204);
  expect((await request(server.app).post(`/jobs/${id}/results`).set('Authorization', alice)).status).toBe(202);
  await waitFor('the job to fail', async () => (await request(server.app).get(`/jobs/${id}`).set('Authorization', alice)).body.status === 'error');
  const failure = await request(server.app).get(`/jobs/${id}/results`).set('Authorization', alice);
  expect([failure.status, failure.body.code]).toEqual([424, 'ProcessUnsupported']);
  expect(failure.body.message).toMatch(/scale/);
});
