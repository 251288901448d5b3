import path from 'node:path';
import gdal from 'gdal-async';
import type { BandInfo, CatalogItem, GridInfo } from '../types';
import type { ProblemReporter } from '../folderSource';
import { mapConcurrently } from '../folderSource';
import { fingerprint, ListedFile, listFiles } from '../listing';
import { bboxToWgs84, describeCrs, nativeBbox } from '../geo';
import { buildRecord, CollectionRecord } from '../record';
import { openFolder, openTar, openZip, ProductArchive } from './archive';
import { bandVrt } from './bandVrt';
import { isSentinel2ProductName, parseSentinel2, SENTINEL2_TYPES } from './sentinel2';
import { LANDSAT_NAME, LANDSAT_TYPES, parseLandsat } from './landsat';
import type { DescribedBand, DescribedProduct, ProductBand, ProductTypeInfo } from './types';
import type { ProductCache } from './productCache';

export type ProductKind = 'sentinel2' | 'landsat';

export interface ProductSourceOptions {
  type: ProductKind;
  /** Absolute path of the folder of downloaded products. */
  path: string;
  /** Name of the collection (a folder with several product types: prefix of each). */
  id?: string;
  title?: string;
}

/** One product found in the listing: where it is, how to open it, and its files for change detection. */
interface Candidate {
  location: string;
  files: ListedFile[];
  open: () => ProductArchive;
}

const DESCRIBE_CONCURRENCY = 4;

async function describeBand(band: ProductBand): Promise<DescribedBand> {
  const ds = await gdal.openAsync(band.href);
  try {
    const geoTransform = ds.geoTransform;
    const srs = ds.srs;
    if (!geoTransform || !srs) throw new Error(`${path.basename(band.href)} has no georeferencing`);
    const { crs, epsg } = describeCrs(srs);
    const grid: GridInfo = { crs, epsg, geoTransform: geoTransform.slice(0, 6) as GridInfo['geoTransform'], width: ds.rasterSize.x, height: ds.rasterSize.y };
    return { ...band, grid, wkt: srs.toWKT() };
  } catch (e) {
    throw new Error(`band ${band.name} (${path.basename(band.href)}): ${(e as Error).message}`);
  } finally {
    ds.close();
  }
}

function sameGrid(a: GridInfo, b: GridInfo): boolean {
  return a.crs === b.crs && a.width === b.width && a.height === b.height && a.geoTransform.every((v, i) => Math.abs(v - b.geoTransform[i]) < 1e-9);
}

function mostCommon<T>(values: T[]): T {
  const counts = new Map<T, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0][0];
}

/**
 * A folder of satellite products as downloaded (Sentinel-2 SAFE zips or folders, Landsat
 * Collection 2 tars or folders): every product is one item of the collection of its type.
 * Band files are read in place through GDAL; each product is opened once per version.
 */
export class ProductSource {
  constructor(
    readonly options: ProductSourceOptions,
    private readonly cache: ProductCache,
    private readonly report: ProblemReporter,
  ) {}

  get label(): string {
    return this.options.path;
  }

  private types(): Record<string, ProductTypeInfo> {
    return this.options.type === 'sentinel2' ? SENTINEL2_TYPES : LANDSAT_TYPES;
  }

  /** Product archives and the metadata and band files of unpacked products. */
  async list(): Promise<ListedFile[]> {
    const sentinel = this.options.type === 'sentinel2';
    return listFiles(this.options.path, (rel) => {
      const parts = rel.split('/');
      const name = parts[parts.length - 1];
      if (sentinel) {
        if (isSentinel2ProductName(name) && /\.zip$/i.test(name)) return true;
        return parts.some((p) => /\.SAFE$/i.test(p)) && /\.(xml|jp2)$/i.test(name);
      }
      return LANDSAT_NAME.test(name) && /(\.tar|_MTL\.txt|_MTL\.xml|\.TIF)$/i.test(name);
    });
  }

  private candidates(files: ListedFile[]): Candidate[] {
    const out: Candidate[] = [];
    const folders = new Map<string, { base: string; files: ListedFile[]; rels: string[] }>();
    for (const file of files) {
      const parts = file.rel.split('/');
      const name = parts[parts.length - 1];
      if (/\.(zip|tar)$/i.test(name)) {
        const abs = file.abs;
        out.push({ location: abs, files: [file], open: () => (/\.zip$/i.test(abs) ? openZip(abs) : openTar(abs)) });
        continue;
      }
      // Unpacked: a SAFE folder, or the files of one Landsat product id in one folder.
      let key: string;
      let base: string;
      let inner: string;
      if (this.options.type === 'sentinel2') {
        const safe = parts.findIndex((p) => /\.SAFE$/i.test(p));
        key = parts.slice(0, safe + 1).join('/');
        base = path.join(this.options.path, ...parts.slice(0, safe));
        inner = parts.slice(safe).join('/');
      } else {
        const productId = LANDSAT_NAME.exec(name)![0];
        key = [...parts.slice(0, -1), productId].join('/');
        base = path.dirname(file.abs);
        inner = name;
      }
      const group = folders.get(key) ?? { base, files: [], rels: [] };
      group.files.push(file);
      group.rels.push(inner);
      folders.set(key, group);
    }
    for (const [key, group] of folders) {
      out.push({ location: path.join(this.options.path, key), files: group.files, open: () => openFolder(group.base, group.rels) });
    }
    return out;
  }

  private async describe(candidate: Candidate): Promise<DescribedProduct | undefined> {
    const print = fingerprint(candidate.files);
    let fresh = false;
    let result = this.cache.get(candidate.location, print);
    if (!result) {
      fresh = true;
      try {
        const archive = candidate.open();
        const parsed = this.options.type === 'sentinel2' ? parseSentinel2(archive) : parseLandsat(archive);
        for (const band of parsed.bands) {
          const reason = archive.incomplete(band.rel);
          if (reason) throw new Error(`band ${band.name} (${path.posix.basename(band.rel)}): ${reason} (still being copied?)`);
        }
        const bands = await Promise.all(parsed.bands.map(describeBand));
        const finest = Math.min(...bands.map((b) => Math.abs(b.grid.geoTransform[1])));
        const grid = bands.find((b) => Math.abs(b.grid.geoTransform[1]) === finest)!.grid;
        if (bands.some((b) => b.grid.crs !== grid.crs)) throw new Error('the band files are in different coordinate reference systems');
        result = { ...parsed, location: candidate.location, bands, grid, bbox: bboxToWgs84(nativeBbox(grid), grid.crs) };
      } catch (e) {
        result = { error: (e as Error).message };
      }
      this.cache.put(candidate.location, print, result);
    }
    if ('error' in result) {
      this.report(candidate.location, `product skipped: ${result.error}`, fresh);
      return undefined;
    }
    return result;
  }

  async load(files: ListedFile[]): Promise<CollectionRecord[]> {
    const candidates = this.candidates(files);
    const present = new Set(candidates.map((c) => c.location));
    this.cache.prune(this.options.path, present);
    const described = await mapConcurrently(candidates, DESCRIBE_CONCURRENCY, (c) => this.describe(c));
    const byType = new Map<string, DescribedProduct[]>();
    for (const product of described) {
      if (!product) continue;
      const list = byType.get(product.productType) ?? [];
      list.push(product);
      byType.set(product.productType, list);
    }
    const records: CollectionRecord[] = [];
    for (const [type, products] of [...byType.entries()].sort()) {
      const id = this.options.id ? (byType.size === 1 ? this.options.id : `${this.options.id}_${type}`) : type;
      records.push(this.collection(id, this.types()[type], products));
    }
    return records;
  }

  private collection(id: string, info: ProductTypeInfo, products: DescribedProduct[]): CollectionRecord {
    const problems: string[] = [];
    // Collection-wide scale per band (the most common) and offset (the lowest, so shifting the
    // other products' stored values onto it only ever adds and keeps no-data 0 apart).
    const bands: BandInfo[] = [];
    for (const template of info.bands) {
      const own = products.flatMap((p) => p.bands.filter((b) => b.name === template.name));
      if (own.length === 0) continue;
      const scale = mostCommon(own.map((b) => b.scale));
      const offset = Math.min(...own.map((b) => b.offset));
      const scaled = scale !== 1 || offset !== 0;
      const resolution = mostCommon(own.map((b) => Math.abs(b.grid.geoTransform[1])));
      bands.push({ ...template, ...(scaled ? { scale, offset, applyScale: true } : {}), resolution });
    }
    const seen = new Set<string>();
    const items: CatalogItem[] = [];
    for (const product of products.sort((a, b) => (a.location < b.location ? -1 : 1))) {
      if (seen.has(product.id)) {
        problems.push(`${product.location}: the product ${product.id} is there twice`);
        this.report(product.location, `product skipped: ${product.id} is there twice`, false);
        continue;
      }
      seen.add(product.id);
      const assets: CatalogItem['assets'] = {};
      for (const band of product.bands) {
        const collectionBand = bands.find((b) => b.name === band.name)!;
        const scale = collectionBand.scale ?? 1;
        const ratio = band.scale / scale;
        const add = (band.offset - (collectionBand.offset ?? 0)) / scale;
        const exact = Math.abs(ratio - 1) < 1e-12 && Math.abs(add) < 1e-9;
        if (exact && sameGrid(band.grid, product.grid)) {
          assets[band.name] = { href: band.href, band: band.band };
          continue;
        }
        const integral = exact || (Math.abs(ratio - 1) < 1e-12 && Number.isInteger(Math.round(add * 1e6) / 1e6));
        const dataType = integral ? collectionBand.dataType ?? 'Float32' : 'Float32';
        const nodata = collectionBand.nodata ?? null;
        const href = bandVrt({ href: band.href, band: band.band, grid: band.grid, wkt: band.wkt, nodata, ratio, add: Math.round(add * 1e6) / 1e6, dataType }, product.grid);
        assets[band.name] = { href, band: 1 };
      }
      items.push({ id: product.id, datetime: product.datetime, bbox: product.bbox, grid: product.grid, assets, properties: product.properties });
    }
    return buildRecord(
      id,
      items,
      bands,
      { title: this.options.title ?? info.title, description: info.description, license: info.license, summaries: info.summaries },
      this.options.path,
      problems,
    );
  }
}
