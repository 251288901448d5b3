import { DataCube } from './DataCube';
import { LabelDimension, TileContext, TileWindow, cellsAround, windowPixels } from './model';

/** The dimensions with only the labels at `indices` (in that order) kept in dimension `dimIndex`. */
export function selectLabels(dims: LabelDimension[], dimIndex: number, indices: number[]): LabelDimension[] {
  return dims.map((d, i) => {
    if (i !== dimIndex) return d;
    return {
      ...d,
      labels: indices.map((k) => d.labels[k]),
      bands: d.bands ? indices.map((k) => d.bands![k]) : undefined,
    };
  });
}

/** Keeps some labels (in the given order) of one non-spatial dimension of its parent. */
export class SubsetCube extends DataCube {
  private constructor(
    private readonly parent: DataCube,
    private readonly dimIndex: number,
    private readonly indices: number[],
  ) {
    super({ dims: selectLabels(parent.dims, dimIndex, indices), grid: parent.grid, order: parent.order });
  }

  /** Prefers a selection the parent can do itself (e.g. reading fewer files). */
  static select(parent: DataCube, dimIndex: number, indices: number[]): DataCube {
    const dim = parent.dims[dimIndex];
    if (indices.length === dim.labels.length && indices.every((k, i) => k === i)) return parent;
    return parent.narrowLabels(dimIndex, indices) ?? new SubsetCube(parent, dimIndex, indices);
  }

  protected async computeTile(win: TileWindow, ctx: TileContext): Promise<Float64Array> {
    const source = await this.parent.tile(win, ctx);
    const dims = this.parent.dims;
    const around = cellsAround(dims, this.dimIndex);
    const outer = around.outer;
    const inner = around.inner * windowPixels(win);
    const n = around.size;
    const out = new Float64Array(outer * this.indices.length * inner);
    let o = 0;
    for (let a = 0; a < outer; a++) {
      for (const k of this.indices) {
        const start = (a * n + k) * inner;
        out.set(source.subarray(start, start + inner), o);
        o += inner;
      }
    }
    return out;
  }

  narrowLabels(dimIndex: number, indices: number[]): DataCube | undefined {
    // Compose the two selections into one on the parent.
    if (dimIndex !== this.dimIndex) {
      const narrowed = this.parent.narrowLabels(dimIndex, indices);
      return narrowed ? SubsetCube.select(narrowed, this.dimIndex, this.indices) : undefined;
    }
    return SubsetCube.select(this.parent, dimIndex, indices.map((k) => this.indices[k]));
  }
}
