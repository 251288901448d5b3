import { CubeShape, gridBounds } from './model';
import { referenceSystem } from './crs';
import { describeGeometryDimension } from './describeGeometry';

/** STAC `cube:dimensions` of a cube, keyed by dimension name in presentation order. */
export function describeDimensions(cube: CubeShape): Record<string, Record<string, unknown>> {
  const byName = new Map<string, Record<string, unknown>>();
  const grid = cube.grid;
  if (grid) {
    const [west, south, east, north] = gridBounds(grid);
    const rs = referenceSystem(grid.crs, grid.epsg);
    byName.set(grid.xName, { type: 'spatial', axis: 'x', extent: [west, east], step: Math.abs(grid.transform[1]), reference_system: rs });
    byName.set(grid.yName, { type: 'spatial', axis: 'y', extent: [south, north], step: Math.abs(grid.transform[5]), reference_system: rs });
  }
  for (const d of cube.dims) {
    if (d.type === 'temporal') {
      const values = d.labels.map(String);
      const sorted = [...values].sort();
      byName.set(d.name, { type: 'temporal', extent: [sorted[0] ?? null, sorted[sorted.length - 1] ?? null], values, step: null });
    } else if (d.type === 'geometry') {
      byName.set(d.name, describeGeometryDimension(d));
    } else {
      byName.set(d.name, { type: d.type, values: [...d.labels] });
    }
  }
  const out: Record<string, Record<string, unknown>> = {};
  for (const name of cube.order) {
    const dim = byName.get(name);
    if (dim) out[name] = dim;
  }
  return out;
}
