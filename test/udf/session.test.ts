import pino from 'pino';
import { UdfSession } from '../../src/udf/session';
import { callOnTile } from '../../src/udf/tiles';
import type { LabelDimension, SpatialGrid } from '../../src/raster/cube/model';

/** The interpreter's limits and protocol, on a real sandboxed interpreter without a server. */
const grid: SpatialGrid = { xName: 'x', yName: 'y', crs: 'EPSG:32632', epsg: 32632, transform: [0, 10, 0, 100, 0, -10], width: 2, height: 2 };
const dims: LabelDimension[] = [{ name: 't', type: 'temporal', labels: ['2023-01-01T00:00:00Z'] }];
const win = { x: 0, y: 0, width: 2, height: 2 };
const tile = new Float64Array([1, 2, 3, 4]);

function session(overrides: Partial<{ cpuSeconds: number; timeoutSeconds: number }> = {}) {
  return new UdfSession({ memoryMegabytes: 1024, cpuSeconds: 30, timeoutSeconds: 30, processes: 16, fileMegabytes: 16, ...overrides }, pino({ level: 'silent' }));
}

const udf = (body: string) => ({ code: `import os, xarray\ndef apply_datacube(cube: xarray.DataArray, context):\n${body}\n    return cube\n`, context: {} });

test('values and labels go through unchanged, twice in the same interpreter', async () => {
  const s = session();
  try {
    for (let i = 0; i < 2; i++) {
      const result = await callOnTile(s, udf('    pass'), dims, grid, win, tile, ['t', 'y', 'x']);
      expect([...result.values]).toEqual([1, 2, 3, 4]);
      expect(result.dims).toEqual(dims);
    }
  } finally {
    s.kill();
  }
}, 30_000);

test('the CPU time limit stops a busy UDF with an error naming it', async () => {
  const s = session({ cpuSeconds: 1 });
  try {
    await expect(callOnTile(s, udf('    while True:\n        pass'), dims, grid, win, tile, undefined)).rejects.toThrow(/CPU time .*udf\.cpuSeconds/);
  } finally {
    s.kill();
  }
}, 30_000);

test('garbage written to the protocol pipe itself ends the call with an error, not a hang', async () => {
  const s = session({ timeoutSeconds: 10 });
  const body = [
    '    for fd in os.listdir("/proc/self/fd"):',
    '        if int(fd) > 2:',
    '            try:',
    '                os.write(int(fd), b"\\xff\\xff\\xff\\xff garbage")',
    '            except OSError:',
    '                pass',
  ].join('\n');
  try {
    await expect(callOnTile(s, udf(body), dims, grid, win, tile, undefined)).rejects.toThrow(/broke the data exchange/);
  } finally {
    s.kill();
  }
}, 30_000);

test('a result with x and y not last is transposed back; one without them is refused naming the dimensions', async () => {
  const s = session();
  try {
    const moved = await callOnTile(s, udf('    return cube.transpose("x", "t", "y")'), dims, grid, win, tile, undefined);
    expect(moved.dims.map((d) => d.name)).toEqual(['t']);
    expect([...moved.values]).toEqual([1, 2, 3, 4]);
    await expect(callOnTile(s, udf('    return cube.mean("x")'), dims, grid, win, tile, undefined)).rejects.toThrow(/dimensions \(t, y\); they must end with y and x/);
  } finally {
    s.kill();
  }
}, 30_000);

test('a tile of 26 MB goes there and back in many pipe chunks intact', async () => {
  const s = session();
  const big: SpatialGrid = { ...grid, width: 256, height: 256 };
  const dates: LabelDimension[] = [{ name: 't', type: 'temporal', labels: Array.from({ length: 50 }, (_, i) => new Date(Date.UTC(2023, 0, 1 + i)).toISOString()) }];
  const values = Float64Array.from({ length: 50 * 256 * 256 }, (_, i) => i % 1000);
  try {
    const result = await callOnTile(s, udf('    return cube + 1'), dates, big, { x: 0, y: 0, width: 256, height: 256 }, values, undefined);
    expect(result.values.length).toBe(values.length);
    expect(result.values.every((v, i) => v === values[i] + 1)).toBe(true);
    expect(result.dims).toEqual(dates);
  } finally {
    s.kill();
  }
}, 60_000);
