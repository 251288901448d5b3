/**
 * The colour maps a map service may ask for, in one place: GET /service_types lists them and the
 * tile renderer implements exactly these.
 */
export const COLORMAP_NAMES = ['viridis', 'greys', 'rdylgn', 'terrain'] as const;
export type ColormapName = (typeof COLORMAP_NAMES)[number];

/** The colour map of a one-band picture when a service names none. */
export const DEFAULT_COLORMAP: ColormapName = 'viridis';

export function isColormapName(value: unknown): value is ColormapName {
  return typeof value === 'string' && (COLORMAP_NAMES as readonly string[]).includes(value);
}
