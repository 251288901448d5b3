/**
 * WMTS key-value-pair requests. Keys are matched without regard to case, as OGC asks; keys we do
 * not know (e.g. the Web Editor's `__editorSessionId`) are ignored.
 */
import { OpenEOError } from '../errors/OpenEOError';
import { readTileAddress } from './tileGrid';
import { TILE_MATRIX_SET } from './wmtsCapabilities';
import type { TileAddress } from './types';

export type WmtsRequest = { request: 'GetCapabilities' } | { request: 'GetTile'; layer: string; address: TileAddress; time?: string };

function lowerKeys(query: Record<string, unknown>): Map<string, string> {
  const values = new Map<string, string>();
  for (const [key, value] of Object.entries(query)) {
    const text = Array.isArray(value) ? value[0] : value;
    if (typeof text === 'string') values.set(key.toLowerCase(), text);
  }
  return values;
}

export function readWmtsRequest(query: Record<string, unknown>): WmtsRequest {
  const kvp = lowerKeys(query);
  const need = (key: string): string => {
    const value = kvp.get(key.toLowerCase());
    if (value === undefined || value === '') throw new OpenEOError('BadRequest', { reason: `the WMTS request needs the parameter ${key}` });
    return value;
  };
  const service = kvp.get('service');
  if (service !== undefined && service.toUpperCase() !== 'WMTS') throw new OpenEOError('BadRequest', { reason: `SERVICE must be WMTS, not '${service}'` });
  const request = kvp.get('request') ?? 'GetCapabilities';
  if (request.toLowerCase() === 'getcapabilities') return { request: 'GetCapabilities' };
  if (request.toLowerCase() !== 'gettile') throw new OpenEOError('BadRequest', { reason: `REQUEST must be GetCapabilities or GetTile, not '${request}'` });
  const matrixSet = need('TILEMATRIXSET');
  if (matrixSet !== TILE_MATRIX_SET) throw new OpenEOError('BadRequest', { reason: `the only TILEMATRIXSET is ${TILE_MATRIX_SET}, not '${matrixSet}'` });
  const format = kvp.get('format');
  if (format !== undefined && format !== 'image/png') throw new OpenEOError('BadRequest', { reason: `the only FORMAT is image/png, not '${format}'` });
  const address = readTileAddress(need('TILEMATRIX'), need('TILECOL'), need('TILEROW'), ['TILEMATRIX', 'TILECOL', 'TILEROW']);
  const time = kvp.get('time') || undefined;
  return { request: 'GetTile', layer: need('LAYER'), address, ...(time ? { time } : {}) };
}
