import type { DataCube } from '../raster/cube/DataCube';

/**
 * Raster formats store a cube as 2D bands: every combination of non-spatial labels
 * (e.g. each date × band) becomes one output band, in tile-layout order, so output band
 * `i` is plane `i` of every tile.
 */
export interface OutputBand {
  /** Label per non-spatial dimension, keyed by dimension name. */
  labels: Record<string, string | number>;
  /** A readable name, e.g. `2020-06-01T00:00:00Z/B04`. */
  description: string;
}

export function outputBands(cube: DataCube): OutputBand[] {
  let combos: Array<Array<string | number>> = [[]];
  for (const d of cube.dims) {
    const next: Array<Array<string | number>> = [];
    for (const prefix of combos) for (const label of d.labels) next.push([...prefix, label]);
    combos = next;
  }
  return combos.map((values) => {
    const labels: Record<string, string | number> = {};
    cube.dims.forEach((d, i) => (labels[d.name] = values[i]));
    return { labels, description: values.map(String).join('/') };
  });
}
