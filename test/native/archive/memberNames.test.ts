import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createService, type KestrelService } from '../../../native/api/service.js';
import { dispatch } from '../../../native/api/dispatch.js';
import { ArchiveClient } from '../../../native/archive/archiveClient.js';
import { nameMembers, openStored } from '../../../native/archive/memberNames.js';
import type { ExhibitInfo, TreeNode } from '../../../native/api/types.js';
import { queryCase } from '../../helpers/catalogue.js';
import { REPO_ROOT, tempDir } from '../../helpers/cli.js';
import { DISK, intake, newCase } from '../disk/helpers.js';

/** Names as Windows and old Unix tools store them: not one of them is UTF-8. */
const CP437 = Buffer.from('caf\x82.txt', 'latin1'); // café in CP437 (DOS zip tools)
const LATIN1 = Buffer.from('na\xefve.txt', 'latin1'); // naïve in Latin-1
const SJIS = Buffer.from('\x93\xfa\x96\x7b\x8c\xea.jpg', 'latin1'); // 日本語 in Shift-JIS
const UTF8 = Buffer.from('utf8-é.txt'); // stored with the zip UTF-8 flag
const UNICODE_PATH_RAW = Buffer.from('r\x82sum\x82.txt', 'latin1'); // résumé in CP437 ...
const UNICODE_PATH = Buffer.from('résumé.txt'); // ... with an Info-ZIP Unicode Path field naming it in UTF-8
const BAD_CRC_RAW = Buffer.from('pi\xf1a.txt', 'latin1'); // a Unicode Path field whose CRC is not of this name: ignored
const PHOTO = Buffer.from('f\xf6to.jpg', 'latin1'); // a real picture under a Latin-1 name
const PICTURE = resolve(REPO_ROOT, '..', 'shared', 'reference', 'blockhash', '00002701.jpg');
const LONG = Buffer.concat([Buffer.from(`deep/${'L'.repeat(120)}/`), Buffer.from('\xe9t\xe9.txt', 'latin1')]);

const content = (name: Buffer) => Buffer.concat([Buffer.from('content of '), name]);

/** The archives, written with Python's zipfile and tarfile from raw bytes (hex on the command line). */
function build(dir: string): void {
  const py = `
import sys, zipfile, tarfile, io, struct, zlib
d = sys.argv[1]
h = lambda s: bytes.fromhex(s)
cp437, latin1, sjis, utf8, upraw, up, badraw, long_, photo = [h(a) for a in sys.argv[2:11]]
picture = open(sys.argv[11], 'rb').read()
class Raw(zipfile.ZipInfo):
    def _encodeFilenameFlags(self):
        return self.raw, self.flag_bits
def put(z, raw, flags=0, extra=b'', data=None):
    i = Raw(raw.hex()); i.raw = raw; i.flag_bits = flags; i.extra = extra
    z.writestr(i, data if data is not None else b'content of ' + raw)
def unicode_path(raw, name, crc=None):
    body = struct.pack('<BI', 1, zlib.crc32(raw) if crc is None else crc) + name
    return struct.pack('<HH', 0x7075, len(body)) + body
with zipfile.ZipFile(d + '/names.zip', 'w') as z:
    put(z, cp437); put(z, latin1); put(z, sjis); put(z, utf8, 0x800)
    put(z, upraw, extra=unicode_path(upraw, up))
    put(z, badraw, extra=unicode_path(badraw, 'wrong.txt'.encode(), crc=1234))
    put(z, photo, data=picture)
with zipfile.ZipFile(d + '/twice.zip', 'w') as z:
    put(z, b'same.txt', data=b'first'); put(z, b'same.txt', data=b'second')
for fmt, name in [(tarfile.USTAR_FORMAT, 'ustar'), (tarfile.GNU_FORMAT, 'gnu'), (tarfile.PAX_FORMAT, 'pax')]:
    with tarfile.open(d + '/' + name + '.tar', 'w', format=fmt, encoding='utf-8', errors='surrogateescape') as t:
        for raw in [cp437, latin1, sjis, utf8, long_]:
            data = b'content of ' + raw
            i = tarfile.TarInfo(raw.decode('utf-8', 'surrogateescape')); i.size = len(data)
            t.addfile(i, io.BytesIO(data))
`;
  const names = [CP437, LATIN1, SJIS, UTF8, UNICODE_PATH_RAW, UNICODE_PATH, BAD_CRC_RAW, LONG, PHOTO].map((b) => b.toString('hex'));
  execFileSync('python3', ['-W', 'ignore', '-c', py, dir, ...names, PICTURE]);
}

interface Row { path: Buffer; path_text: string; read_state: string; error: string | null; sha256: string | null }

describe('archive member names as the archive stores them', () => {
  let dir: string;
  let caseDir: string;
  let service: KestrelService;
  let rows: Row[];
  const call = async <T>(channel: string, arg: unknown): Promise<T> => {
    const r = await dispatch(service.handlers, channel, arg);
    if (!r.ok) throw new Error(`${channel}: ${r.error}`);
    return r.value as T;
  };
  const row = (archive: string, name: Buffer): Row => {
    const path = Buffer.concat([Buffer.from(`${archive}!/`), name]);
    const r = rows.find((x) => x.path.equals(path));
    expect(r, `${archive}!/${name.toString('hex')}`).toBeDefined();
    return r!;
  };
  const sha = (b: Buffer) => execFileSync('sha256sum', { input: b }).toString().slice(0, 64);

  beforeAll(async () => {
    dir = tempDir('member-names');
    const evidence = join(dir, 'evidence');
    mkdirSync(evidence);
    build(evidence);
    for (const f of ['plain.zip', 'plain.tar', 'nested.7z']) copyFileSync(join(DISK, 'archives', f), join(evidence, f));
    caseDir = newCase('member-names-case');
    await intake(caseDir, evidence, 'N');
    rows = queryCase<Row>(caseDir, `SELECT f.path, f.path_text, f.read_state, f.error, c.sha256 FROM file_instance f
      LEFT JOIN content c ON c.id = f.content_id ORDER BY f.path`);
    service = createService({ caseDir, libraryDir: join(dir, 'lib') });
  }, 300_000);
  afterAll(async () => { await service?.close(); });

  it('catalogues zip and tar members under their stored bytes, shown as \\xNN, each with its own content', () => {
    expect(rows.some((r) => r.path_text.includes('\ufffd'))).toBe(false);
    for (const archive of ['names.zip', 'ustar.tar', 'gnu.tar', 'pax.tar']) {
      expect(row(archive, CP437).path_text).toBe(`${archive}!/caf\\x82.txt`);
      expect(row(archive, LATIN1).path_text).toBe(`${archive}!/na\\xefve.txt`);
      expect(row(archive, SJIS).path_text).toBe(`${archive}!/\\x93\\xfa\\x96{\\x8c\\xea.jpg`);
      expect(row(archive, UTF8).path_text).toBe(`${archive}!/utf8-é.txt`);
      for (const name of [CP437, LATIN1, SJIS, UTF8]) expect(row(archive, name)).toMatchObject({ read_state: 'done', sha256: sha(content(name)) });
    }
    // ustar keeps a long name in its prefix field, GNU in a long-name record, pax in a path record.
    for (const archive of ['ustar.tar', 'gnu.tar', 'pax.tar']) {
      expect(row(archive, LONG)).toMatchObject({ path_text: `${archive}!/deep/${'L'.repeat(120)}/\\xe9t\\xe9.txt`, sha256: sha(content(LONG)) });
    }
    // A valid Unicode Path field names the member in UTF-8; one whose CRC is not of the stored name is ignored.
    expect(row('names.zip', UNICODE_PATH)).toMatchObject({ path_text: 'names.zip!/résumé.txt', sha256: sha(content(UNICODE_PATH_RAW)) });
    expect(row('names.zip', BAD_CRC_RAW)).toMatchObject({ path_text: 'names.zip!/pi\\xf1a.txt', sha256: sha(content(BAD_CRC_RAW)) });
    // UTF-8 names in the shared fixtures are unchanged, nested archives included.
    expect(row('plain.zip', Buffer.from('payload/sub/b.bin')).read_state).toBe('done');
    expect(row('plain.tar', Buffer.from('payload/a.txt')).read_state).toBe('done');
    expect(row('nested.7z', Buffer.from('inner.zip!/plain.tar.gz!/plain.tar!/payload/a.txt')).sha256).toBe(row('plain.tar', Buffer.from('payload/a.txt')).sha256);
  });

  it('records where the names came from, and does not give a member another one\'s content when two share a name', () => {
    const detail = (p: string) => JSON.parse(queryCase<{ d: string }>(caseDir, 'SELECT archive_detail AS d FROM file_instance WHERE path_text = ?', p)[0]!.d) as Record<string, unknown>;
    expect(detail('names.zip')).toMatchObject({ names: 'archive headers', members: 7, extractErrors: [] });
    expect(detail('pax.tar')).toMatchObject({ names: 'archive headers', members: 5 });
    expect(detail('nested.7z')).toMatchObject({ names: '7-Zip' });
    expect(row('twice.zip', Buffer.from('same.txt'))).toMatchObject({ read_state: 'error', sha256: null, error: expect.stringMatching(/one name/) });
    expect(existsSync(join(caseDir, 'tmp', 'archives'))).toBe(false);
  });

  it('shows the stored names in the evidence tree and the catalogue grid through the typed contract', async () => {
    const exhibit = (await call<ExhibitInfo[]>('listExhibits', {})).find((e) => e.label === 'N')!.id;
    const top = await call<TreeNode[]>('evidenceTree', { exhibitId: exhibit, parent: '' });
    const zip = top.find((n) => n.name === 'names.zip!')!;
    expect(zip).toMatchObject({ kind: 'archive', files: 7 });
    const members = await call<TreeNode[]>('evidenceTree', { exhibitId: exhibit, parent: top.find((n) => n.name === 'gnu.tar!')!.path });
    expect(members.map((n) => n.name)).toEqual(['deep']);
    const page = await call<{ rows: { name: string }[] }>('queryItems', {
      filter: { under: { exhibitId: exhibit, path: zip.path } }, sort: { key: 'name', dir: 'asc' }, offset: 0, limit: 20,
    });
    expect(page.rows.map((r) => r.name)).toContain('\\x93\\xfa\\x96{\\x8c\\xea.jpg');
    expect(page.rows.map((r) => r.name)).toContain('résumé.txt');
    expect(page.rows.map((r) => r.name)).toContain('f\\xf6to.jpg');
  });

  it('opens the original of a picture under a name that is not UTF-8 in the viewer, copied out by its place in the zip', async () => {
    const picture = readFileSync(PICTURE);
    const id = queryCase<{ id: number }>(caseDir, 'SELECT id FROM content WHERE sha256 = ?', sha(picture))[0]!.id;
    const r = await dispatch(service.handlers, 'viewSource', { contentId: id });
    expect(r).toEqual({ ok: true, value: { source: 'original', exhibitLabel: 'N', path: 'names.zip!/f\\xf6to.jpg' } });
    expect((await service.originalImage(id))!.bytes.equals(picture)).toBe(true);
    expect(readdirSync(join(caseDir, 'tmp', 'view'))).toEqual([]);
  });

  it('keeps 7-Zip\'s names, saying why, when the headers and 7-Zip\'s listing do not pair up', async () => {
    const client = new ArchiveClient();
    let stored: Awaited<ReturnType<typeof openStored>> = null;
    try {
      const file = join(dir, 'evidence', 'gnu.tar');
      const listing = await client.list(file, 'gnu.tar');
      stored = (await openStored(file, 'tar'))!;
      expect(stored.names.map((s) => s.name)).toEqual([CP437, LATIN1, SJIS, UTF8, LONG]);
      expect(nameMembers(stored, listing.members).names).toBe('archive headers');
      const dropped = nameMembers(stored, listing.members.slice(1));
      expect(dropped).toMatchObject({ names: '7-Zip', namesNote: 'the headers hold 5 members, 7-Zip listed 4' });
      const resized = nameMembers(stored, listing.members.map((m, i) => (i === 2 ? { ...m, size: 1 } : m)));
      expect(resized.namesNote).toBe("member 3 differs in size between the headers and 7-Zip's listing");
      expect(resized.members[0]!.name.equals(Buffer.from(listing.members[0]!.path))).toBe(true);
      expect(resized.members[0]!.diskPath).toBe(listing.members[0]!.path);
    } finally {
      await stored?.close();
      await client.close();
    }
  });
});
