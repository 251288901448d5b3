/**
 * The folder layout is the architecture: each top-level folder (or file) of src/ is a layer, and a
 * module imports only from its own layer or the layers below it, with no import circles at all.
 * Type-only imports count too: they tie the modules together just the same.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

const SRC = path.resolve(__dirname, '../../src');

/** Bottom to top. Data flows from the routes down to GDAL; nothing reaches back up. */
const LAYERS = [
  'errors', 'config', 'logger', 'version', 'threadpool', 'store',
  'gdal', 'geometry', 'auth', 'catalog', 'stac', 'run',
  'raster', 'vector', 'output', 'udf', 'workspace', 'processes', 'jobs', 'services',
  'context', 'http', 'routes', 'app', 'server', 'index', 'tools', 'cli',
];

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
  });
}

/** The module file a relative specifier names, or undefined for packages and non-code files. */
function resolveModule(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  return [base + '.ts', path.join(base, 'index.ts'), base.replace(/\.js$/, '.ts')].find((file) => fs.existsSync(file) && fs.statSync(file).isFile());
}

function importsOf(file: string): string[] {
  const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
  return info.importedFiles.map((f) => resolveModule(file, f.fileName)).filter((f): f is string => f !== undefined);
}

function layerOf(file: string): string {
  const [top] = path.relative(SRC, file).split(path.sep);
  return top.replace(/\.ts$/, '');
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((file) => [file, importsOf(file)]));
const rel = (file: string) => path.relative(SRC, file);

test('every folder and top-level file of src/ has its place in the layer order', () => {
  const unplaced = [...new Set(files.map(layerOf))].filter((layer) => !LAYERS.includes(layer));
  expect(unplaced).toEqual([]);
});

test('imports point to the same layer or one below, never up', () => {
  const upward: string[] = [];
  for (const [file, imports] of graph) {
    for (const target of imports) {
      if (LAYERS.indexOf(layerOf(target)) > LAYERS.indexOf(layerOf(file))) upward.push(`${rel(file)} -> ${rel(target)}`);
    }
  }
  expect(upward).toEqual([]);
});

test('no module imports itself through a circle of other modules', () => {
  // Tarjan's strongly connected components: any component of more than one module is a circle.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  let counter = 0;
  const visit = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(rel(w));
      } while (w !== v);
      if (component.length > 1) circles.push(component.sort());
    }
  };
  for (const file of graph.keys()) if (!index.has(file)) visit(file);
  expect(circles).toEqual([]);
});

test('the checker sees real imports: the routes reach the processes, the processes reach the raster layer', () => {
  const reaches = (fromLayer: string, toLayer: string) =>
    [...graph].some(([file, imports]) => layerOf(file) === fromLayer && imports.some((t) => layerOf(t) === toLayer));
  expect(reaches('routes', 'processes')).toBe(true);
  expect(reaches('processes', 'raster')).toBe(true);
  expect(files.length).toBeGreaterThan(100);
});
