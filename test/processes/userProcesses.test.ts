import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';

describe('calling user-defined processes', () => {
  let server: TestServer;
  let alice: string;
  let bob: string;

  const store = (auth: string, id: string, doc: Record<string, unknown>) =>
    request(server.app).put(`/process_graphs/${id}`).set('Authorization', auth).send({ id, ...doc });
  const call = (processId: string, args: Record<string, unknown>, namespace?: string | null) => ({
    process: { process_graph: { n: { process_id: processId, ...(namespace !== undefined ? { namespace } : {}), arguments: args, result: true } } },
  });
  const result = (auth: string, body: unknown) => request(server.app).post('/result').set('Authorization', auth).send(body as object);
  const validation = (auth: string | undefined, body: unknown) => {
    const req = request(server.app).post('/validation');
    return (auth ? req.set('Authorization', auth) : req).send(body as object);
  };

  beforeAll(async () => {
    server = await startTestServer();
    alice = await server.login();
    bob = await server.login('bob', 'another fine password');
    const scale = {
      parameters: [
        { name: 'x', description: 'value', schema: { type: 'number' } },
        { name: 'factor', description: 'factor', schema: { type: 'number' }, optional: true, default: 2 },
      ],
      process_graph: { m: { process_id: 'multiply', arguments: { x: { from_parameter: 'x' }, y: { from_parameter: 'factor' } }, result: true } },
    };
    expect((await store(alice, 'scale', scale)).status).toBeLessThan(300);
    const twice = {
      parameters: [{ name: 'v', description: 'value', schema: { type: 'number' } }],
      process_graph: {
        a: { process_id: 'scale', arguments: { x: { from_parameter: 'v' } } },
        b: { process_id: 'scale', namespace: 'user', arguments: { x: { from_node: 'a' }, factor: 5 }, result: true },
      },
    };
    expect((await store(alice, 'twice', twice)).status).toBeLessThan(300);
  });
  afterAll(() => server.close());

  test('a stored process runs with its defaults and can call other stored processes', async () => {
    expect((await result(alice, call('scale', { x: 21 }))).body).toBe(42);
    expect((await result(alice, call('scale', { x: 3, factor: 3 }, 'user'))).body).toBe(9);
    expect((await result(alice, call('twice', { v: 1 }))).body).toBe(10);
    expect((await validation(alice, call('twice', { v: 1 }).process)).body).toEqual({ errors: [] });
  });

  test('wrong calls are reported like those of predefined processes', async () => {
    const codes = async (body: { process: unknown }) => (await validation(alice, body.process)).body.errors.map((e: { code: string }) => e.code);
    expect(await codes(call('scale', {}))).toEqual(['ProcessParameterRequired']);
    expect(await codes(call('scale', { x: 1, y: 2 }))).toEqual(['ProcessParameterUnsupported']);
    expect(await codes(call('scale', { x: 'one' }))).toEqual(['ProcessParameterInvalid']);
    const res = await result(alice, call('scale', { x: 'one' }));
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('ProcessParameterInvalid');
  });

  test('storing checks calls of other stored processes as a run would, and refuses recursion', async () => {
    const quadruple = {
      parameters: [{ name: 'v', description: 'value', schema: { type: 'number' } }],
      process_graph: { t: { process_id: 'twice', arguments: { v: { from_parameter: 'v' } }, result: true } },
    };
    expect((await store(alice, 'quadruple', quadruple)).status).toBe(200);
    expect((await result(alice, call('quadruple', { v: 2 }))).body).toBe(20);

    const wrongCall = { process_graph: { t: { process_id: 'twice', arguments: { v: 'two' }, result: true } } };
    const refused = await store(alice, 'wrong_call', wrongCall);
    expect([refused.status, refused.body.code]).toEqual([400, 'ProcessGraphInvalid']);
    expect(refused.body.message).toMatch(/twice/);

    // A process that calls itself could never run, so it is not stored.
    const loop = {
      parameters: [{ name: 'v', description: 'value', schema: { type: 'number' } }],
      process_graph: { a: { process_id: 'loop', arguments: { v: { from_parameter: 'v' } }, result: true } },
    };
    const recursive = await store(alice, 'loop', loop);
    expect([recursive.status, recursive.body.code]).toEqual([400, 'ProcessGraphInvalid']);
    expect(recursive.body.message).toMatch(/calls itself/);
    // Nor through another process: `scale` replaced by a call of `twice`, which calls `scale`.
    const cycle = { parameters: [{ name: 'x', description: 'value', schema: { type: 'number' } }], process_graph: { c: { process_id: 'twice', arguments: { v: { from_parameter: 'x' } }, result: true } } };
    expect((await store(alice, 'scale', cycle)).body.message).toMatch(/calls itself/);
    expect((await result(alice, call('scale', { x: 21 }))).body).toBe(42);
  });

  test('only their owner can call them, and never through the backend namespace', async () => {
    expect((await result(bob, call('scale', { x: 1 }))).body.code).toBe('ProcessUnsupported');
    expect((await validation(undefined, call('scale', { x: 1 }).process)).body.errors[0].code).toBe('ProcessUnsupported');
    expect((await result(alice, call('scale', { x: 1 }, 'backend'))).body.code).toBe('ProcessUnsupported');
    expect((await result(alice, call('add', { x: 1, y: 1 }, 'user'))).body.code).toBe('ProcessUnsupported');
  });
});
