/**
 * The Web Mercator tile pyramid both service types use: XYZ numbering, which WMTS's Google Maps
 * compatible matrix set shares (TileRow = y counted from the north, TileCol = x).
 */
import { OpenEOError } from '../errors/OpenEOError';
import type { TileAddress } from './types';

/** Half the width of the EPSG:3857 world in metres. */
export const WORLD_HALF_METRES = 20037508.342789244;
export const TILE_PIXELS = 256;
export const MAX_ZOOM = 22;
/** OGC's scale denominator of zoom 0 (0.28 mm pixels) in the GoogleMapsCompatible set. */
export const ZOOM0_SCALE_DENOMINATOR = 559082264.0287178;

function wholeNumber(name: string, text: string): number {
  if (!/^\d{1,9}$/.test(text)) throw new OpenEOError('BadRequest', { reason: `'${name}' must be a whole number, not '${text}'` });
  return Number(text);
}

/** A tile address from the texts of a URL, refused with 400 outside the pyramid; `names` are the request's words for z, x, y. */
export function readTileAddress(z: string, x: string, y: string, names: [string, string, string] = ['z', 'x', 'y']): TileAddress {
  const address = { z: wholeNumber(names[0], z), x: wholeNumber(names[1], x), y: wholeNumber(names[2], y) };
  if (address.z > MAX_ZOOM) throw new OpenEOError('BadRequest', { reason: `zoom level ${address.z} is beyond the deepest, ${MAX_ZOOM}` });
  const count = 2 ** address.z;
  if (address.x >= count || address.y >= count) {
    throw new OpenEOError('BadRequest', { reason: `at zoom ${address.z} ${names[1]} and ${names[2]} go from 0 to ${count - 1}; ${address.x} and ${address.y} are outside` });
  }
  return address;
}

/** [west, south, east, north] of a tile in EPSG:3857 metres. */
export function tileBounds({ z, x, y }: TileAddress): [number, number, number, number] {
  const span = (2 * WORLD_HALF_METRES) / 2 ** z;
  const west = -WORLD_HALF_METRES + x * span;
  const north = WORLD_HALF_METRES - y * span;
  return [west, north - span, west + span, north];
}
