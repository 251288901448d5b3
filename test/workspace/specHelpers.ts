import { openapiAvailable, specViolations } from '../helpers/openapi';

/** Violations openapi.yaml reports for every data type schema (see below), recognised by their location and wording. */
const SCHEMA_ONEOF_DEFECT = /\/schema (must match exactly one schema in oneOf|must be array)/;

function processes(body: unknown): Array<Record<string, unknown>> {
  const record = body as { processes?: Array<Record<string, unknown>> };
  return record.processes ?? [body as Record<string, unknown>];
}

/**
 * Checks a process (or a list of them) against openapi.yaml. The spec's data type schema is
 * a `oneOf` whose "Generic" and "Process Graph" branches both accept any plain schema such
 * as `{"type": "number"}`, so a strict validator rejects every parameter and return schema.
 * Those reports are dropped; instead each schema is checked to be an object or a non-empty
 * list of objects, which is what the API means.
 */
export function expectProcessMatchesSpec(apiPath: string, method: string, res: { status: number; body: unknown }): void {
  if (openapiAvailable) {
    const problems = specViolations(apiPath, method, res.status, res.body).filter((p) => !SCHEMA_ONEOF_DEFECT.test(p));
    expect(problems).toEqual([]);
  }
  for (const process of processes(res.body)) {
    const parameters = (process.parameters as Array<{ schema: unknown }> | undefined) ?? [];
    const returns = process.returns as { schema: unknown } | undefined;
    const schemas = [...parameters.map((p) => p.schema), ...(returns ? [returns.schema] : [])];
    for (const schema of schemas) {
      const alternatives = Array.isArray(schema) ? schema : [schema];
      expect(alternatives.length).toBeGreaterThan(0);
      for (const alternative of alternatives) expect(typeof alternative === 'object' && alternative !== null && !Array.isArray(alternative)).toBe(true);
    }
  }
}
