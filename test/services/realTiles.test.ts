/**
 * Tiles through the HTTP API with the server's own renderer: an XYZ service's tiles as the Web
 * Editor loads them, WMTS capabilities listing the real dates, and each collection's preview
 * behind its STAC `xyz` link.
 */
import gdal from 'gdal-async';
import request from 'supertest';
import { DEFAULT_CONFIG } from '../../src/config/defaults';
import { DEMO_DATES, DEMO_DEM_ID, DEMO_S2_ID, ensureDemoData } from '../../src/catalog/demo/generate';
import { tileAt } from '../../src/services/render/tileGrid';
import { previewDate } from '../../src/services/collectionPreview';
import type { TileAddress } from '../../src/services/types';
import { startTestServer, type TestServer } from '../helpers/testServer';
import { readPng } from './helpers';

let server: TestServer;
let auth: string;

beforeAll(async () => {
  server = await startTestServer({ collections: DEFAULT_CONFIG.collections });
  await ensureDemoData(server.dataDir);
  await server.ctx.catalog.refresh?.(true);
  auth = await server.login('mapper');
}, 120_000);
afterAll(() => server.close());

/** The tile at zoom z over the centre of a collection's extent. */
function centreTile(collectionId: string, z: number): TileAddress {
  const [w, s, e, n] = server.ctx.catalog.get(collectionId)!.bbox;
  const toMercator = new gdal.CoordinateTransformation(gdal.SpatialReference.fromEPSG(4326), gdal.SpatialReference.fromEPSG(3857));
  const p = toMercator.transformPoint((s + n) / 2, (w + e) / 2); // EPSG:4326 is latitude first in GDAL 3
  return tileAt(p.x, p.y, z);
}

/** How many pixels of a PNG are drawn (alpha 255) or transparent, and how many colours the drawn ones have. */
function inspectPng(png: Buffer): { width: number; height: number; bands: number; opaque: number; transparent: number; colours: number } {
  const { width, height, bands, planes } = readPng(png);
  const alpha = planes[planes.length - 1];
  const colours = new Set<number>();
  let opaque = 0;
  let transparent = 0;
  for (let i = 0; i < alpha.length; i++) {
    if (alpha[i] === 255) {
      opaque++;
      colours.add((planes[0][i] << 16) | (planes[1][i] << 8) | planes[2][i]);
    } else if (alpha[i] === 0) transparent++;
  }
  return { width, height, bands, opaque, transparent, colours: colours.size };
}

const tilePath = (template: string, a: TileAddress) => new URL(template.replace('{z}', String(a.z)).replace('{x}', String(a.x)).replace('{y}', String(a.y))).pathname;

test('an XYZ service of a maximum NDVI draws coloured tiles over the data, transparent ones elsewhere, with ETags', async () => {
  const graph = {
    load: { process_id: 'load_collection', arguments: { id: DEMO_S2_ID, spatial_extent: null, temporal_extent: null, bands: ['B04', 'B08'] } },
    ndvi: { process_id: 'ndvi', arguments: { data: { from_node: 'load' }, red: 'B04', nir: 'B08' } },
    max: { process_id: 'reduce_dimension', arguments: { data: { from_node: 'ndvi' }, dimension: 't', reducer: { process_graph: { m: { process_id: 'max', arguments: { data: { from_parameter: 'data' } }, result: true } } } } },
    save: { process_id: 'save_result', arguments: { data: { from_node: 'max' }, format: 'GTiff' }, result: true },
  };
  const created = await request(server.app).post('/services').set('Authorization', auth).send({ type: 'xyz', process: { process_graph: graph }, configuration: { colormap: 'rdylgn', rescale: [-1, 1] } });
  expect(created.status).toBe(201);
  const { body: service } = await request(server.app).get(`/services/${created.headers['openeo-identifier']}`).set('Authorization', auth);

  const inside = await request(server.app).get(tilePath(service.url, centreTile(DEMO_S2_ID, 14)) + '?__editorSessionId=abc');
  expect(inside.status).toBe(200);
  expect(inside.headers['content-type']).toBe('image/png');
  const picture = inspectPng(inside.body);
  expect(picture).toMatchObject({ width: 256, height: 256, bands: 4 });
  expect(picture.opaque).toBeGreaterThan(1000);
  expect(picture.colours).toBeGreaterThan(20);

  const again = await request(server.app).get(tilePath(service.url, centreTile(DEMO_S2_ID, 14))).set('If-None-Match', inside.headers.etag);
  expect(again.status).toBe(304);

  const farAway = await request(server.app).get(tilePath(service.url, { z: 14, x: 0, y: 0 }));
  expect(farAway.status).toBe(200);
  expect(inspectPng(farAway.body).opaque).toBe(0);
}, 120_000);

test('WMTS capabilities of a service without temporal reduction list the dates of the data as TIME', async () => {
  const graph = { load: { process_id: 'load_collection', arguments: { id: DEMO_S2_ID, spatial_extent: null, temporal_extent: null, bands: ['B04'] }, result: true } };
  const created = await request(server.app).post('/services').set('Authorization', auth).send({ type: 'WMTS', process: { process_graph: graph } });
  expect(created.status).toBe(201);
  const { body: service } = await request(server.app).get(`/services/${created.headers['openeo-identifier']}`).set('Authorization', auth);
  const caps = await request(server.app).get(new URL(service.url).pathname).query({ service: 'WMTS', request: 'GetCapabilities' });
  expect(caps.status).toBe(200);
  const xml = caps.text;
  expect(xml).toContain('<ows:Identifier>Time</ows:Identifier>');
  for (const date of DEMO_DATES) expect(xml).toContain(date.slice(0, 10));
  const tile = centreTile(DEMO_S2_ID, 13);
  const getTile = await request(server.app)
    .get(new URL(service.url).pathname)
    .query({ SERVICE: 'WMTS', REQUEST: 'GetTile', LAYER: service.id, TILEMATRIXSET: 'EPSG:3857', TILEMATRIX: String(tile.z), TILEROW: String(tile.y), TILECOL: String(tile.x), FORMAT: 'image/png', TIME: DEMO_DATES[2] });
  expect(getTile.status).toBe(200);
  expect(inspectPng(getTile.body).opaque).toBeGreaterThan(1000);
}, 120_000);

test('each collection links an XYZ preview: true colour for Sentinel-2, a colour map for the one-band DEM', async () => {
  for (const [id, rgb] of [[DEMO_S2_ID, true], [DEMO_DEM_ID, false]] as const) {
    const doc = await request(server.app).get(`/collections/${id}`);
    const link = (doc.body.links as Array<{ rel: string; href: string; type: string }>).find((l) => l.rel === 'xyz');
    expect(link).toMatchObject({ type: 'image/png' });
    expect(link!.href).toContain('{z}/{x}/{y}');
    const tile = await request(server.app).get(tilePath(link!.href, centreTile(id, 13)));
    expect(tile.status).toBe(200);
    const picture = inspectPng(tile.body);
    expect(picture.opaque).toBeGreaterThan(1000);
    expect(picture.colours).toBeGreaterThan(rgb ? 100 : 20);
  }
  // The list keeps plain URIs: the preview template is only on the collection's own page.
  const list = await request(server.app).get('/collections');
  expect(list.body.collections.every((c: { links: Array<{ rel: string }> }) => c.links.every((l) => l.rel !== 'xyz'))).toBe(true);
  const unknown = await request(server.app).get('/collections/NOPE/preview/0/0/0');
  expect(unknown.status).toBe(404);
  expect(unknown.body.code).toBe('CollectionNotFound');
}, 120_000);

test('the preview of a time series shows its clearest date', () => {
  const items = server.ctx.catalog.items(DEMO_S2_ID);
  const covers = items.map((i) => i.properties['eo:cloud_cover'] as number);
  const clearest = Math.min(...covers);
  expect(new Set(covers).size).toBeGreaterThan(1);
  const chosen = items.find((i) => i.datetime === previewDate(items))!;
  expect(chosen.properties['eo:cloud_cover']).toBe(clearest);
  expect(previewDate(server.ctx.catalog.items(DEMO_DEM_ID))).toBeNull();
});
