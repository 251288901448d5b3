/**
 * Writes NetCDF files in the classic data model ourselves, so that the variables come out in the
 * order we define them: GDAL's multidimensional writer sorts them by name. The format is CDF-2
 * ("64-bit offset"), which every NetCDF reader (GDAL, xarray, QGIS) opens; only when a variable
 * exceeds its 4 GiB limit is it CDF-5 ("64-bit data"), which netCDF-C 4.4+ and xarray read but
 * not every GDAL build. Layout: the NetCDF classic format specification (big-endian header, then
 * the variables one after the other).
 */
import fs from 'node:fs/promises';

export type NcType = 'char' | 'int' | 'float' | 'double';

const TYPE_CODE: Record<NcType, number> = { char: 2, int: 4, float: 5, double: 6 };
const TYPE_SIZE: Record<NcType, number> = { char: 1, int: 4, float: 4, double: 8 };

/** A string becomes a char attribute, numbers become doubles unless the type is given. */
export type NcAttribute = string | number | number[] | { type: NcType; values: number[] };

export interface NcVariable {
  name: string;
  dims: string[];
  type: NcType;
  attributes: Record<string, NcAttribute>;
  /**
   * Writes the variable's values in row-major order, big-endian, exactly product(dims) values:
   * `put` is called with consecutive chunks.
   */
  write(put: (chunk: Buffer) => Promise<void>): Promise<void>;
}

export interface NcFile {
  dims: Array<{ name: string; length: number }>;
  attributes: Record<string, NcAttribute>;
  variables: NcVariable[];
}

const pad4 = (n: number) => (4 - (n % 4)) % 4;

/** Largest variable size CDF-2 records. */
const CDF2_MAX_VARIABLE = 2 ** 32 - 4;

class HeaderBuilder {
  private parts: Buffer[] = [];
  /** CDF-5 writes counts and sizes with 64 bits, CDF-2 with 32. */
  constructor(private readonly cdf5: boolean) {}
  count(v: number): void {
    if (this.cdf5) this.int64(v);
    else this.int32(v);
  }
  int32(v: number): void {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    this.parts.push(b);
  }
  int64(v: number): void {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(v));
    this.parts.push(b);
  }
  bytes(b: Buffer): void {
    this.parts.push(b, Buffer.alloc(pad4(b.length)));
  }
  name(text: string): void {
    const b = Buffer.from(text, 'utf8');
    this.count(b.length);
    this.bytes(b);
  }
  attributes(list: Record<string, NcAttribute>): void {
    const entries = Object.entries(list);
    this.int32(entries.length ? 0x0c : 0);
    this.count(entries.length);
    for (const [key, value] of entries) {
      this.name(key);
      if (typeof value === 'string') {
        const b = Buffer.from(value, 'utf8');
        this.int32(TYPE_CODE.char);
        this.count(b.length);
        this.bytes(b);
        continue;
      }
      const typed = typeof value === 'number' || Array.isArray(value) ? { type: 'double' as NcType, values: ([] as number[]).concat(value) } : value;
      this.int32(TYPE_CODE[typed.type]);
      this.count(typed.values.length);
      this.bytes(encodeValues(typed.type, typed.values));
    }
  }
  build(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** Big-endian values of a numeric type (char values are byte codes). */
export function encodeValues(type: NcType, values: ArrayLike<number>): Buffer {
  const b = Buffer.alloc(values.length * TYPE_SIZE[type]);
  for (let i = 0; i < values.length; i++) {
    if (type === 'double') b.writeDoubleBE(values[i], i * 8);
    else if (type === 'float') b.writeFloatBE(values[i], i * 4);
    else if (type === 'int') b.writeInt32BE(values[i], i * 4);
    else b.writeUInt8(values[i], i);
  }
  return b;
}

function header(file: NcFile, begins: number[], cdf5: boolean): Buffer {
  const h = new HeaderBuilder(cdf5);
  h.bytes(Buffer.from([0x43, 0x44, 0x46, cdf5 ? 0x05 : 0x02]));
  h.count(0); // no record variables
  h.int32(file.dims.length ? 0x0a : 0);
  h.count(file.dims.length);
  for (const d of file.dims) {
    h.name(d.name);
    h.count(d.length);
  }
  h.attributes(file.attributes);
  h.int32(file.variables.length ? 0x0b : 0);
  h.count(file.variables.length);
  file.variables.forEach((v, k) => {
    h.name(v.name);
    h.count(v.dims.length);
    for (const d of v.dims) h.count(file.dims.findIndex((x) => x.name === d));
    h.attributes(v.attributes);
    h.int32(TYPE_CODE[v.type]);
    h.count(variableBytes(file, v) + pad4(variableBytes(file, v)));
    h.int64(begins[k]); // offsets have 64 bits in both
  });
  return h.build();
}

function variableBytes(file: NcFile, v: NcVariable): number {
  return v.dims.reduce((n, name) => {
    const dim = file.dims.find((d) => d.name === name);
    if (!dim) throw new Error(`NetCDF variable ${v.name} uses the undefined dimension ${name}`);
    return n * dim.length;
  }, TYPE_SIZE[v.type]);
}

/** Writes `file` to `target`, checking that every variable delivers exactly its size. */
export async function writeNetcdfClassic(target: string, file: NcFile, signal?: AbortSignal): Promise<void> {
  const sizes = file.variables.map((v) => variableBytes(file, v));
  const cdf5 = sizes.some((s) => s > CDF2_MAX_VARIABLE);
  const headerSize = header(file, sizes.map(() => 0), cdf5).length;
  const begins: number[] = [];
  let offset = headerSize;
  for (const size of sizes) {
    begins.push(offset);
    offset += size + pad4(size);
  }
  const handle = await fs.open(target, 'w');
  try {
    let position = 0;
    const put = async (chunk: Buffer): Promise<void> => {
      signal?.throwIfAborted();
      await handle.write(chunk, 0, chunk.length, position);
      position += chunk.length;
    };
    await put(header(file, begins, cdf5));
    for (let k = 0; k < file.variables.length; k++) {
      await file.variables[k].write(put);
      if (position !== begins[k] + sizes[k]) throw new Error(`NetCDF variable ${file.variables[k].name} wrote ${position - begins[k]} of ${sizes[k]} bytes`);
      if (pad4(sizes[k])) await put(Buffer.alloc(pad4(sizes[k])));
    }
  } catch (err) {
    // A cut-off file would look like a result.
    await handle.close();
    await fs.rm(target, { force: true });
    throw err;
  }
  await handle.close();
}
