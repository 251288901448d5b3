import gdal from 'gdal-async';
import type { CollectionRecord } from './record';
import { describeCrs } from './geo';

function sameTransform(a: number[], b: number[]): boolean {
  // A thousandth of a pixel: rounding in text formats (VRT, STAC) must not count as a difference.
  const tolerance = Math.max(Math.abs(b[1]), Math.abs(b[5])) * 1e-3;
  return a.length >= 6 && a.slice(0, 6).every((v, i) => Math.abs(v - b[i]) <= tolerance);
}

/** An href as a person reads it: a VRT given inline (bands shown on another grid) by the file it shows. */
function shownHref(href: string): string {
  const source = vrtSource(href);
  return source ? `VRT of ${source}` : href.startsWith('<VRTDataset') ? 'inline VRT' : href;
}

/** The file an inline VRT shows; GDAL opens it only when pixels are read, so the check opens it itself. */
function vrtSource(href: string): string | undefined {
  if (!href.startsWith('<VRTDataset')) return undefined;
  const source = /<SourceFilename[^>]*>([^<]*)<\/SourceFilename>/.exec(href)?.[1];
  return source?.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

/**
 * Opens every asset of a collection with GDAL and compares it with what the catalogue says:
 * band number, size, geotransform and CRS. Returns the problems found (empty when all is well).
 */
export async function checkCollection(record: CollectionRecord, onProgress?: (done: number, total: number) => void): Promise<string[]> {
  const problems = [...record.problems.map((p) => `skipped: ${p}`)];
  const { info, items } = record;
  const dated = items.filter((i) => i.datetime !== null).length;
  if (dated > 0 && dated < items.length) problems.push(`${items.length - dated} of ${items.length} items have no time while the others do`);
  const opened = new Map<string, { bands: number; width: number; height: number; transform: number[] | null; epsg: number | null; crs: string } | string>();
  let done = 0;
  for (const item of items) {
    if (item.grid.crs !== info.crs) problems.push(`item ${item.id}: CRS ${item.grid.epsg ? `EPSG:${item.grid.epsg}` : 'WKT'} differs from the collection's ${info.epsg ? `EPSG:${info.epsg}` : info.crs}`);
    for (const band of info.bands) {
      if (!item.assets[band.name]) problems.push(`item ${item.id}: no file for band ${band.name}`);
    }
    for (const [bandName, asset] of Object.entries(item.assets)) {
      let facts = opened.get(asset.href);
      if (!facts) {
        try {
          const source = vrtSource(asset.href);
          if (source) (await gdal.openAsync(source)).close();
          const ds = await gdal.openAsync(asset.href);
          try {
            const srs = await ds.srsAsync;
            const { crs, epsg } = describeCrs(srs);
            facts = { bands: ds.bands.count(), width: ds.rasterSize.x, height: ds.rasterSize.y, transform: ds.geoTransform, epsg, crs };
          } finally {
            ds.close();
          }
        } catch (e) {
          facts = (e as Error).message;
        }
        opened.set(asset.href, facts);
      }
      const where = `item ${item.id}, band ${bandName} (${shownHref(asset.href)})`;
      if (typeof facts === 'string') {
        problems.push(`${where}: cannot be opened: ${facts}`);
        continue;
      }
      if (asset.band < 1 || asset.band > facts.bands) problems.push(`${where}: band ${asset.band} does not exist (the file has ${facts.bands})`);
      if (facts.width !== item.grid.width || facts.height !== item.grid.height) {
        problems.push(`${where}: size ${facts.width}×${facts.height} differs from the item's ${item.grid.width}×${item.grid.height}`);
      }
      if (!facts.transform || !sameTransform(facts.transform, item.grid.geoTransform)) problems.push(`${where}: georeferencing differs from the item's grid`);
      if (facts.crs !== item.grid.crs) problems.push(`${where}: CRS ${facts.epsg ? `EPSG:${facts.epsg}` : facts.crs || 'none'} differs from the item's ${item.grid.crs}`);
    }
    onProgress?.(++done, items.length);
  }
  return problems;
}
