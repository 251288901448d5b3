/**
 * What the fuzzer sends: junk values, path segments, mutated process graphs and malformed
 * bodies. Everything is derived from a seeded Random, so a failing case can be replayed.
 */
import { Random } from '../../helpers/random';

/** Values of every JSON type, chosen to hit edge cases of type checks and arithmetic. */
export function junkValue(rnd: Random, depth = 0): unknown {
  const simple: unknown[] = [
    null, true, false, 0, -1, 1, 0.5, -0.0, 1e308, -1e308, 5e-324, 2 ** 53 + 1, -(2 ** 31), 4294967296,
    '', ' ', 'x', 'null', 'NaN', 'Infinity', '-1', '1e999', '2020-13-45', '2020-02-30T25:61:61Z', '0000-00-00',
    '9999-12-31T23:59:59Z', '-271821-04-20', 'P1D', '\u0000', 'a\u0000b', '日本語', '🙂'.repeat(20), '\ud800',
    '<script>', "'; DROP TABLE jobs; --", '../../etc/passwd', '%00', '$ref', '__proto__', 'constructor',
    'x'.repeat(rnd.int(100, 5000)),
  ];
  const kind = depth > 3 ? 0 : rnd.int(0, 9);
  if (kind <= 6) return rnd.pick(simple);
  if (kind === 7) return Array.from({ length: rnd.int(0, 5) }, () => junkValue(rnd, depth + 1));
  if (kind === 8) return { from_node: rnd.pick(['a', 'missing', '', 'load', 'save', '__proto__']) };
  const obj: Record<string, unknown> = {};
  for (let i = rnd.int(0, 4); i > 0; i--) obj[rnd.pick(['from_parameter', 'process_graph', 'type', 'x', 'west', 'a'])] = junkValue(rnd, depth + 1);
  return obj;
}

/** Path segments: plausible, hostile, Unicode, percent-encoded NUL and broken escapes. */
export function junkSegment(rnd: Random): string {
  return rnd.pick([
    'x', 'unknown', '0', '-1', '%00', 'a%00b', '%2e%2e', '..%2F..%2Fetc%2Fpasswd', '%2F', '%FF%FE', '%', '%zz', '%E2%82%AC',
    encodeURIComponent('日本語🙂'), '%ED%A0%BD', 'x'.repeat(rnd.int(200, 3000)), '.', '..',
    'CON', 'nul.txt', '~', '%20', encodeURIComponent('<>"|?*'), '__proto__', 'constructor', encodeURIComponent("'; --"),
  ]);
}

/** Extents and dates for load_collection that are absurd in every way the API does not forbid. */
function junkExtent(rnd: Random): unknown {
  return rnd.pick<unknown>([
    { west: -1e308, east: 1e308, south: -1e308, north: 1e308 },
    { west: 11, east: 10, south: 47, north: 46 },
    { west: 0, east: 0, south: 0, north: 0 },
    { west: 470000, east: 476000, south: 5264000, north: 5270000, crs: 32632 },
    { west: 470000, east: 476000, south: 5264000, north: 5270000, crs: 999999 },
    { west: 'a', east: 2, south: 3, north: 4 },
    { west: 10.5, east: 10.6, south: 47.5, north: 47.6, crs: 'EPSG:4326;DROP' },
    { west: -180, east: 180, south: -90, north: 90 },
    { west: NaN, east: 1, south: 1, north: 1 },
    { type: 'Polygon', coordinates: [[[0, 0], [1e9, 0], [0, 1e9], [0, 0]]] },
    { type: 'FeatureCollection', features: [] },
    { type: 'Point', coordinates: [] },
    [],
    'everywhere',
  ]);
}

function junkTemporal(rnd: Random): unknown {
  return rnd.pick<unknown>([
    ['2023-13-01', '2023-14-01'], ['2023-12-31', '2023-01-01'], [null, null], ['-271821-04-20', '275760-09-13'],
    ['2023-01-01T25:00:00Z', null], ['0000-01-01', '9999-12-31'], ['2023'], 'yesterday', [1, 2], ['2023-02-30', '2023-03-01'],
  ]);
}

/** Graphs that run on the demo collections: the starting points the mutations work on. */
export function seedGraphs(collection: string): Array<Record<string, unknown>> {
  const extent = { west: 471000, east: 472000, south: 5266000, north: 5267000, crs: 32632 };
  return [
    { add: { process_id: 'add', arguments: { x: 1, y: 2 }, result: true } },
    {
      arr: { process_id: 'array_create', arguments: { data: [1, 2, 3], repeat: 2 } },
      sum: { process_id: 'sum', arguments: { data: { from_node: 'arr' } }, result: true },
    },
    {
      apply: {
        process_id: 'array_apply',
        arguments: { data: [1, 2, 3], process: { process_graph: { m: { process_id: 'multiply', arguments: { x: { from_parameter: 'x' }, y: 2 }, result: true } } } },
        result: true,
      },
    },
    {
      load: { process_id: 'load_collection', arguments: { id: collection, spatial_extent: extent, temporal_extent: ['2023-06-01', '2023-08-01'], bands: ['B04', 'B08'] } },
      reduce: {
        process_id: 'reduce_dimension',
        arguments: { data: { from_node: 'load' }, dimension: 't', reducer: { process_graph: { m: { process_id: 'mean', arguments: { data: { from_parameter: 'data' } }, result: true } } } },
      },
      save: { process_id: 'save_result', arguments: { data: { from_node: 'reduce' }, format: 'GTiff' }, result: true },
    },
    {
      load: { process_id: 'load_collection', arguments: { id: collection, spatial_extent: extent, temporal_extent: ['2023-06-01', '2023-07-01'], bands: ['B04', 'B08'] } },
      ndvi: { process_id: 'ndvi', arguments: { data: { from_node: 'load' }, red: 'B04', nir: 'B08' } },
      save: { process_id: 'save_result', arguments: { data: { from_node: 'ndvi' }, format: 'JSON' }, result: true },
    },
    {
      load: { process_id: 'load_collection', arguments: { id: collection, spatial_extent: extent, temporal_extent: ['2023-06-01', '2023-07-01'], bands: ['B04'] } },
      resample: { process_id: 'resample_spatial', arguments: { data: { from_node: 'load' }, resolution: 20, projection: null, method: 'near' } },
      save: { process_id: 'save_result', arguments: { data: { from_node: 'resample' }, format: 'GTiff' }, result: true },
    },
    {
      date: { process_id: 'date_shift', arguments: { date: '2023-01-31', value: 1, unit: 'month' }, result: true },
    },
  ];
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Every container (object or array) inside a value, with the keys that lead to it. */
function containers(value: unknown, out: Array<Record<string, unknown> | unknown[]> = []): Array<Record<string, unknown> | unknown[]> {
  if (Array.isArray(value) || (typeof value === 'object' && value !== null)) {
    out.push(value as Record<string, unknown>);
    for (const child of Object.values(value as object)) containers(child, out);
  }
  return out;
}

function deepNest(depth: number, leaf: unknown, asObject: boolean): unknown {
  let v = leaf;
  for (let i = 0; i < depth; i++) v = asObject ? { x: v } : [v];
  return v;
}

/** One random change to a graph: wrong types anywhere, unknown processes, cycles, nesting, size. */
function mutateGraph(rnd: Random, graph: Record<string, unknown>): void {
  const nodeIds = Object.keys(graph);
  const node = graph[rnd.pick(nodeIds)] as Record<string, unknown> | undefined;
  switch (rnd.int(0, 14)) {
    case 0: {
      // Replace any value anywhere with a junk value.
      const target = rnd.pick(containers(graph));
      const keys = Object.keys(target);
      if (keys.length > 0) (target as Record<string, unknown>)[rnd.pick(keys)] = junkValue(rnd);
      break;
    }
    case 1:
      if (node) node.process_id = rnd.pick(['no_such_process', '', 'ADD', 'add ', 'load_collection', 'save_result', 'run_udf', 'x'.repeat(300), '日本']);
      break;
    case 2:
      // A cycle, or a reference to itself.
      if (node && nodeIds.length > 0) node.arguments = { ...(node.arguments as object), x: { from_node: rnd.pick(nodeIds) }, data: { from_node: rnd.pick(nodeIds) } };
      break;
    case 3:
      if (node) node.arguments = { ...(node.arguments as object), [rnd.pick(['unknown', 'x', 'data', 'process', 'context'])]: junkValue(rnd) };
      break;
    case 4:
      if (node) delete (node as Record<string, unknown>)[rnd.pick(['arguments', 'process_id', 'result'])];
      break;
    case 5:
      if (node) node.arguments = { ...(node.arguments as object), x: deepNest(rnd.int(30, 3000), 1, rnd.chance(0.5)) };
      break;
    case 6:
      if (node) node.arguments = { ...(node.arguments as object), data: Array.from({ length: rnd.int(1000, 200_000) }, (_, i) => (rnd.chance(0.001) ? 'x' : i)) };
      break;
    case 7:
      for (const id of nodeIds) if (rnd.chance(0.5)) (graph[id] as Record<string, unknown>).result = rnd.chance(0.5);
      break;
    case 8: {
      const load = Object.values(graph).find((n) => (n as Record<string, unknown>)?.process_id === 'load_collection') as Record<string, Record<string, unknown>> | undefined;
      if (load) load.arguments.spatial_extent = junkExtent(rnd);
      else if (node) node.arguments = { ...(node.arguments as object), spatial_extent: junkExtent(rnd) };
      break;
    }
    case 9: {
      const load = Object.values(graph).find((n) => (n as Record<string, unknown>)?.process_id === 'load_collection') as Record<string, Record<string, unknown>> | undefined;
      if (load) load.arguments.temporal_extent = junkTemporal(rnd);
      break;
    }
    case 10:
      // Many nodes: a long chain.
      for (let i = 0; i < rnd.int(10, 1500); i++) graph[`chain${i}`] = { process_id: 'add', arguments: { x: i === 0 ? 1 : { from_node: `chain${i - 1}` }, y: 1 } };
      break;
    case 11:
      // Deeply nested callbacks.
      if (node) {
        let inner: Record<string, unknown> = { p: { process_id: 'absolute', arguments: { x: { from_parameter: 'x' } }, result: true } };
        for (let i = rnd.int(5, 80); i > 0; i--) {
          inner = { p: { process_id: 'array_apply', arguments: { data: [1], process: { process_graph: inner } }, result: true } };
        }
        node.arguments = { ...(node.arguments as object), process: { process_graph: inner } };
      }
      break;
    case 13: {
      // Absurd resolutions and projections for resampling.
      const resample = Object.values(graph).find((n) => (n as Record<string, unknown>)?.process_id === 'resample_spatial') as Record<string, Record<string, unknown>> | undefined;
      if (resample) {
        resample.arguments.resolution = rnd.pick<unknown>([1e-9, 0, -10, 1e12, [1e-6, 1e-6], [0.001], 'fine', NaN, 5e-324]);
        if (rnd.chance(0.3)) resample.arguments.projection = rnd.pick<unknown>([4326, 0, 99999, 'EPSG:3857', '+proj=nonsense', 3.5]);
      }
      break;
    }
    case 12:
      graph[rnd.pick(['', ' ', '\u0000', 'n'.repeat(500), '__proto__', 'constructor'])] = junkValue(rnd);
      break;
    default: {
      const save = Object.values(graph).find((n) => (n as Record<string, unknown>)?.process_id === 'save_result') as Record<string, Record<string, unknown>> | undefined;
      if (save) save.arguments.format = rnd.pick(['gtiff', 'PNG', 'netcdf', 'CSV', 'nonsense', '', 42, null, 'JSON']);
      else if (node) node.namespace = rnd.pick(['user', 'backend', 'https://example.org/x', 42, '']);
    }
  }
}

/** A graph from the seeds with zero to four mutations. */
export function fuzzGraph(rnd: Random, collection: string): Record<string, unknown> {
  const graph = clone(rnd.pick(seedGraphs(collection)));
  for (let i = rnd.int(0, 4); i > 0; i--) {
    try {
      mutateGraph(rnd, graph);
    } catch {
      // An earlier mutation may have left no place for this one (a node replaced by a number).
    }
  }
  return graph;
}

/** JSON text that does not parse, or parses into something surprising. */
export function malformedJson(rnd: Random, valid: string): string {
  switch (rnd.int(0, 9)) {
    case 0:
      return valid.slice(0, rnd.int(0, Math.max(0, valid.length - 1)));
    case 1:
      return `\ufeff${valid}`;
    case 2:
      return valid.replace(/:/, ': ,');
    case 3:
      return `${valid}\u0000garbage`;
    case 4:
      return '['.repeat(rnd.int(1000, 200_000)) + ']'.repeat(rnd.int(0, 10));
    case 5:
      return `{"process_graph": ${'{"a":'.repeat(rnd.int(100, 20_000))}1${'}'.repeat(rnd.int(0, 20_000))}}`;
    case 6:
      return '{"process":{"process_graph":{"a":{"process_id":"add","arguments":{"x":1e999,"y":"\\ud800"},"result":true}}}}';
    case 7:
      return rnd.pick(['', ' ', 'null', 'true', '0', '"text"', '[]', '{}', 'undefined', "{'a':1}", '{"a":1,}']);
    case 8:
      return Buffer.from(Array.from({ length: rnd.int(1, 300) }, () => rnd.int(0, 255))).toString('latin1');
    default:
      return `{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}},"process":${valid}}`;
  }
}
