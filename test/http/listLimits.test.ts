import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';

/** Every list endpoint reads `limit` the same way and refuses a bad one with the same message. */
let server: TestServer;
let auth: string;
let jobId: string;

beforeAll(async () => {
  server = await startTestServer();
  auth = await server.login();
  const created = await request(server.app)
    .post('/jobs')
    .set('Authorization', auth)
    .send({ process: { process_graph: { one: { process_id: 'add', arguments: { x: 1, y: 1 }, result: true } } } });
  jobId = created.headers['openeo-identifier'];
});

afterAll(() => server.close());

const lists = () => ['/processes', '/process_graphs', '/collections', '/jobs', '/files', `/jobs/${jobId}/logs`];

test.each(['0', '-1', 'ten', '1.5', '99999999999999999999'])('limit=%s is refused alike by every list', async (limit) => {
  const messages = new Set<string>();
  for (const list of lists()) {
    const res = await request(server.app).get(`${list}?limit=${limit}`).set('Authorization', auth);
    expect([list, res.status, res.body.code]).toEqual([list, 400, 'BadRequest']);
    messages.add(res.body.message);
  }
  expect(messages.size).toBe(1);
  expect([...messages][0]).toMatch(/'limit' must be a whole number of at least 1/);
});

test('limit given twice is refused by every list', async () => {
  for (const list of lists()) {
    const res = await request(server.app).get(`${list}?limit=1&limit=2`).set('Authorization', auth);
    expect([list, res.status, res.body.code]).toEqual([list, 400, 'BadRequest']);
  }
});

test('an empty limit means the whole list', async () => {
  for (const list of lists()) {
    const res = await request(server.app).get(`${list}?limit=`).set('Authorization', auth);
    expect([list, res.status]).toEqual([list, 200]);
    expect(res.body.links.filter((l: { rel: string }) => l.rel === 'next')).toEqual([]);
  }
});

test('a cursor the server did not write is refused', async () => {
  for (const list of ['/jobs?limit=1&after=bm90LWEtY3Vyc29y', '/jobs?after=' + Buffer.from('["2026-01-01T00:00:00Z","x"]').toString('base64url')]) {
    const res = await request(server.app).get(list).set('Authorization', auth);
    expect([list, res.status, res.body.code]).toEqual([list, 400, 'BadRequest']);
    expect(res.body.message).toMatch(/paging cursor/);
  }
});
