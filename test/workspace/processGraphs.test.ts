import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';
import { expectMatchesSpec } from '../helpers/openapi';
import { expectProcessMatchesSpec } from './specHelpers';

let server: TestServer;
let alice: string;
let bob: string;

beforeAll(async () => {
  server = await startTestServer();
  alice = await server.login('alice');
  bob = await server.login('bob');
});
afterAll(() => server.close());

/** (x + y) * factor, with every parameter declared as the API describes it. */
function scaledSum(extra: Record<string, unknown> = {}) {
  return {
    summary: 'Scaled sum',
    description: 'Adds two numbers and multiplies the sum by a factor.',
    categories: ['math'],
    parameters: [
      { name: 'x', description: 'First number.', schema: { type: 'number' } },
      { name: 'y', description: 'Second number.', schema: { type: 'number' } },
      { name: 'factor', description: 'Scale factor.', schema: { type: 'number' }, optional: true, default: 2 },
    ],
    returns: { description: 'The scaled sum.', schema: { type: 'number' } },
    process_graph: {
      sum: { process_id: 'add', arguments: { x: { from_parameter: 'x' }, y: { from_parameter: 'y' } } },
      scale: { process_id: 'multiply', arguments: { x: { from_node: 'sum' }, y: { from_parameter: 'factor' } }, result: true },
    },
    ...extra,
  };
}

function put(id: string, body: unknown, auth = alice) {
  return request(server.app).put(`/process_graphs/${id}`).set('Authorization', auth).send(body as object);
}

describe('user-defined processes: store, read, list, delete', () => {
  test('stores a process and answers 200', async () => {
    const res = await put('scaled_sum', scaledSum());
    expect(res.status).toBe(200);
    expectMatchesSpec('/process_graphs/{process_graph_id}', 'put', res);
  });

  test('returns the full process with its graph', async () => {
    const res = await request(server.app).get('/process_graphs/scaled_sum').set('Authorization', alice);
    expect(res.status).toBe(200);
    expectProcessMatchesSpec('/process_graphs/{process_graph_id}', 'get', res);
    expect(res.body).toEqual({ id: 'scaled_sum', ...scaledSum() });
  });

  test('the id in the path wins over the one in the body', async () => {
    const res = await put('renamed', scaledSum({ id: 'something_else' }));
    expect(res.status).toBe(200);
    const stored = await request(server.app).get('/process_graphs/renamed').set('Authorization', alice);
    expect(stored.body.id).toBe('renamed');
    expect((await request(server.app).get('/process_graphs/something_else').set('Authorization', alice)).status).toBe(404);
  });

  test('null for optional metadata means absent', async () => {
    const res = await put('minimal', { summary: null, description: null, parameters: null, returns: null, process_graph: scaledSum().process_graph });
    expect(res.status).toBe(200);
    const stored = await request(server.app).get('/process_graphs/minimal').set('Authorization', alice);
    expectMatchesSpec('/process_graphs/{process_graph_id}', 'get', stored);
    expect(stored.body).toEqual({ id: 'minimal', process_graph: scaledSum().process_graph });
  });

  test('storing again replaces the whole process', async () => {
    const res = await put('renamed', { summary: 'Only a summary now', process_graph: { one: { process_id: 'absolute', arguments: { x: -1 }, result: true } } });
    expect(res.status).toBe(200);
    const stored = await request(server.app).get('/process_graphs/renamed').set('Authorization', alice);
    expect(stored.body).toEqual({
      id: 'renamed',
      summary: 'Only a summary now',
      process_graph: { one: { process_id: 'absolute', arguments: { x: -1 }, result: true } },
    });
  });

  test('lists summaries without graphs or bulky extras', async () => {
    await put('with_extras', scaledSum({ examples: [{ arguments: { x: 1, y: 2 }, returns: 6 }], links: [{ rel: 'about', href: 'https://example.org/sum' }], exceptions: { Oops: { message: 'Oops.' } } }));
    const res = await request(server.app).get('/process_graphs').set('Authorization', alice);
    expect(res.status).toBe(200);
    expectProcessMatchesSpec('/process_graphs', 'get', res);
    expect(res.body.processes.map((p: { id: string }) => p.id)).toEqual(['minimal', 'renamed', 'scaled_sum', 'with_extras']);
    const extras = res.body.processes.find((p: { id: string }) => p.id === 'with_extras');
    const { process_graph: _graph, ...summary } = scaledSum();
    expect(extras).toEqual({ id: 'with_extras', ...summary });
    const full = await request(server.app).get('/process_graphs/with_extras').set('Authorization', alice);
    expectProcessMatchesSpec('/process_graphs/{process_graph_id}', 'get', full);
    expect(full.body.examples).toHaveLength(1);
    expect(res.body.links).toEqual([]);
  });

  test('answers a limited request with the whole list, as the JS client reads only one page', async () => {
    const res = await request(server.app).get('/process_graphs?limit=3').set('Authorization', alice);
    expect(res.status).toBe(200);
    expectProcessMatchesSpec('/process_graphs', 'get', res);
    expect(res.body.processes.map((p: { id: string }) => p.id)).toEqual(['minimal', 'renamed', 'scaled_sum', 'with_extras']);
    expect(res.body.links).toEqual([]);
    const bad = await request(server.app).get('/process_graphs?limit=0').set('Authorization', alice);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/'limit' must be a whole number/);
  });

  test('deletes with 204, afterwards it is gone', async () => {
    const res = await request(server.app).delete('/process_graphs/minimal').set('Authorization', alice);
    expect(res.status).toBe(204);
    const gone = await request(server.app).get('/process_graphs/minimal').set('Authorization', alice);
    expect(gone.status).toBe(404);
    expect(gone.body.code).toBe('ProcessGraphNotFound');
    const again = await request(server.app).delete('/process_graphs/minimal').set('Authorization', alice);
    expect(again.status).toBe(404);
    expect(again.body.code).toBe('ProcessGraphNotFound');
  });

  test('the process graph store gives other modules the stored process', () => {
    const aliceId = server.ctx.users.findByName('alice')!.id;
    const store = server.ctx.workspace.processGraphs;
    expect(store.find(aliceId, 'scaled_sum')?.process_graph).toEqual(scaledSum().process_graph);
    expect(store.find(aliceId, 'minimal')).toBeUndefined();
    expect(store.find(server.ctx.users.findByName('bob')!.id, 'scaled_sum')).toBeUndefined();
  });

  test('a process may call the user\'s own processes', async () => {
    const res = await put('calls_own', {
      process_graph: { inner: { process_id: 'scaled_sum', arguments: { x: 1, y: 2 }, result: true } },
    });
    expect(res.status).toBe(200);
  });
});

describe('user-defined processes: refused bodies', () => {
  test('the id of a predefined process cannot be taken', async () => {
    const predefined = server.ctx.processing.registry.specs()[0].id;
    const res = await put(predefined, scaledSum());
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('PredefinedProcessExists');
    expect((await put('add', scaledSum())).body.code).toBe('PredefinedProcessExists');
  });

  test('a body without a process graph', async () => {
    const res = await put('no_graph', { summary: 'nothing to run' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('ProcessGraphMissing');
  });

  test('an id outside the allowed characters', async () => {
    const res = await put('bad-id', scaledSum());
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('ProcessInvalid');
  });

  test('a body that is not an object', async () => {
    const res = await put('not_object', [1, 2, 3]);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('ProcessInvalid');
  });

  test('broken metadata is listed problem by problem', async () => {
    const res = await put(
      'bad_metadata',
      scaledSum({
        summary: 42,
        categories: 'math',
        parameters: [{ name: 'x' }, { name: 'bad name', description: 'd', schema: {} }],
        returns: { description: 'no schema' },
      }),
    );
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('ProcessInvalid');
    for (const part of ["'summary'", "'categories'", "parameters[0] needs a 'description'", "parameters[0] needs a 'schema'", 'parameters[1]', "'returns'"]) {
      expect(res.body.message).toContain(part);
    }
  });

  test('a structurally broken graph is refused with every problem listed', async () => {
    const res = await put('broken', {
      process_graph: {
        notanode: 'just a string',
        noid: { arguments: {} },
        noargs: { process_id: 'add' },
        dangling: { process_id: 'add', arguments: { x: { from_node: 'missing' }, y: 1 }, result: true },
        loop1: { process_id: 'add', arguments: { x: { from_node: 'loop2' }, y: 1 } },
        loop2: { process_id: 'add', arguments: { x: { from_node: 'loop1' }, y: 1 }, result: true },
        badref: { process_id: 'add', arguments: { x: { from_node: 'loop1', extra: true }, y: 1 } },
        callback: {
          process_id: 'apply',
          arguments: { data: [1], process: { process_graph: { inner: { process_id: 'absolute', arguments: { x: { from_parameter: 'x' } } } } } },
        },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('ProcessGraphInvalid');
    const message: string = res.body.message;
    for (const part of [
      'process_graph.notanode must be an object',
      "process_graph.noid has no 'process_id'",
      "process_graph.noargs has no 'arguments'",
      "refers to node 'missing'",
      '2 result nodes',
      'cycle through the nodes loop1, loop2',
      "a 'from_node' reference may not have other properties",
      'process_graph.callback.arguments.process.process_graph has no result node',
    ]) {
      expect(message).toContain(part);
    }
    expect((await request(server.app).get('/process_graphs/broken').set('Authorization', alice)).status).toBe(404);
  });

  test('an empty graph or one without a result node', async () => {
    let res = await put('empty_graph', { process_graph: {} });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('ProcessGraphInvalid');
    res = await put('no_result', { process_graph: { a: { process_id: 'absolute', arguments: { x: 1 } } } });
    expect(res.body.code).toBe('ProcessGraphInvalid');
    expect(res.body.message).toContain('no result node');
    res = await put('graph_is_list', { process_graph: [1, 2] });
    expect(res.body.code).toBe('ProcessGraphInvalid');
  });

  test('a self-reference is a cycle', async () => {
    const res = await put('selfish', { process_graph: { a: { process_id: 'absolute', arguments: { x: { from_node: 'a' } }, result: true } } });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('cycle through the nodes a');
  });

  test('deeply nested values are refused, not a crash', async () => {
    const depth = 100_000;
    const deep = '['.repeat(depth) + '1' + ']'.repeat(depth);
    const body = `{"process_graph":{"a":{"process_id":"absolute","arguments":{"x":${deep}},"result":true}}}`;
    const res = await request(server.app).put('/process_graphs/deep').set('Authorization', alice).set('Content-Type', 'application/json').send(body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('ProcessGraphInvalid');
  });

  test('a long chain is checked without running out of stack', async () => {
    const graph: Record<string, unknown> = { n0: { process_id: 'absolute', arguments: { x: 1 } } };
    for (let i = 1; i < 20000; i++) graph[`n${i}`] = { process_id: 'absolute', arguments: { x: { from_node: `n${i - 1}` } } };
    (graph.n19999 as { result?: boolean }).result = true;
    const res = await put('long_chain', { process_graph: graph });
    expect(res.status).toBeLessThan(500);
  });

  test('processes the back-end does not know are refused by the executor check', async () => {
    const res = await put('unknown_call', { process_graph: { a: { process_id: 'no_such_process', arguments: {}, result: true } } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('ProcessGraphInvalid');
    expect(res.body.message).toContain('no_such_process');
  });
});

describe('user-defined processes are private', () => {
  test("bob cannot see, read or delete alice's processes", async () => {
    const list = await request(server.app).get('/process_graphs').set('Authorization', bob);
    expect(list.status).toBe(200);
    expectMatchesSpec('/process_graphs', 'get', list);
    expect(list.body.processes).toEqual([]);
    const read = await request(server.app).get('/process_graphs/scaled_sum').set('Authorization', bob);
    expect(read.status).toBe(404);
    expect(read.body.code).toBe('ProcessGraphNotFound');
    const del = await request(server.app).delete('/process_graphs/scaled_sum').set('Authorization', bob);
    expect(del.status).toBe(404);
    expect((await request(server.app).get('/process_graphs/scaled_sum').set('Authorization', alice)).status).toBe(200);
  });

  test('bob may use the same id for his own process', async () => {
    expect((await put('scaled_sum', scaledSum({ summary: "Bob's" }), bob)).status).toBe(200);
    expect((await request(server.app).get('/process_graphs/scaled_sum').set('Authorization', bob)).body.summary).toBe("Bob's");
    expect((await request(server.app).get('/process_graphs/scaled_sum').set('Authorization', alice)).body.summary).toBe('Scaled sum');
  });

  test('every endpoint needs a login', async () => {
    for (const [method, url] of [
      ['get', '/process_graphs'],
      ['get', '/process_graphs/scaled_sum'],
      ['put', '/process_graphs/scaled_sum'],
      ['delete', '/process_graphs/scaled_sum'],
    ] as const) {
      const res = await request(server.app)[method](url);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('AuthenticationRequired');
    }
  });
});
