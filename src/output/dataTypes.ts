import gdal from 'gdal-async';
import { takeBuffer } from '../raster/fused/planeBuffers';

type NumericArray = Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

export interface OutputDataType {
  /** Option value as clients write it. */
  name: string;
  gdal: string;
  create(length: number): NumericArray;
  integer: boolean;
  min: number;
  max: number;
  /**
   * No-data value tried first when the cube has missing pixels and the client chose none: NaN,
   * or the integer type's largest value (smallest for signed types, whose data is rarely that low).
   * nodataPolicy falls back to the other end when valid data uses this one.
   */
  defaultNodata: number;
}

function integerType(name: string, gdalType: string, make: (n: number) => NumericArray, min: number, max: number, defaultNodata: number): OutputDataType {
  return { name, gdal: gdalType, create: make, integer: true, min, max, defaultNodata };
}

export const OUTPUT_DATA_TYPES: Record<string, OutputDataType> = {
  byte: integerType('byte', gdal.GDT_Byte, (n) => new Uint8Array(n), 0, 255, 255),
  int16: integerType('int16', gdal.GDT_Int16, (n) => new Int16Array(n), -32768, 32767, -32768),
  uint16: integerType('uint16', gdal.GDT_UInt16, (n) => new Uint16Array(n), 0, 65535, 65535),
  int32: integerType('int32', gdal.GDT_Int32, (n) => new Int32Array(n), -2147483648, 2147483647, -2147483648),
  uint32: integerType('uint32', gdal.GDT_UInt32, (n) => new Uint32Array(n), 0, 4294967295, 4294967295),
  float32: { name: 'float32', gdal: gdal.GDT_Float32, create: (n) => new Float32Array(n), integer: false, min: -Infinity, max: Infinity, defaultNodata: NaN },
  float64: { name: 'float64', gdal: gdal.GDT_Float64, create: (n) => new Float64Array(n), integer: false, min: -Infinity, max: Infinity, defaultNodata: NaN },
};

/**
 * Converts one plane of a tile to the stored type: NaN becomes `nodata`, integers are
 * rounded and clamped to the type's range.
 */
export function convertPlane(values: Float64Array, type: OutputDataType, nodata: number): NumericArray {
  if (type.name === 'float64' && Number.isNaN(nodata)) return values;
  // Every element is written below, so a recycled buffer will do (see planeBuffers).
  const probe = type.create(0);
  const out = new (probe.constructor as new (b: ArrayBuffer, o: number, n: number) => NumericArray)(
    takeBuffer(values.length * probe.BYTES_PER_ELEMENT), 0, values.length,
  );
  if (!type.integer) {
    // NaN stays NaN: a typed-array copy converts natively, far faster than a loop.
    if (Number.isNaN(nodata)) {
      out.set(values);
      return out;
    }
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      out[i] = v !== v ? nodata : v;
    }
    return out;
  }
  const { min, max } = type;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    out[i] = v !== v ? nodata : v < min ? min : v > max ? max : Math.round(v);
  }
  return out;
}

/** Whether `value` can be stored exactly in `type` (NaN only in floating point types). */
export function representable(type: OutputDataType, value: number): boolean {
  if (!type.integer) return type.name === 'float64' || Number.isNaN(value) || Math.fround(value) === value;
  return Number.isInteger(value) && value >= type.min && value <= type.max;
}
