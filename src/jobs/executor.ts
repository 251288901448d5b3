/**
 * The one place where batch jobs meet the process-graph executor (src/processes): validation,
 * running, and hooks for progress and failure location. Everything else in src/jobs is
 * independent of how graphs are evaluated.
 */
import type { ServerContext } from '../context';
import { createProcessRegistry } from '../processes';
import { ProcessRegistry } from '../processes/registry';
import { evaluateGraph } from '../processes/graph/evaluate';
import { validateProcessGraph } from '../processes/graph/validate';
import type { ProcessGraph } from '../processes/graph/types';
import type { ProcessContext, ProcessDefinition } from '../processes/types';
import type { OpenEOError } from '../errors/OpenEOError';
import { isDataCube } from '../raster/cube/DataCube';
import { writeDefaultOutput } from '../raster/output';
import { toJsonValue } from '../processes/jsonResult';

export interface RunHooks {
  /** Called before a process starts with its evaluated arguments; may wait (throttling for tests). */
  before(processId: string, args: Record<string, unknown>, ctx: ProcessContext): Promise<void> | void;
  /** Called after each process call ends, with its value when it succeeded. */
  after(processId: string, args: Record<string, unknown>, value?: unknown): void;
  /** Called with the id of each process that throws (innermost first). */
  failed(processId: string, error: unknown): void;
}

/** Problems that stop a graph from running, before anything is queued. */
export function validateJobGraph(ctx: ServerContext, process: Record<string, unknown>): OpenEOError[] {
  return validateProcessGraph(process.process_graph, ctx.processing.registry, {
    maxNodes: ctx.config.limits.graphMaxNodes,
    maxDepth: ctx.config.limits.graphMaxDepth,
    parameters: Array.isArray(process.parameters) ? (process.parameters as never) : undefined,
    catalog: ctx.catalog,
    // A job's process runs without caller-supplied values: every parameter needs a default.
    requireParameterValues: true,
  });
}

/** A registry whose processes report to the hooks; the process implementations are unchanged. */
function instrumentedRegistry(hooks: RunHooks): ProcessRegistry {
  const base = createProcessRegistry();
  const wrapped: ProcessDefinition[] = base.specs().map((spec) => {
    const definition = base.get(spec.id)!;
    return {
      spec,
      async execute(args, ctx) {
        await hooks.before(spec.id, args, ctx);
        let value: unknown;
        try {
          value = await definition.execute(args, ctx);
          return value;
        } catch (error) {
          hooks.failed(spec.id, error);
          throw error;
        } finally {
          hooks.after(spec.id, args, value);
        }
      },
    };
  });
  return new ProcessRegistry(wrapped);
}

/**
 * Runs the job's process graph to completion. Outputs land in ctx.outputs; a graph without
 * save_result gets its data cube written in the default format, as synchronous runs do.
 * Returns the graph's value as JSON when it wrote no file.
 */
export async function runJobGraph(process: Record<string, unknown>, ctx: ProcessContext, hooks: RunHooks): Promise<unknown> {
  const parameters: Record<string, unknown> = {};
  // Declared parameters of a job's process can only take their defaults: nobody passes values.
  if (Array.isArray(process.parameters)) {
    for (const p of process.parameters as Array<{ name?: unknown; default?: unknown }>) {
      if (typeof p.name === 'string' && 'default' in p) parameters[p.name] = p.default;
    }
  }
  const value = await evaluateGraph(process.process_graph as ProcessGraph, parameters, instrumentedRegistry(hooks), ctx);
  if (ctx.outputs.length === 0 && isDataCube(value)) await writeDefaultOutput(value, ctx);
  return ctx.outputs.length === 0 ? toJsonValue(value) : undefined;
}
