import factsJson from './specs/facts.json';
import type { JsonSchema, ParameterSpec, ProcessContext, ProcessDefinition, ProcessSpec } from './types';

/** The normative facts of one openEO process, as scripts/extract-process-facts.js writes them. */
export interface ProcessFacts {
  id: string;
  categories: string[];
  parameters: Array<{
    name: string;
    schema: JsonSchema | JsonSchema[];
    optional?: boolean;
    default?: unknown;
    deprecated?: boolean;
    experimental?: boolean;
  }>;
  returns: { schema: JsonSchema | JsonSchema[] };
  exceptions?: Record<string, { http?: number }>;
  experimental?: boolean;
  deprecated?: boolean;
}

const FACTS = factsJson as unknown as Record<string, ProcessFacts>;

export function processFacts(id: string): ProcessFacts | undefined {
  return Object.prototype.hasOwnProperty.call(FACTS, id) ? FACTS[id] : undefined;
}

/** Descriptions shared by parameters that mean the same thing in many processes. */
const COMMON_PARAMETERS: Record<string, string> = {
  x: 'The first operand, or the only input value.',
  y: 'The second operand.',
  data: 'The array of values to work on.',
  ignore_nodata: 'Skip no-data values (true, the default) or let any of them make the result no-data (false).',
  context: 'Extra data handed unchanged to the child process.',
  process: 'The child process to run for each element.',
  value: 'The value to test.',
  index: 'Zero-based position in the array.',
  label: 'Label of the element in a labeled array.',
};

/** Our own wording for one process; everything normative comes from facts.json. */
export interface ProcessText {
  summary: string;
  description: string;
  /** Parameter descriptions where the common ones above don't fit. */
  parameters?: Record<string, string>;
  returns: string;
  /** Message per exception code of the process. */
  exceptions?: Record<string, string>;
}

/** Child-process parameters are described generically from their name. */
function describeNested(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(describeNested);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(schema as Record<string, unknown>)) {
    if (key === 'parameters' && Array.isArray(inner)) {
      out.parameters = inner.map((p: Record<string, unknown>) => ({
        ...p,
        description: `The \`${String(p.name)}\` value passed to the child process.`,
        schema: describeNested(p.schema),
      }));
    } else if (key === 'returns' && inner && typeof inner === 'object' && !Array.isArray(inner)) {
      out.returns = { description: 'The value the child process computes.', ...(describeNested(inner) as object) };
    } else {
      out[key] = describeNested(inner);
    }
  }
  return out;
}

export function buildSpec(id: string, text: ProcessText): ProcessSpec {
  const facts = processFacts(id);
  if (!facts) throw new Error(`process ${id} is not in facts.json`);
  const parameters: ParameterSpec[] = facts.parameters.map((p) => {
    const description = text.parameters?.[p.name] ?? COMMON_PARAMETERS[p.name];
    if (!description) throw new Error(`process ${id}: parameter ${p.name} has no description`);
    const spec: ParameterSpec = { name: p.name, description, schema: describeNested(p.schema) as JsonSchema };
    if (p.optional) spec.optional = true;
    if ('default' in p) spec.default = p.default;
    if (p.deprecated) spec.deprecated = true;
    if (p.experimental) spec.experimental = true;
    return spec;
  });
  const spec: ProcessSpec = {
    id,
    summary: text.summary,
    description: text.description,
    categories: facts.categories,
    parameters,
    returns: { description: text.returns, schema: describeNested(facts.returns.schema) as JsonSchema },
  };
  if (facts.exceptions) {
    spec.exceptions = {};
    for (const [code, info] of Object.entries(facts.exceptions)) {
      const message = text.exceptions?.[code];
      if (!message) throw new Error(`process ${id}: exception ${code} has no message`);
      spec.exceptions[code] = info.http ? { message, http: info.http } : { message };
    }
  }
  if (facts.experimental) spec.experimental = true;
  if (facts.deprecated) spec.deprecated = true;
  return spec;
}

export type Execute = (args: Record<string, any>, ctx: ProcessContext) => unknown | Promise<unknown>;

/** A process from our wording plus the spec facts, with its implementation. */
export function defineProcess(id: string, text: ProcessText, execute: Execute): ProcessDefinition {
  return { spec: buildSpec(id, text), execute };
}
