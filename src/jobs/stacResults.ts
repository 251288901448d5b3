import type { ResultLinks } from './resultLinks';
import type { JobRecord, OutputInfo } from './types';

const EXTENSIONS = {
  projection: 'https://stac-extensions.github.io/projection/v1.1.0/schema.json',
  raster: 'https://stac-extensions.github.io/raster/v1.1.0/schema.json',
  file: 'https://stac-extensions.github.io/file/v2.1.0/schema.json',
  datacube: 'https://stac-extensions.github.io/datacube/v2.2.0/schema.json',
};

/**
 * Only the extensions whose fields the document carries: the datacube schema requires
 * `cube:dimensions`, which a result that is no data cube (a number saved as JSON) has not.
 */
function extensionsUsed(outputs: OutputInfo[], hasCube: boolean): string[] {
  const anyRaster = outputs.some((o) => o.raster);
  return [
    ...(anyRaster ? [EXTENSIONS.projection, EXTENSIONS.raster] : []),
    EXTENSIONS.file,
    ...(hasCube ? [EXTENSIONS.datacube] : []),
  ];
}

type Bbox = [number, number, number, number];

/** `2020-01-01` becomes a full RFC 3339 date-time; anything else is passed on. */
function asDateTime(value: string | null | undefined): string | null {
  if (!value) return null;
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
}

/** STAC datetime fields: a range when the job asked for one, else the time the result was made. */
function timeProperties(job: JobRecord): Record<string, string | null> {
  const [start, end] = (job.timeRange ?? [null, null]).map(asDateTime);
  if (start && end) return { datetime: null, start_datetime: start, end_datetime: end };
  return { datetime: start ?? end ?? job.finishedAt ?? job.updated };
}

function asset(output: OutputInfo, href: string): Record<string, unknown> {
  const a: Record<string, unknown> = {
    href,
    type: output.mediaType,
    title: output.file,
    roles: ['data'],
    'file:size': output.size,
  };
  const r = output.raster;
  if (r) {
    a['proj:epsg'] = r.epsg;
    if (r.wkt2) a['proj:wkt2'] = r.wkt2;
    a['proj:shape'] = r.shape;
    a['proj:transform'] = r.transform;
    a['raster:bands'] = r.bands;
  }
  return a;
}

function union(boxes: Bbox[]): Bbox | undefined {
  if (boxes.length === 0) return undefined;
  return boxes.reduce<Bbox>(
    (u, b) => [Math.min(u[0], b[0]), Math.min(u[1], b[1]), Math.max(u[2], b[2]), Math.max(u[3], b[3])],
    [Infinity, Infinity, -Infinity, -Infinity],
  );
}

function footprint(b: Bbox): { type: 'Polygon'; coordinates: number[][][] } {
  const [w, s, e, n] = b;
  return { type: 'Polygon', coordinates: [[[w, s], [e, s], [e, n], [w, n], [w, s]]] };
}

/**
 * The results document of a finished job: a STAC Item for one output file, a STAC Collection
 * (with every file also as a collection-level asset) for several. Asset links are signed and expire.
 */
export function resultsDocument(job: JobRecord, links: ResultLinks, publicUrl: string): Record<string, unknown> {
  const outputs = job.outputs ?? [];
  const expires = links.expiryFromNow();
  const assets: Record<string, unknown> = {};
  for (const o of outputs) assets[o.file] = asset(o, links.url(job.id, o.file, expires));
  const bbox = union(outputs.flatMap((o) => (o.raster ? [o.raster.bbox] : [])));
  const jobUrl = `${publicUrl}/jobs/${job.id}`;
  const docLinks = [
    { rel: 'self', href: `${jobUrl}/results`, type: 'application/json' },
    { rel: 'monitor', href: `${jobUrl}/logs`, type: 'application/json', title: 'Batch job logs' },
  ];
  const expiresAt = new Date(expires * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const time = timeProperties(job);
  const cube = outputs.find((o) => o.cubeDimensions)?.cubeDimensions;
  const dimensions = cube ? { 'cube:dimensions': cube } : {};
  const extensions = extensionsUsed(outputs, cube !== undefined);
  const common = {
    ...(job.title ? { title: job.title } : {}),
    ...(job.description ? { description: job.description } : {}),
  };

  if (outputs.length <= 1) {
    return {
      stac_version: '1.0.0',
      stac_extensions: extensions,
      type: 'Feature',
      id: job.id,
      ...(bbox ? { bbox } : {}),
      geometry: bbox ? footprint(bbox) : null,
      properties: {
        ...time,
        ...common,
        created: job.finishedAt ?? job.updated,
        expires: expiresAt,
        ...dimensions,
      },
      'openeo:status': 'finished',
      assets,
      links: docLinks,
    };
  }
  const interval = time.datetime ? [time.datetime, time.datetime] : [time.start_datetime, time.end_datetime];
  return {
    stac_version: '1.0.0',
    stac_extensions: extensions,
    type: 'Collection',
    id: job.id,
    title: job.title ?? `Results of batch job ${job.id}`,
    description: job.description ?? 'Files computed by an openEO batch job.',
    license: 'proprietary',
    extent: {
      spatial: { bbox: [bbox ?? [-180, -90, 180, 90]] },
      temporal: { interval: [interval] },
    },
    ...dimensions,
    'openeo:status': 'finished',
    assets,
    links: docLinks,
  };
}

/**
 * What `?partial=true` answers while a job has no published results yet: a located-nowhere
 * Item without assets whose `openeo:status` tells the state.
 */
export function partialDocument(job: JobRecord, status: 'running' | 'canceled', publicUrl: string): Record<string, unknown> {
  return {
    stac_version: '1.0.0',
    type: 'Feature',
    id: job.id,
    geometry: null,
    properties: { datetime: job.updated },
    'openeo:status': status,
    assets: {},
    links: [{ rel: 'self', href: `${publicUrl}/jobs/${job.id}/results?partial=true`, type: 'application/json' }],
  };
}
