import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../config/types';
import { createLogger } from '../logger';
import { openDataDatabase, openDatabase } from '../store/database';
import { DescriptionCache } from '../catalog/DescriptionCache';
import { LocalCatalog } from '../catalog/LocalCatalog';
import { FolderSource } from '../catalog/folderSource';
import { checkCollection } from '../catalog/check';
import { stacCollectionFile, stacItem } from '../catalog/stacItems';
import { option } from './options';

const USAGE = `Inspect the collections of this openEO server.

  npm run collections -- list
  npm run collections -- check [<collection id>]
  npm run collections -- items <folder> --pattern <pattern> [--id <collection id>] [--out <dir>]

list    shows every collection the configured data locations hold, and locations that could not be read.
check   opens every file of a collection (or of all) with GDAL and compares it with the catalogue;
        exits with 1 when anything is wrong.
items   writes STAC Item files (and a collection.json linking them) for a folder of files named
        like the pattern, e.g. 'S2_{date}_{band}.tif'; default output: <folder>/stac.`;

/** Where the commands write: the listing to `out`, diagnostics to `err` (stdout and stderr in the CLI). */
export interface AdminIO {
  out(line: string): void;
  err(line: string): void;
  /** The server's configuration; read only by the commands that need it. */
  config(): Config;
}

/** The catalogue over the server's data locations and metadata cache, scanned now. */
async function openCatalog(io: AdminIO): Promise<{ catalog: LocalCatalog; close(): void }> {
  const config = io.config();
  const db = openDataDatabase(config.dataDir);
  const logger = createLogger('warn', { write: (line: string) => void io.err(line.trimEnd()) });
  const catalog = new LocalCatalog(config, db, logger);
  await catalog.refresh(true);
  return { catalog, close: () => db.close() };
}

async function list(io: AdminIO): Promise<number> {
  const { catalog, close } = await openCatalog(io);
  const out = io.out;
  for (const record of catalog.records()) {
    const { info, items } = record;
    const time = info.temporalExtent ? `${info.temporalExtent[0]} .. ${info.temporalExtent[1]}` : 'no time';
    out(`${info.id}\t${items.length} items\t${info.bands.map((b) => b.name).join(',')}\t${info.epsg ? `EPSG:${info.epsg}` : 'custom CRS'}\t${time}\t[${info.bbox.join(', ')}]`);
    for (const problem of record.problems) out(`  skipped: ${problem}`);
  }
  for (const { source, reason } of catalog.locationProblems()) out(`! ${source}: ${reason}`);
  close();
  return 0;
}

async function check(io: AdminIO, id: string | undefined): Promise<number> {
  const { catalog, close } = await openCatalog(io);
  const out = io.out;
  try {
    const records = id ? [catalog.record(id)] : catalog.records();
    if (id && !records[0]) throw new Error(`there is no collection '${id}' (see: npm run collections -- list)`);
    let failed = catalog.locationProblems().length > 0;
    for (const { source, reason } of catalog.locationProblems()) out(`! ${source}: ${reason}`);
    for (const record of records) {
      const problems = await checkCollection(record!);
      failed ||= problems.length > 0;
      out(`${record!.info.id}: ${problems.length === 0 ? `ok (${record!.items.length} items)` : `${problems.length} problem(s)`}`);
      for (const problem of problems) out(`  ${problem}`);
    }
    return failed ? 1 : 0;
  } finally {
    close();
  }
}

async function items(io: AdminIO, folder: string | undefined, args: string[]): Promise<number> {
  const out = io.out;
  if (!folder) throw new Error('items needs a folder');
  const pattern = option(args, '--pattern');
  if (!pattern) throw new Error('items needs --pattern, e.g. --pattern "S2_{date}_{band}.tif"');
  const root = path.resolve(folder);
  const outDir = path.resolve(option(args, '--out') ?? path.join(root, 'stac'));
  const db = openDatabase(':memory:');
  const problems: string[] = [];
  const source = new FolderSource({ path: root, pattern, id: option(args, '--id') }, new DescriptionCache(db), (file, reason) => problems.push(`${file}: ${reason}`));
  const [record] = await source.load(await source.list());
  for (const problem of problems) io.err(`skipped ${problem}`);
  if (!record) throw new Error(`no readable file in ${root} matches '${pattern}'`);
  fs.mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  for (const item of record.items) {
    const file = `${item.id}.json`;
    fs.writeFileSync(path.join(outDir, file), JSON.stringify(stacItem(item, record.info.bands, record.info.id, outDir), null, 2) + '\n');
    written.push(file);
  }
  fs.writeFileSync(path.join(outDir, 'collection.json'), JSON.stringify(stacCollectionFile(record, written), null, 2) + '\n');
  out(`wrote ${written.length} items and collection.json to ${outDir}`);
  out(`serve them with { "type": "stac", "path": "${outDir}" } in collections.sources`);
  db.close();
  return problems.length > 0 ? 1 : 0;
}

/** Runs one `npm run collections` command; resolves to the exit code. */
export async function runCollectionsCommand(args: string[], io: AdminIO): Promise<number> {
  const out = io.out;
  const [command, arg] = args;
  switch (command) {
    case 'list':
      return list(io);
    case 'check':
      return check(io, arg && !arg.startsWith('--') ? arg : undefined);
    case 'items':
      return items(io, arg, args.slice(2));
    case 'help':
    case '--help':
      out(USAGE);
      return 0;
    case undefined:
      out(USAGE);
      return 2;
    default:
      throw new Error(`unknown command '${command}'\n\n${USAGE}`);
  }
}

