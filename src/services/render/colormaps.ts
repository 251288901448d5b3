/**
 * The colour maps of one-band tiles: a few anchor colours each, interpolated linearly into a
 * 256-entry table, so colouring a pixel is one lookup.
 */
import { COLORMAP_NAMES, ColormapName, DEFAULT_COLORMAP, isColormapName } from '../colormapNames';

type Anchor = [position: number, r: number, g: number, b: number];

const ANCHORS: Record<ColormapName, Anchor[]> = {
  // Dark violet through blue and green to yellow, perceptually even.
  viridis: [
    [0, 68, 1, 84], [0.125, 71, 44, 122], [0.25, 59, 81, 139], [0.375, 44, 113, 142], [0.5, 33, 144, 141],
    [0.625, 39, 173, 129], [0.75, 92, 200, 99], [0.875, 170, 220, 50], [1, 253, 231, 37],
  ],
  // Black to white: value × 255 as grey.
  greys: [[0, 0, 0, 0], [1, 255, 255, 255]],
  // Diverging red – pale yellow – green (e.g. NDVI).
  rdylgn: [
    [0, 165, 0, 38], [0.125, 215, 48, 39], [0.25, 244, 109, 67], [0.375, 253, 174, 97], [0.5, 255, 255, 191],
    [0.625, 166, 217, 106], [0.75, 102, 189, 99], [0.875, 26, 152, 80], [1, 0, 104, 55],
  ],
  // Elevation: deep blue water, green lowlands, yellow, brown, white peaks.
  terrain: [[0, 51, 51, 153], [0.15, 0, 153, 255], [0.25, 0, 204, 102], [0.5, 255, 255, 153], [0.75, 128, 92, 84], [1, 255, 255, 255]],
};

function table(anchors: Anchor[]): Uint8Array {
  const lut = new Uint8Array(256 * 3);
  let k = 0;
  for (let i = 0; i < 256; i++) {
    const t = i / 255;
    while (k < anchors.length - 2 && t > anchors[k + 1][0]) k++;
    const [p0, r0, g0, b0] = anchors[k];
    const [p1, r1, g1, b1] = anchors[k + 1];
    const f = p1 > p0 ? Math.min(1, Math.max(0, (t - p0) / (p1 - p0))) : 0;
    lut[i * 3] = Math.round(r0 + (r1 - r0) * f);
    lut[i * 3 + 1] = Math.round(g0 + (g1 - g0) * f);
    lut[i * 3 + 2] = Math.round(b0 + (b1 - b0) * f);
  }
  return lut;
}

const TABLES = new Map<ColormapName, Uint8Array>(COLORMAP_NAMES.map((name) => [name, table(ANCHORS[name])]));

/** The 256 × RGB table of a colour map; an unknown or absent name gives the default map. */
export function colormapTable(name: string | undefined): Uint8Array {
  return TABLES.get(isColormapName(name) ? name : DEFAULT_COLORMAP)!;
}
