/**
 * The service types of GET /service_types and the check of a service's `configuration` against
 * its type: both come from the same table, so what is advertised is what is accepted.
 */
import { OpenEOError } from '../errors/OpenEOError';
import { COLORMAP_NAMES, DEFAULT_COLORMAP, isColormapName } from './colormapNames';
import type { RenderOptions, ServiceType } from './types';

export const SERVICE_TYPES: readonly ServiceType[] = ['XYZ', 'WMTS'];

/** The WMTS version the capabilities document follows. */
export const WMTS_VERSION = '1.0.0';

/** A configuration setting: its JSON Schema for clients and the check of a value. */
interface Setting {
  schema: Record<string, unknown>;
  /** Why the value is wrong, or undefined when it is fine. */
  problem(value: unknown): string | undefined;
}

const colormap: Setting = {
  schema: {
    description: `Colour map of one-band results. Default: ${DEFAULT_COLORMAP}.`,
    type: 'string',
    enum: [...COLORMAP_NAMES],
    default: DEFAULT_COLORMAP,
  },
  problem: (value) => (isColormapName(value) ? undefined : `it must be one of ${COLORMAP_NAMES.join(', ')}`),
};

const rescale: Setting = {
  schema: {
    description: 'The values [min, max] mapped to the ends of the colour scale (linear). Default: the 2nd to 98th percentile of the result (a coarse read of its whole extent).',
    type: 'array',
    minItems: 2,
    maxItems: 2,
    items: { type: 'number' },
  },
  problem: (value) =>
    Array.isArray(value) && value.length === 2 && value.every((v) => typeof v === 'number' && Number.isFinite(v)) && value[0] < value[1]
      ? undefined
      : 'it must be two numbers [min, max] with min < max',
};

const bands: Setting = {
  schema: {
    description: 'The bands of the result shown, in order: one band is coloured with the colour map, three are shown as red, green, blue. Default: the bands with the common names red, green and blue if all three are there, else the first band.',
    type: 'array',
    minItems: 1,
    items: { type: 'string' },
  },
  problem: (value) =>
    Array.isArray(value) && (value.length === 1 || value.length === 3) && value.every((v) => typeof v === 'string' && v.length > 0)
      ? undefined
      : 'it must name one band (colour map) or three bands (red, green, blue)',
};

const version: Setting = {
  schema: { description: 'The WMTS version offered.', type: 'string', enum: [WMTS_VERSION], default: WMTS_VERSION },
  problem: (value) => (value === WMTS_VERSION ? undefined : `only ${WMTS_VERSION} is offered`),
};

interface TypeDefinition {
  title: string;
  description: string;
  settings: Record<string, Setting>;
}

const DEFINITIONS: Record<ServiceType, TypeDefinition> = {
  XYZ: {
    title: 'XYZ tiles',
    description:
      'Web Mercator (EPSG:3857) map tiles of 256×256 pixels as PNG at `url` with {z}/{x}/{y} filled in, as web maps (Leaflet, OpenLayers, the Web Editor) load them. Of a result with a time dimension the tiles show the latest date, or the date `?time=` names.',
    settings: { colormap, rescale, bands },
  },
  WMTS: {
    title: 'OGC Web Map Tile Service',
    description:
      'WMTS 1.0.0 (key-value pairs) at `url`: GetCapabilities and GetTile with one layer in the tile matrix set EPSG:3857 (Google Maps compatible, zoom 0 to 22) and, for results with a time dimension, a TIME dimension listing their dates.',
    settings: { colormap, rescale, bands, version },
  },
};

/** The body of GET /service_types. */
export function serviceTypesDocument(): Record<string, unknown> {
  return Object.fromEntries(
    SERVICE_TYPES.map((type) => {
      const { title, description, settings } = DEFINITIONS[type];
      const configuration = Object.fromEntries(Object.entries(settings).map(([name, setting]) => [name, setting.schema]));
      return [type, { title, description, configuration, process_parameters: [], links: [] }];
    }),
  );
}

/** The type as this back-end spells it; types are matched without regard to case. */
export function readServiceType(value: unknown): ServiceType {
  const type = typeof value === 'string' ? SERVICE_TYPES.find((t) => t.toLowerCase() === value.toLowerCase()) : undefined;
  if (!type) {
    throw new OpenEOError('ServiceUnsupported', { type: String(value) }, `Service type '${String(value)}' is not supported; choose one of ${SERVICE_TYPES.join(', ')}.`);
  }
  return type;
}

/** A service's configuration checked against its type; absent or null is the empty configuration. */
export function readConfiguration(type: ServiceType, value: unknown): RenderOptions & { version?: string } {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new OpenEOError('BadRequest', { reason: "'configuration' must be an object" });
  const settings: Record<string, Setting> = DEFINITIONS[type].settings;
  for (const name of Object.keys(value)) {
    const setting = Object.hasOwn(settings, name) ? settings[name] : undefined;
    if (!setting) {
      throw new OpenEOError(
        'ServiceConfigUnsupported',
        { type, parameter: name },
        `Service type '${type}' has no configuration setting '${name}'; it offers ${Object.keys(settings).join(', ')}.`,
      );
    }
    const problem = setting.problem((value as Record<string, unknown>)[name]);
    if (problem) throw new OpenEOError('ServiceConfigInvalid', { parameter: name, reason: problem });
  }
  return value as RenderOptions & { version?: string };
}
