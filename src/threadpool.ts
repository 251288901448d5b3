/**
 * Sizes libuv's thread pool, where gdal-async runs every asynchronous read, decompression and
 * warp. Its default of four threads would leave most cores of a large server idle while tiles
 * are decoded. Must be imported before anything queues work on the pool (libuv reads the
 * variable once, when the pool starts), so entry points import it first. An explicit
 * UV_THREADPOOL_SIZE in the environment wins.
 */
import os from 'node:os';

if (!process.env.UV_THREADPOOL_SIZE) {
  process.env.UV_THREADPOOL_SIZE = String(Math.max(4, os.availableParallelism() + 2));
}
