import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';
import { requireBuiltWorker, waitFor } from '../jobs/helpers';

/** A batch job whose result is a vector cube: GeoJSON and CSV assets, described in the job's STAC results. */
const PUBLIC = 'http://openeo.test';
let server: TestServer;
let auth: string;

beforeAll(async () => {
  requireBuiltWorker();
  server = await startTestServer({ publicUrl: PUBLIC });
  server.ctx.jobs.start();
  auth = await server.login();
});

afterAll(() => server?.close());

const FC = {
  type: 'FeatureCollection',
  features: [
    { type: 'Feature', id: 'a', properties: { height: 4 }, geometry: { type: 'Point', coordinates: [8.5, 47.5] } },
    { type: 'Feature', id: 'b', properties: { height: 7 }, geometry: { type: 'Point', coordinates: [8.6, 47.6] } },
  ],
};

/** Runs a batch job saving the vector cube of FC in `format`; returns its only asset and the downloaded text. */
async function runJob(format: string): Promise<{ name: string; asset: { type: string; href: string }; text: string }> {
  const created = await request(server.app).post('/jobs').set('Authorization', auth).send({
    process: {
      process_graph: {
        v: { process_id: 'load_geojson', arguments: { data: FC, properties: ['height'] } },
        s: { process_id: 'save_result', arguments: { data: { from_node: 'v' }, format }, result: true },
      },
    },
  });
  expect(created.status).toBe(201);
  const id = created.headers['openeo-identifier'];
  expect((await request(server.app).post(`/jobs/${id}/results`).set('Authorization', auth)).status).toBe(202);
  await waitFor('the job to finish', async () => {
    const job = await request(server.app).get(`/jobs/${id}`).set('Authorization', auth);
    if (job.body.status === 'error') throw new Error('the job failed');
    return job.body.status === 'finished' ? true : undefined;
  }, 30_000);
  const results = await request(server.app).get(`/jobs/${id}/results`).set('Authorization', auth);
  expect(results.status).toBe(200);
  const [name] = Object.keys(results.body.assets);
  const asset = results.body.assets[name];
  const download = await request(server.app).get(asset.href.slice(PUBLIC.length)).buffer(true).parse((res, done) => {
    let text = '';
    res.on('data', (c: Buffer) => (text += c.toString()));
    res.on('end', () => done(null, text));
  });
  return { name, asset, text: download.body as unknown as string };
}

test('a batch job saves a vector cube as GeoJSON', async () => {
  const { name, asset, text } = await runJob('GeoJSON');
  expect(name).toBe('result.geojson');
  expect(asset.type).toBe('application/geo+json');
  const doc = JSON.parse(text);
  expect(doc.features.map((f: { id: string; properties: { height: number } }) => [f.id, f.properties.height])).toEqual([['a', 4], ['b', 7]]);
}, 60_000);

test('a batch job saves a vector cube as CSV', async () => {
  const { name, asset, text } = await runJob('CSV');
  expect(name).toBe('result.csv');
  expect(asset.type).toBe('text/csv');
  expect(text.trim().split('\n')).toEqual(['geometry,id,properties,value,wkt', '0,a,height,4,POINT (8.5 47.5)', '1,b,height,7,POINT (8.6 47.6)']);
}, 60_000);
