/**
 * The fused forms of the pixel-wise cube processes: each builds, from a compiled callback, the
 * expression of every output cell in terms of the input cells, for a FusedCube with exactly the
 * shape the general (MapCube) path produces. Each returns null when the callback cannot be
 * compiled or the kernel would be too large; the process then keeps its general path.
 */
import type { Callback } from '../types';
import { DataCube } from '../../raster/cube/DataCube';
import { FusedCube } from '../../raster/cube/FusedCube';
import { LabelDimension, SpatialGrid, cellsAround } from '../../raster/cube/model';
import { CompiledCallback, compileArrayCallback, compilePixelCallback, compileReducer } from '../compile';
import { MAX_NODES, NodeId } from '../../raster/fused/ir';
import type { LabelGroup } from '../../raster/cube/alongDimension';

type Shape = { dims: LabelDimension[]; grid: SpatialGrid | null; order: string[] };

/** Whether a kernel with this many output cells could fit at all (each output is at least one node). */
const fits = (outputCells: number) => outputCells > 0 && outputCells <= MAX_NODES;

/** apply: every cell through the callback on its own. */
export function fusedApply(cube: DataCube, callback: Callback, context: unknown): DataCube | null {
  if (!fits(cube.cellsPerPixel)) return null;
  const compiled = compilePixelCallback(callback, context);
  if (!compiled) return null;
  const shape = { dims: cube.dims, grid: cube.grid, order: cube.order };
  return FusedCube.create(cube, shape, (cell, graph) => {
    const outputs: NodeId[] = [];
    for (let c = 0; c < cube.cellsPerPixel; c++) outputs.push(...compiled.instantiate(graph, [cell(c)]));
    return outputs;
  });
}

/**
 * Groups of labels along dimension `index` replaced by the callback's values per group: each
 * output cell (a, g, i) is compiled[g] applied to the cells (a, k, i) of the group's members k.
 * `compiled[g]` gives `perGroup` values, which take the places g * perGroup … of the new dimension.
 */
function alongDimension(cube: DataCube, index: number, members: number[][], compiled: CompiledCallback[], shape: Shape): DataCube | null {
  const { outer, size, inner } = cellsAround(cube.dims, index);
  const perGroup = compiled[0]?.outputs ?? 0;
  return FusedCube.create(cube, shape, (cell, graph) => {
    const outputs = new Array<NodeId>(outer * members.length * perGroup * inner);
    for (let a = 0; a < outer; a++) {
      for (let i = 0; i < inner; i++) {
        members.forEach((ks, g) => {
          const values = compiled[g].instantiate(graph, ks.map((k) => cell((a * size + k) * inner + i)));
          values.forEach((v, j) => (outputs[((a * members.length + g) * perGroup + j) * inner + i] = v));
        });
      }
    }
    return outputs;
  });
}

/** reduce_dimension over a non-spatial dimension: `shape` is the cube without it. */
export function fusedReduce(cube: DataCube, index: number, reducer: Callback, context: unknown, shape: Shape): DataCube | null {
  const labels = cube.dims[index].labels;
  const compiled = compileReducer(reducer, labels, context);
  return compiled && alongDimension(cube, index, [labels.map((_, k) => k)], [compiled], shape);
}

/** aggregate_temporal(_period): one reducer call per group of labels. */
export function fusedGroups(cube: DataCube, index: number, groups: LabelGroup[], reducer: Callback, context: unknown, shape: Shape): DataCube | null {
  // Checked before compiling once per group (there may be many thousands, e.g. hours over years).
  const { outer, inner } = cellsAround(cube.dims, index);
  if (!fits(outer * groups.length * inner)) return null;
  const labels = cube.dims[index].labels;
  const compiled: CompiledCallback[] = [];
  for (const group of groups) {
    const c = compileReducer(reducer, group.members.map((k) => labels[k]), context);
    if (!c) return null;
    compiled.push(c);
  }
  return alongDimension(cube, index, groups.map((g) => g.members), compiled, shape);
}

/**
 * apply_dimension whose callback compiles: how many values it gives per pixel and their labels
 * when it labels them (which decide the shape), and the cube for that shape.
 */
export function fusedApplyDimension(
  cube: DataCube,
  index: number,
  process: Callback,
  context: unknown,
): { count: number; labels?: ReadonlyArray<string | number>; build(shape: Shape): DataCube | null } | null {
  const labels = cube.dims[index].labels;
  const compiled = compileArrayCallback(process, labels, context);
  if (!compiled) return null;
  return {
    count: compiled.outputs,
    labels: compiled.labels,
    build: (shape) => alongDimension(cube, index, [labels.map((_, k) => k)], [compiled], shape),
  };
}

/** ndvi: (nir - red) / (nir + red) in place of the bands, or appended as a band after copies of them. */
export function fusedNdvi(cube: DataCube, index: number, nir: number, red: number, appended: boolean, shape: Shape): DataCube | null {
  const { outer, size, inner } = cellsAround(cube.dims, index);
  return FusedCube.create(cube, shape, (cell, graph) => {
    const outputs: NodeId[] = [];
    for (let a = 0; a < outer; a++) {
      if (appended) for (let c = a * size * inner; c < (a + 1) * size * inner; c++) outputs.push(cell(c));
      for (let i = 0; i < inner; i++) {
        outputs.push(graph.op('nd', [cell((a * size + nir) * inner + i), cell((a * size + red) * inner + i)]));
      }
    }
    return outputs;
  });
}
