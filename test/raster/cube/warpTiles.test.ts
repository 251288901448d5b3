/**
 * resample_spatial gives the same values whatever the tile size: a 28.5 m grid (so target tiles
 * cover fractional source pixels) warped to 60 m, read in tiles of 128, 256 and 512 pixels, equals
 * one gdalwarp of the whole MEM dataset; warped to lon/lat, the tile sizes agree with each other.
 */
import gdal from 'gdal-async';
import { DataCube } from '../../../src/raster/cube/DataCube';
import { MemoryCube } from '../../../src/raster/cube/MemoryCube';
import { SpatialGrid, TileWindow } from '../../../src/raster/cube/model';
import { spatialReference } from '../../../src/gdal/srs';
import { gdalBuffer } from '../../../src/gdal/typedArrays';
import { registry, runContext } from '../../processes/helpers';

// Not a whole number of 60 m pixels wide, nor high, so the target grid overhangs the source on one axis and falls short on the other.
const SOURCE: SpatialGrid = { xName: 'x', yName: 'y', crs: 'EPSG:32632', epsg: 32632, transform: [500000, 28.5, 0, 5300000, 0, -28.5], width: 1197, height: 1007 };
const TILE_SIZES = [128, 256, 512];

/** Smooth structure plus pixel-scale texture, with a few no-data holes. */
function sourceValues(): Float64Array {
  const { width, height } = SOURCE;
  const values = new Float64Array(width * height);
  for (let r = 0; r < height; r++) {
    for (let c = 0; c < width; c++) {
      const hole = (c - 300) ** 2 + (r - 700) ** 2 < 400;
      values[r * width + c] = hole ? NaN : 1000 + 500 * Math.sin(c / 7.3) * Math.cos(r / 5.1) + ((c * 7919 + r * 104729) % 97);
    }
  }
  return values;
}

async function resample(args: Record<string, unknown>): Promise<DataCube> {
  const data = new MemoryCube({ dims: [], grid: SOURCE }, sourceValues());
  const definition = registry.get('resample_spatial')!;
  return (await definition.execute({ data, resolution: 0, projection: null, method: 'near', align: 'upper-left', ...args }, runContext())) as DataCube;
}

/** The whole target grid, assembled from tiles of `size` pixels. */
async function readInTiles(cube: DataCube, size: number): Promise<Float64Array> {
  const { width, height } = cube.grid!;
  const out = new Float64Array(width * height);
  for (let y = 0; y < height; y += size) {
    for (let x = 0; x < width; x += size) {
      const win: TileWindow = { x, y, width: Math.min(size, width - x), height: Math.min(size, height - y) };
      const tile = await cube.tile(win, runContext());
      for (let r = 0; r < win.height; r++) out.set(tile.subarray(r * win.width, (r + 1) * win.width), (y + r) * width + x);
    }
  }
  return out;
}

function memDataset(grid: SpatialGrid, values?: Float64Array): gdal.Dataset {
  const ds = gdal.open('', 'w', 'MEM', grid.width, grid.height, 1, gdal.GDT_Float64);
  ds.srs = spatialReference(grid.crs);
  ds.geoTransform = [...grid.transform];
  const band = ds.bands.get(1);
  band.noDataValue = NaN;
  if (values) band.pixels.write(0, 0, grid.width, grid.height, gdalBuffer(values));
  else band.fill(NaN);
  return ds;
}

/** One gdalwarp of the whole source onto the target grid (the library call of the gdalwarp tool). */
function wholeWarp(target: SpatialGrid, options: string[]): Float64Array {
  const src = memDataset(SOURCE, sourceValues());
  const dst = memDataset(target);
  try {
    gdal.warp(null, dst, [src], ['-srcnodata', 'nan', '-dstnodata', 'nan', '-wm', '1024', ...options]);
    const out = gdalBuffer(new Float64Array(target.width * target.height));
    dst.bands.get(1).pixels.read(0, 0, target.width, target.height, out);
    return out;
  } finally {
    src.close();
    dst.close();
  }
}

/** The largest difference between two results (no-data must match), and how many values are valid. */
function compare(actual: Float64Array, expected: Float64Array): { maxDifference: number; noDataMismatches: number; valid: number } {
  let maxDifference = 0, noDataMismatches = 0, valid = 0;
  for (let i = 0; i < expected.length; i++) {
    if (Number.isNaN(actual[i]) !== Number.isNaN(expected[i])) noDataMismatches++;
    else if (!Number.isNaN(expected[i])) {
      valid++;
      maxDifference = Math.max(maxDifference, Math.abs(actual[i] - expected[i]));
    }
  }
  return { maxDifference, noDataMismatches, valid };
}

describe.each(['bilinear', 'cubic', 'lanczos', 'average'])('%s, 28.5 m to 60 m', (method) => {
  test.each(TILE_SIZES)('tiles of %i pixels equal gdalwarp on the whole input', async (size) => {
    const cube = await resample({ resolution: 60, method });
    const expected = wholeWarp(cube.grid!, ['-r', method]);
    const { maxDifference, noDataMismatches, valid } = compare(await readInTiles(cube, size), expected);
    expect(valid).toBeGreaterThan(0.9 * expected.length);
    expect(noDataMismatches).toBe(0);
    expect(maxDifference).toBeLessThan(1e-6);
  }, 60_000);
});

test('reprojected to lon/lat (bilinear), every tile size gives the same values, close to an exact gdalwarp of the whole input', async () => {
  const cube = await resample({ projection: 4326, method: 'bilinear' });
  const [first, ...others] = await Promise.all(TILE_SIZES.map((size) => readInTiles(cube, size)));
  for (const other of others) {
    const { maxDifference, noDataMismatches } = compare(other, first);
    expect(noDataMismatches).toBe(0);
    // Only the rounding of source windows that start elsewhere.
    expect(maxDifference).toBeLessThan(1e-9);
  }
  // gdalwarp's approximation of the transformation (within 0.125 px) is all that separates them from an exact warp of the whole input.
  const exact = compare(first, wholeWarp(cube.grid!, ['-r', 'bilinear', '-et', '0']));
  expect(exact.valid).toBeGreaterThan(0.5 * first.length);
  expect(exact.noDataMismatches).toBeLessThan(1e-4 * first.length);
  // A shift of at most 0.125 px changes a bilinear value by at most that fraction of the largest step between neighbouring source pixels.
  const values = sourceValues();
  let step = 0;
  for (let i = 1; i < values.length; i++) if (Number.isFinite(values[i] - values[i - 1])) step = Math.max(step, Math.abs(values[i] - values[i - 1]));
  expect(exact.maxDifference).toBeLessThan(0.125 * step);
}, 120_000);
