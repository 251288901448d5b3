#!/usr/bin/env node
// Extracts the normative facts of the openEO process definitions (ids, categories,
// parameter names and order, JSON schemas, optional/default flags, return schemas,
// exception codes) into src/processes/specs/facts.json. Prose (summaries, descriptions,
// examples, exception messages, links) is deliberately left out: the server describes
// processes in its own words.
//
// Usage: node scripts/extract-process-facts.js [path/to/openeo/processes]
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const source = path.resolve(process.argv[2] || path.join(__dirname, '../../shared/openeo/processes'));
const target = path.join(__dirname, '../src/processes/specs/facts.json');
const PROSE = new Set(['description', 'summary', 'examples', 'links', 'process_graph', 'message']);

function strip(value) {
  if (Array.isArray(value)) return value.map(strip);
  if (value === null || typeof value !== 'object') return value;
  const out = {};
  for (const [key, inner] of Object.entries(value)) {
    if (!PROSE.has(key)) out[key] = strip(inner);
  }
  return out;
}

function facts(file, proposal) {
  const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
  const out = {
    id: doc.id,
    categories: doc.categories || [],
    parameters: (doc.parameters || []).map(strip),
    returns: { schema: strip(doc.returns.schema) },
  };
  if (doc.exceptions) {
    out.exceptions = Object.fromEntries(
      Object.entries(doc.exceptions).map(([code, e]) => [code, e.http ? { http: e.http } : {}]),
    );
  }
  if (doc.experimental || proposal) out.experimental = true;
  if (doc.deprecated) out.deprecated = true;
  return out;
}

const all = {};
for (const [dir, proposal] of [[source, false], [path.join(source, 'proposals'), true]]) {
  for (const name of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const f = facts(path.join(dir, name), proposal);
    all[f.id] = f;
  }
}
fs.writeFileSync(target, JSON.stringify(all, null, 1) + '\n');
console.log(`wrote ${Object.keys(all).length} process definitions to ${path.relative(process.cwd(), target)}`);
