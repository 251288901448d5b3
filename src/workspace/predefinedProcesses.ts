import facts from '../processes/specs/facts.json';

let ids: ReadonlySet<string> | undefined;

/**
 * Ids of the predefined processes, which user-defined processes may not take.
 * Read from the extracted process facts until the process registry exports its list;
 * this is the one place to switch over.
 */
export function predefinedProcessIds(): ReadonlySet<string> {
  ids ??= new Set(Object.keys(facts as Record<string, unknown>));
  return ids;
}
