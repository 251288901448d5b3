/**
 * Writes the source of a fused kernel (the contract is in src/raster/fused/kernel.ts) from an
 * expression graph and the nodes that give its output cells. The source is assembled only from
 * the operator templates, generated identifiers (a letter and a node or input number) and
 * number literals from numberLiteral, so nothing of a request other than numbers can get in.
 */
import type { FusedKernel } from '../../raster/fused/kernel';
import { ExprGraph, GraphTooLarge, NodeId, reachable } from './ir';
import { HELPERS, HelperName, elementHelpers, elementTemplate, isElementOp } from './ops';
import { REDUCTIONS, Reduction, scratchPrelude } from './reductions';
import { numberLiteral } from './numbers';

/** Longest kernel source we hand to the JavaScript engine. */
const MAX_SOURCE_CHARS = 1_000_000;

export function generateKernel(graph: ExprGraph, outputs: readonly NodeId[]): FusedKernel {
  const order = reachable(graph, outputs);
  const inputs = order.filter((id) => graph.node(id).kind === 'input');
  inputs.sort((a, b) => slotOf(graph, a) - slotOf(graph, b));
  const planeOf = new Map(inputs.map((id, j) => [id, j]));

  const ref = (id: NodeId): string => {
    const node = graph.node(id);
    return node.kind === 'const' ? numberLiteral(node.value) : `v${id}`;
  };

  const helpers = new Set<HelperName>();
  let scratch = 0;
  const body: string[] = [];
  for (const id of order) {
    const node = graph.node(id);
    if (node.kind === 'const') continue;
    if (node.kind === 'input') {
      const j = planeOf.get(id)!;
      body.push(`const r${id} = in${j}[p];`);
      // Decoding as the contract says; scale 1 and offset 0 leave values (even -0) untouched, as the readers do.
      body.push(`const v${id} = r${id} === nd${j} ? NaN : id${j} ? r${id} : r${id} * sc${j} + of${j};`);
      continue;
    }
    const args = node.args.map(ref);
    if (isElementOp(node.op)) {
      elementHelpers(node.op).forEach((h) => helpers.add(h));
      body.push(`const v${id} = ${elementTemplate(node.op)(args, node.attrs.map(numberLiteral))};`);
      continue;
    }
    const reduction: Reduction = REDUCTIONS[node.op];
    if (reduction.scratch) scratch = Math.max(scratch, args.length);
    const ignore = reduction.attrs > 0 && node.attrs[0] !== 0;
    body.push(...reduction.lines(`v${id}`, args, ignore, (name) => `${name}${id}`));
  }

  const lines: string[] = [];
  inputs.forEach((_, j) => {
    lines.push(`const in${j} = ins[${j}], nd${j} = nd[${j}], sc${j} = sc[${j}], of${j} = of[${j}], id${j} = sc${j} === 1 && of${j} === 0;`);
  });
  for (const h of helpers) lines.push(...HELPERS[h]);
  if (scratch > 0) lines.push(...scratchPrelude(scratch));
  lines.push('for (let p = 0; p < n; p++) {');
  lines.push(...body.map((l) => `  ${l}`));
  outputs.forEach((id, o) => lines.push(`  out[${o === 0 ? 'p' : `${o} * n + p`}] = ${ref(id)};`));
  lines.push('}');
  const source = lines.join('\n');
  if (source.length > MAX_SOURCE_CHARS) throw new GraphTooLarge(`kernel source of ${source.length} characters`);
  return { source, inputCells: inputs.map((id) => slotOf(graph, id)), outputCells: outputs.length };
}

function slotOf(graph: ExprGraph, id: NodeId): number {
  const node = graph.node(id);
  if (node.kind !== 'input') throw new Error('not an input node');
  return node.slot;
}
