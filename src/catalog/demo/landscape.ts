import { fbm, hash2 } from './noise';

/** Hot loops use these through module constants: global lookups are slow inside jest's sandbox. */
const { floor, hypot, exp, sin, min, abs } = Math;

/**
 * The invented landscape behind the demo collections, defined on UTM zone 32N metres so
 * that the Sentinel-2-like series and the elevation model (in another CRS) show the same place:
 * a lake with a river, a town, forest on the hills and farmland in parcels.
 */
export const DEMO_AREA = {
  epsg: 32632,
  /** Upper-left corner and size of the Sentinel-2 grid. */
  west: 470_000,
  north: 5_270_000,
  pixelSize: 10,
  width: 600,
  height: 600,
};

export enum LandCover {
  Water = 1,
  Forest = 2,
  Urban = 3,
  Wheat = 4,
  Maize = 5,
  Grassland = 6,
  Fallow = 7,
}

const SEED = 20230;
const SIZE_M = DEMO_AREA.width * DEMO_AREA.pixelSize;

/** Position as fractions of the demo square: u east, v south, both 0..1. */
function unit(x: number, y: number): [number, number] {
  return [(x - DEMO_AREA.west) / SIZE_M, (DEMO_AREA.north - y) / SIZE_M];
}

function lakeDistance(u: number, v: number): number {
  const wobble = 0.25 * (fbm(u * 6, v * 6, SEED + 7, 3) - 0.5);
  return hypot((u - 0.27) / 0.15, (v - 0.68) / 0.1) - 1 + wobble;
}

function onRiver(u: number, v: number): boolean {
  if (u < 0.38) return false;
  const centre = 0.66 - 0.25 * (u - 0.38) + 0.04 * sin(u * 18);
  return abs(v - centre) < 0.0045;
}

/** Hills rise to the north-east; the lake sits in the lowest part. */
export function elevation(x: number, y: number): number {
  const [u, v] = unit(x, y);
  const hills = fbm(x / 1800, y / 1800, SEED + 3, 5);
  const lake = lakeDistance(u, v);
  const base = 410 + 380 * hills * hills + 120 * (u + (1 - v)) / 2;
  if (lake < 0) return 398;
  // The shore rises gently from the water level.
  return 398 + (base - 398) * min(1, lake / 0.6);
}

export function landCover(x: number, y: number): LandCover {
  const [u, v] = unit(x, y);
  if (lakeDistance(u, v) < 0 || onRiver(u, v)) return LandCover.Water;
  const town = hypot((u - 0.72) / 0.1, (v - 0.3) / 0.08) + 0.4 * (fbm(u * 10, v * 10, SEED + 11, 3) - 0.5);
  if (town < 1) return LandCover.Urban;
  if (elevation(x, y) > 640 || fbm(x / 900, y / 900, SEED + 5, 3) > 0.68) return LandCover.Forest;
  // Parcels of 240 m × 160 m, shifted every other row like real field patterns.
  const row = floor((DEMO_AREA.north - y) / 160);
  const col = floor((x - DEMO_AREA.west + (row % 2) * 90) / 240);
  const pick = hash2(col, row, SEED + 13);
  return pick < 0.35 ? LandCover.Wheat : pick < 0.65 ? LandCover.Maize : pick < 0.9 ? LandCover.Grassland : LandCover.Fallow;
}

/** Green vegetation fraction (0..1) of a land cover on a day of the year: drives NDVI. */
export function greenness(cover: LandCover, day: number): number {
  const bell = (peak: number, width: number) => exp(-(((day - peak) / width) ** 2));
  switch (cover) {
    case LandCover.Wheat:
      // Winter wheat: green in spring, harvested in July, stubble after.
      return day < 200 ? 0.15 + 0.85 * bell(150, 45) : 0.05;
    case LandCover.Maize:
      return day < 130 ? 0.02 : bell(220, 38);
    case LandCover.Grassland:
      return 0.3 + 0.6 * bell(165, 75);
    case LandCover.Forest:
      return 0.35 + 0.6 * bell(190, 65);
    case LandCover.Fallow:
      return 0.08 + 0.15 * bell(180, 60);
    default:
      return 0;
  }
}
