/**
 * `npm run bench:tiles`: map tiles of XYZ services over the bench series, through the real HTTP
 * API. For a true-colour picture of one date and the maximum NDVI over all dates it requests the
 * tiles around the centre of the data at the native zoom and two zooms below: first each tile
 * once (rendered: nothing cached, page cache warm after the first), then the same tiles again
 * (served from the tile cache). The same for the demo Sentinel-2 collection. Prints p50/p90/max per case.
 */
import fs from 'node:fs';
import path from 'node:path';
import { transformation } from '../../gdal/srs';
import { DEMO_DATES, DEMO_S2_ID } from '../../catalog/demo/generate';
import { ensureDataset, DATES, PIXEL_SIZE } from './dataset';
import { startBenchServer } from './server';
import { parseOptions, SIZES } from './options';

const REPO = path.resolve(__dirname, '..', '..', '..');
const CACHE = path.join(REPO, '.bench');
const HALF_WORLD = 20037508.342789244;
const TILES_PER_SIDE = 4;

const log = (msg: string) => process.stderr.write(msg + '\n');

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** A collection's centre in EPSG:3857, from the WGS84 extent its document gives. */
async function collectionCentre(baseUrl: string, id: string): Promise<{ x: number; y: number; lat: number }> {
  const doc = (await (await fetch(`${baseUrl}/collections/${id}`)).json()) as { extent: { spatial: { bbox: number[][] } } };
  const [w, s, e, n] = doc.extent.spatial.bbox[0];
  const lon = (w + e) / 2;
  const lat = (s + n) / 2;
  const mercator = transformation('EPSG:4326', 'EPSG:3857').transformPoint(lon, lat);
  return { x: mercator.x, y: mercator.y, lat };
}

/** The TILES_PER_SIDE² tiles around a point at zoom z. */
function tilesAround(x: number, y: number, z: number): Array<[number, number, number]> {
  const span = (2 * HALF_WORLD) / 2 ** z;
  const cx = Math.floor((x + HALF_WORLD) / span);
  const cy = Math.floor((HALF_WORLD - y) / span);
  const tiles: Array<[number, number, number]> = [];
  for (let dy = 0; dy < TILES_PER_SIDE; dy++) {
    for (let dx = 0; dx < TILES_PER_SIDE; dx++) tiles.push([z, cx - TILES_PER_SIDE / 2 + dx, cy - TILES_PER_SIDE / 2 + dy]);
  }
  return tiles;
}

async function timedTile(url: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(url);
  const body = Buffer.from(await res.arrayBuffer());
  if (res.status !== 200 || body.length === 0) throw new Error(`${url}: HTTP ${res.status} ${body.toString().slice(0, 200)}`);
  return performance.now() - started;
}

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2).filter((a) => a !== '--'));
  const size = SIZES[options.size];
  const folder = path.join(CACHE, options.size);
  await ensureDataset(folder, size, log);
  const collection = `BENCH_${options.size.toUpperCase()}`;
  const server = await startBenchServer(folder, collection, path.join(REPO, 'config.json'), { withDemo: true });
  const centre = await collectionCentre(server.baseUrl, collection);
  // The zoom whose pixels are as fine as the data's, on the ground at this latitude.
  const nativeZoom = Math.ceil(Math.log2((2 * HALF_WORLD * Math.cos((centre.lat * Math.PI) / 180)) / (256 * PIXEL_SIZE)));
  const load = (dates: [string, string], bands: string[]) => ({
    process_id: 'load_collection',
    arguments: { id: collection, spatial_extent: null, temporal_extent: dates, bands },
  });
  const cases: Array<{ title: string; graph: Record<string, unknown>; configuration: Record<string, unknown> }> = [
    {
      title: 'true colour, one date',
      graph: { load: { ...load([DATES[5], DATES[6]], ['B04', 'B03', 'B02']), result: true } },
      configuration: { bands: ['B04', 'B03', 'B02'], rescale: [0, 3000] },
    },
    {
      title: `max NDVI over ${DATES.length} dates`,
      graph: {
        load: load([DATES[0], '2024-01-01'], ['B04', 'B08']),
        ndvi: { process_id: 'ndvi', arguments: { data: { from_node: 'load' }, red: 'B04', nir: 'B08' } },
        max: { process_id: 'reduce_dimension', arguments: { data: { from_node: 'ndvi' }, dimension: 't', reducer: { process_graph: { m: { process_id: 'max', arguments: { data: { from_parameter: 'data' } }, result: true } } } }, result: true },
      },
      configuration: { colormap: 'viridis', rescale: [-1, 1] },
    },
  ];
  const demo = await collectionCentre(server.baseUrl, DEMO_S2_ID);
  const demoCases = [
    {
      title: 'demo: true colour',
      graph: { load: { process_id: 'load_collection', arguments: { id: DEMO_S2_ID, spatial_extent: null, temporal_extent: [DEMO_DATES[0], DEMO_DATES[1]], bands: ['B04', 'B03', 'B02'] }, result: true } },
      configuration: { bands: ['B04', 'B03', 'B02'], rescale: [0, 3000] },
      centre: demo,
    },
    {
      title: 'demo: max NDVI',
      graph: {
        load: { process_id: 'load_collection', arguments: { id: DEMO_S2_ID, spatial_extent: null, temporal_extent: null, bands: ['B04', 'B08'] } },
        ndvi: { process_id: 'ndvi', arguments: { data: { from_node: 'load' }, red: 'B04', nir: 'B08' } },
        max: { process_id: 'reduce_dimension', arguments: { data: { from_node: 'ndvi' }, dimension: 't', reducer: { process_graph: { m: { process_id: 'max', arguments: { data: { from_parameter: 'data' } }, result: true } } } }, result: true },
      },
      configuration: { colormap: 'viridis', rescale: [-1, 1] },
      centre: demo,
    },
  ];
  const rows: string[] = [];
  try {
    for (const c of [...cases.map((x) => ({ ...x, centre })), ...demoCases]) {
      for (const z of [nativeZoom, nativeZoom - 1, nativeZoom - 2]) {
        const created = await fetch(`${server.baseUrl}/services`, {
          method: 'POST',
          headers: { Authorization: server.auth, 'Content-Type': 'application/json' },
          body: JSON.stringify({ type: 'XYZ', title: c.title, process: { process_graph: c.graph }, configuration: c.configuration }),
        });
        if (created.status !== 201) throw new Error(`POST /services: HTTP ${created.status} ${await created.text()}`);
        const template = ((await fetch(created.headers.get('location')!, { headers: { Authorization: server.auth } }).then((r) => r.json())) as { url: string }).url;
        const urls = tilesAround(c.centre.x, c.centre.y, z).map(([tz, tx, ty]) => template.replace('{z}', String(tz)).replace('{x}', String(tx)).replace('{y}', String(ty)));
        const rendered: number[] = [];
        for (const url of urls) rendered.push(await timedTile(url));
        const cached: number[] = [];
        for (const url of urls) cached.push(await timedTile(url));
        for (const [kind, times] of [['rendered', rendered], ['cached', cached]] as const) {
          const sorted = [...times].sort((a, b) => a - b);
          rows.push(
            `${c.title.padEnd(26)} z${String(z).padEnd(3)} ${kind.padEnd(9)} p50 ${percentile(sorted, 50).toFixed(0).padStart(5)} ms  ` +
              `p90 ${percentile(sorted, 90).toFixed(0).padStart(5)} ms  max ${sorted[sorted.length - 1].toFixed(0).padStart(5)} ms  (${sorted.length} tiles)`,
          );
        }
      }
    }
  } finally {
    await server.close();
  }
  console.log(`tiles over ${size}² × ${DATES.length} dates, native zoom ${nativeZoom}:`);
  for (const row of rows) console.log(row);
  fs.mkdirSync(CACHE, { recursive: true });
  fs.writeFileSync(path.join(CACHE, `tiles-${options.size}.txt`), rows.join('\n') + '\n');
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`bench:tiles failed: ${(error as Error).stack ?? String(error)}`);
    process.exit(1);
  },
);
