import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { incompleteReason } from './completeness';

/**
 * A downloaded product as it comes: a zip (Sentinel-2 SAFE), a tar (Landsat bundle) or an
 * unpacked folder. Metadata files are read here; pixels are read by GDAL through the
 * `/vsizip/` and `/vsitar/` names, so nothing is ever unpacked.
 */
export interface ProductArchive {
  /** The zip, tar or folder. */
  readonly location: string;
  /** Files inside, relative with `/` separators. */
  readonly files: string[];
  read(rel: string): Buffer;
  /** The GDAL dataset name of a file inside. */
  gdalPath(rel: string): string;
  /**
   * Why a file inside is not whole, if it is not. Zips and tars are checked as a whole when
   * listed; files of an unpacked product are looked at one by one (one may be half copied).
   */
  incomplete(rel: string): string | undefined;
}

class FolderArchive implements ProductArchive {
  constructor(readonly location: string, readonly files: string[]) {}
  read(rel: string): Buffer {
    return fs.readFileSync(path.join(this.location, rel));
  }
  gdalPath(rel: string): string {
    return path.join(this.location, rel);
  }
  incomplete(rel: string): string | undefined {
    return incompleteReason(path.join(this.location, rel));
  }
}

interface Member {
  /** Where the member's bytes (compressed for zip) start in the archive file. */
  offset: number;
  size: number;
  /** Zip compression method (0 stored, 8 deflate); 0 for tar. */
  method: number;
}

class PackedArchive implements ProductArchive {
  readonly files: string[];
  constructor(readonly location: string, private readonly members: Map<string, Member>, private readonly vsi: '/vsizip/' | '/vsitar/') {
    this.files = [...members.keys()].sort();
  }
  read(rel: string): Buffer {
    const member = this.members.get(rel);
    if (!member) throw new Error(`${rel} is not in the archive`);
    const data = readAt(this.location, member.offset, member.size);
    if (member.method === 0) return data;
    if (member.method === 8) return zlib.inflateRawSync(data);
    throw new Error(`${rel} uses zip compression method ${member.method}, which is not supported`);
  }
  gdalPath(rel: string): string {
    return `${this.vsi}${this.location}/${rel}`;
  }
  incomplete(): undefined {
    return undefined;
  }
}

function readAt(file: string, offset: number, length: number): Buffer {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.alloc(length);
    const n = fs.readSync(fd, buf, 0, length, offset);
    if (n < length) throw new Error('the archive is truncated');
    return buf;
  } finally {
    fs.closeSync(fd);
  }
}

const EOCD = 0x06054b50;
const ZIP64_EOCD_LOCATOR = 0x07064b50;
const CENTRAL_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;

/** The 64-bit sizes and offset of a central directory entry that has 0xFFFFFFFF placeholders. */
function zip64Fields(extra: Buffer, sizes: { size: number; compressed: number; offset: number }): void {
  for (let p = 0; p + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(p);
    const len = extra.readUInt16LE(p + 2);
    if (id === 1) {
      let q = p + 4;
      for (const key of ['size', 'compressed', 'offset'] as const) {
        if (sizes[key] === 0xffffffff && q + 8 <= p + 4 + len) {
          sizes[key] = Number(extra.readBigUInt64LE(q));
          q += 8;
        }
      }
    }
    p += 4 + len;
  }
}

/** Lists a zip file from its central directory (at the end: a truncated download has none). */
export function openZip(file: string): ProductArchive {
  const { size } = fs.statSync(file);
  const tailLength = Math.min(size, 65_557);
  const tail = readAt(file, size - tailLength, tailLength);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      at = i;
      break;
    }
  }
  if (at < 0) throw new Error('not a complete zip archive (no central directory; truncated download?)');
  let count = tail.readUInt16LE(at + 10);
  let dirSize = tail.readUInt32LE(at + 12);
  let dirOffset = tail.readUInt32LE(at + 16);
  if (at >= 20 && tail.readUInt32LE(at - 20) === ZIP64_EOCD_LOCATOR) {
    const record = readAt(file, Number(tail.readBigUInt64LE(at - 12)), 56);
    count = Number(record.readBigUInt64LE(32));
    dirSize = Number(record.readBigUInt64LE(40));
    dirOffset = Number(record.readBigUInt64LE(48));
  }
  if (dirOffset + dirSize > size) throw new Error('the zip archive is truncated');
  const dir = readAt(file, dirOffset, dirSize);
  const members = new Map<string, Member>();
  for (let p = 0, n = 0; n < count; n++) {
    if (p + 46 > dir.length || dir.readUInt32LE(p) !== CENTRAL_ENTRY) throw new Error('the zip central directory is damaged');
    const method = dir.readUInt16LE(p + 10);
    const nameLength = dir.readUInt16LE(p + 28);
    const extraLength = dir.readUInt16LE(p + 30);
    const commentLength = dir.readUInt16LE(p + 32);
    const name = dir.toString('utf8', p + 46, p + 46 + nameLength);
    const sizes = { compressed: dir.readUInt32LE(p + 20), size: dir.readUInt32LE(p + 24), offset: dir.readUInt32LE(p + 42) };
    zip64Fields(dir.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength), sizes);
    p += 46 + nameLength + extraLength + commentLength;
    if (name.endsWith('/')) continue;
    const local = readAt(file, sizes.offset, 30);
    if (local.readUInt32LE(0) !== LOCAL_HEADER) throw new Error(`the zip entry ${name} is damaged`);
    const dataOffset = sizes.offset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
    if (dataOffset + sizes.compressed > size) throw new Error('the zip archive is truncated');
    members.set(name, { offset: dataOffset, size: sizes.compressed, method });
  }
  return new PackedArchive(file, members, '/vsizip/');
}

/** `key=value` records of a pax extended header. */
function paxRecords(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let p = 0;
  while (p < data.length) {
    const space = data.indexOf(0x20, p);
    if (space < 0) break;
    const length = Number(data.toString('ascii', p, space));
    if (!Number.isFinite(length) || length <= 0) break;
    const record = data.toString('utf8', space + 1, p + length - 1);
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    p += length;
  }
  return out;
}

function cString(block: Buffer, start: number, length: number): string {
  const raw = block.subarray(start, start + length);
  const end = raw.indexOf(0);
  return raw.toString('utf8', 0, end < 0 ? length : end);
}

/** Lists a tar file (ustar, with pax and GNU long names) by walking its 512-byte headers. */
export function openTar(file: string): ProductArchive {
  const { size } = fs.statSync(file);
  const members = new Map<string, Member>();
  const fd = fs.openSync(file, 'r');
  try {
    const header = Buffer.alloc(512);
    let offset = 0;
    let longName: string | undefined;
    let ended = false;
    while (offset + 512 <= size) {
      fs.readSync(fd, header, 0, 512, offset);
      if (header.every((b) => b === 0)) {
        ended = true;
        break;
      }
      const sizeField = cString(header, 124, 12).trim();
      const memberSize = parseInt(sizeField || '0', 8);
      if (!Number.isFinite(memberSize)) throw new Error('the tar archive is damaged');
      const type = String.fromCharCode(header[156] || 0x30);
      const prefix = header.toString('ascii', 257, 262) === 'ustar' ? cString(header, 345, 155) : '';
      const name = longName ?? (prefix ? `${prefix}/${cString(header, 0, 100)}` : cString(header, 0, 100));
      longName = undefined;
      const dataOffset = offset + 512;
      if (dataOffset + memberSize > size) throw new Error('the tar archive is truncated');
      if (type === 'x' || type === 'L') {
        const data = readAt(file, dataOffset, memberSize);
        longName = type === 'L' ? cString(data, 0, data.length) : paxRecords(data).path;
      } else if (type === '0' || type === '\0' || type === '7') {
        members.set(name.replace(/^\.\//, ''), { offset: dataOffset, size: memberSize, method: 0 });
      }
      offset = dataOffset + Math.ceil(memberSize / 512) * 512;
    }
    if (!ended && offset < size) throw new Error('the tar archive is truncated');
  } finally {
    fs.closeSync(fd);
  }
  return new PackedArchive(file, members, '/vsitar/');
}

export function openFolder(folder: string, files: string[]): ProductArchive {
  return new FolderArchive(folder, files);
}
