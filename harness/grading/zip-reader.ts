// Unpacks a student's .zip (Node has no unzip, and the kit adds no package for it): reads the
// central directory, then each kept entry, stored or deflated, with zlib.inflateRawSync. It is
// deliberately narrow and bounded, because the archive comes from someone else:
// - no ZIP64, no multi-disk, no encryption (refused with a sentence saying so);
// - a name that is absolute or climbs out with ".." refuses the whole archive;
// - symbolic links are never created (ignored, and listed);
// - the sizes of what is kept are capped, and inflating can never produce more than the
//   size the directory announced, so a "zip bomb" stops at the first oversized entry.

import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';

export const ZIP_LIMITS = {
  archiveBytes: 200 * 1024 * 1024,
  entries: 20_000,
  fileBytes: 20 * 1024 * 1024,
  keptBytes: 100 * 1024 * 1024,
};

/** Why an archive was refused, in one sentence for the gradebook. */
export class ZipError extends Error {
  override name = 'ZipError';
}

export interface ZipEntry {
  /** The path inside the archive, with forward slashes. */
  name: string;
  directory: boolean;
  symlink: boolean;
  method: number;
  crc: number;
  compressedSize: number;
  size: number;
  localOffset: number;
}

export interface Unpacked {
  files: number;
  bytes: number;
  /** Entries not written: symbolic links, and whatever `skip` said to leave out. */
  ignored: string[];
}

const EOCD = 0x06054b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const UNIX_HOST = 3;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

/** Lists an archive's entries from its central directory. */
export function listZip(zip: Buffer): ZipEntry[] {
  const end = findEndOfCentralDirectory(zip);
  const count = zip.readUInt16LE(end + 10);
  const size = zip.readUInt32LE(end + 12);
  const offset = zip.readUInt32LE(end + 16);
  if (zip.readUInt16LE(end + 4) !== 0 || zip.readUInt16LE(end + 8) !== count) throw new ZipError('multi-part archives are not supported');
  if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) throw new ZipError('ZIP64 archives are not supported (is it over 4 GB, or over 65,535 files?)');
  if (count > ZIP_LIMITS.entries) throw new ZipError(`the archive holds ${count} entries, over the limit of ${ZIP_LIMITS.entries}`);
  if (offset + size > end) throw new ZipError('the archive is damaged (its directory points past its end)');

  const entries: ZipEntry[] = [];
  let at = offset;
  for (let i = 0; i < count; i++) {
    if (at + 46 > end || zip.readUInt32LE(at) !== CENTRAL) throw new ZipError('the archive is damaged (bad central directory)');
    const madeBy = zip.readUInt16LE(at + 4) >> 8;
    const flags = zip.readUInt16LE(at + 8);
    const nameLength = zip.readUInt16LE(at + 28);
    const rawName = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const mode = zip.readUInt32LE(at + 38) >>> 16;
    if (flags & 1) throw new ZipError(`"${rawName}" is encrypted; submit an archive without a password`);
    const name = safeName(rawName);
    entries.push({
      name,
      directory: name.endsWith('/'),
      symlink: madeBy === UNIX_HOST && (mode & S_IFMT) === S_IFLNK,
      method: zip.readUInt16LE(at + 10),
      crc: zip.readUInt32LE(at + 16),
      compressedSize: zip.readUInt32LE(at + 20),
      size: zip.readUInt32LE(at + 24),
      localOffset: zip.readUInt32LE(at + 42),
    });
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries;
}

/** Unpacks `file` into `dest` (which must exist), bounded as described above. */
export function extractZip(file: string, dest: string, skip: (name: string) => boolean = () => false): Unpacked {
  const archiveBytes = statSync(file).size;
  if (archiveBytes > ZIP_LIMITS.archiveBytes) throw new ZipError(`the archive is ${mib(archiveBytes)}, over the limit of ${mib(ZIP_LIMITS.archiveBytes)}`);
  const zip = readFileSync(file);
  const result: Unpacked = { files: 0, bytes: 0, ignored: [] };
  for (const entry of listZip(zip)) {
    if (skip(entry.name)) continue;
    if (entry.symlink) {
      result.ignored.push(`${entry.name} (a symbolic link)`);
      continue;
    }
    const target = path.resolve(dest, ...entry.name.split('/'));
    if (entry.directory && target === path.resolve(dest)) continue; // "./"
    // Belt and braces for platform quirks (a "C:" segment on Windows): the path must stay inside.
    if (!target.startsWith(path.resolve(dest) + path.sep)) throw new ZipError(`the archive holds an unsafe path "${entry.name}"`);
    if (entry.directory) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    if (entry.size > ZIP_LIMITS.fileBytes) throw new ZipError(`"${entry.name}" is ${mib(entry.size)}, over the limit of ${mib(ZIP_LIMITS.fileBytes)} per file`);
    result.bytes += entry.size;
    if (result.bytes > ZIP_LIMITS.keptBytes) throw new ZipError(`the archive unpacks to more than ${mib(ZIP_LIMITS.keptBytes)}`);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, readEntry(zip, entry));
    result.files++;
  }
  return result;
}

function readEntry(zip: Buffer, entry: ZipEntry): Buffer {
  const at = entry.localOffset;
  if (at + 30 > zip.length || zip.readUInt32LE(at) !== LOCAL) throw new ZipError(`the archive is damaged (no local header for "${entry.name}")`);
  const start = at + 30 + zip.readUInt16LE(at + 26) + zip.readUInt16LE(at + 28);
  if (start + entry.compressedSize > zip.length) throw new ZipError(`the archive is damaged ("${entry.name}" runs past its end)`);
  const raw = zip.subarray(start, start + entry.compressedSize);
  let data: Buffer;
  if (entry.method === 0) data = raw;
  else if (entry.method === 8) {
    try {
      // Never more than announced: a lying size cannot make us inflate gigabytes.
      data = inflateRawSync(raw, { maxOutputLength: Math.max(1, entry.size) });
    } catch (err) {
      throw new ZipError(`"${entry.name}" cannot be inflated (${(err as Error).message})`);
    }
  } else throw new ZipError(`"${entry.name}" uses compression method ${entry.method}; only stored and deflate are supported`);
  if (data.length !== entry.size || crc32(data) !== entry.crc) throw new ZipError(`the archive is damaged ("${entry.name}" fails its checksum)`);
  return data;
}

function findEndOfCentralDirectory(zip: Buffer): number {
  // The record is 22 bytes plus a comment of at most 65,535 bytes, at the very end.
  for (let at = zip.length - 22; at >= Math.max(0, zip.length - 22 - 0xffff); at--) {
    if (zip.readUInt32LE(at) === EOCD) return at;
  }
  throw new ZipError('this is not a zip archive (no central directory)');
}

/** A relative path with forward slashes, or a refusal: nothing may land outside the destination. */
function safeName(raw: string): string {
  const name = raw.replace(/\\/g, '/');
  if (!name || name.includes('\0') || name.startsWith('/') || /^[a-zA-Z]:/.test(name) || name.split('/').includes('..')) {
    throw new ZipError(`the archive holds an unsafe path "${raw}" (absolute, or climbing out with "..")`);
  }
  return name;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 as zip uses it (zlib.crc32 arrived only in Node 22). */
export function crc32(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
