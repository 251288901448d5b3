import { DataCube } from './DataCube';
import { LabelDimension, SpatialGrid, TileContext, TileWindow, cellsAround, cellsPerPixel } from './model';
import { selectLabels } from './SubsetCube';
import { computeFusedTile } from '../fused/execute';
import type { FusedKernel } from '../fused/kernel';
import { ExprGraph, GraphTooLarge, MAX_NODES, NodeId } from '../fused/ir';
import { generateKernel } from '../fused/codegen';

type Shape = { dims: LabelDimension[]; grid: SpatialGrid | null; order: string[] };

/**
 * Builds the output expressions of a fused cube, one per cell of its tile layout, from
 * `cell(c)`: the expression of cell c of the parent. Null when it cannot.
 */
export type CellRecipe = (cell: (parentCell: number) => NodeId, graph: ExprGraph) => NodeId[] | null;

/**
 * A cube whose every value is an expression of the values of the same pixel in `source`: a
 * pixel-wise process (or a chain of them) compiled into one kernel, so a tile is one pass over
 * the source's planes with no intermediate cube per process.
 */
export class FusedCube extends DataCube {
  private constructor(
    /** The cube the kernel reads (the first non-fused ancestor). */
    readonly source: DataCube,
    shape: Shape,
    private readonly graph: ExprGraph,
    private readonly outputs: readonly NodeId[],
    readonly kernel: FusedKernel,
  ) {
    super(shape);
  }

  /**
   * The fused cube over `parent` with the given shape (which must be what the general path
   * produces), or null when the recipe fails or the kernel would be too large. Over a fused
   * parent, the parent's expressions are substituted, so the chain becomes one kernel over the
   * parent's source.
   */
  static create(parent: DataCube, shape: Shape, recipe: CellRecipe): FusedCube | null {
    if (parent instanceof FusedCube) {
      const composed = FusedCube.build(parent.source, shape, recipe, (graph) => parent.cellsIn(graph));
      if (composed) return composed;
    }
    return FusedCube.build(parent, shape, recipe, (graph) => (c) => graph.input(c));
  }

  private static build(source: DataCube, shape: Shape, recipe: CellRecipe, cells: (graph: ExprGraph) => (c: number) => NodeId): FusedCube | null {
    const graph = new ExprGraph(MAX_NODES);
    try {
      const outputs = recipe(cells(graph), graph);
      if (!outputs) return null;
      if (outputs.length !== cellsPerPixel(shape)) throw new Error(`a fused recipe gave ${outputs.length} cells for a shape of ${cellsPerPixel(shape)}`);
      return FusedCube.withOutputs(source, shape, graph, outputs);
    } catch (error) {
      if (error instanceof GraphTooLarge) return null;
      throw error;
    }
  }

  /** Null when the kernel would read nothing: such cubes stay on the general path, which still reads the parent. */
  private static withOutputs(source: DataCube, shape: Shape, graph: ExprGraph, outputs: NodeId[]): FusedCube | null {
    if (outputs.length === 0) return null;
    const kernel = generateKernel(graph, outputs);
    return kernel.inputCells.length === 0 ? null : new FusedCube(source, shape, graph, outputs, kernel);
  }

  /** Tiles are cheap to hold (raw planes in, one value per output cell out) and compute on the pool: run several at once. */
  get parallelTiles(): boolean {
    return true;
  }

  /** This cube's cell expressions copied into `graph` (over the same source), each copied once. */
  private cellsIn(graph: ExprGraph): (c: number) => NodeId {
    const copies = new Map<number, NodeId>();
    return (c) => {
      let id = copies.get(c);
      if (id === undefined) {
        [id] = graph.importFrom(this.graph, [this.outputs[c]], (slot) => graph.input(slot));
        copies.set(c, id);
      }
      return id;
    };
  }

  protected computeTile(win: TileWindow, ctx: TileContext): Promise<Float64Array> {
    return computeFusedTile(this.source, this.kernel, win, ctx);
  }

  /** Keeping fewer labels keeps fewer outputs, so the kernel reads and computes only what they need. */
  narrowLabels(dimIndex: number, indices: number[]): DataCube | undefined {
    const { outer, size, inner } = cellsAround(this.dims, dimIndex);
    const outputs: NodeId[] = [];
    for (let a = 0; a < outer; a++) {
      for (const k of indices) for (let i = 0; i < inner; i++) outputs.push(this.outputs[(a * size + k) * inner + i]);
    }
    const shape = { dims: selectLabels(this.dims, dimIndex, indices), grid: this.grid, order: this.order };
    return FusedCube.withOutputs(this.source, shape, this.graph, outputs) ?? undefined;
  }
}
