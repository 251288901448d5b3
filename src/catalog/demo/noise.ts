/** Deterministic randomness for the demo data: the same seed gives the same numbers everywhere. */

/** Hot loops use these through module constants: global lookups are slow inside jest's sandbox. */
const { floor, imul } = Math;

/** mulberry32: a small, fast 32-bit PRNG; plenty for synthetic imagery. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A pseudo-random value in [0, 1) for an integer lattice point, stable across calls. */
export function hash2(ix: number, iy: number, seed: number): number {
  let h = imul(ix | 0, 0x27d4eb2d) ^ imul(iy | 0, 0x165667b1) ^ imul(seed | 0, 0x9e3779b9);
  h = imul(h ^ (h >>> 15), 0x85ebca6b);
  h = imul(h ^ (h >>> 13), 0xc2b2ae35);
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

function smooth(t: number): number {
  return t * t * (3 - 2 * t);
}

/** Smooth value noise in [0, 1) at continuous coordinates (one unit = one lattice cell). */
export function valueNoise(x: number, y: number, seed: number): number {
  const ix = floor(x), iy = floor(y);
  const fx = smooth(x - ix), fy = smooth(y - iy);
  const a = hash2(ix, iy, seed), b = hash2(ix + 1, iy, seed);
  const c = hash2(ix, iy + 1, seed), d = hash2(ix + 1, iy + 1, seed);
  return a + (b - a) * fx + (c - a) * fy + (a - b - c + d) * fx * fy;
}

/** Fractal noise: octaves of value noise, normalised back to [0, 1). */
export function fbm(x: number, y: number, seed: number, octaves = 4): number {
  let sum = 0, amplitude = 1, norm = 0, frequency = 1;
  for (let o = 0; o < octaves; o++) {
    sum += amplitude * valueNoise(x * frequency, y * frequency, seed + o * 1013);
    norm += amplitude;
    amplitude *= 0.5;
    frequency *= 2;
  }
  return sum / norm;
}
