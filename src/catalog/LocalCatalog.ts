import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/types';
import type { Db } from '../store/database';
import type { Catalog, CatalogItem, CollectionInfo, ItemQuery } from './types';
import { DescriptionCache } from './DescriptionCache';
import { FolderSource } from './folderSource';
import { StacSource } from './stacSource';
import { ProductSource } from './products/productSource';
import { ProductCache } from './products/productCache';
import { fingerprint } from './listing';
import { bboxesIntersect } from './geo';
import type { CollectionRecord } from './record';
import { queryablesDocument, stacCollectionDocument } from './stacDocument';
import { demoDataCurrent, demoFolder } from './demo/generate';

type Source = FolderSource | StacSource | ProductSource;

interface SourceState {
  source: Source;
  /** The absolute path of the location. */
  path: string;
  fingerprint?: string;
  records: CollectionRecord[];
  /** Last problem with the source as a whole (missing folder…), to log it once, not every scan. */
  error?: string;
}

/**
 * The collections of the configured data locations. A scan lists each location's files
 * (names, sizes, times); only a location whose listing changed is rebuilt, and only new or
 * changed files are opened with GDAL (see DescriptionCache).
 */
export class LocalCatalog implements Catalog {
  private readonly states: SourceState[] = [];
  private readonly cache: DescriptionCache;
  private readonly products: ProductCache;
  private byId = new Map<string, CollectionRecord>();
  private readonly documents = new Map<string, Record<string, unknown>>();
  private scanStartedAt = -Infinity;
  private running?: Promise<void>;
  private changes = 0;

  constructor(
    private readonly config: Config,
    db: Db,
    private readonly logger: Logger,
  ) {
    const cache = new DescriptionCache(db);
    this.cache = cache;
    this.products = new ProductCache(db);
    const report = (file: string, reason: string, fresh: boolean) => {
      if (fresh) this.logger.warn({ file, reason }, 'catalogue: file skipped');
      else this.logger.debug({ file, reason }, 'catalogue: file skipped (known problem)');
    };
    for (const source of config.collections.sources) {
      const options = { ...source, path: path.resolve(config.dataDir, source.path) };
      try {
        this.states.push({
          source: this.sourceFor(options, report),
          path: options.path,
          records: [],
        });
      } catch (e) {
        this.logger.error({ source: source.path, reason: (e as Error).message }, 'catalogue: data location ignored');
      }
    }
  }

  private sourceFor(options: Config['collections']['sources'][number], report: (file: string, reason: string, fresh: boolean) => void): Source {
    if (options.type === 'stac') return new StacSource(options, this.cache, report);
    if (options.type === 'sentinel2' || options.type === 'landsat') return new ProductSource({ ...options, type: options.type }, this.products, report);
    return new FolderSource(options, this.cache, report);
  }

  /**
   * Makes sure a scan has started since `collections.rescanSeconds` before this call (since the
   * call itself when `force`), joining a scan in progress when that one is recent enough.
   */
  async refresh(force = false): Promise<void> {
    const requestedAt = performance.now();
    const oldestAcceptable = requestedAt - (force ? 0 : this.config.collections.rescanSeconds * 1000);
    for (;;) {
      if (this.running) {
        const startedAt = this.scanStartedAt;
        await this.running;
        if (startedAt >= oldestAcceptable) return;
        continue;
      }
      if (this.scanStartedAt >= oldestAcceptable) return;
      this.scanStartedAt = performance.now();
      this.running = this.scan().finally(() => {
        this.running = undefined;
      });
    }
  }

  private async scan(): Promise<void> {
    let changed = false;
    for (const state of this.states) {
      try {
        const files = await state.source.list();
        const print = fingerprint(files);
        if (print !== state.fingerprint) {
          state.records = await state.source.load(files);
          state.fingerprint = print;
          changed = true;
        }
        state.error = undefined;
      } catch (e) {
        const reason = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'the path does not exist' : (e as Error).message;
        if (state.error !== reason) this.reportSkipped(state, reason);
        changed ||= state.records.length > 0;
        state.error = reason;
        state.records = [];
        state.fingerprint = undefined;
      }
    }
    if (changed) {
      this.index();
      this.cache.pruneMissing();
    }
  }

  /** A location inside the demo folder that start-up is still to generate is no problem to warn about. */
  private reportSkipped(state: SourceState, reason: string): void {
    const inDemo = path.relative(demoFolder(this.config.dataDir), state.path);
    if (this.config.demo && !inDemo.startsWith('..') && !path.isAbsolute(inDemo) && !demoDataCurrent(this.config.dataDir)) {
      this.logger.debug({ source: state.source.label }, 'catalogue: demo data not generated yet');
    } else {
      this.logger.warn({ source: state.source.label, reason }, 'catalogue: data location skipped');
    }
  }

  private index(): void {
    const byId = new Map<string, CollectionRecord>();
    for (const state of this.states) {
      for (const record of state.records) {
        const existing = byId.get(record.info.id);
        if (existing) {
          this.logger.warn({ id: record.info.id, kept: existing.origin, ignored: record.origin }, 'catalogue: duplicate collection id');
          continue;
        }
        byId.set(record.info.id, record);
      }
    }
    this.byId = new Map([...byId.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    this.documents.clear();
    this.changes++;
  }

  version(): number {
    return this.changes;
  }

  /** Starts a background scan when one is due; the caller answers from what is known. */
  private refreshSoon(): void {
    if (this.running || performance.now() - this.scanStartedAt < this.config.collections.rescanSeconds * 1000) return;
    this.refresh().catch((e: unknown) => this.logger.error({ err: e }, 'catalogue: scan failed'));
  }

  records(): CollectionRecord[] {
    this.refreshSoon();
    return [...this.byId.values()];
  }

  record(id: string): CollectionRecord | undefined {
    this.refreshSoon();
    return this.byId.get(id);
  }

  /** Problems of the data locations themselves, for the admin CLI. */
  locationProblems(): Array<{ source: string; reason: string }> {
    return this.states.filter((s) => s.error).map((s) => ({ source: s.source.label, reason: s.error! }));
  }

  list(): CollectionInfo[] {
    return this.records().map((r) => r.info);
  }

  get(id: string): CollectionInfo | undefined {
    return this.record(id)?.info;
  }

  items(id: string, query: ItemQuery = {}): CatalogItem[] {
    const record = this.record(id);
    if (!record) return [];
    const [start, end] = query.interval ?? [null, null];
    const from = start === null ? -Infinity : Date.parse(start);
    const to = end === null ? Infinity : Date.parse(end);
    return record.items.filter((item) => {
      if (query.bbox && !bboxesIntersect(item.bbox, query.bbox)) return false;
      if (start === null && end === null) return true;
      // Data without time belongs to every interval.
      if (item.datetime === null) return true;
      const t = Date.parse(item.datetime);
      return t >= from && t < to;
    });
  }

  /** Documents are built once per collection version and base URL. */
  private cached(key: string, build: () => Record<string, unknown>): Record<string, unknown> {
    let doc = this.documents.get(key);
    if (!doc) {
      doc = build();
      this.documents.set(key, doc);
    }
    return doc;
  }

  stacCollection(id: string, baseUrl: string): Record<string, unknown> | undefined {
    const record = this.record(id);
    return record && this.cached(`full\n${baseUrl}\n${id}`, () => stacCollectionDocument(record, baseUrl));
  }


  queryables(id: string, baseUrl: string): Record<string, unknown> | undefined {
    const record = this.record(id);
    return record && this.cached(`queryables\n${baseUrl}\n${id}`, () => queryablesDocument(record, baseUrl));
  }
}
