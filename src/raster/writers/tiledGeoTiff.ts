import gdal from 'gdal-async';
import type { DataCube } from '../cube/DataCube';
import type { TileContext } from '../cube/model';
import { spatialReference } from '../gdal/srs';
import { gdalBuffer } from '../gdal/typedArrays';
import { forEachTile } from '../tiles';
import { recyclePlanes } from '../fused/planeBuffers';
import { OutputBand, outputBands } from './bandLayout';
import { BandStatistics } from './statistics';
import { OutputDataType, convertPlane, nodataTest } from './dataTypes';

export interface TiledGeoTiffOptions {
  path: string;
  dataType: OutputDataType;
  nodata: number;
  /** Tile edge of the cube evaluation; also the TIFF block size. */
  tileSize: number;
  creationOptions: string[];
  /** Overview levels (decimation factors) to build once all tiles are written, and how. */
  overviews?: { factors: number[]; resampling: string };
}

export interface TiledGeoTiffResult {
  bands: OutputBand[];
  statistics: BandStatistics[];
  /** Metadata written on each band: its labels and statistics. */
  metadata: Array<Record<string, string>>;
}

/**
 * Writes a cube with a spatial grid into a tiled GeoTIFF, one cube tile at a time, with
 * georeferencing, no-data, band descriptions, per-band labels and STATISTICS_* metadata.
 * Memory stays at one tile whatever the cube size.
 */
export async function writeTiledGeoTiff(cube: DataCube, ctx: TileContext, options: TiledGeoTiffOptions): Promise<TiledGeoTiffResult> {
  const grid = cube.grid!;
  const bands = outputBands(cube);
  const ds = await gdal.openAsync(options.path, 'w', 'GTiff', grid.width, grid.height, bands.length, options.dataType.gdal, [
    'TILED=YES',
    `BLOCKXSIZE=${options.tileSize}`,
    `BLOCKYSIZE=${options.tileSize}`,
    'BIGTIFF=IF_SAFER',
    ...options.creationOptions,
  ]);
  try {
    ds.geoTransform = [...grid.transform];
    if (grid.crs) ds.srs = spatialReference(grid.crs);
    const gdalBands: gdal.RasterBand[] = [];
    for (let i = 1; i <= bands.length; i++) gdalBands.push(await ds.bands.getAsync(i));
    gdalBands.forEach((b) => (b.noDataValue = options.nodata));
    const statistics = bands.map(() => new BandStatistics());
    const isNodata = nodataTest(options.nodata);

    await forEachTile(cube, ctx, options.tileSize, async (tile, win) => {
      const pixels = win.width * win.height;
      for (let c = 0; c < bands.length; c++) {
        const plane = convertPlane(tile.subarray(c * pixels, (c + 1) * pixels), options.dataType, options.nodata);
        statistics[c].add(plane, isNodata, Number.isNaN(options.nodata));
        await gdalBands[c].pixels.writeAsync(win.x, win.y, win.width, win.height, gdalBuffer(plane));
        recyclePlanes([plane]);
      }
      // Tiles of parallel (fused) cubes are fresh buffers nobody else holds: reuse them too.
      if (cube.parallelTiles) recyclePlanes([tile]);
    });

    const metadata = bands.map((band, c) => {
      const items: Record<string, string> = {};
      for (const [k, v] of Object.entries(band.labels)) items[k] = String(v);
      Object.assign(items, statistics[c].metadata());
      gdalBands[c].setMetadata(items);
      return items;
    });
    if (options.overviews && options.overviews.factors.length > 0) {
      ctx.signal.throwIfAborted();
      await ds.buildOverviewsAsync(options.overviews.resampling.toUpperCase(), options.overviews.factors);
    }
    await ds.flushAsync();
    return { bands, statistics, metadata };
  } finally {
    ds.close();
  }
}
