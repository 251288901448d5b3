import fs from 'node:fs';

/**
 * Whether a band file is whole, told from its structure without decoding pixels: a product
 * still being copied has files that open (their headers are there) but whose data stops early,
 * which would only show, as a failed read, when a process graph reads them.
 */
export function incompleteReason(file: string): string | undefined {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const read = (offset: number, length: number): Buffer | undefined => {
      if (offset < 0 || offset + length > size) return undefined;
      const buf = Buffer.alloc(length);
      fs.readSync(fd, buf, 0, length, offset);
      return buf;
    };
    if (/\.(jp2|j2k)$/i.test(file)) return jpeg2000Reason(read, size);
    if (/\.tiff?$/i.test(file)) return tiffReason(read, size);
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

type Reader = (offset: number, length: number) => Buffer | undefined;

const END_OF_CODESTREAM = 0xffd9;

/** JP2 boxes must add up to the file size and the codestream must end with its EOC marker. */
function jpeg2000Reason(read: Reader, size: number): string | undefined {
  const endsWithEoc = (end: number) => read(end - 2, 2)?.readUInt16BE(0) === END_OF_CODESTREAM;
  const start = read(0, 2);
  if (start?.readUInt16BE(0) === 0xff4f) return endsWithEoc(size) ? undefined : 'the JPEG 2000 codestream has no end marker';
  for (let pos = 0; pos < size; ) {
    const header = read(pos, 8);
    if (!header) return 'a JPEG 2000 box header is cut off';
    let length = header.readUInt32BE(0);
    const type = header.toString('latin1', 4, 8);
    if (length === 1) {
      const extended = read(pos + 8, 8);
      if (!extended) return 'a JPEG 2000 box header is cut off';
      length = Number(extended.readBigUInt64BE(0));
    } else if (length === 0) {
      length = size - pos;
    }
    if (length < 8 || pos + length > size) return `the JPEG 2000 box '${type}' is cut off`;
    if (type === 'jp2c' && !endsWithEoc(pos + length)) return 'the JPEG 2000 codestream has no end marker';
    pos += length;
  }
  return undefined;
}

const OFFSET_TAGS: Record<number, number> = { 273: 279, 324: 325 };

/** Every strip or tile of every TIFF directory must lie inside the file. */
function tiffReason(read: Reader, size: number): string | undefined {
  const head = read(0, 16);
  if (!head) return 'the TIFF header is cut off';
  const little = head.toString('latin1', 0, 2) === 'II';
  const u16 = (b: Buffer, o: number) => (little ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (b: Buffer, o: number) => (little ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u64 = (b: Buffer, o: number) => Number(little ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
  const big = u16(head, 2) === 43;
  const entrySize = big ? 20 : 12;
  const typeSize: Record<number, number> = { 3: 2, 4: 4, 16: 8 };
  let ifd = big ? u64(head, 8) : u32(head, 4);
  for (let n = 0; ifd !== 0 && n < 64; n++) {
    const countBuf = read(ifd, big ? 8 : 2);
    if (!countBuf) return 'a TIFF directory is cut off';
    const count = big ? u64(countBuf, 0) : u16(countBuf, 0);
    const entriesAt = ifd + (big ? 8 : 2);
    const entries = read(entriesAt, count * entrySize + (big ? 8 : 4));
    if (!entries) return 'a TIFF directory is cut off';
    const arrays = new Map<number, number[]>();
    for (let i = 0; i < count; i++) {
      const e = i * entrySize;
      const tag = u16(entries, e);
      if (!(tag in OFFSET_TAGS) && !Object.values(OFFSET_TAGS).includes(tag)) continue;
      const type = u16(entries, e + 2);
      const width = typeSize[type];
      if (!width) continue;
      const values = big ? u64(entries, e + 4) : u32(entries, e + 4);
      const inline = values * width <= (big ? 8 : 4);
      const data = inline ? entries.subarray(e + (big ? 12 : 8), e + entrySize) : read(big ? u64(entries, e + 12) : u32(entries, e + 8), values * width);
      if (!data) return 'a TIFF directory is cut off';
      arrays.set(tag, Array.from({ length: values }, (_, k) => (width === 2 ? u16(data, k * 2) : width === 4 ? u32(data, k * 4) : u64(data, k * 8))));
    }
    for (const [offsetTag, countTag] of Object.entries(OFFSET_TAGS)) {
      const offsets = arrays.get(Number(offsetTag));
      const counts = arrays.get(countTag);
      if (!offsets || !counts) continue;
      for (let k = 0; k < offsets.length; k++) if (offsets[k] + (counts[k] ?? 0) > size) return 'the TIFF image data is cut off';
    }
    ifd = big ? u64(entries, count * entrySize) : u32(entries, count * entrySize);
  }
  return undefined;
}
