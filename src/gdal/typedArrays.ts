/**
 * gdal-async recognises the type of a pixel buffer through an own `_gdal_type` property that its
 * JS wrapper sets using `instanceof`. When the module is evaluated in more than one JS realm of a
 * process (jest runs each test file in its own realm but shares the native addon), the wrappers
 * stack up and an older realm's wrapper overwrites the type with "unknown" ("Invalid array").
 * Marking the buffer ourselves with a read-only property, derived from its tag (which does not
 * depend on the realm), makes reads and writes work in every realm.
 */
const GDAL_TYPE_CODES: Record<string, number> = {
  Uint8Array: 1,
  Uint16Array: 2,
  Int16Array: 3,
  Uint32Array: 4,
  Int32Array: 5,
  Float32Array: 6,
  Float64Array: 7,
};

export function gdalBuffer<T extends ArrayBufferView>(array: T): T {
  if (Object.prototype.hasOwnProperty.call(array, '_gdal_type')) return array;
  const tag = Object.prototype.toString.call(array).slice(8, -1);
  const code = GDAL_TYPE_CODES[tag];
  if (code === undefined) throw new Error(`${tag} cannot hold GDAL pixels`);
  Object.defineProperty(array, '_gdal_type', { value: code, writable: false, enumerable: false });
  return array;
}
