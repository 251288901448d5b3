/**
 * gdal-async finds a buffer's pixel type through `instanceof`, which fails when the module is
 * loaded in several JS realms of one process (as jest does: "Invalid array"). Tagging the buffer
 * with the type code the binding reads, derived from the realm-independent tag, avoids that.
 */
const TYPE_CODES: Record<string, number> = { Uint8Array: 1, Uint16Array: 2, Int16Array: 3, Uint32Array: 4, Int32Array: 5, Float32Array: 6, Float64Array: 7 };

export function pixelBuffer<T extends ArrayBufferView>(array: T): T {
  if (Object.prototype.hasOwnProperty.call(array, '_gdal_type')) return array;
  const code = TYPE_CODES[Object.prototype.toString.call(array).slice(8, -1)];
  if (code === undefined) throw new Error('unsupported pixel buffer type');
  Object.defineProperty(array, '_gdal_type', { value: code, writable: false, enumerable: false });
  return array;
}
