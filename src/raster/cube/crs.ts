/** Normalises the ways CRSs are written in openEO requests and encodings. */

/** EPSG code of `EPSG:nnnn` / `epsg:nnnn` strings, null for anything else. */
export function epsgOf(crs: string): number | null {
  const match = /^EPSG:(\d+)$/i.exec(crs.trim());
  return match ? Number(match[1]) : null;
}

/** A CRS given as EPSG number, `EPSG:n` string, WKT string or PROJJSON object → GDAL-readable string. */
export function crsToString(value: unknown): { crs: string; epsg: number | null } {
  if (typeof value === 'number' && Number.isInteger(value)) return { crs: `EPSG:${value}`, epsg: value };
  if (typeof value === 'string') {
    const epsg = epsgOf(value);
    return epsg !== null ? { crs: `EPSG:${epsg}`, epsg } : { crs: value, epsg: null };
  }
  if (value && typeof value === 'object') {
    const id = (value as { id?: { authority?: string; code?: number } }).id;
    if (id?.authority?.toUpperCase() === 'EPSG' && typeof id.code === 'number') return { crs: `EPSG:${id.code}`, epsg: id.code };
    return { crs: JSON.stringify(value), epsg: null };
  }
  return { crs: '', epsg: null };
}

/** How a CRS is reported in `reference_system` fields: the EPSG code where there is one. */
export function referenceSystem(crs: string, epsg: number | null): number | string {
  return epsg ?? crs;
}
