import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import gdal from 'gdal-async';
import { readRasterInfo } from '../../src/jobs/rasterInfo';
import { gdalBuffer } from '../../src/gdal/typedArrays';

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'raster-info-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function geotiff(name: string, type: string, nodata: number | null): string {
  const file = path.join(dir, name);
  const ds = gdal.open(file, 'w', 'GTiff', 4, 3, 1, type);
  ds.geoTransform = [8, 0.5, 0, 50, 0, -0.5];
  ds.srs = gdal.SpatialReference.fromEPSG(4326);
  if (nodata !== null) ds.bands.get(1).noDataValue = nodata;
  ds.bands.get(1).pixels.write(0, 0, 4, 3, gdalBuffer(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])));
  ds.close();
  return file;
}

test('raster:bands nodata is "nan" for NaN, the number otherwise, and absent when the file has none', async () => {
  const nan = await readRasterInfo(geotiff('nan.tif', gdal.GDT_Float32, NaN));
  expect(nan!.bands[0].nodata).toBe('nan');
  expect(JSON.parse(JSON.stringify(nan!.bands[0])).nodata).toBe('nan');
  const zero = await readRasterInfo(geotiff('zero.tif', gdal.GDT_Float32, 0));
  expect(zero!.bands[0].nodata).toBe(0);
  const none = await readRasterInfo(geotiff('none.tif', gdal.GDT_Float32, null));
  expect(none!.bands[0]).not.toHaveProperty('nodata');
});
