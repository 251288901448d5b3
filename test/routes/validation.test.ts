import request from 'supertest';
import { expectMatchesSpec } from '../helpers/openapi';
import { startTestServer, TestServer } from '../helpers/testServer';

describe('POST /validation', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  const post = (body: unknown) => request(server.app).post('/validation').send(body as object);

  test('a valid graph gives an empty error list', async () => {
    const res = await post({ process_graph: { a: { process_id: 'add', arguments: { x: 1, y: 2 }, result: true } } });
    expect(res.status).toBe(200);
    expectMatchesSpec('/validation', 'post', res);
    expect(res.body).toEqual({ errors: [] });
  });

  test('the process may also come wrapped as {process: {...}}', async () => {
    const res = await post({ process: { process_graph: { a: { process_id: 'nope', arguments: {}, result: true } } } });
    expect(res.status).toBe(200);
    expect(res.body.errors.map((e: { code: string }) => e.code)).toEqual(['ProcessUnsupported']);
  });

  test('every problem comes back as an openEO error with code and message, still with status 200', async () => {
    const res = await post({
      process_graph: {
        a: { process_id: 'add', arguments: { x: 'one', z: 1 } },
        b: { process_id: 'unknown_process', arguments: {} },
        c: { process_id: 'mean', arguments: { data: { from_node: 'gone' } }, result: true },
      },
    });
    expect(res.status).toBe(200);
    expectMatchesSpec('/validation', 'post', res);
    const codes = res.body.errors.map((e: { code: string }) => e.code).sort();
    expect(codes).toEqual(['ProcessGraphInvalid', 'ProcessParameterInvalid', 'ProcessParameterRequired', 'ProcessParameterUnsupported', 'ProcessUnsupported']);
    for (const e of res.body.errors) expect(e.message.length).toBeGreaterThan(0);
  });

  test('unresolvable parameters are not an error for validation', async () => {
    const res = await post({ process_graph: { a: { process_id: 'add', arguments: { x: { from_parameter: 'later' }, y: 1 }, result: true } } });
    expect(res.body).toEqual({ errors: [] });
  });

  test('complexity limits are reported', async () => {
    const graph: Record<string, unknown> = {};
    for (let i = 0; i <= server.ctx.config.limits.graphMaxNodes; i++) graph[`n${i}`] = { process_id: 'pi', arguments: {}, result: i === 0 };
    const res = await post({ process_graph: graph });
    expect(res.body.errors.map((e: { code: string }) => e.code)).toEqual(['ProcessGraphComplexity']);
  });

  test('a body without a process graph is a ProcessGraphMissing error', async () => {
    for (const body of [{}, { process: {} }, { title: 'x' }]) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('ProcessGraphMissing');
      expectMatchesSpec('/validation', 'post', res);
    }
  });

  test('malformed JSON is a 400 error, not a crash', async () => {
    const res = await request(server.app).post('/validation').set('Content-Type', 'application/json').send('{"process_graph": ');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('BadRequest');
  });

  test('graphs that are not objects are reported as invalid', async () => {
    for (const graph of [[], 'x', 5, null, { a: 1 }, { a: { process_id: 'add', arguments: [], result: true } }]) {
      const res = await post({ process_graph: graph });
      expect(res.status).toBe(200);
      expect(res.body.errors.length).toBeGreaterThan(0);
      expect(res.body.errors[0].code).toBe('ProcessGraphInvalid');
    }
  });
});
