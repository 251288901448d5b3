import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';

/** Odd but syntactically valid JSON graphs: each must give an openEO error (or a result), never a 500. */
const graphs: unknown[] = [
  null,
  [],
  { a: null },
  { a: { process_id: 5, arguments: {}, result: true } },
  { a: { process_id: 'add', arguments: null, result: true } },
  { a: { process_id: 'add', arguments: { x: { from_node: 5 }, y: 1 }, result: true } },
  { a: { process_id: 'add', arguments: { x: { from_node: 'constructor' }, y: 1 }, result: true } },
  { a: { process_id: 'add', arguments: { x: { from_node: '__proto__' }, y: 1 }, result: true } },
  { constructor: { process_id: 'add', arguments: { x: 1, y: 1 }, result: true } },
  { a: { process_id: 'add', arguments: { x: { from_parameter: 'toString' }, y: 1 }, result: true } },
  { a: { process_id: 'add', arguments: { x: { from_parameter: 'x', extra: 1 }, y: 1 }, result: true } },
  { a: { process_id: 'add', arguments: { x: 1, y: 1 }, result: 'yes' } },
  { a: { process_id: 'add', namespace: 7, arguments: { x: 1, y: 1 }, result: true } },
  { a: { process_id: 'array_apply', arguments: { data: [1], process: { process_graph: null } }, result: true } },
  { a: { process_id: 'array_apply', arguments: { data: [1], process: { process_graph: {} } }, result: true } },
  { a: { process_id: 'array_apply', arguments: { data: 'abc', process: { process_graph: { b: { process_id: 'pi', arguments: {}, result: true } } } }, result: true } },
  { a: { process_id: 'array_element', arguments: { data: [1], index: 1e300 }, result: true } },
  { a: { process_id: 'array_create', arguments: { data: [1], repeat: -5 }, result: true } },
  { a: { process_id: 'quantiles', arguments: { data: [1, 2], probabilities: [2] }, result: true } },
  { a: { process_id: 'quantiles', arguments: { data: [1, 2], probabilities: 1e12 }, result: true } },
  { a: { process_id: 'array_create', arguments: { data: [1, 2], repeat: 1e12 }, result: true } },
  { a: { process_id: 'sort', arguments: { data: [1, 'a'] }, result: true } },
  { a: { process_id: 'date_shift', arguments: { date: '2020-99-99', value: 1, unit: 'day' }, result: true } },
  { a: { process_id: 'date_shift', arguments: { date: '2020-01-01', value: 1, unit: 'fortnight' }, result: true } },
  { a: { process_id: 'date_shift', arguments: { date: '2020-01-01', value: 9e15, unit: 'year' }, result: true } },
  { a: { process_id: 'if', arguments: { value: 'maybe', accept: 1 }, result: true } },
  { a: { process_id: 'text_concat', arguments: { data: [[1]] }, result: true } },
  { a: { process_id: 'load_collection', arguments: { id: 'nothing', spatial_extent: null, temporal_extent: null }, result: true } },
  { a: { process_id: 'save_result', arguments: { data: 1, format: 'GTiff' }, result: true } },
];

describe('bad graphs never break the server', () => {
  let server: TestServer;
  let auth: string;
  beforeAll(async () => {
    server = await startTestServer();
    auth = await server.login();
  });
  afterAll(() => server.close());

  test.each(graphs.map((g, i) => [i, g]))('graph %i', async (_i, graph) => {
    const result = await request(server.app).post('/result').set('Authorization', auth).send({ process: { process_graph: graph } });
    expect(result.status).toBeLessThan(500);
    if (result.status !== 200) {
      expect(typeof result.body.code).toBe('string');
      expect(typeof result.body.message).toBe('string');
    }
    const validation = await request(server.app).post('/validation').send({ process_graph: graph });
    expect(validation.status).toBe(200);
    expect(Array.isArray(validation.body.errors)).toBe(true);
    // A graph the validator accepts may only fail structurally at run time for a missing parameter value.
    if (validation.body.errors.length === 0 && result.body.code === 'ProcessGraphInvalid') {
      expect(result.body.message).toMatch(/parameter/);
    }
  });

  test('processes cannot build arrays big enough to exhaust memory', async () => {
    for (const args of [{ data: [1, 2], repeat: 1e12 }, { data: [], repeat: 1e12 }]) {
      const res = await request(server.app).post('/result').set('Authorization', auth).send({ process: { process_graph: { a: { process_id: 'array_create', arguments: args, result: true } } } });
      if (args.data.length === 0) expect(res.body).toEqual([]);
      else expect(res.body.code).toBe('ProcessGraphComplexity');
    }
  });

  test('absurdly deep JSON is refused as too complex instead of overflowing the stack', async () => {
    const depth = 50_000;
    const deep = '['.repeat(depth) + '1' + ']'.repeat(depth);
    const graph = `{"a":{"process_id":"constant","arguments":{"x":${deep}},"result":true}}`;
    const run = await request(server.app).post('/result').set('Authorization', auth).set('Content-Type', 'application/json').send(`{"process":{"process_graph":${graph}}}`);
    expect(run.status).toBe(400);
    expect(run.body.code).toBe('ProcessGraphComplexity');
    const check = await request(server.app).post('/validation').set('Content-Type', 'application/json').send(`{"process_graph":${graph}}`);
    expect(check.body.errors.map((e: { code: string }) => e.code)).toEqual(['ProcessGraphComplexity']);
  });
});
