/**
 * A child process graph handed to a process as an argument (a reducer, a property filter):
 * lower layers call it without knowing how the executor evaluates it.
 */
export interface Callback {
  /** Names of the parameters the callback reads (from_parameter), for validation and planning. */
  readonly parameterNames: ReadonlySet<string>;
  run(parameters: Record<string, unknown>): Promise<unknown>;
}
