import gdal from 'gdal-async';
import type { DataCube } from '../raster/cube/DataCube';
import type { TileContext } from '../raster/cube/model';
import { spatialReference } from '../gdal/srs';
import { gdalBuffer } from '../gdal/typedArrays';
import { forEachTile } from '../raster/tiles';
import { recyclePlanes } from '../raster/fused/planeBuffers';
import { OutputBand, outputBands } from './bandLayout';
import { BandStatistics, type TileTally } from './statistics';
import { OutputDataType, convertPlane } from './dataTypes';

export interface TiledGeoTiffOptions {
  path: string;
  dataType: OutputDataType;
  /** Value stored for the cube's NaN pixels. */
  nodata: number;
  /**
   * Decides, once every tile is written and the statistics know which bands had missing pixels
   * and whether valid pixels hold `nodata`, which no-data value the file declares (null: none).
   * May throw to refuse the output. Without it `nodata` is declared.
   */
  declareNodata?: (statistics: BandStatistics[]) => number | null;
  /** Leave stored values equal to `nodata` out of the statistics (it is declared in any case). */
  excludeNodata?: boolean;
  /** Tile edge of the cube evaluation; also the TIFF block size. */
  tileSize: number;
  creationOptions: string[];
  /** Overview levels (decimation factors) to build once all tiles are written, and how. */
  overviews?: { factors: number[]; resampling: string };
}

export interface TiledGeoTiffResult {
  bands: OutputBand[];
  statistics: BandStatistics[];
  /** The no-data value the file declares, null for none. */
  nodata: number | null;
  /** Metadata written on each band: its labels and statistics. */
  metadata: Array<Record<string, string>>;
  /** What each tile added to the statistics, per tile in row-major order and per band. */
  tallies: TileTally[][];
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
    const statistics = bands.map(() => new BandStatistics());
    const excludeNodata = options.excludeNodata ?? false;
    const tallies: TileTally[][] = [];

    await forEachTile(cube, ctx, options.tileSize, async (tile, win) => {
      const pixels = win.width * win.height;
      const tileTallies: TileTally[] = [];
      tallies.push(tileTallies);
      for (let c = 0; c < bands.length; c++) {
        const source = tile.subarray(c * pixels, (c + 1) * pixels);
        const plane = convertPlane(source, options.dataType, options.nodata);
        // The valid-pixel mask is the cube's (its NaNs), known here without a second pass.
        tileTallies.push(statistics[c].add(plane, source, options.nodata, excludeNodata));
        await gdalBands[c].pixels.writeAsync(win.x, win.y, win.width, win.height, gdalBuffer(plane));
        recyclePlanes([plane]);
      }
      // Tiles of parallel (fused) cubes are fresh buffers nobody else holds: reuse them too.
      if (cube.parallelTiles) recyclePlanes([tile]);
    });

    const nodata = options.declareNodata ? options.declareNodata(statistics) : options.nodata;
    // Declared only now, so overviews below average valid pixels and skip only real no-data.
    gdalBands.forEach((b) => (b.noDataValue = nodata));
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
    return { bands, statistics, nodata, metadata, tallies };
  } finally {
    ds.close();
  }
}
