import { beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ZipReader, ZipWriter, Uint8ArrayReader, Uint8ArrayWriter, type ZipWriterAddDataOptions } from '@zip.js/zip.js';
import { jsonLines, kestrel, tempDir } from '../../helpers/cli.js';
import { copyPackage, exportPackage, makeTestCase } from './fixture.js';
import { useTestSigningKey } from '../../helpers/signing.js';

useTestSigningKey();

interface Verdict { ok: boolean; problems: { kind: string; file: string; detail: string }[]; audit: { holds: boolean; message: string } }

let pkg: ReturnType<typeof exportPackage>;

beforeAll(() => {
  pkg = exportPackage(makeTestCase().caseDir, ['--zip']);
});

/** `kestrel verify --json` under a one-minute guard: a FIFO used to hang it for ever. */
function verify(path: string): { status: number | null; verdict: Verdict; stderr: string } {
  const r = kestrel(['verify', path, '--json'], { wrap: ['timeout', '60'] });
  expect(r.status, `verify hung or crashed: ${r.stderr}`).not.toBe(124);
  return { status: r.status, verdict: jsonLines(r.stdout)[0] as unknown as Verdict, stderr: r.stderr };
}

function problem(v: Verdict, file: string): { kind: string; detail: string } | undefined {
  return v.problems.find((p) => p.file === file);
}

type Member = { name: string; data: Uint8Array; options?: ZipWriterAddDataOptions };

/** The package zip's members (under its top folder), to rebuild with changes. */
async function members(): Promise<Member[]> {
  const reader = new ZipReader(new Uint8ArrayReader(readFileSync(`${pkg.out}.zip`)));
  const out: Member[] = [];
  for (const e of await reader.getEntries()) {
    if (!e.directory) out.push({ name: e.filename, data: await e.getData(new Uint8ArrayWriter()) });
  }
  await reader.close();
  return out;
}

async function writeZip(list: readonly Member[], name: string): Promise<string> {
  const writer = new ZipWriter(new Uint8ArrayWriter(), { dataDescriptor: false });
  for (const m of list) await writer.add(m.name, new Uint8ArrayReader(m.data), m.options);
  const file = join(tempDir('verify-crafted'), name);
  writeFileSync(file, await writer.close());
  return file;
}

describe('kestrel verify opens only what a package may hold', () => {
  it('a FIFO in the package folder is named, not waited on', () => {
    const copy = copyPackage(pkg.out);
    rmSync(join(copy, 'findings.csv'));
    for (const fifo of ['findings.csv', 'extra.fifo']) expect(spawnSync('mkfifo', [join(copy, fifo)]).status).toBe(0);
    const r = verify(copy);
    expect(r.status).toBe(1);
    expect(problem(r.verdict, 'findings.csv')).toEqual({ kind: 'altered', file: 'findings.csv', detail: 'a FIFO, not opened: a package holds regular files only' });
    expect(problem(r.verdict, 'extra.fifo')?.kind).toBe('added');
    expect(problem(r.verdict, 'extra.fifo')?.detail).toMatch(/a FIFO, not opened/);
  });

  it('links are not followed: to /dev/zero, to a folder, to a file outside the package', () => {
    const copy = copyPackage(pkg.out);
    const outside = tempDir('verify-outside');
    writeFileSync(join(outside, 'findings.csv'), readFileSync(join(copy, 'findings.csv')));
    rmSync(join(copy, 'findings.csv'));
    rmSync(join(copy, 'report.html'));
    rmSync(join(copy, 'audit-log.jsonl'));
    symlinkSync('/dev/zero', join(copy, 'report.html'));
    symlinkSync(outside, join(copy, 'audit-log.jsonl'));
    // Even a link to the very bytes the manifest lists does not pass: what is checked is what the package holds.
    symlinkSync(join(outside, 'findings.csv'), join(copy, 'findings.csv'));
    const r = verify(copy);
    expect(r.status).toBe(1);
    expect(problem(r.verdict, 'report.html')?.detail).toBe('a symbolic link (to /dev/zero), not followed: a package holds regular files only');
    expect(problem(r.verdict, 'findings.csv')?.detail).toBe(`a symbolic link (to ${join(outside, 'findings.csv')}), not followed: a package holds regular files only`);
    expect(problem(r.verdict, 'audit-log.jsonl')?.detail).toMatch(/^a symbolic link \(to .*verify-outside.*\), not followed/);
    expect(r.verdict.audit).toMatchObject({ holds: false, message: expect.stringMatching(/^audit-log\.jsonl: a symbolic link/) });
  });

  it('a zip with two entries of one name (a forged findings.csv placed first) is refused, naming the member', async () => {
    const list = await members();
    const original = list.find((m) => m.name.endsWith('/findings.csv'))!;
    // zip.js writes no two entries of one name: the forged one goes in as findings.csX and is renamed in its headers.
    const forged = { name: original.name.replace(/v$/, 'X'), data: new TextEncoder().encode('sha256,name\nforged,row\n') };
    const file = await writeZip([forged, ...list], 'duplicate.zip');
    const bytes = readFileSync(file);
    const [from, to] = [Buffer.from(forged.name), Buffer.from(original.name)];
    let renamed = 0;
    for (let at = bytes.indexOf(from); at >= 0; at = bytes.indexOf(from, at + 1)) renamed += to.copy(bytes, at) > 0 ? 1 : 0;
    expect(renamed).toBe(2);
    writeFileSync(file, bytes);
    const r = verify(file);
    expect(r.status).toBe(1);
    expect(problem(r.verdict, 'findings.csv')).toEqual({ kind: 'altered', file: 'findings.csv',
      detail: '2 entries of this name in the zip (readers would disagree on which one counts), none read' });
  });

  it('a zip bomb is not extracted, listed or not; a member inflating past its declared size is cut off', async () => {
    const list = await members();
    const top = list[0]!.name.slice(0, list[0]!.name.indexOf('/') + 1);
    const zeros = new Uint8Array(64 << 20);
    const bombed = [...list.filter((m) => !m.name.endsWith('/findings.csv')), { name: `${top}findings.csv`, data: zeros }, { name: `${top}extra.bin`, data: zeros }];
    const r = verify(await writeZip(bombed, 'bomb.zip'));
    expect(r.status).toBe(1);
    for (const [file, kind] of [['findings.csv', 'altered'], ['extra.bin', 'added']] as const) {
      expect(problem(r.verdict, file)?.kind).toBe(kind);
      expect(problem(r.verdict, file)?.detail).toMatch(/would expand \d+ bytes to 67108864 \(\d+ times; at most 100 allowed\), not extracted$/);
    }

    // The same 64 MiB member under headers that declare 1,000 bytes: the ratio looks harmless, the stream is bounded by the header.
    const lying = await writeZip([...list.filter((m) => !m.name.endsWith('/findings.csv')), { name: `${top}findings.csv`, data: zeros }], 'lying.zip');
    const bytes = readFileSync(lying);
    const name = Buffer.from(`${top}findings.csv`);
    for (let at = bytes.indexOf(name); at >= 0; at = bytes.indexOf(name, at + 1)) {
      if (bytes.readUInt32LE(at - 30) === 0x04034b50) bytes.writeUInt32LE(1000, at - 30 + 22);
      if (bytes.readUInt32LE(at - 46) === 0x02014b50) bytes.writeUInt32LE(1000, at - 46 + 24);
    }
    writeFileSync(lying, bytes);
    const l = verify(lying);
    expect(l.status).toBe(1);
    expect(problem(l.verdict, 'findings.csv')?.kind).toBe('altered');
    expect(problem(l.verdict, 'findings.csv')?.detail).toMatch(/expands beyond the 1000 bytes its zip header declares|cannot be read/);
  });

  it('zip members that are links or whose names leave the package are refused', async () => {
    const list = await members();
    const top = list[0]!.name.slice(0, list[0]!.name.indexOf('/') + 1);
    const crafted = [...list,
      { name: `${top}link`, data: new TextEncoder().encode('/etc/passwd'), options: { unixMode: 0o120777 } },
      { name: `${top}a/../findings.csv`, data: new TextEncoder().encode('x') }];
    const r = verify(await writeZip(crafted, 'names.zip'));
    expect(r.status).toBe(1);
    expect(problem(r.verdict, 'link')?.detail).toMatch(/a symbolic link, not followed/);
    expect(problem(r.verdict, 'a/../findings.csv')?.detail).toMatch(/an empty, "\." or "\.\." part in its name, not read/);
    expect(problem(r.verdict, 'findings.csv')).toBeUndefined();
  });

  it('the untouched package still passes as a folder and as a zip read in place', () => {
    for (const path of [pkg.out, `${pkg.out}.zip`]) expect(verify(path).verdict.ok, path).toBe(true);
    const folder = tempDir('verify-nested');
    mkdirSync(join(folder, 'x'));
    expect(verify(join(folder, 'x')).status).toBe(1);
  });
});
