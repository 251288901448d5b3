import express from 'express';
import request from 'supertest';
import { openapiAvailable } from './openapi';
import { specChecked, specPathOf, takeSpecProblems } from './specCheck';

/** The response check every test server applies (test/helpers/specCheck.ts) finds what the API forbids. */
const withSpec = openapiAvailable ? describe : describe.skip;

function appSending(status: number, body: unknown, type = 'application/json') {
  const app = express();
  app.use((_req, res) => {
    res.status(status).type(type).send(typeof body === 'string' ? body : JSON.stringify(body));
  });
  return specChecked(app);
}

withSpec('checking responses against openapi.yaml', () => {
  test('maps request paths to the spec templates, literal segments first', () => {
    expect(specPathOf('/collections')).toBe('/collections');
    expect(specPathOf('/collections/S2/queryables')).toBe('/collections/{collection_id}/queryables');
    expect(specPathOf('/jobs/abc/results')).toBe('/jobs/{job_id}/results');
    expect(specPathOf('/files/a/b/c.tif')).toBe('/files/{path}');
    expect(specPathOf('/result/logs/x')).toBeUndefined();
  });

  test('a list without its array is reported, with the path and the violation', async () => {
    await request(appSending(200, { links: [] })).get('/collections?limit=2');
    const problems = takeSpecProblems();
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/GET \/collections\?limit=2 \(200\) does not match openapi\.yaml \/collections/);
    expect(problems[0]).toMatch(/collections/);
  });

  test('an error without the openEO error fields is reported', async () => {
    await request(appSending(400, { error: 'bad' })).get('/jobs');
    expect(takeSpecProblems()).toHaveLength(1);
  });

  test('a status the operation does not define is reported', async () => {
    await request(appSending(302, '')).get('/me');
    expect(takeSpecProblems().join()).toMatch(/302/);
  });

  test('well-formed answers, binary downloads and our own extensions pass', async () => {
    await request(appSending(200, { collections: [], links: [] })).get('/collections');
    await request(appSending(400, { code: 'BadRequest', message: 'no' })).get('/collections');
    await request(appSending(200, Buffer.from([1, 2, 3]).toString('latin1'), 'image/tiff')).get('/files/a.tif');
    await request(appSending(200, { anything: true })).get('/result/logs/run1');
    expect(takeSpecProblems()).toEqual([]);
  });
});
