import { closeSync, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Container formats Kestrel takes in, told apart by their magic bytes (never by extension). */
export type ImageFormat = 'ewf' | 'vmdk' | 'vhd' | 'raw';

export interface ImageSource {
  format: ImageFormat;
  /** Every file of the image, first segment first, as TSK must be given them. */
  segments: string[];
}

/** A format Kestrel recognises but does not read (the message says why); not an image otherwise. */
export class UnsupportedImage extends Error {}

function readAt(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    return buf.subarray(0, readSync(fd, buf, 0, length, offset));
  } finally {
    closeSync(fd);
  }
}

function sizeOf(path: string): number {
  const fd = openSync(path, 'r');
  try {
    return fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
}

const EWF1 = Buffer.from('455646090d0aff00', 'hex');
const EWF2 = Buffer.from('455646320d0a8100', 'hex');
const QCOW = Buffer.from('514649fb', 'hex');

/**
 * Which container FILE is, with its other segments. Raw is what is left: whether a raw file holds a
 * volume system or file system is for the Sleuth Kit to say.
 */
export function identifyImage(file: string): ImageSource {
  const head = readAt(file, 0, 512);
  if (head.subarray(0, 8).equals(EWF1)) return { format: 'ewf', segments: ewfSegments(file) };
  if (head.subarray(0, 8).equals(EWF2)) throw new UnsupportedImage('EnCase Ex01 (EWF2) is not readable by the libewf on this system; convert it with ewfexport or acquire as E01');
  if (head.subarray(0, 4).equals(QCOW)) throw new UnsupportedImage('QCOW images are not read by this Sleuth Kit (it would misread them as raw); convert with qemu-img convert -O raw');
  if (head.subarray(0, 4).toString('latin1') === 'KDMV' || head.toString('latin1').includes('# Disk DescriptorFile')) return { format: 'vmdk', segments: [file] };
  const size = sizeOf(file);
  if (head.subarray(0, 8).toString('latin1') === 'conectix' || (size >= 512 && readAt(file, size - 512, 8).toString('latin1') === 'conectix')) {
    return { format: 'vhd', segments: [file] };
  }
  return { format: 'raw', segments: rawSegments(file) };
}

/** E01, E02 ... E99, EAA ... : the files beside the first that share its name, in order. */
function ewfSegments(first: string): string[] {
  const dir = dirname(first);
  const base = basename(first);
  const m = /^(.*)\.([EeLs])01$/.exec(base);
  if (!m) return [first];
  const stem = m[1]!;
  const letter = m[2]!;
  const names = readdirSync(dir).filter((n) => n.startsWith(`${stem}.`) && new RegExp(`^${letter}(\\d\\d|[A-Z][A-Z])$`, 'i').test(n.slice(stem.length + 1)));
  names.sort((a, b) => segmentRank(a.slice(stem.length + 2)) - segmentRank(b.slice(stem.length + 2)));
  return names.map((n) => join(dir, n));
}

function segmentRank(suffix: string): number {
  if (/^\d\d$/.test(suffix)) return Number(suffix);
  const u = suffix.toUpperCase();
  return 100 + (u.charCodeAt(0) - 65) * 26 + (u.charCodeAt(1) - 65);
}

/** name.000/.001/..., name.001/.002/..., name.aa/.ab/...: the consecutive files that exist. */
function rawSegments(first: string): string[] {
  const dir = dirname(first);
  const base = basename(first);
  const numbered = /^(.*\.)(\d{3})$/.exec(base);
  const lettered = /^(.*\.)([a-z]{2})$/.exec(base);
  const present = new Set(readdirSync(dir));
  const segments = [first];
  if (numbered) {
    const width = numbered[2]!.length;
    for (let i = Number(numbered[2]) + 1; ; i++) {
      const name = `${numbered[1]}${String(i).padStart(width, '0')}`;
      if (!present.has(name)) break;
      segments.push(join(dir, name));
    }
  } else if (lettered && lettered[2] === 'aa') {
    for (let i = 1; i < 26 * 26; i++) {
      const name = `${lettered[1]}${String.fromCharCode(97 + Math.floor(i / 26), 97 + (i % 26))}`;
      if (!present.has(name)) break;
      segments.push(join(dir, name));
    }
  }
  return segments;
}
