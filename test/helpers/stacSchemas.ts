import fs from 'node:fs';
import path from 'node:path';
import Ajv, { ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

/**
 * Validates STAC documents against the official JSON schemas vendored under
 * test/fixtures/stac-schemas (see its README): the core Item or Collection schema and the schema
 * of every extension the document names in `stac_extensions`. No network: each vendored file is
 * registered under its `$id`, which is where the remote `$ref`s between them point.
 */
const SCHEMA_DIR = path.resolve(__dirname, '../fixtures/stac-schemas');
const CORE: Record<string, string> = {
  Feature: 'https://schemas.stacspec.org/v1.0.0/item-spec/json-schema/item.json',
  Collection: 'https://schemas.stacspec.org/v1.0.0/collection-spec/json-schema/collection.json',
};

let ajv: Ajv | undefined;

function jsonFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return jsonFiles(full);
    return entry.name.endsWith('.json') ? [full] : [];
  });
}

function schemas(): Ajv {
  if (ajv) return ajv;
  // Not strict: ajv's strict mode refuses the published schemas themselves (e.g. `contains`
  // without `type: array`). Formats are checked, the IRI ones that ajv-formats lacks by URL parsing.
  const created = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  addFormats(created);
  created.addFormat('iri', (value: string) => !/\s/.test(value) && URL.canParse(value));
  created.addFormat('iri-reference', (value: string) => !/\s/.test(value) && URL.canParse(value, 'http://relative.invalid/'));
  for (const file of jsonFiles(SCHEMA_DIR)) created.addSchema(JSON.parse(fs.readFileSync(file, 'utf8')));
  ajv = created;
  return created;
}

/** The compiled schema registered under `url` (fragment ignored), or undefined if none is vendored. */
function schemaFor(url: string): ValidateFunction | undefined {
  return schemas().getSchema(url.replace(/#.*$/, ''));
}

function listErrors(errors: ValidateFunction['errors']): string {
  return (errors ?? [])
    .slice(0, 15)
    .map((e) => `  ${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`)
    .join('\n');
}

/**
 * Every schema violation of `doc`, one message per failing schema; empty when it is valid.
 * An extension without a vendored schema is a violation too, so a new one cannot slip by unchecked.
 */
export function stacViolations(doc: Record<string, unknown>): string[] {
  const problems: string[] = [];
  const type = String(doc.type);
  const coreUrl = CORE[type];
  if (!coreUrl) return [`type ${JSON.stringify(doc.type)} is neither a STAC Item (Feature) nor a Collection`];
  const core = schemaFor(coreUrl)!;
  if (!core(doc)) problems.push(`STAC ${type} schema:\n${listErrors(core.errors)}`);
  const extensions = Array.isArray(doc.stac_extensions) ? (doc.stac_extensions as unknown[]) : [];
  for (const url of extensions) {
    const validate = typeof url === 'string' ? schemaFor(url) : undefined;
    if (!validate) {
      problems.push(`no vendored schema for the extension ${JSON.stringify(url)} (add it to test/fixtures/stac-schemas)`);
      continue;
    }
    if (!validate(doc)) problems.push(`${url}:\n${listErrors(validate.errors)}`);
  }
  return problems;
}
