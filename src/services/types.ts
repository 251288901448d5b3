/**
 * Secondary web services (openEO `/services`): map previews of a process graph as XYZ tiles or
 * WMTS. The shared vocabulary of the service store, the tile renderer and the routes.
 */

/** The service types this back-end offers, in the spelling GET /service_types lists them. */
export type ServiceType = 'XYZ' | 'WMTS';

/** A tile of the Web Mercator (EPSG:3857) pyramid: z/x/y as XYZ and WMTS (GoogleMapsCompatible) number them. */
export interface TileAddress {
  z: number;
  x: number;
  y: number;
}

/** What one tile shows: its extent in EPSG:3857 metres, its size in pixels and, for WMTS TIME, a date. */
export interface TileView {
  /** [west, south, east, north] in EPSG:3857. */
  bounds: [number, number, number, number];
  /** Pixels per side (256). */
  size: number;
  /** An ISO 8601 date or date-time selecting one date of the result (WMTS TIME), else all dates are reduced by the renderer's rule. */
  time?: string;
}

/** How a result is coloured (a service's `configuration`); every field is optional. */
export interface RenderOptions {
  /** Colour map for one-band results, e.g. 'viridis', 'greys', 'rdylgn'. */
  colormap?: string;
  /** [min, max] of the linear stretch; absent: from the data's statistics. */
  rescale?: [number, number];
  /** Which bands, in order, make the picture (one: colour map; three: RGB); absent: the renderer chooses. */
  bands?: string[];
}

/** What the tile renderer needs of a stored service. */
export interface RenderableService {
  id: string;
  /** The owner: tiles run as this user, with their stored processes callable. */
  userId: string;
  process: { process_graph: Record<string, unknown>; parameters?: Array<Record<string, unknown>> };
  configuration: RenderOptions;
}

/** Turns a service's process graph into map tiles (implemented in services/render). */
export interface TileRenderer {
  /** The PNG of one tile, or null when the tile holds no data (the caller sends a transparent tile). */
  render(service: RenderableService, view: TileView, signal: AbortSignal): Promise<Buffer | null>;
  /** The dates of the service's result, for WMTS TIME; [] when it has no temporal dimension. */
  dates(service: RenderableService, signal: AbortSignal): Promise<string[]>;
}
