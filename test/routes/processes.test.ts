import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { openapiAvailable, specViolations } from '../helpers/openapi';
import { startTestServer, TestServer } from '../helpers/testServer';

const SPEC_DIR = path.resolve(__dirname, '../../../shared/openeo/processes');
const specAvailable = fs.existsSync(SPEC_DIR);

/**
 * The list against the API (every response of the test server is also checked by
 * test/helpers/specCheck.ts), and each parameter and return schema is a schema object.
 */
function expectListMatchesApi(res: { status: number; body: unknown }): void {
  if (!openapiAvailable) return;
  const problems = specViolations('/processes', 'get', res.status, res.body);
  expect(problems).toEqual([]);
  for (const process of (res.body as { processes: Array<{ parameters: Array<{ schema: unknown }>; returns: { schema: unknown } }> }).processes) {
    for (const schema of [...process.parameters.map((p) => p.schema), process.returns.schema]) {
      const alternatives = Array.isArray(schema) ? schema : [schema];
      expect(alternatives.length).toBeGreaterThan(0);
      for (const a of alternatives) expect(typeof a === 'object' && a !== null && !Array.isArray(a)).toBe(true);
    }
  }
}

/** Drops prose so that only the normative parts of two definitions are compared. */
function withoutProse(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutProse);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    if (!['description', 'summary', 'examples', 'links', 'message', 'process_graph'].includes(k)) out[k] = withoutProse(v);
  }
  return out;
}

describe('GET /processes', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  test('lists the processes with complete metadata in the API schema', async () => {
    const res = await request(server.app).get('/processes');
    expect(res.status).toBe(200);
    expectListMatchesApi(res);
    const ids = res.body.processes.map((p: { id: string }) => p.id);
    for (const id of ['add', 'mean', 'array_element', 'quantiles', 'text_concat', 'if', 'sort']) expect(ids).toContain(id);
    expect(ids).toEqual([...ids].sort());
    for (const p of res.body.processes) {
      expect(p.summary.length).toBeGreaterThan(0);
      expect(p.description.length).toBeGreaterThan(0);
      expect(typeof p.returns.description).toBe('string');
      for (const param of p.parameters) expect(param.description.length).toBeGreaterThan(0);
    }
  });

  test('lists exactly what the executor runs', async () => {
    const res = await request(server.app).get('/processes');
    const listed = res.body.processes.map((p: { id: string }) => p.id).sort();
    const registered = server.ctx.processing.registry.specs().map((s) => s.id).sort();
    expect(listed).toEqual(registered);
    for (const id of listed) expect(server.ctx.processing.registry.get(id)).toBeDefined();
  });

  test('answers a limited request with the whole list and no next link, as the JS client reads only one page', async () => {
    const all = (await request(server.app).get('/processes')).body.processes.map((p: { id: string }) => p.id);
    expect(all.length).toBeGreaterThan(50);
    for (const limit of ['1', '50']) {
      const res = await request(server.app).get(`/processes?limit=${limit}`);
      expect(res.status).toBe(200);
      expectListMatchesApi(res);
      expect(res.body.processes.map((p: { id: string }) => p.id)).toEqual(all);
      expect(res.body.links.find((l: { rel: string }) => l.rel === 'next')).toBeUndefined();
    }
  });

  test('a bad limit is a 400 error', async () => {
    for (const limit of ['0', '-3', 'ten', '1.5']) {
      const res = await request(server.app).get(`/processes?limit=${limit}`);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('BadRequest');
    }
  });

  (specAvailable ? test : test.skip)('metadata matches openEO processes 2.0 apart from prose', async () => {
    const res = await request(server.app).get('/processes');
    expect(res.body.processes.length).toBeGreaterThan(0);
    for (const ours of res.body.processes) {
      const stable = path.join(SPEC_DIR, `${ours.id}.json`);
      const proposal = path.join(SPEC_DIR, 'proposals', `${ours.id}.json`);
      const file = fs.existsSync(stable) ? stable : proposal;
      expect(fs.existsSync(file)).toBe(true);
      const reference = JSON.parse(fs.readFileSync(file, 'utf8'));
      expect({ id: ours.id, categories: ours.categories }).toEqual({ id: reference.id, categories: reference.categories ?? [] });
      expect(ours.parameters.map((p: { name: string }) => p.name)).toEqual(reference.parameters.map((p: { name: string }) => p.name));
      reference.parameters.forEach((refParam: Record<string, unknown>, i: number) => {
        const param = ours.parameters[i];
        const context = `${ours.id}.${String(refParam.name)}`;
        expect({ context, schema: withoutProse(param.schema) }).toEqual({ context, schema: withoutProse(refParam.schema) });
        expect({ context, optional: param.optional === true }).toEqual({ context, optional: refParam.optional === true });
        expect({ context, default: param.default }).toEqual({ context, default: refParam.default });
      });
      expect(withoutProse(ours.returns.schema)).toEqual(withoutProse(reference.returns.schema));
      expect(Object.keys(ours.exceptions ?? {}).sort()).toEqual(Object.keys(reference.exceptions ?? {}).sort());
    }
  });
});
