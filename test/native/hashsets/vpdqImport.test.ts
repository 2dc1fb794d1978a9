import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listHashLists, openLibrary, removeHashLists, type HashLibrary } from '../../../native/hashsets/library.js';
import { importHashList } from '../../../native/hashsets/importer.js';
import { detectFormat } from '../../../native/hashsets/readers.js';
import { loadListedVideos } from '../../../native/hashsets/videoHashes.js';
import { formatVpdqJson, formatVpdqText } from '../../../native/video/vpdqFiles.js';
import type { VpdqFeature } from '../../../native/video/vpdq.js';

const features = (seed: number, n: number): VpdqFeature[] => Array.from({ length: n }, (_, i) => ({
  frame: i, quality: (seed * 7 + i * 13) % 101, hash: ((seed * 31 + i * 17) % 256).toString(16).padStart(2, '0').repeat(32), timestamp: i / 30,
}));

let dir: string;
let lib: HashLibrary;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'kestrel-vpdqlib-'));
  lib = openLibrary(join(dir, 'lib'));
});
afterEach(() => {
  lib.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('vPDQ list import', () => {
  it('keeps every frame of every video exactly as written, a video per file, and removes them with the list', () => {
    mkdirSync(join(dir, 'in', 'b'), { recursive: true });
    const a = features(1, 90);
    const b = features(2, 40);
    writeFileSync(join(dir, 'in', 'a.txt'), formatVpdqText(a));
    writeFileSync(join(dir, 'in', 'b', 'b.json'), formatVpdqJson(b));
    writeFileSync(join(dir, 'in', 'README.md'), 'not a hash file\n');
    expect(detectFormat(join(dir, 'in', 'a.txt'))).toBe('vpdq');
    expect(detectFormat(join(dir, 'in', 'b', 'b.json'))).toBe('vpdq');
    const { list } = importHashList(lib, join(dir, 'in'));
    expect(list).toMatchObject({ name: 'in', format: 'vpdq', recordsImported: 2, entryCount: 2, hashes: { vpdq: 130 } });
    const videos = loadListedVideos(lib.db, [list.id]);
    expect(videos.map((v) => v.entryId)).toEqual([list.firstEntry, list.firstEntry + 1]);
    // The text form writes timestamps with three decimals; the JSON form with three significant digits.
    expect(videos[0]!.features).toEqual(a.map((f) => ({ ...f, timestamp: Number(f.timestamp.toFixed(3)) })));
    expect(videos[1]!.features.map((f) => [f.frame, f.quality, f.hash])).toEqual(b.map((f) => [f.frame, f.quality, f.hash]));
    const labels = lib.db.prepare('SELECT label, details FROM entry ORDER BY id').all() as { label: string; details: string }[];
    expect(labels.map((l) => [l.label, JSON.parse(l.details).file])).toEqual([['a.txt', 'a.txt'], ['b.json', 'b/b.json']]);
    removeHashLists(lib, { name: 'in' });
    expect(lib.db.prepare('SELECT count(*) FROM video_hash').pluck().get()).toBe(0);
  });

  it('refuses a folder with a bad file, naming the file and line, and imports nothing; --skip-invalid imports the rest and reports it', () => {
    mkdirSync(join(dir, 'in'));
    writeFileSync(join(dir, 'in', 'good.txt'), formatVpdqText(features(3, 5)));
    writeFileSync(join(dir, 'in', 'bad.txt'), `${formatVpdqText(features(4, 2))}2,100,xyz,0.066\n`);
    expect(() => importHashList(lib, join(dir, 'in'), { format: 'vpdq' })).toThrow(`${join(dir, 'in', 'bad.txt')}: line 3: PDQ hash is not 64 hex digits; nothing was imported`);
    expect(listHashLists(lib)).toEqual([]);
    expect(lib.db.prepare('SELECT count(*) FROM video_hash').pluck().get()).toBe(0);
    const { list, rejects } = importHashList(lib, join(dir, 'in'), { format: 'vpdq', skipInvalid: true, name: 'partial' });
    expect(list).toMatchObject({ recordsRead: 2, recordsImported: 1, recordsRejected: 1, hashes: { vpdq: 5 } });
    expect(rejects.map((r) => r.at)).toEqual(['bad.txt']);
    expect(existsSync(list.rejectReport!)).toBe(true);
    expect(readFileSync(list.rejectReport!, 'utf8')).toContain('bad.txt\t');
  });

  it('imports one file as a one-video list named after it, and refuses an empty folder', () => {
    writeFileSync(join(dir, 'clip.txt'), formatVpdqText(features(5, 3)));
    const { list } = importHashList(lib, join(dir, 'clip.txt'), { format: 'vpdq' });
    expect(list).toMatchObject({ name: 'clip', entryCount: 1, formatVersion: 'vpdq-hash-video text', hashes: { vpdq: 3 } });
    mkdirSync(join(dir, 'empty'));
    expect(() => importHashList(lib, join(dir, 'empty'), { format: 'vpdq' })).toThrow(/no \.txt or \.json vPDQ hash files/);
  });
});
