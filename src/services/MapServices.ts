/**
 * The façade of map services (openEO secondary web services) for the routes: what a user may do
 * with their services, and the public tile endpoints whose only key is the service id. The
 * store, the tile cache, the render queue and the renderer stay behind it.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/types';
import type { Db } from '../store/database';
import type { Catalog } from '../catalog/types';
import type { UserStore } from '../auth/UserStore';
import type { Processing } from '../processes/sync';
import type { ProcessDocument } from '../processes/run';
import type { LogEntry, LogLevel } from '../processes/runLogs';
import { OpenEOError, isOpenEOError } from '../errors/OpenEOError';
import { joinProblems } from '../workspace/userProcessDocument';
import { ServiceStore, type ServiceFields, type ServiceListPosition, type ServiceRecord } from './ServiceStore';
import { readConfiguration, readServiceType } from './serviceTypes';
import { TileCache, type CachedTile } from './TileCache';
import { TileQueue } from './TileQueue';
import { TILE_PIXELS, tileBounds } from './tileGrid';
import { transparentTile } from './blankTile';
import { wmtsCapabilities } from './wmtsCapabilities';
import { previewService } from './collectionPreview';
import type { RenderableService, TileAddress, TileRenderer } from './types';

export interface MapServicesDeps {
  config: Config;
  db: Db;
  logger: Logger;
  /** Its `version()` is part of every cache key, so new or changed data shows at once. */
  catalog: Catalog;
  /** Validation of a service's process, exactly as for PUT /process_graphs. */
  processing: Processing;
  users: UserStore;
  renderer: TileRenderer;
}

/**
 * What a create or update request gives; `title`, `description`, `process` and `logLevel` are
 * already read like a job's, the rest is checked here.
 */
export interface ServiceInput {
  type?: unknown;
  title?: string | null;
  description?: string | null;
  process?: Record<string, unknown>;
  logLevel?: LogLevel;
  enabled?: unknown;
  configuration?: unknown;
}

/** Tiles that may wait for a free slot per slot, before the server answers busy. */
const WAITING_PER_SLOT = 32;
/** Date lists of WMTS capabilities remembered (they cost a look at the whole result). */
const MAX_DATE_LISTS = 200;

function strongEtag(png: Buffer): string {
  return `"${createHash('sha256').update(png).digest('base64url').slice(0, 32)}"`;
}

/** Rejects once `signal` aborts, with its reason. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

export class MapServices {
  private readonly store: ServiceStore;
  private readonly cache: TileCache;
  private readonly queue: TileQueue;
  private readonly dateLists = new Map<string, string[]>();

  constructor(private readonly deps: MapServicesDeps) {
    const { services } = deps.config;
    this.store = new ServiceStore(deps.db);
    this.cache = new TileCache(services.cacheMegabytes * 1024 * 1024);
    this.queue = new TileQueue(services.tileConcurrency, services.tileConcurrency * WAITING_PER_SLOT);
  }

  /** Refuses a process the run service would not run, listing every problem. */
  private checkProcess(userId: string, process: Record<string, unknown>): void {
    const caller = this.deps.processing.caller(this.deps.users.findById(userId));
    const problems = this.deps.processing.validateProcess(process as unknown as ProcessDocument, caller, 'check');
    if (problems.length > 0) throw new OpenEOError('ProcessGraphInvalid', { reason: joinProblems(problems.map((p) => p.message)) });
  }

  private readFields(userId: string, type: ServiceRecord['type'], input: ServiceInput): ServiceFields {
    const fields: ServiceFields = {};
    if ('title' in input) fields.title = input.title;
    if ('description' in input) fields.description = input.description;
    if (input.logLevel !== undefined) fields.logLevel = input.logLevel;
    if (input.enabled !== undefined) {
      if (typeof input.enabled !== 'boolean') throw new OpenEOError('BadRequest', { reason: "'enabled' must be true or false" });
      fields.enabled = input.enabled;
    }
    if ('configuration' in input) fields.configuration = readConfiguration(type, input.configuration);
    if (input.process !== undefined) {
      this.checkProcess(userId, input.process);
      fields.process = input.process as ServiceRecord['process'];
    }
    return fields;
  }

  /** A new service of the user, within `services.maxPerUser`. */
  create(userId: string, input: ServiceInput): ServiceRecord {
    const type = readServiceType(input.type);
    const fields = this.readFields(userId, type, input);
    const limit = this.deps.config.services.maxPerUser;
    const service = this.store.create(userId, { ...fields, type, process: fields.process! }, limit);
    if (!service) {
      throw new OpenEOError('BadRequest', {
        reason: `you already have ${limit} services, the most one user may keep; delete one you no longer use (DELETE /services/{service_id}) and try again`,
      });
    }
    return service;
  }

  /** The service only if it belongs to the user: other users' services do not exist for them. */
  own(id: string, userId: string): ServiceRecord {
    const service = this.store.get(id);
    if (!service || service.userId !== userId) throw new OpenEOError('ServiceNotFound', { identifier: id });
    return service;
  }

  list(userId: string, page: { limit?: number; after?: ServiceListPosition }): ReturnType<ServiceStore['list']> {
    return this.store.list(userId, page);
  }

  /** Changes what the input names; a new process or configuration gets new tiles (the cache key changes). */
  update(id: string, userId: string, input: ServiceInput): void {
    const service = this.own(id, userId);
    const changes = this.readFields(userId, service.type, input);
    if (Object.keys(changes).length === 0) throw new OpenEOError('NoDataForUpdate');
    this.store.update(service.id, changes);
  }

  delete(id: string, userId: string): void {
    this.store.delete(this.own(id, userId).id);
  }

  /** Entries of a service (found with `own`) after the one with id `after`, at `minimum` level or above; all when `limit` is -1. */
  logs(serviceId: string, after: number, minimum: LogLevel, limit: number): LogEntry[] {
    return this.store.logs(serviceId, after, minimum, limit);
  }

  /** A service that answers tile requests: known and enabled. */
  private servable(id: string): ServiceRecord {
    const service = this.store.get(id);
    if (!service || !service.enabled) throw new OpenEOError('ServiceNotFound', { identifier: id });
    return service;
  }

  /**
   * The user-defined processes a service's graph calls, directly or through each other, as they
   * are stored now: editing one of them must give new tiles too.
   */
  private userProcessesCalled(service: ServiceRecord): Record<string, unknown> {
    const lookup = this.deps.processing.userProcesses(this.deps.users.findById(service.userId));
    const called: Record<string, unknown> = {};
    if (!lookup) return called;
    const visit = (value: unknown): void => {
      if (Array.isArray(value)) return value.forEach(visit);
      if (value === null || typeof value !== 'object') return;
      const id = (value as { process_id?: unknown }).process_id;
      if (typeof id === 'string' && !this.deps.processing.registry.has(id) && !Object.hasOwn(called, id)) {
        const definition = lookup(id);
        called[id] = definition ?? null;
        visit(definition?.process_graph);
      }
      Object.values(value).forEach(visit);
    };
    visit(service.process.process_graph);
    return called;
  }

  /** What the tiles of a service depend on: its process (with the user processes it calls), its colours, and the data. */
  private contentKey(service: ServiceRecord): string {
    const inputs = [service.process, service.configuration, this.userProcessesCalled(service)];
    const content = createHash('sha256').update(JSON.stringify(inputs)).digest('base64url');
    return `${service.id}/${content}/${this.dataVersion()}`;
  }

  /** The catalogue's version, for cache keys; a due rescan starts in the background and keys the next tiles. */
  private dataVersion(): number {
    this.deps.catalog.refresh?.().catch((error: unknown) => this.deps.logger.warn({ err: error }, 'catalogue refresh failed'));
    return this.deps.catalog.version?.() ?? 0;
  }

  private renderable(service: ServiceRecord): RenderableService {
    return { id: service.id, userId: service.userId, process: service.process, configuration: service.configuration };
  }

  /**
   * Runs a renderer call in a slot of the queue with the tile timeout, which starts when the slot
   * is free. Failures other than the client going away are recorded in the service's log.
   */
  private async compute<T>(service: ServiceRecord | null, what: string, signal: AbortSignal, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const seconds = this.deps.config.services.tileTimeoutSeconds;
    const controller = new AbortController();
    const forward = () => controller.abort(signal.reason);
    signal.addEventListener('abort', forward, { once: true });
    let timer: NodeJS.Timeout | undefined;
    const running = this.queue.run(signal, () => {
      timer = setTimeout(() => controller.abort(new OpenEOError('RequestTimeout', { seconds })), seconds * 1000);
      return work(controller.signal);
    });
    // Only the race's outcome matters; a late failure of an abandoned computation must not go unhandled.
    running.catch(() => undefined);
    try {
      return await Promise.race([running, aborted(controller.signal)]);
    } catch (error) {
      if (!signal.aborted) this.recordFailure(service, what, error);
      throw error;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', forward);
    }
  }

  /** A failure goes to the service's log (null: a collection preview, which has none) and, when unexpected, the server's. */
  private recordFailure(service: ServiceRecord | null, what: string, error: unknown): void {
    if (isOpenEOError(error) && error.code === 'InfrastructureBusy') return;
    const message = error instanceof Error ? error.message : String(error);
    if (service) this.store.addLog(service.id, { level: 'error', message: `${what} failed: ${message}`, ...(isOpenEOError(error) ? { code: error.code } : {}) });
    if (!isOpenEOError(error)) this.deps.logger.error({ err: error, service: service?.id, what }, 'map tile failed');
  }

  /** The PNG of one tile (transparent where there is no data), from the cache when it is still valid. */
  async tile(id: string, address: TileAddress, time: string | undefined, signal: AbortSignal): Promise<CachedTile> {
    const service = this.servable(id);
    const key = `${this.contentKey(service)}/${address.z}/${address.x}/${address.y}/${time ?? ''}`;
    const what = `Tile ${address.z}/${address.x}/${address.y}${time ? ` at ${time}` : ''}`;
    return this.cachedTile(key, service, () => this.renderable(service), what, address, time, signal);
  }

  /**
   * A tile of a collection's default picture (its STAC `xyz` link): public like the collection
   * itself, cached like service tiles until the data changes.
   */
  async previewTile(collectionId: string, address: TileAddress, signal: AbortSignal): Promise<CachedTile> {
    const collection = this.deps.catalog.get(collectionId);
    if (!collection) throw new OpenEOError('CollectionNotFound', { identifier: collectionId });
    const key = `preview/${collectionId}/${this.dataVersion()}/${address.z}/${address.x}/${address.y}`;
    const what = `Preview tile ${address.z}/${address.x}/${address.y} of ${collectionId}`;
    const preview = () => previewService(collection, this.deps.catalog.items(collectionId));
    return this.cachedTile(key, null, preview, what, address, undefined, signal);
  }

  /**
   * The tile under `key` from the cache, else rendered in a queue slot (a transparent tile where
   * there is no data) and cached. `subject` makes what to draw, called only on a miss.
   */
  private async cachedTile(
    key: string,
    service: ServiceRecord | null,
    subject: () => RenderableService,
    what: string,
    address: TileAddress,
    time: string | undefined,
    signal: AbortSignal,
  ): Promise<CachedTile> {
    const cached = this.cache.get(key);
    if (cached) return cached;
    const view = { bounds: tileBounds(address), size: TILE_PIXELS, ...(time ? { time } : {}) };
    const drawn = subject();
    const png = (await this.compute(service, what, signal, (s) => this.deps.renderer.render(drawn, view, s))) ?? transparentTile();
    const tile = { png, etag: strongEtag(png) };
    this.cache.set(key, tile);
    return tile;
  }

  /** The WMTS capabilities of a service, with the dates of its result as the TIME dimension. */
  async capabilities(id: string, publicUrl: string, signal: AbortSignal): Promise<string> {
    const service = this.servable(id);
    const key = this.contentKey(service);
    let dates = this.dateLists.get(key);
    if (!dates) {
      dates = await this.compute(service, 'Listing the dates', signal, (s) => this.deps.renderer.dates(this.renderable(service), s));
      if (this.dateLists.size >= MAX_DATE_LISTS) this.dateLists.delete(this.dateLists.keys().next().value as string);
      this.dateLists.set(key, dates);
    }
    const base = `${publicUrl}/services/${service.id}`;
    return wmtsCapabilities({
      layer: service.id,
      title: service.title ?? `openEO service ${service.id}`,
      abstract: service.description,
      wmtsUrl: `${base}/wmts`,
      tilesUrl: `${base}/tiles`,
      dates,
    });
  }

  /** A WMTS GetTile: the same tile as XYZ, once the layer is known. */
  async wmtsTile(id: string, layer: string, address: TileAddress, time: string | undefined, signal: AbortSignal): Promise<CachedTile> {
    const service = this.servable(id);
    if (layer !== service.id) throw new OpenEOError('BadRequest', { reason: `this WMTS has one layer, '${service.id}', not '${layer}'` });
    return this.tile(id, address, time, signal);
  }

  /** Tiles computing and waiting now. */
  load(): { running: number; waiting: number } {
    return this.queue.load();
  }
}
