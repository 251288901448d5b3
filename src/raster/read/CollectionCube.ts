import type { BandInfo, CatalogItem } from '../../catalog/types';
import { DataCube } from '../cube/DataCube';
import { LabelDimension, SpatialGrid, TileContext, TileWindow, gridBounds, subGrid } from '../cube/model';
import { DatasetCache } from './sources';
import { alignment, readItemBand } from './readItemBand';
import { gdalBuffer } from '../../gdal/typedArrays';
import { MASKED, Plane, PlaneDecoding } from '../fused/kernel';
import { takeBuffer } from '../fused/planeBuffers';
import { transformBounds, Bounds } from '../../gdal/srs';
import { nativeBounds } from './gridOf';

/** Items that share one time label; the first valid value among them wins. */
export interface DateGroup {
  label: string | null;
  items: CatalogItem[];
}

export interface ReadPlan {
  grid: SpatialGrid;
  /** One group per label of t; a single group labelled null when the collection has no time. */
  dates: DateGroup[];
  bands: BandInfo[];
  hasTime: boolean;
  timeName: string;
  bandsName: string;
  /** The grid is coarser than the files (a map view): files are read into smaller buffers, using their overviews. */
  reduced?: boolean;
}

/** How many (date, band) slices of one tile are read at the same time (GDAL's thread pool is small). */
const PARALLEL_READS = 4;

function hasNaN(values: Float64Array): boolean {
  for (let i = 0; i < values.length; i++) if (values[i] !== values[i]) return true;
  return false;
}

/** raw * scale + offset, for bands the catalogue asks to deliver as physical values. */
function toPhysical(values: Float64Array, scale: number, offset: number): void {
  if (scale === 1 && offset === 0) return;
  for (let i = 0; i < values.length; i++) values[i] = values[i] * scale + offset;
}

function intersects(a: Bounds, b: Bounds): boolean {
  return a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
}

/**
 * The cube load_collection returns: tiles are read from the items' files on demand,
 * directly when a file is on the cube grid, warped onto it otherwise.
 * Layout: [t] × bands × y × x (t only when the collection has time).
 */
export class CollectionCube extends DataCube {
  private readonly footprints = new Map<CatalogItem, Bounds | null>();
  private readonly nodata = new Map<string, Promise<number | null>>();
  private readonly bandInfos = new Map<string, Promise<{ dataType: string; nodata: number | null }>>();

  constructor(
    readonly plan: ReadPlan,
    private readonly datasets: DatasetCache = new DatasetCache(),
  ) {
    const dims: LabelDimension[] = [];
    if (plan.hasTime) dims.push({ name: plan.timeName, type: 'temporal', labels: plan.dates.map((d) => d.label as string) });
    dims.push({ name: plan.bandsName, type: 'bands', labels: plan.bands.map((b) => b.name), bands: [...plan.bands] });
    super({ dims, grid: plan.grid });
  }

  /** Input pixels a full evaluation reads at the cube resolution. */
  get plannedPixels(): number {
    return this.plan.grid.width * this.plan.grid.height * this.plan.dates.length * this.plan.bands.length;
  }

  narrowLabels(dimIndex: number, indices: number[]): DataCube | undefined {
    const dim = this.dims[dimIndex];
    if (dim.type === 'temporal') {
      return new CollectionCube({ ...this.plan, dates: indices.map((k) => this.plan.dates[k]) }, this.datasets);
    }
    return new CollectionCube({ ...this.plan, bands: indices.map((k) => this.plan.bands[k]) }, this.datasets);
  }

  private footprint(item: CatalogItem): Bounds | null {
    if (!this.footprints.has(item)) {
      let fp: Bounds | null = null;
      try {
        fp = transformBounds(nativeBounds(item.grid), item.grid.crs, this.plan.grid.crs);
      } catch {
        fp = null;
      }
      this.footprints.set(item, fp);
    }
    return this.footprints.get(item)!;
  }

  /** The catalogue's no-data value when it states one, else the file's. */
  private nodataOf(href: string, bandNumber: number, band: BandInfo): Promise<number | null> {
    if (band.nodata !== undefined) return Promise.resolve(band.nodata);
    const key = `${bandNumber}:${href}`;
    let value = this.nodata.get(key);
    if (!value) {
      value = this.datasets.withBand(href, bandNumber, async (b) => b.noDataValue);
      this.nodata.set(key, value);
    }
    return value;
  }

  /** Items of date group `t` whose footprint meets the tile. */
  private itemsFor(t: number, tileBounds: Bounds): CatalogItem[] {
    return this.plan.dates[t].items.filter((item) => {
      const fp = this.footprint(item);
      return fp === null || intersects(fp, tileBounds);
    });
  }

  /** Mosaics band `b` of the given items into `slice` as Float64 (first valid value wins). */
  private async readCell(items: CatalogItem[], b: number, target: SpatialGrid, slice: Float64Array, ctx: TileContext): Promise<void> {
    const band = this.plan.bands[b];
    for (const item of items) {
      const asset = item.assets[band.name];
      if (!asset) continue;
      ctx.signal.throwIfAborted();
      const nodata = await this.nodataOf(asset.href, asset.band, band);
      const decimation = this.plan.reduced ? resamplingFor(band) : undefined;
      const read = await this.datasets.with(asset.href, (ds) => readItemBand(ds, asset.band, item.grid, nodata, target, slice, decimation));
      ctx.stats.inputPixels += read;
      if (!hasNaN(slice)) break;
    }
    if (band.applyScale) toPhysical(slice, band.scale ?? 1, band.offset ?? 0);
  }

  protected async computeTile(win: TileWindow, ctx: TileContext): Promise<Float64Array> {
    const target = subGrid(this.plan.grid, win);
    const tileBounds = gridBounds(target);
    const pixels = win.width * win.height;
    const nBands = this.plan.bands.length;
    const out = new Float64Array(this.plan.dates.length * nBands * pixels).fill(NaN);
    const jobs: Array<() => Promise<void>> = [];
    this.plan.dates.forEach((_, t) => {
      const items = this.itemsFor(t, tileBounds);
      if (items.length === 0) return;
      this.plan.bands.forEach((_band, b) => {
        const slice = out.subarray((t * nBands + b) * pixels, (t * nBands + b + 1) * pixels);
        jobs.push(() => this.readCell(items, b, target, slice, ctx));
      });
    });
    await runLimited(jobs, PARALLEL_READS);
    return out;
  }

  /**
   * Reads the cells `cells` (indices into the [t][band] layout) of a tile as separate planes.
   * A cell covered by a single file on the cube grid comes in the file's own data type with
   * its no-data value and scaling left to the consumer (a fused kernel decodes while it
   * computes); anything else (mosaics, warps, edges) comes as a masked Float64 plane.
   */
  async readPlanes(win: TileWindow, cells: readonly number[], ctx: TileContext): Promise<{ planes: Plane[]; decoding: PlaneDecoding[] }> {
    ctx.signal.throwIfAborted();
    const target = subGrid(this.plan.grid, win);
    const tileBounds = gridBounds(target);
    const pixels = win.width * win.height;
    const nBands = this.plan.bands.length;
    const planes: Plane[] = new Array(cells.length);
    const decoding: PlaneDecoding[] = new Array(cells.length);
    const jobs = cells.map((cell, j) => async () => {
      const t = Math.floor(cell / nBands);
      const b = cell % nBands;
      const items = this.itemsFor(t, tileBounds);
      const raw = items.length === 1 ? await this.readRaw(items[0], b, target, ctx) : null;
      if (raw) {
        planes[j] = raw.plane;
        decoding[j] = raw.decoding;
        return;
      }
      const slice = new Float64Array(takeBuffer(8 * pixels), 0, pixels).fill(NaN);
      if (items.length > 0) await this.readCell(items, b, target, slice, ctx);
      planes[j] = slice;
      decoding[j] = MASKED;
    });
    await runLimited(jobs, PARALLEL_READS);
    return { planes, decoding };
  }

  /** The window straight from one file in its own data type, when it lies wholly inside that file's grid. */
  private async readRaw(item: CatalogItem, b: number, target: SpatialGrid, ctx: TileContext): Promise<{ plane: Plane; decoding: PlaneDecoding } | null> {
    const band = this.plan.bands[b];
    const asset = item.assets[band.name];
    if (!asset) return null;
    const align = alignment(item.grid, target);
    if (!align || align.col < 0 || align.row < 0) return null;
    if (align.col + target.width > item.grid.width || align.row + target.height > item.grid.height) return null;
    const info = await this.bandInfo(asset.href, asset.band, band);
    const make = PLANE_TYPES[info.dataType];
    if (!make) return null;
    ctx.signal.throwIfAborted();
    const plane = gdalBuffer(make(target.width * target.height));
    await this.datasets.withBand(asset.href, asset.band, (gdalBand) =>
      gdalBand.pixels.readAsync(align.col, align.row, target.width, target.height, plane),
    );
    ctx.stats.inputPixels += plane.length;
    const scaled = band.applyScale === true;
    const nodata = info.nodata === null ? NaN : plane instanceof Float32Array ? Math.fround(info.nodata) : info.nodata;
    return { plane, decoding: { nodata, scale: scaled ? band.scale ?? 1 : 1, offset: scaled ? band.offset ?? 0 : 0 } };
  }

  private bandInfo(href: string, bandNumber: number, band: BandInfo): Promise<{ dataType: string; nodata: number | null }> {
    const key = `${bandNumber}:${href}`;
    let info = this.bandInfos.get(key);
    if (!info) {
      info = Promise.all([
        this.nodataOf(href, bandNumber, band),
        this.datasets.withBand(href, bandNumber, async (b) => b.dataType ?? ''),
      ]).then(([nodata, dataType]) => ({ nodata, dataType }));
      this.bandInfos.set(key, info);
    }
    return info;
  }
}

/** Class maps (bytes) keep their classes when read coarser; measurements are averaged. */
function resamplingFor(band: BandInfo): 'nearest' | 'average' {
  return band.dataType === 'Byte' ? 'nearest' : 'average';
}

/** Typed arrays for the GDAL data types a fused kernel can read directly. */
const PLANE_TYPES: Record<string, ((n: number) => Plane) | undefined> = {
  Byte: (n) => new Uint8Array(takeBuffer(n), 0, n),
  UInt16: (n) => new Uint16Array(takeBuffer(2 * n), 0, n),
  Int16: (n) => new Int16Array(takeBuffer(2 * n), 0, n),
  UInt32: (n) => new Uint32Array(takeBuffer(4 * n), 0, n),
  Int32: (n) => new Int32Array(takeBuffer(4 * n), 0, n),
  Float32: (n) => new Float32Array(takeBuffer(4 * n), 0, n),
  Float64: (n) => new Float64Array(takeBuffer(8 * n), 0, n),
};


/** Runs the jobs with at most `limit` in flight; the first failure rejects. */
async function runLimited(jobs: Array<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const job = jobs[next++];
      await job();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, jobs.length) }, worker));
}
