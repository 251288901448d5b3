import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';

let server: TestServer;
let auth: string;
beforeAll(async () => {
  server = await startTestServer();
  auth = await server.login();
});
afterAll(() => server.close());

/** The official openEO test suite accepts JSON only as exactly `application/json`. */
describe('JSON responses carry exactly application/json', () => {
  test.each([
    ['GET /', () => request(server.app).get('/'), 200],
    ['GET /file_formats', () => request(server.app).get('/file_formats'), 200],
    ['GET /processes', () => request(server.app).get('/processes'), 200],
    ['GET /me', () => request(server.app).get('/me').set('Authorization', auth), 200],
    ['an unknown path', () => request(server.app).get('/nowhere'), 404],
    ['missing credentials', () => request(server.app).get('/jobs'), 401],
    ['a wrong method', () => request(server.app).delete('/processes'), 405],
    ['malformed JSON', () => request(server.app).post('/validation').set('Content-Type', 'application/json').send('{"process'), 400],
  ])('%s', async (_name, send, status) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe('application/json');
    expect(() => JSON.parse(res.text)).not.toThrow();
  });

  test('a JSON result of POST /result, and create_data_cube is an empty cube: data []', async () => {
    const res = await request(server.app)
      .post('/result')
      .set('Authorization', auth)
      .send({ process: { process_graph: { c: { process_id: 'create_data_cube', arguments: {}, result: true } } } });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json');
    expect(res.body).toEqual({ type: 'datacube', order: [], dimensions: {}, data: [] });
  });
});
