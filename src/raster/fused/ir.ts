/**
 * The symbolic form of a fused computation: a DAG of per-pixel expressions. A node is an input
 * plane, a numeric constant or an operator applied to earlier nodes (so node ids are always in
 * topological order). Nodes are hash-consed: asking twice for the same operator on the same
 * arguments returns the same node, which is how a band read twice, or a subexpression shared
 * by several outputs, ends up computed once per pixel.
 */
import { OpName, checkArity } from './ops';

export type NodeId = number;

/**
 * Most expression nodes of one compiled callback or one kernel. Beyond it the general path is
 * used: the kernel would be slow to generate and too large for the JavaScript engine to optimise.
 */
export const MAX_NODES = 2000;

export type IrNode =
  /** Slot `slot` of the kernel's inputs: a cell of the parent cube, or a placeholder in a template. */
  | { readonly kind: 'input'; readonly slot: number }
  | { readonly kind: 'const'; readonly value: number }
  | { readonly kind: 'op'; readonly op: OpName; readonly args: readonly NodeId[]; readonly attrs: readonly number[] };

/** Thrown when a graph would outgrow its node budget; callers then fall back to the general path. */
export class GraphTooLarge extends Error {}

/** Key of a number that tells -0 from 0 and treats every NaN alike. */
function numberKey(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

export class ExprGraph {
  private readonly list: IrNode[] = [];
  private readonly index = new Map<string, NodeId>();

  constructor(readonly maxNodes: number = Infinity) {}

  get size(): number {
    return this.list.length;
  }

  node(id: NodeId): IrNode {
    return this.list[id];
  }

  input(slot: number): NodeId {
    if (!Number.isInteger(slot) || slot < 0) throw new Error(`bad input slot ${slot}`);
    return this.intern(`i${slot}`, { kind: 'input', slot });
  }

  constant(value: number): NodeId {
    if (typeof value !== 'number') throw new TypeError('constants of fused kernels are numbers');
    return this.intern(`c${numberKey(value)}`, { kind: 'const', value });
  }

  op(op: OpName, args: readonly NodeId[], attrs: readonly number[] = []): NodeId {
    checkArity(op, args.length, attrs.length);
    for (const a of args) if (!(a >= 0 && a < this.list.length)) throw new Error(`operator ${op} refers to a missing node`);
    for (const a of attrs) if (typeof a !== 'number') throw new TypeError(`attributes of ${op} are numbers`);
    const key = `${op}(${args.join(',')};${attrs.map(numberKey).join(',')})`;
    return this.intern(key, { kind: 'op', op, args: [...args], attrs: [...attrs] });
  }

  /**
   * Copies the expressions `roots` of `from` into this graph, with every input slot of `from`
   * replaced by the node `inputs(slot)` of this graph. Returns the copies of the roots.
   */
  importFrom(from: ExprGraph, roots: readonly NodeId[], inputs: (slot: number) => NodeId): NodeId[] {
    const copies = new Map<NodeId, NodeId>();
    for (const id of reachable(from, roots)) {
      const node = from.node(id);
      let copy: NodeId;
      if (node.kind === 'input') copy = inputs(node.slot);
      else if (node.kind === 'const') copy = this.constant(node.value);
      else copy = this.op(node.op, node.args.map((a) => copies.get(a)!), node.attrs);
      copies.set(id, copy);
    }
    return roots.map((r) => copies.get(r)!);
  }

  private intern(key: string, node: IrNode): NodeId {
    const known = this.index.get(key);
    if (known !== undefined) return known;
    if (this.list.length >= this.maxNodes) throw new GraphTooLarge(`more than ${this.maxNodes} expression nodes`);
    this.list.push(node);
    this.index.set(key, this.list.length - 1);
    return this.list.length - 1;
  }
}

/** The nodes `roots` depend on (themselves included), in ascending id order, i.e. arguments first. */
export function reachable(graph: ExprGraph, roots: readonly NodeId[]): NodeId[] {
  const seen = new Uint8Array(graph.size);
  const stack = [...roots];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (seen[id]) continue;
    seen[id] = 1;
    const node = graph.node(id);
    if (node.kind === 'op') stack.push(...node.args);
  }
  const out: NodeId[] = [];
  for (let id = 0; id < seen.length; id++) if (seen[id]) out.push(id);
  return out;
}
