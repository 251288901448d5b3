import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import gdal from 'gdal-async';
import { fileName } from './dataset';
import type { Window } from './workloads';

/** Shape of the output the floor writes, taken from the server's actual result. */
export interface OutputShape {
  width: number;
  height: number;
  bands: number;
  dataType: string;
}

export interface FloorTimes {
  /** Seconds for reading every input sequentially, then writing the output with one thread. */
  singleSeconds: number;
  /** Seconds for reading all inputs concurrently, then writing with GDAL's own worker threads. */
  parallelSeconds: number;
}

const ROWS = 512;
const BLOCK = 512;

async function readWindow(file: string, w: Window): Promise<void> {
  const ds = await gdal.openAsync(file);
  try {
    const band = ds.bands.get(1);
    const buffer = new Uint16Array(w.width * Math.min(ROWS, w.height));
    for (let r = 0; r < w.height; r += ROWS) {
      const rows = Math.min(ROWS, w.height - r);
      await band.pixels.readAsync(w.col0, w.row0 + r, w.width, rows, buffer.subarray(0, w.width * rows));
    }
  } finally {
    ds.close();
  }
}

/** Writes an output of the given shape from non-constant values (so compression has real work). */
async function writeOutput(file: string, shape: OutputShape, threads: boolean): Promise<void> {
  const options = ['TILED=YES', 'BLOCKXSIZE=512', 'BLOCKYSIZE=512', 'COMPRESS=DEFLATE', 'BIGTIFF=IF_SAFER'];
  if (threads) options.push('NUM_THREADS=ALL_CPUS');
  const ds = await gdal.openAsync(file, 'w', 'GTiff', shape.width, shape.height, shape.bands, shape.dataType, options);
  try {
    // Block by block, all bands of a block together: each (pixel-interleaved) block is complete
    // at once, so none is compressed twice however small GDAL's cache is.
    const block = new Float32Array(BLOCK * BLOCK);
    for (let i = 0; i < block.length; i++) block[i] = Math.sin(i * 0.37) * 0.5 + ((i * 2654435761) % 1000) / 5000;
    const bands = Array.from({ length: shape.bands }, (_, b) => ds.bands.get(b + 1));
    for (let y = 0; y < shape.height; y += BLOCK) {
      for (let x = 0; x < shape.width; x += BLOCK) {
        const w = Math.min(BLOCK, shape.width - x);
        const h = Math.min(BLOCK, shape.height - y);
        for (const band of bands) await band.pixels.writeAsync(x, y, w, h, block.subarray(0, w * h));
      }
    }
    await ds.flushAsync();
  } finally {
    ds.close();
  }
}

/** Runs `tasks` with at most `limit` in flight. */
async function pooled(tasks: Array<() => Promise<void>>, limit: number): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) await tasks[next++]();
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
}

/**
 * The I/O floor of a workload: what GDAL alone needs to read every input it touches and write
 * an output of the same shape, without computing anything.
 */
export async function measureFloor(folder: string, scratch: string, dates: string[], bands: string[], window: Window, shape: OutputShape): Promise<FloorTimes> {
  const files = dates.flatMap((d) => bands.map((b) => path.join(folder, fileName(d, b))));
  const outFile = path.join(scratch, 'floor.tif');

  let t = process.hrtime.bigint();
  for (const file of files) await readWindow(file, window);
  await writeOutput(outFile, shape, false);
  const singleSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  fs.rmSync(outFile, { force: true });

  t = process.hrtime.bigint();
  await pooled(files.map((file) => () => readWindow(file, window)), Math.max(2, os.cpus().length));
  await writeOutput(outFile, shape, true);
  const parallelSeconds = Number(process.hrtime.bigint() - t) / 1e9;
  fs.rmSync(outFile, { force: true });
  return { singleSeconds, parallelSeconds };
}

export function outputShape(file: string): OutputShape {
  const ds = gdal.open(file);
  try {
    return { width: ds.rasterSize.x, height: ds.rasterSize.y, bands: ds.bands.count(), dataType: ds.bands.get(1).dataType ?? 'unknown' };
  } finally {
    ds.close();
  }
}
