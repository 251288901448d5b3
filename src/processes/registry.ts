import type { ProcessDefinition, ProcessSpec } from './types';
import { SchemaChecker } from './graph/schema';
import { fileFormatsDocument } from '../raster/formats';

/** The predefined processes this back-end runs, looked up by id. */
export class ProcessRegistry {
  private readonly byId = new Map<string, ProcessDefinition>();
  /** Shared so compiled schemas are reused across requests. */
  readonly schemas = new SchemaChecker(() => Object.keys(fileFormatsDocument().output));

  constructor(definitions: Iterable<ProcessDefinition>) {
    for (const def of definitions) {
      if (this.byId.has(def.spec.id)) throw new Error(`process ${def.spec.id} is registered twice`);
      this.byId.set(def.spec.id, def);
    }
  }

  /** Only the predefined namespace exists for now: null, absent or 'backend'. */
  get(id: string, namespace?: string | null): ProcessDefinition | undefined {
    if (namespace !== undefined && namespace !== null && namespace !== 'backend') return undefined;
    return this.byId.get(id);
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** All specs, sorted by id so paging is stable. */
  specs(): ProcessSpec[] {
    return [...this.byId.values()].map((d) => d.spec).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }
}
