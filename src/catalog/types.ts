/**
 * What the catalogue knows about a collection and its files: the contract between
 * the catalogue (src/catalog), which describes data, and the raster readers (src/raster),
 * which load it for `load_collection`.
 */

/** One band of a collection, with the metadata STAC and `load_collection` need. */
export interface BandInfo {
  name: string;
  /** STAC eo common name (e.g. `red`, `nir`), usable in `load_collection` band selection. */
  commonName?: string;
  /** Micrometres. */
  centerWavelength?: number;
  fullWidthHalfMax?: number;
  description?: string;
  /** Value that marks missing data in the files; null when the files have none. */
  nodata?: number | null;
  /** Physical value = raw * scale + offset. */
  scale?: number;
  offset?: number;
  /**
   * When true, load_collection delivers physical values (raw * scale + offset); by default
   * it delivers the stored values, like other openEO back-ends.
   */
  applyScale?: boolean;
  /** GDAL data type name of the stored values, e.g. `UInt16`. */
  dataType?: string;
  unit?: string;
  /** Pixel size of the band's own files, where bands differ (a 20 m band of a 10 m collection). */
  resolution?: number;
}

/** Where the pixels of one band of one item are: a GDAL-readable path and a 1-based band number. */
export interface BandAsset {
  /** Local file path or any GDAL dataset name (e.g. `NETCDF:"file.nc":var`, `/vsicurl/...`). */
  href: string;
  band: number;
}

/** Georeferencing of a raster grid. */
export interface GridInfo {
  /** The CRS as GDAL accepts it: `EPSG:32632` where known, WKT otherwise. */
  crs: string;
  /** EPSG code when the CRS has one, else null. */
  epsg: number | null;
  /** GDAL geotransform: [originX, pixelWidth, rotX, originY, rotY, pixelHeight(negative)]. */
  geoTransform: [number, number, number, number, number, number];
  width: number;
  height: number;
}

/** One acquisition (or one static raster): its time, footprint, grid and a file per band. */
export interface CatalogItem {
  id: string;
  /** RFC 3339 datetime, or null for data without time. */
  datetime: string | null;
  /** Footprint in WGS84: [west, south, east, north]. */
  bbox: [number, number, number, number];
  grid: GridInfo;
  /** Keyed by band name (BandInfo.name). */
  assets: Record<string, BandAsset>;
  /** Item properties usable by `load_collection`'s `properties` filters, e.g. `eo:cloud_cover`. */
  properties: Record<string, unknown>;
}

export interface ItemQuery {
  /** WGS84 [west, south, east, north]; items not intersecting it are skipped. */
  bbox?: [number, number, number, number];
  /** Half-open [start, end) as RFC 3339 strings; null means open-ended. */
  interval?: [string | null, string | null];
}

/** A collection as the engine sees it. */
export interface CollectionInfo {
  id: string;
  title: string;
  description: string;
  bands: BandInfo[];
  /** Native grid of the collection: CRS and resolution shared by its items. */
  crs: string;
  epsg: number | null;
  /** Pixel size in CRS units, [x, y], both positive. */
  resolution: [number, number];
  /** Extent in the native CRS: [west, south, east, north]. */
  nativeBbox: [number, number, number, number];
  /** Extent in WGS84: [west, south, east, north]. */
  bbox: [number, number, number, number];
  /** [start, end] RFC 3339, or null when the data has no time dimension. */
  temporalExtent: [string, string] | null;
}

/** What `load_collection` and the collection endpoints ask of the catalogue. */
export interface Catalog {
  /** All collections, sorted by id. */
  list(): CollectionInfo[];
  get(id: string): CollectionInfo | undefined;
  /** Items of a collection matching the query, sorted by datetime. */
  items(id: string, query?: ItemQuery): CatalogItem[];
  /** The full STAC Collection document served at `/collections/{id}` (links relative to `baseUrl`). */
  stacCollection(id: string, baseUrl: string): Record<string, unknown> | undefined;
  /** JSON Schema of the item properties usable in `load_collection`'s `properties` filter. */
  queryables?(id: string, baseUrl: string): Record<string, unknown> | undefined;
  /**
   * Brings the catalogue up to date with the data locations (files added, changed, removed);
   * `force` looks at once.
   * Cheap when called often: it looks at the files at most once per `collections.rescanSeconds`.
   * The synchronous methods answer from the last scan (and start a new one in the background when due).
   */
  refresh?(force?: boolean): Promise<void>;
  /** A number that grows whenever a scan changes what the catalogue holds (for caches of computed results). */
  version?(): number;
}
