import { BANDS, DATES, ORIGIN, PIXEL_SIZE, EPSG } from './dataset';
import type { WorkloadId } from './options';

/** A pixel window of the input grid. */
export interface Window {
  col0: number;
  row0: number;
  width: number;
  height: number;
}

export interface Workload {
  id: WorkloadId;
  title: string;
  /** How often the graph is run; the reported time is the median. */
  repeats: number;
  window: Window;
  dates: string[];
  bands: string[];
  graph: Record<string, unknown>;
}

const WARM_WINDOW = 256;

function extent(w: Window): Record<string, number> {
  return {
    west: ORIGIN.west + w.col0 * PIXEL_SIZE,
    east: ORIGIN.west + (w.col0 + w.width) * PIXEL_SIZE,
    north: ORIGIN.north - w.row0 * PIXEL_SIZE,
    south: ORIGIN.north - (w.row0 + w.height) * PIXEL_SIZE,
    crs: EPSG,
  };
}

function nextDay(date: string): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
}

const arg = (node: string) => ({ from_node: node });
const reducer = (processId: string) => ({
  process_graph: { r: { process_id: processId, arguments: { data: { from_parameter: 'data' } }, result: true } },
});
const save = (node: string) => ({ process_id: 'save_result', arguments: { data: arg(node), format: 'GTiff' }, result: true });

function load(collection: string, w: Window, dates: string[], bands: string[]) {
  const temporal = [dates[0], nextDay(dates[dates.length - 1])];
  return { process_id: 'load_collection', arguments: { id: collection, spatial_extent: extent(w), temporal_extent: temporal, bands } };
}

const ndvi = (from: string) => ({ process_id: 'ndvi', arguments: { data: arg(from), nir: 'B08', red: 'B04' } });
const reduceTime = (from: string, processId: string) => ({
  process_id: 'reduce_dimension',
  arguments: { data: arg(from), dimension: 't', reducer: reducer(processId) },
});

export function buildWorkloads(collection: string, size: number, warmRepeats: number): Record<WorkloadId, Workload> {
  const full: Window = { col0: 0, row0: 0, width: size, height: size };
  const half = Math.max(0, Math.floor(size / 2) - WARM_WINDOW / 2);
  const warm: Window = { col0: half, row0: half, width: Math.min(WARM_WINDOW, size), height: Math.min(WARM_WINDOW, size) };
  const red = ['B04', 'B08'];
  const one = [DATES[0]];
  return {
    W1: { id: 'W1', title: 'NDVI, one date', repeats: 1, window: full, dates: one, bands: red,
      graph: { load: load(collection, full, one, red), ndvi: ndvi('load'), save: save('ndvi') } },
    W2: { id: 'W2', title: 'max NDVI, 12 dates', repeats: 1, window: full, dates: DATES, bands: red,
      graph: { load: load(collection, full, DATES, red), ndvi: ndvi('load'), max: reduceTime('ndvi', 'max'), save: save('max') } },
    W3: { id: 'W3', title: 'temporal mean, 4 bands', repeats: 1, window: full, dates: DATES, bands: [...BANDS],
      graph: { load: load(collection, full, DATES, [...BANDS]), mean: reduceTime('load', 'mean'), save: save('mean') } },
    W4: { id: 'W4', title: 'W2 + resample to 4326', repeats: 1, window: full, dates: DATES, bands: red,
      graph: {
        load: load(collection, full, DATES, red), ndvi: ndvi('load'), max: reduceTime('ndvi', 'max'),
        warp: { process_id: 'resample_spatial', arguments: { data: arg('max'), projection: 4326, method: 'bilinear' } },
        save: save('warp'),
      } },
    W5: { id: 'W5', title: `NDVI ${warm.width}² window (median)`, repeats: warmRepeats, window: warm, dates: one, bands: red,
      graph: { load: load(collection, warm, one, red), ndvi: ndvi('load'), save: save('ndvi') } },
  };
}
