import fs from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import gdal from 'gdal-async';
import request from 'supertest';
import { startTestServer, TestServer } from '../helpers/testServer';
import { expectMatchesSpec } from '../helpers/openapi';
import { foldersPerTest, readPixel, writeGeoTiff, writeNetcdfTimeSeries } from './rasters';

let server: TestServer | undefined;
const dir = foldersPerTest(() => {
  server?.close();
  server = undefined;
});

/** WGS84 position of a UTM 32N point, computed independently of the catalogue. */
function utmToLonLat(x: number, y: number): [number, number] {
  const t = new gdal.CoordinateTransformation(
    gdal.SpatialReference.fromProj4('+proj=utm +zone=32 +datum=WGS84 +units=m +no_defs'),
    gdal.SpatialReference.fromProj4('+proj=longlat +datum=WGS84 +no_defs'),
  );
  const p = t.transformPoint(x, y);
  return [p.x, p.y];
}

describe('a folder with a single GeoTIFF', () => {
  test('becomes a collection with its bands, native grid and WGS84 extent', async () => {
    const data = dir();
    await writeGeoTiff(path.join(data, 'landcover.tif'), { width: 30, height: 20, bands: 3, nodata: 0 });
    server = await startTestServer({ collections: { sources: [{ type: 'folder', path: data }], rescanSeconds: 0 } });

    const res = await request(server.app).get('/collections/landcover');
    expect(res.status).toBe(200);
    expectMatchesSpec('/collections/{collection_id}', 'get', res);
    const dims = res.body['cube:dimensions'];
    expect(dims.x).toEqual({ type: 'spatial', axis: 'x', extent: [500000, 500300], step: 10, reference_system: 32632 });
    expect(dims.y).toEqual({ type: 'spatial', axis: 'y', extent: [5299800, 5300000], step: 10, reference_system: 32632 });
    expect(dims.bands.values).toEqual(['B1', 'B2', 'B3']);
    expect(dims.t).toBeUndefined();
    expect(res.body.extent.temporal.interval).toEqual([[null, null]]);

    // The footprint's corners, transformed here independently, lie inside the advertised bbox.
    const [[w, s, e, n]] = res.body.extent.spatial.bbox;
    for (const [x, y] of [[500000, 5300000], [500300, 5299800], [500000, 5299800], [500300, 5300000]]) {
      const [lon, lat] = utmToLonLat(x, y);
      expect(lon).toBeGreaterThanOrEqual(w - 1e-6);
      expect(lon).toBeLessThanOrEqual(e + 1e-6);
      expect(lat).toBeGreaterThanOrEqual(s - 1e-6);
      expect(lat).toBeLessThanOrEqual(n + 1e-6);
    }
    expect(e - w).toBeLessThan(0.01);
    expect(res.body.summaries['raster:bands'][0]).toEqual({ nodata: 0, data_type: 'uint16' });

    const items = server.ctx.catalog.items('landcover');
    expect(items).toHaveLength(1);
    expect(items[0].datetime).toBeNull();
    expect(items[0].grid).toEqual({ crs: 'EPSG:32632', epsg: 32632, geoTransform: [500000, 10, 0, 5300000, 0, -10], width: 30, height: 20 });
    expect(await readPixel(items[0].assets.B3.href, items[0].assets.B3.band)).toBe(300);
  });

  test('a metadata file renames bands and completes the description', async () => {
    const data = dir();
    await writeGeoTiff(path.join(data, 'scene.tif'), { bands: 2 });
    fs.writeFileSync(
      path.join(data, 'scene.meta.json'),
      JSON.stringify({
        id: 'MY_SCENE',
        title: 'My scene',
        description: 'Described by hand.',
        license: 'CC-BY-4.0',
        keywords: ['test'],
        providers: [{ name: 'Our lab', roles: ['producer'] }],
        datetime: '2022-06-01T10:00:00Z',
        bands: [
          { name: 'red', common_name: 'red', center_wavelength: 0.665, nodata: 0 },
          { name: 'nir', common_name: 'nir', center_wavelength: 0.842, scale: 0.0001, apply_scale: true },
        ],
      }),
    );
    server = await startTestServer({ collections: { sources: [{ type: 'folder', path: data }], rescanSeconds: 0 } });
    const res = await request(server.app).get('/collections/MY_SCENE');
    expect(res.status).toBe(200);
    expectMatchesSpec('/collections/{collection_id}', 'get', res);
    expect(res.body).toMatchObject({ title: 'My scene', description: 'Described by hand.', license: 'CC-BY-4.0', keywords: ['test'] });
    expect(res.body.links.find((l: { rel: string }) => l.rel === 'license').href).toContain('CC-BY-4.0');
    expect(res.body.summaries['eo:bands']).toEqual([
      { name: 'red', common_name: 'red', center_wavelength: 0.665 },
      { name: 'nir', common_name: 'nir', center_wavelength: 0.842 },
    ]);
    expect(res.body.summaries['raster:bands'][1]).toMatchObject({ scale: 0.0001 });
    expect(res.body.extent.temporal.interval).toEqual([['2022-06-01T10:00:00Z', '2022-06-01T10:00:00Z']]);
    const [item] = server.ctx.catalog.items('MY_SCENE');
    expect(Object.keys(item.assets)).toEqual(['red', 'nir']);
    expect(item.assets.nir.band).toBe(2);
    expect(server.ctx.catalog.get('MY_SCENE')!.bands[0]).toMatchObject({ name: 'red', nodata: 0, commonName: 'red' });
    expect(server.ctx.catalog.get('MY_SCENE')!.bands[1]).toMatchObject({ name: 'nir', scale: 0.0001, applyScale: true });
  });
});

describe('a folder of files named by date and band', () => {
  async function timeSeries(data: string): Promise<void> {
    for (const [date, offset] of [['20230101', 0], ['20230106', 1], ['20230111', 2]] as const) {
      for (const band of ['B04', 'B08']) {
        await writeGeoTiff(path.join(data, `S2_${date}_${band}.tif`), { nodata: 0, fill: () => 1000 + offset * 10 + (band === 'B08' ? 1 : 0) });
      }
    }
    // Not matching the pattern: ignored.
    fs.writeFileSync(path.join(data, 'README.txt'), 'notes');
    fs.writeFileSync(
      path.join(data, 'collection.meta.json'),
      JSON.stringify({
        bands: { B04: { common_name: 'red' }, B08: { common_name: 'nir' } },
        items: { '2023-01-01': { 'eo:cloud_cover': 12.5 }, '2023-01-06': { 'eo:cloud_cover': 80 }, '2023-01-11': { 'eo:cloud_cover': 0 } },
      }),
    );
  }

  test('becomes one time series with an item per date, sorted and filterable', async () => {
    const data = dir();
    await timeSeries(data);
    server = await startTestServer({
      collections: { sources: [{ type: 'folder', path: data, id: 'S2', pattern: 'S2_{date}_{band}.tif', title: 'Sentinel-2' }], rescanSeconds: 0 },
    });
    const { catalog } = server.ctx;
    const items = catalog.items('S2');
    expect(items.map((i) => i.datetime)).toEqual(['2023-01-01T00:00:00Z', '2023-01-06T00:00:00Z', '2023-01-11T00:00:00Z']);
    expect(Object.keys(items[1].assets).sort()).toEqual(['B04', 'B08']);
    expect(await readPixel(items[1].assets.B08.href, items[1].assets.B08.band)).toBe(1011);
    expect(items[0].properties['eo:cloud_cover']).toBe(12.5);

    // Half-open interval: the end date is excluded.
    expect(catalog.items('S2', { interval: ['2023-01-01T00:00:00Z', '2023-01-11T00:00:00Z'] })).toHaveLength(2);
    expect(catalog.items('S2', { interval: ['2023-01-06T00:00:00Z', null] })).toHaveLength(2);
    expect(catalog.items('S2', { bbox: [0, 0, 1, 1] })).toHaveLength(0);
    expect(catalog.items('S2', { bbox: catalog.get('S2')!.bbox })).toHaveLength(3);

    const res = await request(server.app).get('/collections/S2');
    expect(res.status).toBe(200);
    expectMatchesSpec('/collections/{collection_id}', 'get', res);
    expect(res.body.title).toBe('Sentinel-2');
    expect(res.body['cube:dimensions'].t).toEqual({
      type: 'temporal',
      extent: ['2023-01-01T00:00:00Z', '2023-01-11T00:00:00Z'],
      step: 'P5D',
      values: ['2023-01-01T00:00:00Z', '2023-01-06T00:00:00Z', '2023-01-11T00:00:00Z'],
    });
    expect(res.body['cube:dimensions'].bands.values).toEqual(['B04', 'B08']);
    expect(res.body.summaries['eo:cloud_cover']).toEqual([0, 12.5, 80]);
    expect(res.body.summaries['eo:bands'].map((b: { common_name: string }) => b.common_name)).toEqual(['red', 'nir']);

    const q = await request(server.app).get('/collections/S2/queryables');
    expect(q.status).toBe(200);
    expect(q.headers['content-type']).toMatch(/^application\/schema\+json/);
    expectMatchesSpec('/collections/{collection_id}/queryables', 'get', q);
    expect(q.body.properties['eo:cloud_cover']).toMatchObject({ type: 'number', minimum: 0, maximum: 100 });
    expect(q.body.properties.datetime).toMatchObject({ type: 'string', format: 'date-time' });
  });

  test('without {band}, multi-band files in subfolders give their bands to each date', async () => {
    const data = dir();
    await writeGeoTiff(path.join(data, '2021', 'L8_2021-06-01.tif'), { bands: 3, fill: (b) => b });
    await writeGeoTiff(path.join(data, '2022', 'L8_2022-06-01.tif'), { bands: 3, fill: (b) => 10 + b });
    fs.writeFileSync(path.join(data, 'collection.meta.json'), JSON.stringify({ bands: [{ name: 'red' }, { name: 'green' }, { name: 'blue' }] }));
    server = await startTestServer({ collections: { sources: [{ type: 'folder', path: data, id: 'L8', pattern: 'L8_{date}.tif' }], rescanSeconds: 0 } });
    expect(server.ctx.catalog.get('L8')!.bands.map((b) => b.name)).toEqual(['red', 'green', 'blue']);
    const items = server.ctx.catalog.items('L8');
    expect(items.map((i) => i.datetime)).toEqual(['2021-06-01T00:00:00Z', '2022-06-01T00:00:00Z']);
    expect(items[1].assets.blue.band).toBe(3);
    expect(await readPixel(items[1].assets.blue.href, items[1].assets.blue.band)).toBe(13);
  });

  test('an invalid pattern leaves the other locations working', async () => {
    const data = dir();
    await writeGeoTiff(path.join(data, 'dem.tif'));
    server = await startTestServer({
      collections: { sources: [{ type: 'folder', path: data, pattern: 'no_date_{band}.tif' }, { type: 'folder', path: data }], rescanSeconds: 0 },
    });
    const res = await request(server.app).get('/collections');
    expect(res.status).toBe(200);
    expect(res.body.collections.map((c: { id: string }) => c.id)).toEqual(['dem']);
  });
});

describe('a NetCDF file with a time dimension', () => {
  test('has one item per time step, read from the CF time axis', async () => {
    const data = dir();
    const file = path.join(data, 'temperature.nc');
    await writeNetcdfTimeSeries(file, [0, 31, 60], { fill: (b) => b * 1.5 });
    server = await startTestServer({ collections: { sources: [{ type: 'folder', path: data }], rescanSeconds: 0 } });
    const info = server.ctx.catalog.get('temperature');
    expect(info).toBeDefined();
    expect(info!.temporalExtent).toEqual(['2020-01-01T00:00:00Z', '2020-03-01T00:00:00Z']);
    expect(info!.epsg).toBe(4326);
    expect(info!.bbox).toEqual([8, 47.7, 8.4, 48]);
    expect(server.ctx.catalog.items('temperature')[0].assets.Band1.href).toBe(`NETCDF:"${file}":Band1`);
    const items = server.ctx.catalog.items('temperature');
    expect(items.map((i) => i.datetime)).toEqual(['2020-01-01T00:00:00Z', '2020-02-01T00:00:00Z', '2020-03-01T00:00:00Z']);
    const bandName = info!.bands[0].name;
    // Each time step's asset opens in GDAL and holds that step's values.
    for (const [i, item] of items.entries()) {
      const asset = item.assets[bandName];
      expect(await readPixel(asset.href, asset.band)).toBeCloseTo((i + 1) * 1.5);
    }
    const res = await request(server.app).get('/collections/temperature');
    expectMatchesSpec('/collections/{collection_id}', 'get', res);
    expect(res.body['cube:dimensions'].t.extent).toEqual(['2020-01-01T00:00:00Z', '2020-03-01T00:00:00Z']);
  });
  test('with several variables: each variable is a band, each on the CF time axis', async () => {
    const data = dir();
    const single = path.join(dir(), 'single.nc');
    await writeNetcdfTimeSeries(single, [0, 31, 59], { width: 4, height: 3, geoTransform: [8, 0.1, 0, 48, 0, -0.1], fill: (b) => b });
    // A multidimensional VRT names the same array twice; gdalmdimtranslate writes both as variables.
    const array = (name: string, dims: string[], sourceArray: string, attrs: Record<string, string> = {}) =>
      `<Array name="${name}"><DataType>${dims.length > 1 ? 'Float32' : 'Float64'}</DataType>${dims.map((d) => `<DimensionRef ref="${d}"/>`).join('')}` +
      `<Source><SourceFilename>${single}</SourceFilename><SourceArray>${sourceArray}</SourceArray></Source>` +
      Object.entries(attrs).map(([k, v]) => `<Attribute name="${k}"><DataType>String</DataType><Value>${v}</Value></Attribute>`).join('') + '</Array>';
    const vrt = `<VRTDataset><Group name="/">
      <Dimension name="time" type="TEMPORAL" size="3" indexingVariable="time"/>
      <Dimension name="lat" type="HORIZONTAL_Y" direction="NORTH" size="3" indexingVariable="lat"/>
      <Dimension name="lon" type="HORIZONTAL_X" direction="EAST" size="4" indexingVariable="lon"/>
      ${array('time', ['time'], 'time', { units: 'days since 2020-01-01 00:00:00', standard_name: 'time', calendar: 'standard' })}
      ${array('lat', ['lat'], 'lat', { units: 'degrees_north', standard_name: 'latitude' })}
      ${array('lon', ['lon'], 'lon', { units: 'degrees_east', standard_name: 'longitude' })}
      ${array('tmin', ['time', 'lat', 'lon'], 'Band1')}
      ${array('tmax', ['time', 'lat', 'lon'], 'Band1')}
    </Group></VRTDataset>`;
    const vrtFile = path.join(dir(), 'two.vrt');
    fs.writeFileSync(vrtFile, vrt);
    const file = path.join(data, 'climate.nc');
    execFileSync('gdalmdimtranslate', ['-q', vrtFile, file]);

    server = await startTestServer({ collections: { sources: [{ type: 'folder', path: data }], rescanSeconds: 0 } });
    const info = server.ctx.catalog.get('climate')!;
    expect(info.bands.map((b) => b.name).sort()).toEqual(['tmax', 'tmin']);
    // No grid mapping in the file: latitude/longitude axes mean WGS84.
    expect(info.epsg).toBe(4326);
    const items = server.ctx.catalog.items('climate');
    expect(items.map((i) => i.datetime)).toEqual(['2020-01-01T00:00:00Z', '2020-02-01T00:00:00Z', '2020-02-29T00:00:00Z']);
    expect(items[2].assets.tmax).toEqual({ href: `NETCDF:"${file}":tmax`, band: 3 });
    expect(await readPixel(items[2].assets.tmax.href, items[2].assets.tmax.band)).toBe(3);
    expect(await readPixel(items[1].assets.tmin.href, items[1].assets.tmin.band)).toBe(2);
  });
});

describe('a static STAC catalogue', () => {
  test('is served with its metadata; relative and absolute hrefs both work', async () => {
    const root = dir();
    await writeGeoTiff(path.join(root, 'data', 'a.tif'), { bands: 2, nodata: 0, fill: (b) => b });
    await writeGeoTiff(path.join(root, 'data', 'b.tif'), { bands: 2, nodata: 0, fill: (b) => 10 + b });
    const band = (name: string, common: string) => ({ name, common_name: common });
    const collection = {
      type: 'Collection', stac_version: '1.0.0', id: 'stac-test', title: 'From STAC', description: 'Two items.',
      license: 'CC-BY-4.0', keywords: ['stac'], extent: { spatial: { bbox: [[-180, -90, 180, 90]] }, temporal: { interval: [[null, null]] } },
      summaries: { platform: ['drone'], 'eo:bands': [band('red', 'red'), band('nir', 'nir')] },
      links: [
        { rel: 'item', href: './items/a.json' },
        { rel: 'item', href: path.join(root, 'items', 'b.json') },
        { rel: 'item', href: './items/missing.json' },
      ],
    };
    const item = (id: string, datetime: string, href: string, extra: Record<string, unknown>) => ({
      type: 'Feature', stac_version: '1.0.0', id, geometry: null,
      properties: { datetime, 'eo:cloud_cover': id === 'a' ? 5 : 40, ...extra },
      assets: {
        image: {
          href, type: 'image/tiff; application=geotiff', roles: ['data'],
          'eo:bands': [band('red', 'red'), band('nir', 'nir')],
          'raster:bands': [{ nodata: 0, data_type: 'uint16' }, { nodata: 0, data_type: 'uint16', scale: 0.5 }],
        },
        thumbnail: { href: './thumb.png', roles: ['thumbnail'] },
      },
      links: [],
    });
    fs.mkdirSync(path.join(root, 'items'));
    fs.writeFileSync(path.join(root, 'catalog.json'), JSON.stringify({ type: 'Catalog', stac_version: '1.0.0', id: 'root', description: 'r', links: [{ rel: 'child', href: './collection.json' }] }));
    fs.writeFileSync(path.join(root, 'collection.json'), JSON.stringify(collection));
    // With the projection extension the file need not be opened; without it GDAL is asked.
    fs.writeFileSync(path.join(root, 'items', 'a.json'), JSON.stringify(item('a', '2021-05-01T10:00:00Z', '../data/a.tif', {
      'proj:epsg': 32632, 'proj:shape': [10, 20], 'proj:transform': [10, 0, 500000, 0, -10, 5300000],
    })));
    fs.writeFileSync(path.join(root, 'items', 'b.json'), JSON.stringify(item('b', '2021-04-01T10:00:00Z', `file://${path.join(root, 'data', 'b.tif')}`, {})));

    server = await startTestServer({ collections: { sources: [{ type: 'stac', path: root }], rescanSeconds: 0 } });
    const items = server.ctx.catalog.items('stac-test');
    expect(items.map((i) => i.id)).toEqual(['b', 'a']);
    expect(items[1].grid).toEqual({ crs: 'EPSG:32632', epsg: 32632, geoTransform: [500000, 10, 0, 5300000, 0, -10], width: 20, height: 10 });
    expect(items[0].grid).toEqual(items[1].grid);
    expect(await readPixel(items[1].assets.nir.href, items[1].assets.nir.band)).toBe(2);
    expect(await readPixel(items[0].assets.red.href, items[0].assets.red.band)).toBe(11);
    expect(items[0].properties['eo:cloud_cover']).toBe(40);
    expect(server.ctx.catalog.get('stac-test')!.bands).toEqual([
      { name: 'red', commonName: 'red', nodata: 0, dataType: 'UInt16' },
      { name: 'nir', commonName: 'nir', nodata: 0, dataType: 'UInt16', scale: 0.5 },
    ]);

    const res = await request(server.app).get('/collections/stac-test');
    expect(res.status).toBe(200);
    expectMatchesSpec('/collections/{collection_id}', 'get', res);
    expect(res.body).toMatchObject({ title: 'From STAC', description: 'Two items.', license: 'CC-BY-4.0' });
    expect(res.body.summaries.platform).toEqual(['drone']);
    expect(res.body.extent.temporal.interval).toEqual([['2021-04-01T10:00:00Z', '2021-05-01T10:00:00Z']]);
  });
});

describe('other formats GDAL reads', () => {
  test('JPEG2000 and VRT files, and a source that is a single file with its metadata file', async () => {
    const data = dir();
    const tif = path.join(dir(), 'source.tif');
    await writeGeoTiff(tif, { bands: 1, dataType: 'Byte', fill: () => 42 });
    const src = await gdal.openAsync(tif);
    (await gdal.drivers.get('JP2OpenJPEG').createCopyAsync(path.join(data, 'ortho.jp2'), src)).close();
    src.close();
    (await gdal.buildVRTAsync(path.join(data, 'mosaic.vrt'), [tif])).close();
    const single = path.join(dir(), 'only.tif');
    await writeGeoTiff(single);
    fs.writeFileSync(single.replace('.tif', '.meta.json'), JSON.stringify({ title: 'Only one' }));

    server = await startTestServer({
      collections: { sources: [{ type: 'folder', path: data }, { type: 'folder', path: single, id: 'ONLY' }], rescanSeconds: 0 },
    });
    expect(server.ctx.catalog.list().map((c) => c.id)).toEqual(['ONLY', 'mosaic', 'ortho']);
    for (const id of ['mosaic', 'ortho']) {
      const [item] = server.ctx.catalog.items(id);
      expect(await readPixel(item.assets.B1.href, item.assets.B1.band)).toBe(42);
      expect(server.ctx.catalog.get(id)!.bands[0].dataType).toBe('Byte');
    }
    expect(server.ctx.catalog.get('ONLY')!.title).toBe('Only one');
  });
});
