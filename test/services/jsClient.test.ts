import { Connection, OpenEO } from '@openeo/js-client';
import request from 'supertest';
import { DEMO_S2_ID } from '../../src/catalog/demo/generate';
import { DemoServer, plainClientErrors, startDemoServer } from '../scenarios/e2e/helpers';

/**
 * Map services through the openEO JavaScript client, as the Web Editor uses them: the quick
 * view creates an XYZ service without configuration, shows its tiles, and deletes it again.
 */
let demo: DemoServer;
let con: Connection;

plainClientErrors();

beforeAll(async () => {
  demo = await startDemoServer();
  await demo.server.ctx.users.add('viewer', 'viewer password');
  con = await OpenEO.connect(demo.url);
  await con.authenticateBasic('viewer', 'viewer password');
}, 300_000);

afterAll(async () => {
  await demo?.close();
});

const quickView = {
  process_graph: {
    load: { process_id: 'load_collection', arguments: { id: DEMO_S2_ID, spatial_extent: null, temporal_extent: null, bands: ['B04'] } },
    save: { process_id: 'save_result', arguments: { data: { from_node: 'load' }, format: 'GTiff' }, result: true },
  },
};

test('listServiceTypes offers XYZ and WMTS', async () => {
  const types = await con.listServiceTypes();
  expect(Object.keys(types)).toEqual(['XYZ', 'WMTS']);
  expect(con.capabilities().hasFeature('createService')).toBe(true);
});

test('create, list, describe, update and delete an XYZ service without configuration', async () => {
  const service = await con.createService(quickView, 'XYZ', 'Quick view');
  expect(service.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  expect(service.url).toBe(`${demo.url}/services/${service.id}/tiles/{z}/{x}/{y}`);
  expect(service.enabled).toBe(true);
  expect(service.configuration).toEqual({});

  const listed = await con.listServices();
  expect(listed.map((s: { id: string }) => s.id)).toEqual([service.id]);
  expect(listed[0].title).toBe('Quick view');

  const described = await con.getService(service.id);
  expect(described.process).toMatchObject(quickView);
  expect(described.type).toBe('XYZ');

  // The client's typing lists every field, but the API takes any subset.
  await described.updateService({ title: 'Red band', configuration: { colormap: 'greys', rescale: [0, 3000] } } as unknown as Parameters<typeof described.updateService>[0]);
  expect(described.title).toBe('Red band');
  expect(described.configuration).toEqual({ colormap: 'greys', rescale: [0, 3000] });

  // The map loads the tile URL the template gives, without the client's credentials.
  const tileUrl = new URL(String(service.url).replace('{z}', '0').replace('{x}', '0').replace('{y}', '0'));
  const tile = await request(demo.server.app).get(tileUrl.pathname);
  expect(tile.status).toBe(200);
  expect(tile.headers['content-type']).toBe('image/png');

  await described.deleteService();
  expect([...(await con.listServices())]).toEqual([]);
  await expect(con.getService(service.id)).rejects.toThrow(/404 ServiceNotFound/);
});
