import type { Catalog, CollectionInfo } from '../catalog/types';
import type { JobStore } from './JobStore';

/** Used until the first job that read data has finished; afterwards the measured rate replaces it. */
export const INITIAL_PIXELS_PER_SECOND = 20_000_000;
/** Float32 output, used until finished jobs tell how much they write per input pixel. */
export const INITIAL_BYTES_PER_PIXEL = 4;
/** Start-up of a worker process and publishing, roughly. */
const OVERHEAD_SECONDS = 2;

type Bbox = [number, number, number, number];

interface LoadRequest {
  collection: CollectionInfo;
  bbox?: Bbox;
  interval?: [string | null, string | null];
  bandCount: number;
}

function literalBbox(extent: unknown): Bbox | undefined {
  if (!extent || typeof extent !== 'object') return undefined;
  const e = extent as Record<string, unknown>;
  const crs = e.crs ?? 4326;
  if (crs !== 4326 && crs !== '4326' && crs !== 'EPSG:4326') return undefined;
  const values = [e.west, e.south, e.east, e.north];
  return values.every((v) => typeof v === 'number' && Number.isFinite(v)) ? (values as Bbox) : undefined;
}

/** The load_collection calls of a graph whose collection exists, with their literal extents. */
function loadRequests(graph: unknown, catalog: Catalog): LoadRequest[] {
  if (!graph || typeof graph !== 'object') return [];
  const out: LoadRequest[] = [];
  for (const node of Object.values(graph as Record<string, { process_id?: unknown; arguments?: Record<string, unknown> }>)) {
    if (node?.process_id !== 'load_collection' || !node.arguments) continue;
    const id = node.arguments.id;
    const collection = typeof id === 'string' ? catalog.get(id) : undefined;
    if (!collection) continue;
    const t = node.arguments.temporal_extent;
    const bands = node.arguments.bands;
    out.push({
      collection,
      bbox: literalBbox(node.arguments.spatial_extent),
      interval: Array.isArray(t) && t.length === 2 && t.every((v) => v === null || typeof v === 'string') ? (t as [string | null, string | null]) : undefined,
      bandCount: Array.isArray(bands) && bands.length > 0 ? bands.length : Math.max(1, collection.bands.length),
    });
  }
  return out;
}

function area(b: Bbox): number {
  return Math.max(0, b[2] - b[0]) * Math.max(0, b[3] - b[1]);
}

/** Input pixels of one load: the covered share of the native grid, times bands and time steps. */
function pixelsOf(load: LoadRequest, catalog: Catalog): number {
  const c = load.collection;
  const gridPixels = (Math.abs(c.nativeBbox[2] - c.nativeBbox[0]) / c.resolution[0]) * (Math.abs(c.nativeBbox[3] - c.nativeBbox[1]) / c.resolution[1]);
  let share = 1;
  if (load.bbox && area(c.bbox) > 0) {
    const overlap: Bbox = [Math.max(load.bbox[0], c.bbox[0]), Math.max(load.bbox[1], c.bbox[1]), Math.min(load.bbox[2], c.bbox[2]), Math.min(load.bbox[3], c.bbox[3])];
    share = area(overlap) / area(c.bbox);
  }
  let steps = 1;
  try {
    steps = Math.max(1, catalog.items(c.id, { ...(load.bbox ? { bbox: load.bbox } : {}), ...(load.interval ? { interval: load.interval } : {}) }).length);
  } catch {
    // Listing items is only a refinement; one time step is assumed without it.
  }
  return Math.round(gridPixels * share * steps * load.bandCount);
}

export interface JobEstimate {
  inputPixels: number;
  seconds: number;
  bytes: number;
  pixelsPerSecond: number;
  measured: boolean;
}

/** Input size from the catalogue and throughput measured from earlier jobs. */
export function estimateJob(process: Record<string, unknown>, catalog: Catalog, store: JobStore): JobEstimate {
  const inputPixels = loadRequests(process.process_graph, catalog).reduce((sum, l) => sum + pixelsOf(l, catalog), 0);
  const measuredRate = store.measuredThroughput();
  const pixelsPerSecond = measuredRate ?? INITIAL_PIXELS_PER_SECOND;
  const bytesPerPixel = store.measuredBytesPerPixel() ?? INITIAL_BYTES_PER_PIXEL;
  return {
    inputPixels,
    seconds: Math.ceil(OVERHEAD_SECONDS + inputPixels / pixelsPerSecond),
    bytes: Math.round(inputPixels * bytesPerPixel),
    pixelsPerSecond,
    measured: measuredRate !== undefined,
  };
}

/** Seconds as an ISO 8601 duration, e.g. 3725 → PT1H2M5S. */
export function isoDuration(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = s % 60;
  return `PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${rest || (!h && !m) ? `${rest}S` : ''}`;
}
