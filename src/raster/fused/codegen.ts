/**
 * Writes the source of a fused kernel (the contract is in src/raster/fused/kernel.ts) from an
 * expression graph and the nodes that give its output cells. The source is assembled only from
 * the operator templates, generated identifiers (a letter and a node or input number) and
 * number literals from numberLiteral, so nothing of a request other than numbers can get in.
 */
import { FusedKernel, decodingMarker } from './kernel';
import { ExprGraph, GraphTooLarge, NodeId, reachable } from './ir';
import { HELPERS, HelperName, elementHelpers, elementTemplate, isElementOp } from './ops';
import { REDUCTIONS, Reduction, listedOperands, loopedOperands, scratchPrelude } from './reductions';
import { numberLiteral } from './numbers';

/**
 * Longest kernel source. Beyond about this size V8 no longer optimises the function, and the
 * kernel would run many times slower than the node-by-node path; such graphs stay on that path.
 */
const MAX_SOURCE_CHARS = 60_000;

/**
 * When a kernel written out would be too long, reducers over at least this many input planes
 * loop over them instead (slower per value than written out, so only then).
 */
const LOOP_OPERANDS = 16;

/** The kernel for `outputs`; throws GraphTooLarge when even its compact form is too long. */
export function generateKernel(graph: ExprGraph, outputs: readonly NodeId[]): FusedKernel {
  const kernel = writeKernel(graph, outputs, Infinity);
  if (kernel.source.length <= MAX_SOURCE_CHARS) return kernel;
  const compact = writeKernel(graph, outputs, LOOP_OPERANDS);
  if (compact.source.length <= MAX_SOURCE_CHARS) return compact;
  throw new GraphTooLarge(`kernel source of ${compact.source.length} characters`);
}

function writeKernel(graph: ExprGraph, outputs: readonly NodeId[], loopOperands: number): FusedKernel {
  const order = reachable(graph, outputs);
  const isInput = (id: NodeId) => graph.node(id).kind === 'input';
  const inputs = order.filter(isInput);
  inputs.sort((a, b) => slotOf(graph, a) - slotOf(graph, b));
  const planeOf = new Map(inputs.map((id, j) => [id, j]));

  // Long reductions straight over input planes loop; inputs nothing else reads are then never decoded one by one.
  const looped = new Set(order.filter((id) => {
    const node = graph.node(id);
    return node.kind === 'op' && !isElementOp(node.op) && node.args.length >= loopOperands && node.args.every(isInput);
  }));
  const readDirectly = new Set<NodeId>(outputs);
  for (const id of order) {
    const node = graph.node(id);
    if (node.kind === 'op' && !looped.has(id)) node.args.forEach((a) => readDirectly.add(a));
  }

  const ref = (id: NodeId): string => {
    const node = graph.node(id);
    return node.kind === 'const' ? numberLiteral(node.value) : `v${id}`;
  };

  const helpers = new Set<HelperName>();
  let scratch = 0;
  const prelude: string[] = [];
  const body: string[] = [];
  for (const id of order) {
    const node = graph.node(id);
    if (node.kind === 'const') continue;
    if (node.kind === 'input') {
      if (!readDirectly.has(id)) continue;
      const j = planeOf.get(id)!;
      body.push(`const r${id} = in${j}[p];`, `const v${id} = ${decodingMarker(j, `r${id}`)};`);
      continue;
    }
    if (isElementOp(node.op)) {
      elementHelpers(node.op).forEach((h) => helpers.add(h));
      body.push(`const v${id} = ${elementTemplate(node.op)(node.args.map(ref), node.attrs.map(numberLiteral))};`);
      continue;
    }
    const reduction: Reduction = REDUCTIONS[node.op];
    if (reduction.scratch) scratch = Math.max(scratch, node.args.length);
    const ignore = reduction.attrs > 0 && node.attrs[0] !== 0;
    let operands = listedOperands(node.args.map(ref));
    if (looped.has(id)) {
      // The planes' numbers, and a scratch array their decoded values go to, pixel by pixel.
      prelude.push(`const j${id} = [${node.args.map((a) => planeOf.get(a)!).join(', ')}];`, `const x${id} = new Float64Array(${node.args.length});`);
      body.push(
        `for (let k = 0; k < ${node.args.length}; k++) {`,
        `  const j = j${id}[k], r = ins[j][p];`,
        // Planes of a loop are decoded from the per-plane arrays (markers need a fixed plane).
        `  x${id}[k] = hn[j] && r === nd[j] ? NaN : id[j] ? r : r * sc[j] + of[j];`,
        '}',
      );
      operands = loopedOperands(`x${id}`, node.args.length);
    }
    body.push(...reduction.lines(`v${id}`, operands, ignore, (name) => `${name}${id}`));
  }

  const lines: string[] = [];
  inputs.forEach((id, j) => {
    if (readDirectly.has(id)) lines.push(`const in${j} = ins[${j}];`);
  });
  if (looped.size > 0) {
    // Per plane: whether it has a no-data value at all (comparing with NaN costs a branch per value), and whether it is scaled.
    // Scale 1 and offset 0 leave values (even -0) untouched, as the readers do.
    lines.push('const hn = Uint8Array.from(nd, (d) => (d === d ? 1 : 0)), id = Uint8Array.from(sc, (s, j) => (s === 1 && of[j] === 0 ? 1 : 0));');
  }
  for (const h of helpers) lines.push(...HELPERS[h]);
  if (scratch > 0) lines.push(...scratchPrelude(scratch));
  lines.push(...prelude);
  lines.push('for (let p = 0; p < n; p++) {');
  lines.push(...body.map((l) => `  ${l}`));
  outputs.forEach((id, o) => lines.push(`  out[${o === 0 ? 'p' : `${o} * n + p`}] = ${ref(id)};`));
  lines.push('}');
  return { source: lines.join('\n'), inputCells: inputs.map((id) => slotOf(graph, id)), outputCells: outputs.length };
}

function slotOf(graph: ExprGraph, id: NodeId): number {
  const node = graph.node(id);
  if (node.kind !== 'input') throw new Error('not an input node');
  return node.slot;
}
